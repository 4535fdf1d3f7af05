"""TFD-ECS-003: privileged containers.

https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html (privileged)
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import as_bool, attr_line, container_label, containers

RULE = Rule(
    id="TFD-ECS-003",
    kind="config",
    severity=Severity.HIGH,
    title="ECS container runs privileged",
    resource_types=("aws_ecs_task_definition",),
    peers=PeerIds(checkov=("CKV_AWS_334",)),
    mitre=("T1611",),
    remediation='Remove "privileged": true from the container definition (use linuxParameters.capabilities).',
    docs=RuleDoc(
        what=(
            "`privileged` in each container of `container_definitions` (decoded from `jsonencode`, "
            "heredocs, `file()`/`templatefile()` as far as the inventory can evaluate them). `true` "
            "fails; omitted or `false` passes. When the definitions cannot be evaluated there is no "
            "finding (not evaluated)."
        ),
        why=(
            "A privileged container has every Linux capability and access to the host's devices: a "
            "compromise of the application is a compromise of the EC2 host and of every other task "
            "on it (Fargate refuses privileged containers for this reason)."
        ),
        example=(
            'resource "aws_ecs_task_definition" "privileged_bad" {\n'
            '  family = "api"\n'
            "  container_definitions = jsonencode([{\n"
            '    name = "api", image = "repo/api:1.2.3", privileged = true\n'
            "  }])\n"
            "}\n\n"
            'resource "aws_ecs_task_definition" "unprivileged_ok" {\n'
            '  family = "api"\n'
            "  container_definitions = jsonencode([{\n"
            '    name = "api", image = "repo/api:1.2.3", privileged = false\n'
            "  }])\n"
            "}"
        ),
        fix=(
            "Drop `privileged`; grant the single capability the container needs with "
            '`linuxParameters = { capabilities = { add = ["NET_ADMIN"] } }` instead.'
        ),
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    for where, container in containers(resource) or ():
        value = container.get("privileged")
        if as_bool(value) is True:
            yield Hit(
                message=f"{container_label(where, container)} is privileged",
                attribute=(path := f"{where}.privileged"),
                actual=value,
                expected=False,
                line=attr_line(resource, path),
            )
