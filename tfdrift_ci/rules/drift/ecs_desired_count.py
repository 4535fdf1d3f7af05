"""TFD-DRIFT-010: ECS service desired count changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

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


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
