"""TFD-DRIFT-013: ECS service network configuration changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, service_changes
from tfdrift_ci.rules.drift._rows import SERVICE, EventRow

RULE = Rule(
    id="TFD-DRIFT-013",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS service network configuration changed outside Terraform",
    resource_types=("aws_ecs_service",),
    docs=RuleDoc(
        what=(
            "UpdateService changing `network_configuration` (assign_public_ip, "
            "subnets, security_groups) of a declared service."
        ),
        why=(
            "A public IP or another security group exposes tasks to networks the "
            "reviewed configuration kept them out of (ATT&CK T1578 Modify Cloud "
            "Compute Infrastructure)."
        ),
        example=(
            'resource "aws_ecs_service" "api" {\n'
            "  network_configuration { assign_public_ip = false }\n"
            "}\n"
            '# CloudTrail: UpdateService {"networkConfiguration": '
            '{"awsvpcConfiguration": {"assignPublicIp": "ENABLED"}}}'
        ),
        fix="Restore the declared network configuration (terraform apply).",
    ),
    remediation=("Revert with terraform apply (network_configuration), or adopt the change in the .tf file."),
    mitre=("T1578",),
)


SECURITY_ATTRIBUTES = ("network_configuration",)


def extract(event: Event, resource: Resource) -> list[Change]:
    return [change for topic, change in service_changes(event) if topic == "network"]


EVENTS = (
    EventRow(ECS, "CreateService", (SERVICE,), extract),
    EventRow(ECS, "UpdateService", (SERVICE,), extract, security=True),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """A public IP turned on, or other security groups, is high. None keeps the default."""
    if attribute == "network_configuration.assign_public_ip" and new is True:
        return Severity.HIGH
    if attribute == "network_configuration.security_groups":
        return Severity.HIGH
    return None
