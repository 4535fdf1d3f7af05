"""TFD-DRIFT-024: ECS account setting default changed outside Terraform."""

from __future__ import annotations

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change
from tfdrift_ci.rules.drift._rows import EventRow

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


def extract(event: Event, resource: Resource) -> list[Change]:
    value = event.request.get("value")
    return [Change("update", "value", value)] if value is not None else []


EVENTS = (
    EventRow(
        ECS, "PutAccountSettingDefault", (("account_setting", ("aws_ecs_account_setting_default",)),), extract
    ),
)
