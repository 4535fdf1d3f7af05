"""ARN parsing, event keys and identity matching (tfdrift_ci/rules/drift/_match.py)."""

from __future__ import annotations

import pytest

from rules.drift.helpers import ACCT, REGION, ecr, ev
from tfdrift_ci.events.names import ECR_PUBLIC
from tfdrift_ci.models import Identity, Unknown
from tfdrift_ci.rules.drift import _match as M


@pytest.mark.parametrize(
    ("text", "service", "region", "account", "rtype", "path"),
    [
        (
            "arn:aws:ecr:eu-west-1:111122223333:repository/api",
            "ecr",
            "eu-west-1",
            ACCT,
            "repository",
            ("api",),
        ),
        (
            "arn:aws:ecr:eu-west-1:111122223333:repository/team/api",
            "ecr",
            "eu-west-1",
            ACCT,
            "repository",
            ("team", "api"),
        ),
        (
            "arn:aws:ecr-public::111122223333:repository/tool",
            "ecr-public",
            None,
            ACCT,
            "repository",
            ("tool",),
        ),
        (
            "arn:aws:ecs:eu-west-1:111122223333:service/main/api",
            "ecs",
            "eu-west-1",
            ACCT,
            "service",
            ("main", "api"),
        ),
        ("arn:aws:ecs:eu-west-1:111122223333:service/api", "ecs", "eu-west-1", ACCT, "service", ("api",)),
        (
            "arn:aws:ecs:eu-west-1:111122223333:task-definition/api:7",
            "ecs",
            "eu-west-1",
            ACCT,
            "task-definition",
            ("api:7",),
        ),
        (
            "arn:aws-cn:ecs:cn-north-1:111122223333:cluster/main",
            "ecs",
            "cn-north-1",
            ACCT,
            "cluster",
            ("main",),
        ),
        (
            "arn:aws:iam::111122223333:role/aws-service-role/x/y",
            "iam",
            None,
            ACCT,
            "role",
            ("aws-service-role", "x", "y"),
        ),
    ],
)
def test_parse_arn(  # noqa: PLR0917 - parametrised columns
    text: str, service: str, region: str | None, account: str, rtype: str, path: tuple[str, ...]
) -> None:
    arn = M.parse_arn(text)
    assert arn is not None
    assert (arn.service, arn.region, arn.account, arn.resource_type, arn.path) == (
        service,
        region,
        account,
        rtype,
        path,
    )


@pytest.mark.parametrize("text", ["", "api", "arn:aws:ecr", "arn:aws::::", None, 42, "arn:aws:ecr:r:a:"])
def test_parse_arn_rejects(text: object) -> None:
    assert M.parse_arn(text) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("api", ("api", None)),
        ("api:7", ("api", 7)),
        ("arn:aws:ecs:eu-west-1:111122223333:task-definition/api:12", ("api", 12)),
        ("arn:aws:ecs:eu-west-1:111122223333:cluster/main", (None, None)),
        (None, (None, None)),
    ],
)
def test_split_task_definition(value: object, expected: tuple[str | None, int | None]) -> None:
    assert M.split_task_definition(value) == expected


def test_service_key_from_name_arn_and_default_cluster() -> None:
    assert M.event_key(ev("UpdateService", {"service": "api"}), "service") == M.Key(
        "service", "api", "default", ACCT, REGION
    )
    key = M.event_key(
        ev("UpdateService", {"cluster": f"arn:aws:ecs:{REGION}:{ACCT}:cluster/main", "service": "api"}),
        "service",
    )
    assert key is not None and key.cluster == "main"
    key = M.event_key(
        ev("DeleteService", {"service": f"arn:aws:ecs:{REGION}:{ACCT}:service/prod/api"}), "service"
    )
    assert key is not None and (key.cluster, key.name) == ("prod", "api")
    # old-style ARN: no cluster segment, the cluster member decides
    key = M.event_key(
        ev("UpdateService", {"cluster": "blue", "service": f"arn:aws:ecs:{REGION}:{ACCT}:service/api"}),
        "service",
    )
    assert key is not None and (key.cluster, key.name) == ("blue", "api")
    key = M.event_key(ev("CreateService", {"serviceName": "web", "cluster": "main"}), "service")
    assert key is not None and key.name == "web"


def test_cluster_keys() -> None:
    assert M.event_key(ev("CreateCluster", {"clusterName": "main"}), "cluster") == M.Key(
        "cluster", "main", None, ACCT, REGION
    )
    assert M.event_key(ev("CreateCluster", {}), "cluster") == M.Key("cluster", "default", None, ACCT, REGION)
    key = M.event_key(
        ev("UpdateClusterSettings", {"cluster": f"arn:aws:ecs:{REGION}:{ACCT}:cluster/prod"}), "cluster"
    )
    assert key is not None and key.name == "prod"


def test_ecr_key_uses_registry_id_as_account() -> None:
    key = M.event_key(
        ecr("PutImageTagMutability", {"repositoryName": "api", "registryId": "444455556666"}), "repository"
    )
    assert key == M.Key("repository", "api", None, "444455556666", REGION)


def test_task_definition_key_takes_revision_from_response() -> None:
    event = ev("RegisterTaskDefinition", {"family": "api"}, response={"taskDefinition": {"revision": 14}})
    assert M.event_key(event, "task_definition") == M.Key("task_definition", "api", None, ACCT, REGION, 14)


@pytest.mark.parametrize(
    ("arn", "kind", "name", "rtype", "cluster", "region"),
    [
        (
            f"arn:aws:ecr:{REGION}:{ACCT}:repository/api",
            "repository",
            "api",
            "aws_ecr_repository",
            None,
            REGION,
        ),
        (
            f"arn:aws:ecr:{REGION}:{ACCT}:repository/team/api",
            "repository",
            "team/api",
            "aws_ecr_repository",
            None,
            REGION,
        ),
        (
            f"arn:aws:ecr-public::{ACCT}:repository/tool",
            "public_repository",
            "tool",
            "aws_ecrpublic_repository",
            None,
            None,
        ),
        (
            f"arn:aws:ecr-public:us-east-1:{ACCT}:repository/tool",
            "public_repository",
            "tool",
            "aws_ecrpublic_repository",
            None,
            None,
        ),
        (f"arn:aws:ecs:{REGION}:{ACCT}:cluster/main", "cluster", "main", "aws_ecs_cluster", None, REGION),
        (
            f"arn:aws:ecs:{REGION}:{ACCT}:service/main/api",
            "service",
            "api",
            "aws_ecs_service",
            "main",
            REGION,
        ),
        (f"arn:aws:ecs:{REGION}:{ACCT}:service/api", "service", "api", "aws_ecs_service", None, REGION),
        (
            f"arn:aws:ecs:{REGION}:{ACCT}:task-definition/api:3",
            "task_definition",
            "api",
            "aws_ecs_task_definition",
            None,
            REGION,
        ),
        (
            f"arn:aws:ecs:{REGION}:{ACCT}:capacity-provider/ec2",
            "capacity_provider",
            "ec2",
            "aws_ecs_capacity_provider",
            None,
            REGION,
        ),
    ],
)
def test_key_from_tag_arn(  # noqa: PLR0917 - parametrised columns
    arn: str, kind: str, name: str, rtype: str, cluster: str | None, region: str | None
) -> None:
    parsed = M.key_from_arn(ev("TagResource", {"resourceArn": arn}, region="us-east-1"), arn)
    assert parsed is not None
    key, got_type = parsed
    assert (key.kind, key.name, got_type, key.cluster, key.region, key.account) == (
        kind,
        name,
        rtype,
        cluster,
        region,
        ACCT,
    )


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:ecs:{REGION}:{ACCT}:task/main/0123456789abcdef",
        f"arn:aws:ecs:{REGION}:{ACCT}:container-instance/main/abc",
        "arn:aws:s3:::bucket/key",
        "not-an-arn",
        None,
    ],
)
def test_key_from_tag_arn_ignores_other_resources(arn: object) -> None:
    assert M.key_from_arn(ev("TagResource", {}), arn) is None


def test_matches_requires_same_region_and_account_when_known() -> None:
    key = M.Key("repository", "api", None, ACCT, REGION)
    assert M.matches(key, Identity("repository", "api", None, ACCT, REGION))[0]
    assert M.matches(key, Identity("repository", "api", None, None, None))[0]
    assert not M.matches(key, Identity("repository", "api", None, ACCT, "us-east-1"))[0]
    assert not M.matches(key, Identity("repository", "api", None, "444455556666", REGION))[0]
    assert not M.matches(key, Identity("repository", "web", None, ACCT, REGION))[0]
    assert not M.matches(key, Identity("public_repository", "api", None, ACCT, REGION))[0]


def test_public_repository_ignores_region() -> None:
    key = M.Key("public_repository", "tool", None, ACCT, None)
    assert M.matches(key, Identity("public_repository", "tool", None, ACCT, "us-east-1"))[0]


def test_unknown_name_matches_by_pattern_and_says_so() -> None:
    ident = Identity("repository", Unknown("${var.env}-api", "*-api"))
    ok, by_pattern, notes = M.matches(M.Key("repository", "prod-api"), ident)
    assert ok and by_pattern and "*-api" in notes[0]
    assert not M.matches(M.Key("repository", "prod-web"), ident)[0]
    # a fully unknown name never matches
    assert not M.matches(M.Key("repository", "api"), Identity("repository", Unknown("var.name")))[0]


def test_service_cluster_rules() -> None:
    ident = Identity("service", "api", "main")
    assert M.matches(M.Key("service", "api", "main"), ident)[0]
    assert not M.matches(M.Key("service", "api", "blue"), ident)[0]
    assert M.matches(M.Key("service", "api", None), ident)[0]  # old-style ARN: any cluster
    # a declared service without cluster lives in "default"
    assert M.matches(M.Key("service", "api", "default"), Identity("service", "api", None))[0]
    assert not M.matches(M.Key("service", "api", "main"), Identity("service", "api", None))[0]
    ok, by_pattern, _ = M.matches(
        M.Key("service", "api", "main"), Identity("service", "api", Unknown("var.c"))
    )
    assert ok and by_pattern


def test_registry_events_have_no_repository_name() -> None:
    event = ecr("PutReplicationConfiguration", {"replicationConfiguration": {"rules": []}})
    assert M.event_key(event, "registry") == M.Key("registry", None, None, ACCT, REGION)
    assert M.event_key(event, "repository") is None


def test_ecr_public_key_has_no_region() -> None:
    key = M.event_key(
        ev("SetRepositoryPolicy", {"repositoryName": "tool"}, source=ECR_PUBLIC), "public_repository"
    )
    assert key == M.Key("public_repository", "tool", None, ACCT, None)


def test_cluster_arn_pattern_matches_cluster_names() -> None:
    ident = Identity("service", "api", Unknown("var.cluster_arn", "arn:aws*:ecs:*:*:cluster/main"))
    ok, by_pattern, _ = M.matches(M.Key("service", "api", "main"), ident)
    assert ok and by_pattern
    assert not M.matches(M.Key("service", "api", "blue"), ident)[0]
