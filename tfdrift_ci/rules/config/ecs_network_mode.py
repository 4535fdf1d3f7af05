"""TFD-ECS-005: task network mode other than awsvpc.

https://docs.aws.amazon.com/AmazonECS/bestpracticesguide/networking-networkmode.html
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity, Unknown
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line, is_windows_task

ATTRIBUTE = "network_mode"

RULE = Rule(
    id="TFD-ECS-005",
    kind="config",
    severity=Severity.LOW,
    title="ECS task does not use the awsvpc network mode",
    resource_types=("aws_ecs_task_definition",),
    peers=PeerIds(
        kics=("9f4a9409-9c60-4671-be96-9716dbf63db1",),  # ECS Task Definition Network Mode Not Recommended
    ),
    remediation='Set network_mode = "awsvpc".',
    docs=RuleDoc(
        what=(
            "`network_mode` on `aws_ecs_task_definition`. `awsvpc` passes. `host` fails with medium "
            "severity (the task uses the instance's network stack directly). `bridge`, `none` and an "
            "omitted value (which means `bridge` on Linux EC2) fail with low severity. Windows tasks "
            "(`runtime_platform.operating_system_family = WINDOWS_*`) pass with `default`."
        ),
        why=(
            "Only `awsvpc` gives each task its own elastic network interface, so security groups and "
            "VPC flow logs apply per task. In `bridge` mode all tasks on an instance share the "
            "instance's security groups; in `host` mode they also share its ports and can reach "
            "services bound to localhost, including the instance metadata endpoint."
        ),
        example=(
            'resource "aws_ecs_task_definition" "host_bad" {\n'
            '  family       = "api"\n'
            '  network_mode = "host"\n'
            "}\n\n"
            'resource "aws_ecs_task_definition" "awsvpc_ok" {\n'
            '  family       = "api"\n'
            '  network_mode = "awsvpc"\n'
            "}"
        ),
        fix='Set `network_mode = "awsvpc"` and give the service a `network_configuration`.',
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    value = resource.attributes.get(ATTRIBUTE)
    if isinstance(value, Unknown):
        return
    mode = value.strip().lower() if isinstance(value, str) else None
    if mode == "awsvpc":
        return
    if is_windows_task(resource) and mode in (None, "default"):
        return
    if mode == "host":
        yield Hit(
            message='network_mode = "host": the task shares the instance\'s network stack',
            attribute=ATTRIBUTE,
            actual=value,
            expected="awsvpc",
            line=attr_line(resource, ATTRIBUTE),
            severity=Severity.MEDIUM,
        )
        return
    shown = mode or "not set (bridge on EC2)"
    yield Hit(
        message=f"network_mode is {shown}: tasks share the instance's security groups",
        attribute=ATTRIBUTE,
        actual=value,
        expected="awsvpc",
        line=attr_line(resource, ATTRIBUTE),
    )
