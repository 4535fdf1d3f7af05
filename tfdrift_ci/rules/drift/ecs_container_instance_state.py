"""TFD-DRIFT-030: ECS container instances drained or activated by hand."""

from __future__ import annotations

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change
from tfdrift_ci.rules.drift._rows import CLUSTER, EventRow

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


def extract(event: Event, resource: Resource) -> list[Change]:
    req = event.request
    instances = req.get("containerInstances")
    n = len(instances) if isinstance(instances, list) else 0
    status = req.get("status")
    return [Change("info", None, status, detail=f"set {n} container instance(s) to {status}")]


EVENTS = (EventRow(ECS, "UpdateContainerInstancesState", (CLUSTER,), extract),)
