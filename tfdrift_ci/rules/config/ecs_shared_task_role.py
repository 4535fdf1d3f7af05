"""TFD-ECS-009: the task role is the execution role.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity, Unknown
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line

RULE = Rule(
    id="TFD-ECS-009",
    kind="config",
    severity=Severity.LOW,
    title="ECS task role and execution role are the same role",
    resource_types=("aws_ecs_task_definition",),
    peers=PeerIds(checkov=("CKV_AWS_249",)),
    mitre=("T1078.004",),
    remediation="Give task_role_arn and execution_role_arn two different roles.",
    docs=RuleDoc(
        what=(
            "`task_role_arn` and `execution_role_arn` on `aws_ecs_task_definition`: the same literal "
            "ARN, or the same reference expression (`aws_iam_role.ecs.arn` twice), fails. Either one "
            "omitted, or two different values, passes."
        ),
        why=(
            "The execution role is used by the ECS agent to pull images and read every secret of the "
            "task; the task role is what the application code gets. One role for both hands the "
            "application the agent's permissions, including all the secrets of the task."
        ),
        example=(
            'resource "aws_ecs_task_definition" "samerole_bad" {\n'
            '  family             = "api"\n'
            "  task_role_arn      = aws_iam_role.ecs.arn\n"
            "  execution_role_arn = aws_iam_role.ecs.arn\n"
            "}\n\n"
            'resource "aws_ecs_task_definition" "tworoles_ok" {\n'
            '  family             = "api"\n'
            "  task_role_arn      = aws_iam_role.task.arn\n"
            "  execution_role_arn = aws_iam_role.execution.arn\n"
            "}"
        ),
        fix="Create a separate task role with only the permissions the application needs.",
    ),
)


def _key(value: object) -> str | None:
    if isinstance(value, Unknown):
        return "expr:" + "".join(value.expr.split()).removeprefix("${").removesuffix("}")
    if isinstance(value, str) and value.strip():
        return "lit:" + value.strip()
    return None


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    task = resource.attributes.get("task_role_arn")
    execution = resource.attributes.get("execution_role_arn")
    a, b = _key(task), _key(execution)
    if a is None or b is None or a != b:
        return
    shown = task.expr if isinstance(task, Unknown) else task
    yield Hit(
        message=f"task_role_arn and execution_role_arn are both {shown}",
        attribute="task_role_arn",
        actual=shown,
        expected="a role different from execution_role_arn",
        line=attr_line(resource, "task_role_arn"),
    )
