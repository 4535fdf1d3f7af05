"""Comparison and attribute helpers (tfdrift_ci/rules/drift/_attributes.py)."""

from __future__ import annotations

import json

import pytest

from tfdrift_ci.models import Unknown
from tfdrift_ci.rules.drift import _attributes as A


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("desiredCount", "desired_count"),
        ("enableECSManagedTags", "enable_ecs_managed_tags"),
        ("healthCheckGracePeriodSeconds", "health_check_grace_period_seconds"),
        ("scanOnPush", "scan_on_push"),
        ("kmsKeyId", "kms_key_id"),
    ],
)
def test_snake(name: str, snake: str) -> None:
    assert A.snake(name) == snake


def test_policies_compare_as_parsed_json() -> None:
    declared = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["ecr:BatchGetImage"], "Principal": {"AWS": "arn:aws:iam::1:root"}}
        ],
    }
    pretty = json.dumps(
        {
            "Statement": {
                "Principal": {"AWS": ["arn:aws:iam::1:root"]},
                "Action": "ecr:BatchGetImage",
                "Effect": "Allow",
            },
            "Version": "2012-10-17",
        },
        indent=4,
    )
    assert A.same(declared, pretty)
    other = pretty.replace("BatchGetImage", "PutImage")
    assert not A.same(declared, other)


def test_scalars_are_typed() -> None:
    assert A.same(512, "512")
    assert A.same(True, "true")
    assert not A.same(2, 6)
    assert A.same(["b", "a"], ["a", "b"])
    assert A.same(None, A.MISSING)


def test_get_path_enters_blocks_and_reports_unknown() -> None:
    attrs = {
        "image_scanning_configuration": [{"scan_on_push": True}],
        "network_configuration": Unknown("var.n"),
    }
    assert A.get_path(attrs, "image_scanning_configuration.scan_on_push") is True
    assert A.get_path(attrs, "image_tag_mutability") is A.MISSING
    assert isinstance(A.get_path(attrs, "network_configuration.assign_public_ip"), Unknown)
    assert A.get_path({"b": []}, "b.c") is A.MISSING


@pytest.mark.parametrize(
    ("policy", "public"),
    [
        ({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*"}]}, True),
        ({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "ecr:*"}]}, True),
        (
            '{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "ecr:BatchGetImage"}}',
            True,
        ),
        (
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "ecr:*",
                        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}},
                    }
                ]
            },
            False,
        ),
        ({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "ecr:*"}]}, False),
        (
            {
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "ecr:*"}
                ]
            },
            False,
        ),
        ("not json", False),
    ],
)
def test_is_public_policy(policy: object, public: bool) -> None:
    assert A.is_public_policy(policy) is public


@pytest.mark.parametrize(
    ("value", "trivial"),
    [
        (None, True),
        (False, True),
        (0, True),
        ("", True),
        ("LATEST", True),
        ("NONE", True),
        ([], True),
        ({"deploymentCircuitBreaker": {"enable": False}}, True),
        ("false", True),
        (True, False),
        (1, False),
        ("ENABLED", False),
        (["sg-1"], False),
        ({"a": "x"}, False),
        (0.5, False),
    ],
)
def test_trivial(value: object, trivial: bool) -> None:
    assert A.trivial(value) is trivial


def test_loose_comparison_treats_zero_defaults_in_blocks_as_unset_but_never_in_policies() -> None:
    declared = [{"capacity_provider": "FARGATE", "weight": 1}]
    assert A.same(declared, [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}], loose=True)
    assert not A.same(declared, [{"capacity_provider": "FARGATE", "weight": 1, "base": 2}], loose=True)
    cond = {"Statement": [{"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    assert not A.same(cond, {"Statement": [{"Effect": "Deny", "Condition": {"Bool": {}}}]})
