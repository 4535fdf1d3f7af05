"""TFD-ECS-001: ECS Exec (execute-command) enabled on a service.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_service#enable_execute_command
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, Rule, RuleDoc
from tfdrift_ci.rules.config._util import as_bool, attr_line

ATTRIBUTE = "enable_execute_command"

RULE = Rule(
    id="TFD-ECS-001",
    kind="config",
    severity=Severity.HIGH,
    title="ECS service allows interactive shells (execute-command enabled)",
    resource_types=("aws_ecs_service", "aws_ecs_daemon"),
    mitre=("T1609",),
    remediation="Remove enable_execute_command (or set enable_execute_command = false).",
    docs=RuleDoc(
        what=(
            "`enable_execute_command = true` on `aws_ecs_service` (and on `aws_ecs_daemon`, whose tasks "
            "run on every container instance). Omitted or `false` passes. A value from a variable "
            "without a value is not evaluated."
        ),
        why=(
            "ECS Exec gives anyone allowed `ecs:ExecuteCommand` an interactive shell inside the running "
            "containers — with the task role's credentials and the application's secrets in memory. "
            "It is a debugging aid that should be enabled for a session, not left on in production. "
            "When it must stay on, restrict `ecs:ExecuteCommand` and log sessions (see TFD-ECS-002)."
        ),
        example=(
            'resource "aws_ecs_service" "exec_bad" {\n'
            '  name                   = "api"\n'
            "  enable_execute_command = true\n"
            "}\n\n"
            'resource "aws_ecs_service" "exec_ok" {\n'
            '  name = "api"\n'
            "}"
        ),
        fix=(
            "Remove `enable_execute_command`, or drive it from a variable that is only true in "
            "non-production workspaces."
        ),
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    value = resource.attributes.get(ATTRIBUTE)
    if as_bool(value) is True:
        where = (
            "daemon's containers on every host"
            if resource.type == "aws_ecs_daemon"
            else "service's containers"
        )
        yield Hit(
            message=f"enable_execute_command = true: ecs:ExecuteCommand callers get a shell in the {where}",
            attribute=ATTRIBUTE,
            actual=value,
            expected=False,
            line=attr_line(resource, ATTRIBUTE),
        )
