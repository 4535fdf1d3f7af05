"""TFD-DRIFT-030: ECS container instances drained or activated by hand."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-030",
    kind="drift",
    severity=Severity.INFO,
    title="ECS container instances drained or activated by hand",
    resource_types=("aws_ecs_cluster",),
    docs=RuleDoc(
        what=(
            "UpdateContainerInstancesState on a declared cluster (DRAINING / "
            "ACTIVE). Operational, no Terraform attribute."
        ),
        why=(
            "Draining instances by hand moves tasks around; worth knowing when reading an incident timeline."
        ),
        example=('# CloudTrail: UpdateContainerInstancesState {"cluster": "main", "status": "DRAINING"}'),
        fix="Nothing to revert in Terraform.",
    ),
    remediation="No Terraform change needed.",
    mitre=(),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
