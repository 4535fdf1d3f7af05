"""TFD-DRIFT-029: ECS Exec session into a declared cluster's tasks."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-029",
    kind="attempt",
    severity=Severity.HIGH,
    title="ECS Exec session into a declared cluster's tasks",
    resource_types=("aws_ecs_service",),
    docs=RuleDoc(
        what=(
            "ExecuteCommand into a task of a cluster where the project declares "
            "services. Not drift (nothing changed) but an access event: low when "
            "the declared services there enable execute command, high when none "
            "does (exec was turned on out of band, or the task is not Terraform's)."
        ),
        why=(
            "An interactive shell in a production container bypasses the deployment"
            " pipeline and can read every secret the task has (ATT&CK T1609)."
        ),
        example=(
            'resource "aws_ecs_service" "api" { enable_execute_command = false }\n'
            '# CloudTrail: ExecuteCommand {"cluster": "main", "task": "...", '
            '"command": "/bin/sh", "interactive": true}'
        ),
        fix=("Confirm the session was expected; keep enable_execute_command off where nobody needs it."),
    ),
    remediation=("Review the session (SSM session logs); disable enable_execute_command where not needed."),
    mitre=("T1609",),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """Low when exec is declared enabled, else high. None keeps the default."""
    if old is True:
        return Severity.LOW
    return Severity.HIGH
