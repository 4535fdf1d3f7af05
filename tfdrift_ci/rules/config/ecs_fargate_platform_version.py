"""TFD-ECS-013: Fargate service pinned to an old platform version.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-linux-fargate.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-fargate.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line, blocks, is_windows_task, referenced, upper

ATTRIBUTE = "platform_version"
MINIMUM = (1, 4, 0)
_VERSION = re.compile(r"^\s*(\d+)\.(\d+)\.(\d+)\s*$")

RULE = Rule(
    id="TFD-ECS-013",
    kind="config",
    severity=Severity.MEDIUM,
    title="ECS Fargate service is pinned to an old platform version",
    resource_types=("aws_ecs_service",),
    peers=PeerIds(checkov=("CKV_AWS_332",)),
    remediation='Set platform_version = "LATEST" (or remove it) on the Fargate service.',
    docs=RuleDoc(
        what=(
            "`platform_version` on an `aws_ecs_service` that runs on Fargate (`launch_type = "
            '"FARGATE"` or a `FARGATE`/`FARGATE_SPOT` capacity provider strategy): a Linux version '
            "older than `1.4.0` fails. `LATEST`, an omitted value (LATEST) and `1.4.0` pass. Services "
            "whose task definition (found in the project) is a Windows task pass (Windows Fargate "
            "versions start at 1.0.0). Note: checkov's CKV_AWS_332 also fails any pinned version; "
            "tfdrift-ci accepts a deliberate pin to a supported version."
        ),
        why=(
            "Platform versions before 1.4.0 predate EFS volumes, encrypted ephemeral storage and the "
            "networking changes of 1.4.0 (ECR pulls and secrets through the task ENI); new runtime "
            "and security updates land in current versions, which is why AWS recommends LATEST."
        ),
        example=(
            'resource "aws_ecs_service" "oldplatform_bad" {\n'
            '  name             = "api"\n'
            '  launch_type      = "FARGATE"\n'
            '  platform_version = "1.3.0"\n'
            "}\n\n"
            'resource "aws_ecs_service" "latest_ok" {\n'
            '  name             = "api"\n'
            '  launch_type      = "FARGATE"\n'
            '  platform_version = "LATEST"\n'
            "}"
        ),
        fix='Remove `platform_version` or set it to `"LATEST"`, then redeploy the service.',
    ),
)


def _on_fargate(resource: Resource) -> bool:
    if upper(resource.attributes.get("launch_type")) == "FARGATE":
        return True
    return any(
        upper(s.get("capacity_provider")) in ("FARGATE", "FARGATE_SPOT")
        for s in blocks(resource.attributes, "capacity_provider_strategy")
    )


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    value = resource.attributes.get(ATTRIBUTE)
    if not isinstance(value, str) or not _on_fargate(resource):
        return
    m = _VERSION.match(value)
    if m is None:
        return  # LATEST, or something AWS will reject anyway
    version = tuple(int(g) for g in m.groups())
    if version >= MINIMUM:
        return
    tasks = referenced(ctx.inventory, resource, "task_definition", "aws_ecs_task_definition", key="family")
    if tasks and all(is_windows_task(t) for t in tasks):
        return
    yield Hit(
        message=f"platform_version {value} is older than 1.4.0",
        attribute=ATTRIBUTE,
        actual=value,
        expected="LATEST",
        line=attr_line(resource, ATTRIBUTE),
    )
