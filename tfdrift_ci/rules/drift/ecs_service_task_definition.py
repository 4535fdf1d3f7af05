"""TFD-DRIFT-011: ECS service moved to another task definition outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-011",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS service moved to another task definition outside Terraform",
    resource_types=("aws_ecs_service",),
    docs=RuleDoc(
        what=(
            "UpdateService (or CreateTaskSet) pointing a declared service at a task"
            " definition other than the declared one (family:revision and ARNs "
            "compared by family and revision). CodeDeploy task sets on a service "
            'with `deployment_controller { type = "CODE_DEPLOY" }` are expected and'
            " not reported."
        ),
        why=(
            "The service now runs an image and settings no one reviewed in the "
            "Terraform change (ATT&CK T1610 Deploy Container)."
        ),
        example=(
            'resource "aws_ecs_service" "api" {\n'
            '  task_definition = "api:11"\n'
            "}\n"
            '# CloudTrail: UpdateService {"service": "api", "taskDefinition": '
            '"api:14"}'
        ),
        fix=(
            "Deploy through Terraform, or put `task_definition` under "
            "ignore_changes when a separate deploy pipeline owns it."
        ),
    ),
    remediation=(
        "Revert with terraform apply (task_definition), or adopt the new "
        "revision in the .tf file (ignore_changes = [task_definition] when CI "
        "deploys it)."
    ),
    mitre=("T1610",),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
