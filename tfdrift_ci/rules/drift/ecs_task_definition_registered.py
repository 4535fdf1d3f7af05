"""TFD-DRIFT-020: ECS task definition revision registered outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-020",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS task definition revision registered outside Terraform",
    resource_types=("aws_ecs_task_definition",),
    docs=RuleDoc(
        what=(
            "RegisterTaskDefinition of a declared family by anyone but Terraform; "
            "reports each container-level difference from the declared container "
            "definitions (image, privileged, environment, secrets, user, read-only "
            "root …) and task-level ones (task/execution role, cpu, memory, network"
            " mode)."
        ),
        why=(
            "A new revision is a new image and new permissions; it only takes "
            "effect once a service points at it, but it is how unreviewed code and "
            "privileges get in (ATT&CK T1525, T1610)."
        ),
        example=(
            'resource "aws_ecs_task_definition" "api" {\n'
            '  family                = "api"\n'
            '  container_definitions = jsonencode([{ name = "api", image = '
            '"...:3f9c2e1" }])\n'
            "}\n"
            '# CloudTrail: RegisterTaskDefinition {"family": "api", '
            '"containerDefinitions": [{"name": "api", "image": "...:latest", '
            '"privileged": true}]}'
        ),
        fix=(
            "Register revisions through Terraform (or through the deploy pipeline "
            "with task_definition under ignore_changes on the service), and "
            "deregister the unreviewed revision."
        ),
    ),
    remediation="Deregister the out-of-band revision, or adopt its content in container_definitions.",
    mitre=(
        "T1525",
        "T1610",
    ),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """A privileged container, another task or execution role, or the host PID namespace is high.
    None keeps the default.
    """
    if attribute is None:
        return None
    if attribute.endswith(".privileged") and new is True:
        return Severity.HIGH
    if attribute in ("task_role_arn", "execution_role_arn"):
        return Severity.HIGH
    if attribute == "pid_mode" and new == "host":
        return Severity.HIGH
    return None
