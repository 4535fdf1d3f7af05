"""TFD-DRIFT-022: ECS capacity provider changed or deleted outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import deleted, request_members
from tfdrift_ci.rules.drift._rows import CAPACITY_PROVIDER, EventRow

RULE = Rule(
    id="TFD-DRIFT-022",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS capacity provider changed or deleted outside Terraform",
    resource_types=("aws_ecs_capacity_provider",),
    docs=RuleDoc(
        what=(
            "UpdateCapacityProvider / DeleteCapacityProvider on a declared capacity"
            " provider (managed scaling, termination protection, draining)."
        ),
        why=(
            "Managed scaling and termination protection decide whether tasks get "
            "capacity and survive scale-in (ATT&CK T1578)."
        ),
        example=(
            'resource "aws_ecs_capacity_provider" "ec2" {\n'
            "  auto_scaling_group_provider { managed_termination_protection = "
            '"ENABLED" }\n'
            "}\n"
            '# CloudTrail: UpdateCapacityProvider {"name": "ec2", '
            '"autoScalingGroupProvider": {"managedScaling": {"status": '
            '"DISABLED"}}}'
        ),
        fix="Restore the declared settings (terraform apply).",
    ),
    remediation="Revert with terraform apply, or adopt the change in the .tf file.",
    mitre=("T1578",),
)


QUIET_FORM_DEFAULTS = True

_settings = request_members(skip=("name", "cluster", "tags"))

EVENTS = (
    EventRow(ECS, "CreateCapacityProvider", (CAPACITY_PROVIDER,), _settings),
    EventRow(ECS, "UpdateCapacityProvider", (CAPACITY_PROVIDER,), _settings),
    EventRow(ECS, "DeleteCapacityProvider", (CAPACITY_PROVIDER,), deleted),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """Deleting a capacity provider is high. None keeps the default."""
    if op == "delete":
        return Severity.HIGH
    return None
