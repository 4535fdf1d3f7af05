"""TFD-DRIFT-024: ECS account setting default changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-024",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS account setting default changed outside Terraform",
    resource_types=("aws_ecs_account_setting_default",),
    docs=RuleDoc(
        what=(
            "PutAccountSettingDefault changing a setting Terraform declares with "
            "`aws_ecs_account_setting_default`."
        ),
        why=(
            "Account defaults (containerInsights, awsvpcTrunking, "
            "tagResourceAuthorization, fargateFIPSMode …) apply to every new "
            "resource in the account and region."
        ),
        example=(
            'resource "aws_ecs_account_setting_default" "insights" {\n'
            '  name  = "containerInsights"\n'
            '  value = "enabled"\n'
            "}\n"
            '# CloudTrail: PutAccountSettingDefault {"name": "containerInsights", '
            '"value": "disabled"}'
        ),
        fix="Restore the declared default (terraform apply).",
    ),
    remediation="Revert with terraform apply (value), or adopt the change in the .tf file.",
    mitre=(),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
