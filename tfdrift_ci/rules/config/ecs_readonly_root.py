"""TFD-ECS-006: containers with a writable root filesystem.

https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
(readonlyRootFilesystem)
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity, Unknown
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import (
    as_bool,
    attr_line,
    container_label,
    containers,
    is_windows_task,
)

RULE = Rule(
    id="TFD-ECS-006",
    kind="config",
    severity=Severity.MEDIUM,
    title="ECS container root filesystem is writable",
    resource_types=("aws_ecs_task_definition",),
    peers=PeerIds(checkov=("CKV_AWS_336",)),
    mitre=("T1105",),
    remediation='Set "readonlyRootFilesystem": true in each container definition.',
    docs=RuleDoc(
        what=(
            "`readonlyRootFilesystem` in each container of `container_definitions`: `false` or omitted "
            "fails (the ECS default is writable). Windows task definitions are skipped (ECS does not "
            "support the parameter for Windows containers). Definitions that cannot be evaluated are "
            "not evaluated."
        ),
        why=(
            "A writable root filesystem lets an attacker who gets code execution drop tools, modify "
            "the application's files and persist for the life of the task. A read-only root with "
            "explicit volumes for scratch space removes that foothold."
        ),
        example=(
            'resource "aws_ecs_task_definition" "writable_bad" {\n'
            '  family = "api"\n'
            "  container_definitions = jsonencode([{\n"
            '    name = "api", image = "repo/api:1.2.3"\n'
            "  }])\n"
            "}\n\n"
            'resource "aws_ecs_task_definition" "readonly_ok" {\n'
            '  family = "api"\n'
            "  container_definitions = jsonencode([{\n"
            '    name = "api", image = "repo/api:1.2.3", readonlyRootFilesystem = true\n'
            "  }])\n"
            "}"
        ),
        fix=(
            "Set `readonlyRootFilesystem = true`; mount a volume (or a bind mount of a task "
            "`volume`) for directories the application writes, such as /tmp."
        ),
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    if is_windows_task(resource):
        return
    for where, container in containers(resource) or ():
        value = container.get("readonlyRootFilesystem")
        if isinstance(value, Unknown) or as_bool(value) is True:
            continue
        shown = "false" if value is not None else "not set (writable by default)"
        yield Hit(
            message=f"{container_label(where, container)}: readonlyRootFilesystem is {shown}",
            attribute=(path := f"{where}.readonlyRootFilesystem"),
            actual=value,
            expected=True,
            line=attr_line(resource, path),
        )
