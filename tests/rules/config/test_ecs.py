"""ECS config rules on hand-built resources."""

from __future__ import annotations

from typing import Any

import pytest

from rules.config.helpers import hits, res
from tfdrift_ci.models import Severity, Unknown
from tfdrift_ci.rules.config import (
    ecs_admin_iam_role,
    ecs_container_definitions_unknown,
    ecs_container_insights,
    ecs_desired_count_zero,
    ecs_efs_transit_encryption,
    ecs_exec_encryption,
    ecs_exec_logging,
    ecs_execute_command,
    ecs_fargate_platform_version,
    ecs_host_namespace,
    ecs_image_tag,
    ecs_network_mode,
    ecs_plaintext_secrets,
    ecs_privileged,
    ecs_public_ip,
    ecs_readonly_root,
    ecs_shared_task_role,
)
from tfdrift_ci.rules.config._util import containers

TD = "aws_ecs_task_definition"
SVC = "aws_ecs_service"
CLUSTER = "aws_ecs_cluster"


def td(*containers: dict[str, Any], **attrs: Any) -> Any:
    return res(
        TD,
        "t",
        {"family": "api", "container_definitions": list(containers), **attrs},
        lines={"container_definitions": 5},
    )


def test_execute_command() -> None:
    assert len(hits(ecs_execute_command, res(SVC, "s", {"enable_execute_command": True}))) == 1
    assert hits(ecs_execute_command, res(SVC, "s", {"enable_execute_command": False})) == []
    assert hits(ecs_execute_command, res(SVC, "s", {"enable_execute_command": Unknown("var.x")})) == []


def _cluster(exec_cfg: Any) -> Any:
    return res(CLUSTER, "c", {"name": "main", "configuration": [{"execute_command_configuration": exec_cfg}]})


def test_exec_logging_fails_only_none() -> None:
    """checkov CKV_AWS_223: NONE fails; DEFAULT, OVERRIDE, unset and no configuration pass."""
    none = hits(ecs_exec_logging, _cluster([{"logging": "NONE", "kms_key_id": "arn:aws:kms:x"}]))
    assert [(h.attribute, h.actual) for h in none] == [
        ("configuration.execute_command_configuration.logging", "NONE")
    ]
    assert len(hits(ecs_exec_logging, _cluster([{"logging": " none "}]))) == 1
    for cfg in ({"logging": "DEFAULT"}, {"logging": "OVERRIDE"}, {}, {"logging": Unknown("var.l")}):
        assert hits(ecs_exec_logging, _cluster([cfg])) == [], cfg
    assert hits(ecs_exec_logging, res(CLUSTER, "c", {"name": "main"})) == []
    assert hits(ecs_exec_logging, res(CLUSTER, "c", {"configuration": Unknown("var.c")})) == []


_KEY = "arn:aws:kms:eu-west-1:1:key/k"
_CW_ON = [{"cloud_watch_log_group_name": "/ecs/exec", "cloud_watch_encryption_enabled": True}]


@pytest.mark.parametrize(
    ("cfg", "attributes"),
    [
        # logging NONE: nothing logged, only the key counts
        ({"logging": "NONE", "kms_key_id": _KEY}, []),
        ({"logging": "NONE"}, ["kms_key_id"]),
        # DEFAULT / unset: a key and an encrypted log_configuration (as checkov)
        ({"logging": "DEFAULT"}, ["kms_key_id"]),
        ({}, ["kms_key_id"]),
        ({"logging": "DEFAULT", "kms_key_id": _KEY}, ["log_configuration"]),
        ({"kms_key_id": _KEY}, ["log_configuration"]),
        ({"kms_key_id": _KEY, "log_configuration": _CW_ON}, []),
        # OVERRIDE
        ({"logging": "OVERRIDE", "kms_key_id": _KEY, "log_configuration": _CW_ON}, []),
        ({"logging": "OVERRIDE", "kms_key_id": _KEY}, ["log_configuration"]),
        ({"logging": "OVERRIDE", "log_configuration": _CW_ON}, ["kms_key_id"]),
        (
            {
                "logging": "OVERRIDE",
                "kms_key_id": _KEY,
                "log_configuration": [{"s3_bucket_name": "b", "s3_bucket_encryption_enabled": "false"}],
            },
            ["log_configuration.s3_bucket_encryption_enabled"],
        ),
        (
            {
                "logging": "OVERRIDE",
                "kms_key_id": _KEY,
                "log_configuration": [{**_CW_ON[0], "s3_bucket_name": "b"}],
            },
            ["log_configuration.s3_bucket_encryption_enabled"],
        ),
        # no destination named: either flag true passes (as checkov), none fails
        ({"logging": "OVERRIDE", "kms_key_id": _KEY, "log_configuration": [{}]}, ["log_configuration"]),
        (
            {
                "logging": "OVERRIDE",
                "kms_key_id": _KEY,
                "log_configuration": [{"s3_bucket_encryption_enabled": True}],
            },
            [],
        ),
        # not evaluated
        ({"logging": "OVERRIDE", "kms_key_id": Unknown("aws_kms_key.k.arn")}, ["log_configuration"]),
        ({"logging": Unknown("var.logging")}, ["kms_key_id"]),
        ({"logging": "OVERRIDE", "kms_key_id": _KEY, "log_configuration": Unknown("var.l")}, []),
        (
            {
                "logging": "OVERRIDE",
                "kms_key_id": _KEY,
                "log_configuration": [
                    {"cloud_watch_log_group_name": "/x", "cloud_watch_encryption_enabled": Unknown("var.e")}
                ],
            },
            [],
        ),
    ],
)
def test_exec_encryption(cfg: dict[str, Any], attributes: list[str]) -> None:
    found = hits(ecs_exec_encryption, _cluster([cfg]))
    prefix = "configuration.execute_command_configuration."
    assert [h.attribute for h in found] == [prefix + a for a in attributes]
    assert all(h.severity is None for h in found)  # the rule's own grade (low)


def test_exec_encryption_without_configuration_depends_on_exec_services() -> None:
    cluster = res(CLUSTER, "main", {"name": "main"})
    assert hits(ecs_exec_encryption, cluster) == []
    svc = res(SVC, "s", {"cluster": Unknown("aws_ecs_cluster.main.id"), "enable_execute_command": True})
    [hit] = hits(ecs_exec_encryption, cluster, svc)
    assert "aws_ecs_service.s enables execute-command" in hit.message
    by_arn = res(
        SVC, "s", {"cluster": "arn:aws:ecs:eu-west-1:1:cluster/main", "enable_execute_command": True}
    )
    assert len(hits(ecs_exec_encryption, cluster, by_arn)) == 1
    off = res(SVC, "s", {"cluster": Unknown("aws_ecs_cluster.main.id"), "enable_execute_command": False})
    assert hits(ecs_exec_encryption, cluster, off) == []
    assert hits(ecs_exec_logging, cluster, svc) == []  # AWS logs by default: no TFD-ECS-002


_CONTAINER = {"name": "api", "image": "repo/api:latest", "privileged": True}


@pytest.mark.parametrize(
    ("document", "prefix"),
    [
        ([_CONTAINER], "container_definitions"),
        ('[{"name": "api", "image": "repo/api:latest", "privileged": true}]', "container_definitions"),
        ({"containerDefinitions": [_CONTAINER], "family": "x"}, "container_definitions.containerDefinitions"),
        (
            {"taskDefinition": {"containerDefinitions": [_CONTAINER], "revision": 3}, "tags": []},
            "container_definitions.taskDefinition.containerDefinitions",
        ),
        (
            '{"taskDefinition": {"containerDefinitions": [{"name": "api", "image": "repo/api:latest",'
            ' "privileged": true}]}}',
            "container_definitions.taskDefinition.containerDefinitions",
        ),
    ],
)
def test_container_rules_read_the_describe_task_definition_shape(document: Any, prefix: str) -> None:
    """The list, the task definition object and the whole describe-task-definition response."""
    resource = res(TD, "t", {"family": "api", "container_definitions": document})
    assert containers(resource) == [(f"{prefix}[0]", _CONTAINER)]
    assert [h.attribute for h in hits(ecs_privileged, resource)] == [f"{prefix}[0].privileged"]
    assert [h.attribute for h in hits(ecs_image_tag, resource)] == [f"{prefix}[0].image"]
    assert [h.attribute for h in hits(ecs_readonly_root, resource)] == [f"{prefix}[0].readonlyRootFilesystem"]
    assert hits(ecs_container_definitions_unknown, resource) == []


@pytest.mark.parametrize(
    ("document", "shown"),
    [
        ({"taskDefinition": {"containerDefinitions": "n/a"}}, "containerDefinitions is not a list"),
        ({"taskDefinition": {"family": "api"}}, "containerDefinitions is not a list"),
        ({"containerDefinitions": Unknown("var.containers")}, "containerDefinitions = var.containers"),
        ({"taskDefinition": Unknown("var.td")}, "containerDefinitions is not a list"),
    ],
)
def test_describe_shape_without_a_container_list_is_not_evaluated(document: Any, shown: str) -> None:
    resource = res(TD, "t", {"family": "api", "container_definitions": document})
    assert containers(resource) is None
    assert hits(ecs_privileged, resource) == [] and hits(ecs_readonly_root, resource) == []
    [hit] = hits(ecs_container_definitions_unknown, resource)
    assert shown in hit.message


def test_privileged() -> None:
    found = hits(ecs_privileged, td({"name": "a", "privileged": True}, {"name": "b", "privileged": False}))
    assert [h.attribute for h in found] == ["container_definitions[0].privileged"]
    assert found[0].line == 5
    assert hits(ecs_privileged, res(TD, "t", {"container_definitions": Unknown("local.defs")})) == []


def test_host_namespaces() -> None:
    found = hits(ecs_host_namespace, res(TD, "t", {"pid_mode": "host", "ipc_mode": "host"}))
    assert [h.attribute for h in found] == ["pid_mode", "ipc_mode"]
    assert hits(ecs_host_namespace, res(TD, "t", {"pid_mode": "task", "ipc_mode": "none"})) == []


@pytest.mark.parametrize(
    ("mode", "severity"),
    [("host", Severity.MEDIUM), ("bridge", None), ("none", None), (None, None)],
)
def test_network_mode_fails(mode: str | None, severity: Severity | None) -> None:
    attrs = {} if mode is None else {"network_mode": mode}
    found = hits(ecs_network_mode, res(TD, "t", attrs))
    assert len(found) == 1
    assert found[0].severity == severity


def test_network_mode_passes() -> None:
    assert hits(ecs_network_mode, res(TD, "t", {"network_mode": "awsvpc"})) == []
    windows = {"runtime_platform": [{"operating_system_family": "WINDOWS_SERVER_2019_CORE"}]}
    assert hits(ecs_network_mode, res(TD, "t", windows)) == []
    assert hits(ecs_network_mode, res(TD, "t", {"network_mode": Unknown("var.mode")})) == []


def test_readonly_root() -> None:
    found = hits(
        ecs_readonly_root,
        td(
            {"name": "a"},
            {"name": "b", "readonlyRootFilesystem": True},
            {"name": "c", "readonlyRootFilesystem": False},
        ),
    )
    assert [h.attribute for h in found] == [
        "container_definitions[0].readonlyRootFilesystem",
        "container_definitions[2].readonlyRootFilesystem",
    ]
    windows = td({"name": "a"}, runtime_platform=[{"operating_system_family": "WINDOWS_SERVER_2022_FULL"}])
    assert hits(ecs_readonly_root, windows) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DB_PASSWORD", "hunter2hunter2"),
        ("dbPassword", "x9!kq"),
        ("MYSQL_ROOT_PASSWD", "root"),
        ("API_KEY", "0123456789abcdef"),
        ("STRIPE_APIKEY", "abc"),
        ("GITHUB_TOKEN", "something"),
        ("JWT_SECRET", "s3cr3t"),
        ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("SOME_SETTING", "AKIAIOSFODNN7EXAMPLE"),
        ("GH", "ghp_" + "a" * 36),
        ("HOOK", "https://hooks.slack.com/services/T000/B000/XXXXXXXX"),
        ("SLACK", "xoxb-1234567890-abcdefghij"),
        ("CERT", "-----BEGIN RSA PRIVATE KEY-----\nMIIE..."),
        (
            "AUTH",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        ),
        ("AWS_SECRET", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ],
)
def test_plaintext_secret_found_and_masked(name: str, value: str) -> None:
    found = hits(ecs_plaintext_secrets, td({"name": "a", "environment": [{"name": name, "value": value}]}))
    assert len(found) == 1
    h = found[0]
    assert h.attribute == "container_definitions[0].environment[0].value"
    rendered = f"{h.message} {h.actual}"
    assert value not in rendered
    if len(value) > 5:
        assert value[4:] not in rendered


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DB_PASSWORD", ""),
        ("DB_PASSWORD_ARN", "arn:aws:secretsmanager:eu-west-1:1:secret:db"),
        ("DB_SECRET_NAME", "prod/db"),
        ("TOKEN_TTL", "3600"),
        ("TOKENIZER_MODEL", "bert"),
        ("PASSWORD_FILE", "/run/secrets/db"),
        ("SECRET_ENABLED", "true"),
        ("LOG_LEVEL", "debug"),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID_PARAM", "/prod/key"),
        ("JWT_TOKEN_AUDIENCE", "api.example.com"),
        ("PASSWORD_MIN_LENGTH", "12"),
        ("TOKEN_REFRESH_SECONDS", "60"),
    ],
)
def test_plaintext_secret_not_found(name: str, value: str) -> None:
    assert (
        hits(ecs_plaintext_secrets, td({"name": "a", "environment": [{"name": name, "value": value}]})) == []
    )


def test_plaintext_secret_unknown_values_not_evaluated() -> None:
    c = {"name": "a", "environment": [{"name": "DB_PASSWORD", "value": Unknown("var.db_password")}]}
    assert hits(ecs_plaintext_secrets, td(c)) == []
    ok = {
        "name": "a",
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:eu-west-1:1:parameter/db"}],
    }
    assert hits(ecs_plaintext_secrets, td(ok)) == []


@pytest.mark.parametrize(
    ("image", "fails"),
    [
        ("nginx", True),
        ("nginx:latest", True),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api", True),
        ("registry.local:5000/team/api", True),
        ("registry.local:5000/team/api:1.2.3", False),
        ("nginx:1.25", False),
        ("nginx@sha256:" + "a" * 64, False),
        ("nginx:latest@sha256:" + "a" * 64, False),
        ("${var.repo}:latest", False),
    ],
)
def test_image_tag(image: str, fails: bool) -> None:
    assert bool(hits(ecs_image_tag, td({"name": "a", "image": image}))) is fails


def test_image_unknown() -> None:
    assert hits(ecs_image_tag, td({"name": "a", "image": Unknown("var.image")})) == []


def test_shared_task_role() -> None:
    same = {
        "task_role_arn": Unknown("aws_iam_role.ecs.arn"),
        "execution_role_arn": Unknown("${aws_iam_role.ecs.arn}"),
    }
    assert len(hits(ecs_shared_task_role, res(TD, "t", same))) == 1
    lit = {"task_role_arn": "arn:aws:iam::1:role/x", "execution_role_arn": "arn:aws:iam::1:role/x"}
    assert len(hits(ecs_shared_task_role, res(TD, "t", lit))) == 1
    diff = {
        "task_role_arn": Unknown("aws_iam_role.task.arn"),
        "execution_role_arn": Unknown("aws_iam_role.exec.arn"),
    }
    assert hits(ecs_shared_task_role, res(TD, "t", diff)) == []
    assert hits(ecs_shared_task_role, res(TD, "t", {"execution_role_arn": "arn:aws:iam::1:role/x"})) == []


def test_efs_transit() -> None:
    volumes = [
        {"name": "plain", "efs_volume_configuration": [{"file_system_id": "fs-1"}]},
        {
            "name": "tls",
            "efs_volume_configuration": [{"file_system_id": "fs-1", "transit_encryption": "ENABLED"}],
        },
        {
            "name": "off",
            "efs_volume_configuration": [{"file_system_id": "fs-1", "transit_encryption": "DISABLED"}],
        },
        {"name": "bind"},
    ]
    found = hits(ecs_efs_transit_encryption, res(TD, "t", {"volume": volumes}))
    assert [h.attribute for h in found] == [
        "volume[0].efs_volume_configuration.transit_encryption",
        "volume[2].efs_volume_configuration.transit_encryption",
    ]


def test_public_ip() -> None:
    assert (
        len(hits(ecs_public_ip, res(SVC, "s", {"network_configuration": [{"assign_public_ip": True}]}))) == 1
    )
    assert hits(ecs_public_ip, res(SVC, "s", {"network_configuration": [{"assign_public_ip": False}]})) == []
    assert hits(ecs_public_ip, res(SVC, "s", {})) == []


def test_container_insights() -> None:
    def cluster(value: str | None) -> Any:
        attrs: dict[str, Any] = {"name": "main"}
        if value is not None:
            attrs["setting"] = [{"name": "containerInsights", "value": value}]
        return res(CLUSTER, "c", attrs)

    assert hits(ecs_container_insights, cluster("enabled")) == []
    assert hits(ecs_container_insights, cluster("enhanced")) == []
    assert len(hits(ecs_container_insights, cluster("disabled"))) == 1
    assert len(hits(ecs_container_insights, cluster(None))) == 1
    default_on = res(
        "aws_ecs_account_setting_default", "ci", {"name": "containerInsights", "value": "enhanced"}
    )
    assert hits(ecs_container_insights, cluster(None), default_on) == []
    # an explicit disabled beats the account default
    assert len(hits(ecs_container_insights, cluster("disabled"), default_on)) == 1


@pytest.mark.parametrize(
    ("attrs", "fails"),
    [
        ({"launch_type": "FARGATE", "platform_version": "1.3.0"}, True),
        ({"launch_type": "FARGATE", "platform_version": "1.4.0"}, False),
        ({"launch_type": "FARGATE", "platform_version": "LATEST"}, False),
        ({"launch_type": "FARGATE"}, False),
        ({"launch_type": "EC2", "platform_version": "1.3.0"}, False),
        (
            {
                "capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT"}],
                "platform_version": "1.2.0",
            },
            True,
        ),
    ],
)
def test_fargate_platform_version(attrs: dict[str, Any], fails: bool) -> None:
    assert bool(hits(ecs_fargate_platform_version, res(SVC, "s", attrs))) is fails


def test_fargate_platform_version_windows_task() -> None:
    svc = res(
        SVC,
        "s",
        {
            "launch_type": "FARGATE",
            "platform_version": "1.0.0",
            "task_definition": Unknown("aws_ecs_task_definition.win.arn"),
        },
    )
    win = res(
        TD,
        "win",
        {"family": "w", "runtime_platform": [{"operating_system_family": "WINDOWS_SERVER_2019_CORE"}]},
    )
    assert hits(ecs_fargate_platform_version, svc, win) == []
    linux = res(TD, "win", {"family": "w"})
    assert len(hits(ecs_fargate_platform_version, svc, linux)) == 1


def test_desired_count_zero() -> None:
    assert len(hits(ecs_desired_count_zero, res(SVC, "s", {"desired_count": 0}))) == 1
    assert hits(ecs_desired_count_zero, res(SVC, "s", {"desired_count": 2})) == []
    assert hits(ecs_desired_count_zero, res(SVC, "s", {})) == []
    assert (
        hits(ecs_desired_count_zero, res(SVC, "s", {"desired_count": 0, "scheduling_strategy": "DAEMON"}))
        == []
    )
    ignored = res(SVC, "s", {"desired_count": 0}, ignore_changes=("desired_count",))
    assert hits(ecs_desired_count_zero, ignored) == []


def test_admin_iam_role() -> None:
    assert (
        len(hits(ecs_admin_iam_role, res(SVC, "s", {"iam_role": "arn:aws:iam::1:role/AdministratorAccess"})))
        == 1
    )
    assert len(hits(ecs_admin_iam_role, res(SVC, "s", {"iam_role": "OrgAdmin"}))) == 1
    assert hits(ecs_admin_iam_role, res(SVC, "s", {"iam_role": "arn:aws:iam::1:role/ecs-lb"})) == []
    assert hits(ecs_admin_iam_role, res(SVC, "s", {"iam_role": Unknown("aws_iam_role.admin.arn")})) == []


def test_relations_follow_name_patterns_through_module_variables() -> None:
    cluster = res(CLUSTER, "this", {"name": "ex-ecs"}, module=("cluster",))
    svc = res(
        SVC,
        "this",
        {
            "cluster": Unknown("var.cluster_arn", "arn:aws*:ecs:*:*:cluster/ex-ecs"),
            "enable_execute_command": True,
        },
        module=("service",),
    )
    assert len(hits(ecs_exec_encryption, cluster, svc)) == 1
    other = res(
        SVC,
        "this",
        {"cluster": Unknown("var.cluster_arn", "arn:aws*:ecs:*:*:cluster/*"), "enable_execute_command": True},
        module=("service",),
    )
    assert hits(ecs_exec_encryption, cluster, other) == []
