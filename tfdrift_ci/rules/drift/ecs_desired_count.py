"""TFD-DRIFT-010: ECS service desired count changed outside Terraform."""

from __future__ import annotations

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, service_changes
from tfdrift_ci.rules.drift._rows import SERVICE, EventRow

RULE = Rule(
    id="TFD-DRIFT-010",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS service desired count changed outside Terraform",
    resource_types=("aws_ecs_service",),
    docs=RuleDoc(
        what=(
            "UpdateService changing `desiredCount` of a declared service whose "
            "`desired_count` is not under `lifecycle.ignore_changes`. Application "
            "Auto Scaling doing it is named as such and graded low (add "
            "`desired_count` to ignore_changes); when desired_count is ignored, "
            "nothing is reported."
        ),
        why=(
            "The next terraform apply silently scales the service back, which can "
            "take capacity away in the middle of an incident, or keeps costs up."
        ),
        example=(
            'resource "aws_ecs_service" "api" {\n'
            "  desired_count = 2\n"
            "}\n"
            '# CloudTrail: UpdateService {"service": "api", "desiredCount": 6} via '
            "aws-cli"
        ),
        fix=(
            "Either scale back (terraform apply) or adopt the new count; if "
            "autoscaling owns the count, add `lifecycle { ignore_changes = "
            "[desired_count] }`."
        ),
    ),
    remediation=(
        "Revert with terraform apply (desired_count), adopt the new count in "
        "the .tf file, or put desired_count under lifecycle.ignore_changes when"
        " autoscaling manages it."
    ),
    mitre=(),
)


def extract(event: Event, resource: Resource) -> list[Change]:
    return [change for topic, change in service_changes(event) if topic == "desired_count"]


EVENTS = (
    EventRow(ECS, "CreateService", (SERVICE,), extract),
    EventRow(ECS, "UpdateService", (SERVICE,), extract),
)
