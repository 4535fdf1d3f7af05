"""ECR config rules on hand-built resources (the fixture runner covers .tf files end to end)."""

from __future__ import annotations

import pytest

from rules.config.helpers import hits, res
from tfdrift_ci.models import Severity, Unknown
from tfdrift_ci.rules.config import (
    ecr_force_delete,
    ecr_kms_encryption,
    ecr_no_lifecycle_policy,
    ecr_no_policy,
    ecr_public_policy,
    ecr_scan_on_push,
    ecr_tag_mutability,
)

REPO = "aws_ecr_repository"


@pytest.mark.parametrize(
    ("value", "fails"),
    [
        (None, True),
        ("MUTABLE", True),
        ("mutable", True),
        ("MUTABLE_WITH_EXCLUSION", True),
        ("IMMUTABLE", False),
        ("IMMUTABLE_WITH_EXCLUSION", False),
        (Unknown("var.mutability"), False),
    ],
)
def test_tag_mutability(value: object, fails: bool) -> None:
    attrs = {"name": "api"} if value is None else {"name": "api", "image_tag_mutability": value}
    found = hits(ecr_tag_mutability, res(REPO, "r", attrs, lines={"image_tag_mutability": 7}))
    assert bool(found) is fails
    if fails:
        assert found[0].attribute == "image_tag_mutability"
        assert found[0].line == (1 if value is None else 7)


def _scan(value: object) -> dict[str, object]:
    return {"name": "api", "image_scanning_configuration": [{"scan_on_push": value}]}


def _registry(scan_type: str, frequency: str, pattern: str, **kw: object) -> object:
    return res(
        "aws_ecr_registry_scanning_configuration",
        "this",
        {
            "scan_type": scan_type,
            "rule": [
                {
                    "scan_frequency": frequency,
                    "repository_filter": [{"filter": pattern, "filter_type": "WILDCARD"}],
                }
            ],
        },
        **kw,  # type: ignore[arg-type]
    )


def test_scan_on_push_values() -> None:
    assert hits(ecr_scan_on_push, res(REPO, "a", _scan(True))) == []
    assert hits(ecr_scan_on_push, res(REPO, "a", _scan("true"))) == []
    assert len(hits(ecr_scan_on_push, res(REPO, "a", _scan(False)))) == 1
    assert len(hits(ecr_scan_on_push, res(REPO, "a", {"name": "api"}))) == 1
    assert hits(ecr_scan_on_push, res(REPO, "a", _scan(Unknown("var.scan")))) == []


@pytest.mark.parametrize(
    ("scan_type", "frequency", "pattern", "covered"),
    [
        ("ENHANCED", "CONTINUOUS_SCAN", "*", True),
        ("ENHANCED", "SCAN_ON_PUSH", "ap*", True),
        ("ENHANCED", "SCAN_ON_PUSH", "web*", False),
        ("BASIC", "SCAN_ON_PUSH", "api", True),
        ("BASIC", "SCAN_ON_PUSH", "*", True),
        ("BASIC", "MANUAL", "*", False),
    ],
)
def test_scan_on_push_registry_coverage(scan_type: str, frequency: str, pattern: str, covered: bool) -> None:
    found = hits(ecr_scan_on_push, res(REPO, "a", _scan(False)), _registry(scan_type, frequency, pattern))  # type: ignore[arg-type]
    assert (found == []) is covered


def test_scan_on_push_registry_other_region_does_not_cover() -> None:
    repo = res(REPO, "a", _scan(False), region="eu-west-1")
    registry = _registry("ENHANCED", "CONTINUOUS_SCAN", "*", region="us-east-1")
    assert len(hits(ecr_scan_on_push, repo, registry)) == 1  # type: ignore[arg-type]


def test_scan_on_push_unknown_name_only_star_covers() -> None:
    repo = res(
        REPO, "a", {"name": Unknown("var.name"), "image_scanning_configuration": [{"scan_on_push": False}]}
    )
    assert len(hits(ecr_scan_on_push, repo, _registry("ENHANCED", "SCAN_ON_PUSH", "api*"))) == 1  # type: ignore[arg-type]
    assert hits(ecr_scan_on_push, repo, _registry("ENHANCED", "SCAN_ON_PUSH", "*")) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("encryption", "fails"),
    [
        (None, True),
        ([{"encryption_type": "AES256"}], True),
        ([{"encryption_type": "KMS"}], True),
        ([{"encryption_type": "KMS", "kms_key": "alias/aws/ecr"}], True),
        ([{"encryption_type": "KMS", "kms_key": "arn:aws:kms:eu-west-1:123456789012:key/abc"}], False),
        ([{"encryption_type": "KMS", "kms_key": Unknown("aws_kms_key.ecr.arn")}], False),
        ([{"encryption_type": "KMS_DSSE", "kms_key": Unknown("aws_kms_key.ecr.arn")}], False),
        (Unknown("var.encryption"), False),
    ],
)
def test_kms(encryption: object, fails: bool) -> None:
    attrs: dict[str, object] = {"name": "api"}
    if encryption is not None:
        attrs["encryption_configuration"] = encryption
    assert bool(hits(ecr_kms_encryption, res(REPO, "a", attrs))) is fails


def _policy(*statements: dict[str, object]) -> dict[str, object]:
    return {"repository": "api", "policy": {"Version": "2012-10-17", "Statement": list(statements)}}


PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


@pytest.mark.parametrize(
    ("statement", "severity"),
    [
        ({"Effect": "Allow", "Principal": "*", "Action": PULL}, Severity.HIGH),
        ({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "ecr:*"}, Severity.CRITICAL),
        (
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::1:root", "*"]}, "Action": PULL},
            Severity.HIGH,
        ),
        (
            {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "ecr:PutImage"},
            Severity.CRITICAL,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": PULL,
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}},
            },
            Severity.HIGH,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": PULL,
                "Condition": {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}},
            },
            Severity.HIGH,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": PULL,
                "Condition": {"StringLike": {"aws:PrincipalOrgID": "*"}},
            },
            Severity.HIGH,
        ),
    ],
)
def test_public_policy_fails(statement: dict[str, object], severity: Severity) -> None:
    found = hits(ecr_public_policy, res("aws_ecr_repository_policy", "p", _policy(statement)))
    assert len(found) == 1
    assert found[0].severity == severity


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Deny", "Principal": "*", "Action": "ecr:*"},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": PULL},
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": PULL,
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        },
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": PULL,
            "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a/r-b/ou-c/*"]}},
        },
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": PULL,
            "Condition": {"StringLike": {"aws:sourceArn": "arn:aws:lambda:*:1:function:*"}},
        },
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": PULL,
            "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:lambda:eu-west-1:1:function:x"}},
        },
    ],
)
def test_public_policy_passes(statement: dict[str, object]) -> None:
    assert hits(ecr_public_policy, res("aws_ecr_repository_policy", "p", _policy(statement))) == []


def test_public_policy_unknown_and_single_statement_object() -> None:
    assert (
        hits(ecr_public_policy, res("aws_ecr_repository_policy", "p", {"policy": Unknown("data.x.json")}))
        == []
    )
    single = {"policy": {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "ecr:*"}}}
    assert len(hits(ecr_public_policy, res("aws_ecr_repository_policy", "p", single))) == 1


def test_ecr_public_policy_only_counts_writes() -> None:
    pull = {
        "policy_text": {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["ecr-public:BatchCheckLayerAvailability", "ecr-public:DescribeImages"],
                }
            ]
        }
    }
    push = {
        "policy_text": {
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["ecr-public:PutImage"]}]
        }
    }
    assert hits(ecr_public_policy, res("aws_ecrpublic_repository_policy", "p", pull)) == []
    assert len(hits(ecr_public_policy, res("aws_ecrpublic_repository_policy", "p", push))) == 1


def test_no_policy_matches_reference_and_literal() -> None:
    repo = res(REPO, "this", {"name": "api"})
    assert len(hits(ecr_no_policy, repo)) == 1
    by_ref = res("aws_ecr_repository_policy", "p", {"repository": Unknown("aws_ecr_repository.this[0].name")})
    assert hits(ecr_no_policy, repo, by_ref) == []
    by_name = res("aws_ecr_repository_policy", "p", {"repository": "api"})
    assert hits(ecr_no_policy, repo, by_name) == []
    other_module = res(
        "aws_ecr_repository_policy",
        "p",
        {"repository": Unknown("aws_ecr_repository.this.name")},
        module=("x",),
    )
    assert len(hits(ecr_no_policy, repo, other_module)) == 1
    other_name = res("aws_ecr_repository_policy", "p", {"repository": "web"})
    assert len(hits(ecr_no_policy, repo, other_name)) == 1


def test_no_lifecycle_policy() -> None:
    repo = res(REPO, "this", {"name": "api"})
    assert len(hits(ecr_no_lifecycle_policy, repo)) == 1
    lc = res("aws_ecr_lifecycle_policy", "l", {"repository": Unknown("aws_ecr_repository.this.name")})
    assert hits(ecr_no_lifecycle_policy, repo, lc) == []


def test_force_delete() -> None:
    assert len(hits(ecr_force_delete, res(REPO, "a", {"force_delete": True}))) == 1
    assert hits(ecr_force_delete, res(REPO, "a", {"force_delete": False})) == []
    assert hits(ecr_force_delete, res(REPO, "a", {})) == []
    assert len(hits(ecr_force_delete, res("aws_ecrpublic_repository", "a", {"force_destroy": True}))) == 1


def test_scan_on_push_true_is_ignored_under_enhanced_scanning() -> None:
    repo = res(REPO, "a", _scan(True))
    found = hits(ecr_scan_on_push, repo, _registry("ENHANCED", "CONTINUOUS_SCAN", "web-*"))  # type: ignore[arg-type]
    assert len(found) == 1 and "ignored" in found[0].message
    assert hits(ecr_scan_on_push, repo, _registry("ENHANCED", "CONTINUOUS_SCAN", "ap*")) == []  # type: ignore[arg-type]
    assert hits(ecr_scan_on_push, repo, _registry("BASIC", "SCAN_ON_PUSH", "web-*")) == []  # type: ignore[arg-type]
    unknown_filter = _registry("ENHANCED", "CONTINUOUS_SCAN", "x")
    unknown_filter = res(
        "aws_ecr_registry_scanning_configuration",
        "u",
        {
            "scan_type": "ENHANCED",
            "rule": [{"scan_frequency": "SCAN_ON_PUSH", "repository_filter": [{"filter": Unknown("var.f")}]}],
        },
    )
    assert hits(ecr_scan_on_push, repo, unknown_filter) == []


def test_public_policy_wildcard_account_principal() -> None:
    stmt = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::*:root"}, "Action": PULL}
    assert len(hits(ecr_public_policy, res("aws_ecr_repository_policy", "p", _policy(stmt)))) == 1
    named = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/*"}, "Action": PULL}
    assert hits(ecr_public_policy, res("aws_ecr_repository_policy", "p", _policy(named))) == []


def test_public_policy_text_is_decoded() -> None:
    text = '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:PutImage"}]}'
    found = hits(ecr_public_policy, res("aws_ecr_repository_policy", "p", {"policy": text}))
    assert [h.severity for h in found] == [Severity.CRITICAL]
    assert hits(ecr_public_policy, res("aws_ecr_repository_policy", "p", {"policy": "not json"})) == []


TEMPLATE = "aws_ecr_repository_creation_template"


@pytest.mark.parametrize(
    ("prefix", "scan_type", "frequency", "pattern", "covered"),
    [
        ("team", "BASIC", "SCAN_ON_PUSH", "*", True),
        ("team", "BASIC", "SCAN_ON_PUSH", "team/*", True),
        ("team", "BASIC", "SCAN_ON_PUSH", "te*", True),
        ("team", "BASIC", "SCAN_ON_PUSH", "team/api*", False),  # only some of the template's repositories
        ("team", "BASIC", "SCAN_ON_PUSH", "other/*", False),
        ("team", "BASIC", "MANUAL", "*", False),
        ("team", "BASIC", "CONTINUOUS_SCAN", "*", False),
        ("team", "ENHANCED", "CONTINUOUS_SCAN", "team/*", True),
        ("ROOT", "ENHANCED", "SCAN_ON_PUSH", "*", True),
        ("ROOT", "BASIC", "SCAN_ON_PUSH", "R*", False),  # ROOT is every repository, not a name
    ],
)
def test_creation_template_scan_coverage(
    prefix: str, scan_type: str, frequency: str, pattern: str, covered: bool
) -> None:
    template = res(TEMPLATE, "t", {"prefix": prefix, "image_tag_mutability": "IMMUTABLE"})
    found = hits(ecr_scan_on_push, template, _registry(scan_type, frequency, pattern))  # type: ignore[arg-type]
    assert (found == []) is covered
    if found:
        assert found[0].attribute == "prefix"
        assert ("every repository" if prefix == "ROOT" else f"{prefix}/") in found[0].message


def test_creation_template_mutability_like_a_repository() -> None:
    assert hits(ecr_tag_mutability, res(TEMPLATE, "t", {"prefix": "team", "image_tag_mutability": "MUTABLE"}))
    assert hits(ecr_tag_mutability, res(TEMPLATE, "t", {"prefix": "team"}))  # MUTABLE by default
    assert not hits(
        ecr_tag_mutability, res(TEMPLATE, "t", {"prefix": "team", "image_tag_mutability": "IMMUTABLE"})
    )
