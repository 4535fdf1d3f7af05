"""TFD-DRIFT-012: ECS Exec turned on outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, service_changes
from tfdrift_ci.rules.drift._rows import SERVICE, EventRow

RULE = Rule(
    id="TFD-DRIFT-012",
    kind="drift",
    severity=Severity.HIGH,
    title="ECS Exec turned on outside Terraform",
    resource_types=("aws_ecs_service",),
    docs=RuleDoc(
        what=(
            "UpdateService / CreateService setting `enableExecuteCommand` "
            "differently from the declared `enable_execute_command`."
        ),
        why=(
            "ECS Exec opens an interactive shell into running containers for anyone"
            " with ssm/ecs:ExecuteCommand (ATT&CK T1609 Container Administration "
            "Command)."
        ),
        example=(
            'resource "aws_ecs_service" "api" {\n'
            "  enable_execute_command = false\n"
            "}\n"
            '# CloudTrail: UpdateService {"service": "api", "enableExecuteCommand":'
            " true}"
        ),
        fix="Turn it off again (terraform apply) and review ExecuteCommand events since.",
    ),
    remediation=(
        "Revert with terraform apply (enable_execute_command = false), or adopt"
        " it in the .tf file after review."
    ),
    mitre=("T1609",),
)


SECURITY_ATTRIBUTES = ("enable_execute_command",)


def extract(event: Event, resource: Resource) -> list[Change]:
    return [change for topic, change in service_changes(event) if topic == "execute_command"]


EVENTS = (
    EventRow(ECS, "CreateService", (SERVICE,), extract),
    EventRow(ECS, "UpdateService", (SERVICE,), extract, security=True),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """Turning exec on is high; turning it off is low. None keeps the default."""
    if new is True:
        return Severity.HIGH
    return Severity.LOW
