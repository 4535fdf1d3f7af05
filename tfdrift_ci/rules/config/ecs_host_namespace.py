"""TFD-ECS-004: tasks sharing the host's process or IPC namespace.

https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html (pidMode, ipcMode)
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line, upper

ATTRIBUTES = ("pid_mode", "ipc_mode")

RULE = Rule(
    id="TFD-ECS-004",
    kind="config",
    severity=Severity.HIGH,
    title="ECS task shares the host's process or IPC namespace",
    resource_types=("aws_ecs_task_definition",),
    peers=PeerIds(checkov=("CKV_AWS_335",)),
    mitre=("T1611",),
    remediation='Remove pid_mode / ipc_mode = "host" (use "task" to share within the task).',
    docs=RuleDoc(
        what=(
            '`pid_mode` and `ipc_mode` on `aws_ecs_task_definition`: `"host"` fails; `"task"`, '
            '`"none"` and omitted pass. (checkov\'s CKV_AWS_335 covers `pid_mode`; this rule covers '
            "`ipc_mode` as well.)"
        ),
        why=(
            "With the host's PID namespace a container sees and can signal every process on the EC2 "
            "instance, other tasks included, and can read their environment through /proc; the host "
            "IPC namespace exposes shared memory of every process on the host."
        ),
        example=(
            'resource "aws_ecs_task_definition" "hostpid_bad" {\n'
            '  family   = "api"\n'
            '  pid_mode = "host"\n'
            "}\n\n"
            'resource "aws_ecs_task_definition" "taskpid_ok" {\n'
            '  family   = "api"\n'
            '  pid_mode = "task"\n'
            "}"
        ),
        fix='Set `pid_mode = "task"` (containers of the task share a namespace) or remove it.',
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    for attribute in ATTRIBUTES:
        value = resource.attributes.get(attribute)
        if upper(value) == "HOST":
            kind = "process" if attribute == "pid_mode" else "IPC"
            yield Hit(
                message=f'{attribute} = "host": containers share the host\'s {kind} namespace',
                attribute=attribute,
                actual=value,
                expected="task",
                line=attr_line(resource, attribute),
            )
