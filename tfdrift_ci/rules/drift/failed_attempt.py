"""TFD-DRIFT-028: Failed attempt to change a declared resource."""

from __future__ import annotations

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-028",
    kind="attempt",
    severity=Severity.INFO,
    title="Failed attempt to change a declared resource",
    resource_types=(
        "aws_ecr_repository",
        "aws_ecr_repository_policy",
        "aws_ecr_lifecycle_policy",
        "aws_ecr_replication_configuration",
        "aws_ecr_registry_scanning_configuration",
        "aws_ecr_registry_policy",
        "aws_ecr_pull_through_cache_rule",
        "aws_ecrpublic_repository",
        "aws_ecrpublic_repository_policy",
        "aws_ecs_cluster",
        "aws_ecs_cluster_capacity_providers",
        "aws_ecs_capacity_provider",
        "aws_ecs_service",
        "aws_ecs_task_definition",
        "aws_ecs_account_setting_default",
    ),
    docs=RuleDoc(
        what=(
            "A write event on a declared resource that failed (`errorCode`). Never "
            "drift: nothing changed. AccessDenied on a security setting (tag "
            "mutability, scanning, policies, exec, network, roles) is medium, "
            "anything else info."
        ),
        why=(
            "Repeated denied attempts to weaken security settings are a signal of a"
            " compromised or over-curious principal."
        ),
        example=(
            '# CloudTrail: PutImageScanningConfiguration {"scanOnPush": false} '
            "errorCode AccessDeniedException"
        ),
        fix="Nothing to revert; check who tried and why.",
    ),
    remediation="No change was made; review the principal's intent and permissions.",
    mitre=(),
)
