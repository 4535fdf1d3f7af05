"""TFD-ECS-014: a replica service declared with desired_count = 0 (info).

https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_service#desired_count
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line, upper

ATTRIBUTE = "desired_count"

RULE = Rule(
    id="TFD-ECS-014",
    kind="config",
    severity=Severity.INFO,
    title="ECS service runs no tasks (desired_count = 0)",
    resource_types=("aws_ecs_service",),
    peers=PeerIds(
        kics=("91f16d09-689e-4926-aca7-155157f634ed",),  # ECS Service Without Running Tasks
    ),
    remediation="Set desired_count to the number of tasks to run, or remove the unused service.",
    docs=RuleDoc(
        what=(
            "`desired_count = 0` written on an `aws_ecs_service` whose `scheduling_strategy` is not "
            "`DAEMON`. Skipped when `desired_count` is in `lifecycle.ignore_changes` (autoscaling owns "
            "it) or is not written at all. Informational."
        ),
        why=(
            "A service with no tasks is either parked on purpose (then say so with a suppression) or "
            "a mistake that an apply will make real, scaling a running service down to nothing."
        ),
        example=(
            'resource "aws_ecs_service" "zero_bad" {\n'
            '  name          = "api"\n'
            "  desired_count = 0\n"
            "}\n\n"
            'resource "aws_ecs_service" "two_ok" {\n'
            '  name          = "api"\n'
            "  desired_count = 2\n"
            "}"
        ),
        fix="Set `desired_count`, or suppress with `# tfdrift:ignore:TFD-ECS-014 parked until …`.",
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    if upper(resource.attributes.get("scheduling_strategy")) == "DAEMON":
        return
    if resource.ignore_changes == "all" or ATTRIBUTE in resource.ignore_changes:
        return
    value = resource.attributes.get(ATTRIBUTE)
    if value is not None and not isinstance(value, bool) and value in (0, "0"):
        yield Hit(
            message="desired_count = 0: the service runs no tasks",
            attribute=ATTRIBUTE,
            actual=value,
            expected="> 0",
            line=attr_line(resource, ATTRIBUTE),
        )
