"""Rules never crash on odd attribute shapes (strings where blocks are expected, nulls, Unknowns,
nested garbage): everything from Terraform is untrusted text."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.config.helpers import hits, res
from tfdrift_ci.models import Unknown
from tfdrift_ci.rules import config as config_rules

KEYS = sorted(
    {
        "name",
        "image_tag_mutability",
        "image_scanning_configuration",
        "scan_on_push",
        "encryption_configuration",
        "encryption_type",
        "kms_key",
        "policy",
        "policy_text",
        "Statement",
        "Effect",
        "Principal",
        "AWS",
        "Condition",
        "Action",
        "NotPrincipal",
        "repository",
        "force_delete",
        "enable_execute_command",
        "configuration",
        "execute_command_configuration",
        "logging",
        "kms_key_id",
        "container_definitions",
        "privileged",
        "readonlyRootFilesystem",
        "environment",
        "value",
        "image",
        "pid_mode",
        "ipc_mode",
        "network_mode",
        "task_role_arn",
        "execution_role_arn",
        "volume",
        "efs_volume_configuration",
        "transit_encryption",
        "network_configuration",
        "assign_public_ip",
        "setting",
        "launch_type",
        "platform_version",
        "capacity_provider_strategy",
        "capacity_provider",
        "desired_count",
        "scheduling_strategy",
        "iam_role",
        "runtime_platform",
        "operating_system_family",
        "cluster",
        "task_definition",
        "scan_type",
        "rule",
        "scan_frequency",
        "repository_filter",
        "filter",
    }
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 5),
    st.sampled_from(
        ["", "*", "MUTABLE", "KMS", "host", "true", "NONE", "FARGATE", "1.3.0", "latest", "Allow"]
    ),
    st.text(max_size=12),
    st.builds(Unknown, st.sampled_from(["var.x", "aws_ecr_repository.this.name"]), st.none() | st.just("*")),
)
values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    max_leaves=12,
)
attributes = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attrs=attributes, other=attributes)
def test_no_rule_crashes(attrs: dict[str, Any], other: dict[str, Any]) -> None:
    for module in config_rules.MODULES.values():
        for rtype in module.RULE.resource_types:
            neighbours = [
                res(t, "n", other)
                for t in (
                    "aws_ecr_repository_policy",
                    "aws_ecs_service",
                    "aws_ecr_registry_scanning_configuration",
                    "aws_ecs_account_setting_default",
                    "aws_ecs_task_definition",
                )
            ]
            for hit in hits(module, res(rtype, "r", attrs), *neighbours):
                assert isinstance(hit.message, str) and hit.message
