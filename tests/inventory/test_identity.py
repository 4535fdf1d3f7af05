"""tfdrift_ci/inventory/identity.py: resource → CloudTrail keys."""

from __future__ import annotations

import pytest

from tfdrift_ci.inventory.identity import RESOURCE_TYPES, identity_for, reduce_name
from tfdrift_ci.models import Unknown


def test_every_issue_type_has_an_identity() -> None:
    assert len(RESOURCE_TYPES) == 23  # tests/inventory/test_provider_types.py names them
    for rtype in RESOURCE_TYPES:
        identity = identity_for(rtype, {})
        assert identity is not None


@pytest.mark.parametrize(
    ("value", "prefix", "expected"),
    [
        ("arn:aws:ecs:us-east-1:123456789012:cluster/prod", "cluster/", "prod"),
        ("prod", "cluster/", "prod"),
        ("arn:aws:ecs:us-east-1:123456789012:service/prod/api", "service/", "api"),
        ("arn:aws:ecs:us-east-1:123456789012:task-definition/web:12", "task-definition/", "web"),
        ("arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/team/app", "repository/", "team/app"),
        (Unknown("x.id", "arn:aws*:ecs:*:*:cluster/prod"), "cluster/", "prod"),
        (Unknown("x.id", "arn:aws*:ecs:*:*:cluster/*-prod"), "cluster/", Unknown("x.id", "*-prod")),
        (Unknown("var.c"), "cluster/", Unknown("var.c")),
    ],
)
def test_reduce_name(value: object, prefix: str, expected: object) -> None:
    assert reduce_name(value, prefix) == expected


def test_service_defaults_and_arns() -> None:
    assert identity_for("aws_ecs_service", {"name": "api"}) is not None
    svc = identity_for("aws_ecs_service", {"name": "api"})
    assert svc is not None and svc.cluster == "default"
    arn = identity_for(
        "aws_ecs_service",
        {"name": "api", "cluster": "arn:aws:ecs:eu-west-1:111122223333:cluster/main"},
        region="us-east-1",
    )
    assert arn is not None
    # the provider's region wins for .tf; the ARN fills what the provider does not say
    assert (arn.cluster, arn.region, arn.account) == ("main", "us-east-1", "111122223333")


def test_plan_values_prefer_the_arn() -> None:
    repo = identity_for(
        "aws_ecr_repository",
        {
            "name": "r",
            "arn": "arn:aws:ecr:eu-west-1:111122223333:repository/r",
            "registry_id": "111122223333",
        },
        region="us-east-1",
        prefer_arn=True,
    )
    assert repo is not None
    assert (repo.name, repo.region, repo.account) == ("r", "eu-west-1", "111122223333")


def test_public_repository_is_us_east_1_and_registry_has_no_name() -> None:
    pub = identity_for("aws_ecrpublic_repository", {"repository_name": "p"}, region="eu-west-1")
    assert pub is not None and (pub.kind, pub.name, pub.region) == ("public_repository", "p", "us-east-1")
    reg = identity_for("aws_ecr_replication_configuration", {})
    assert reg is not None and reg.as_dict() == {"kind": "registry"}


def test_missing_name_is_unknown_not_empty() -> None:
    cluster = identity_for("aws_ecs_cluster", {})
    assert cluster is not None
    assert isinstance(cluster.name, Unknown)


@pytest.mark.parametrize(
    ("rtype", "attrs", "kind", "name", "cluster"),
    [
        (
            "aws_ecs_task_set",
            {"service": "arn:aws:ecs:eu-west-1:111122223333:service/main/api", "cluster": "main"},
            "task_set",
            "api",
            "main",
        ),
        (
            "aws_ecs_express_gateway_service",
            {"service_name": "web"},
            "express_gateway_service",
            "web",
            "default",
        ),
        (
            "aws_ecs_daemon",
            {"name": "agent", "cluster_arn": "arn:aws:ecs:eu-west-1:111122223333:cluster/main"},
            "daemon",
            "agent",
            "main",
        ),
        (
            "aws_ecs_daemon_task_definition",
            {"family": "agent"},
            "daemon_task_definition",
            "agent",
            None,
        ),
        (
            "aws_ecs_tag",
            {"resource_arn": "arn:aws:ecs:eu-west-1:111122223333:cluster/main", "key": "team"},
            "resource_tag",
            "arn:aws:ecs:eu-west-1:111122223333:cluster/main",
            None,
        ),
        ("aws_ecr_repository_creation_template", {"prefix": "ROOT"}, "creation_template", "ROOT", None),
        ("aws_ecr_account_setting", {"name": "BASIC_SCAN_TYPE_VERSION"}, "ecr_account_setting", None, None),
        (
            "aws_ecr_pull_time_update_exclusion",
            {"principal_arn": "arn:aws:iam::111122223333:role/scanner"},
            "pull_time_update_exclusion",
            "arn:aws:iam::111122223333:role/scanner",
            None,
        ),
    ],
)
def test_identities_of_the_newer_types(
    rtype: str, attrs: dict[str, object], kind: str, name: str | None, cluster: str | None
) -> None:
    ident = identity_for(rtype, attrs, region="eu-west-1")
    assert ident is not None
    assert (ident.kind, ident.cluster) == (kind, cluster)
    assert ident.name == (name or attrs["name"])


def test_a_resources_own_region_wins() -> None:
    """Provider v6 gives every resource a ``region`` argument that overrides the provider's."""
    ident = identity_for("aws_ecr_repository", {"name": "api", "region": "us-west-2"}, region="eu-west-1")
    assert ident is not None and ident.region == "us-west-2"
