"""TFD-DRIFT-014: ECS service capacity provider strategy or launch type changed outside Terraform."""

from __future__ import annotations

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, service_changes
from tfdrift_ci.rules.drift._rows import SERVICE, EventRow

RULE = Rule(
    id="TFD-DRIFT-014",
    kind="drift",
    severity=Severity.HIGH,
    title="ECS service capacity provider strategy or launch type changed outside Terraform",
    resource_types=("aws_ecs_service",),
    docs=RuleDoc(
        what=(
            "UpdateService / CreateService changing `capacityProviderStrategy` "
            "(UpdateService has no launchType member, so a launch-type move shows "
            "up here) of a declared service."
        ),
        why=(
            "Tasks move to other compute (e.g. EC2 instances with other roles and "
            "hardening, or Spot) than the reviewed configuration (ATT&CK T1578)."
        ),
        example=(
            'resource "aws_ecs_service" "api" {\n'
            '  capacity_provider_strategy { capacity_provider = "FARGATE" weight = '
            "1 }\n"
            "}\n"
            '# CloudTrail: UpdateService {"capacityProviderStrategy": '
            '[{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}'
        ),
        fix="Restore the declared strategy (terraform apply).",
    ),
    remediation=(
        "Revert with terraform apply (capacity_provider_strategy), or adopt the change in the .tf file."
    ),
    mitre=("T1578",),
)


SECURITY_ATTRIBUTES = ("capacity_provider_strategy",)
QUIET_FORM_DEFAULTS = True


def extract(event: Event, resource: Resource) -> list[Change]:
    return [change for topic, change in service_changes(event) if topic == "placement"]


EVENTS = (
    EventRow(ECS, "CreateService", (SERVICE,), extract),
    EventRow(ECS, "UpdateService", (SERVICE,), extract, security=True),
)
