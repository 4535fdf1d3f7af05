"""TFD-DRIFT-032: ECS task set changed or deleted outside Terraform.

UpdateTaskSet (cluster, service, taskSet, scale), DeleteTaskSet (cluster, service, taskSet, force)
and UpdateServicePrimaryTaskSet (cluster, service, primaryTaskSet):
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateTaskSet.html. A task set's id is
assigned by AWS, so an event is matched to a declared ``aws_ecs_task_set`` by its service and, when
a plan or state gives ``task_set_id``, by that id too (``_match``). Task sets that CodeDeploy or an
EXTERNAL controller creates are not declared: their events are the service's, and the service's
task-definition rule treats them as expected churn for those controllers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, deleted, to_tf
from tfdrift_ci.rules.drift._rows import TASK_SET, EventRow

RULE = Rule(
    id="TFD-DRIFT-032",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS task set changed or deleted outside Terraform",
    resource_types=("aws_ecs_task_set",),
    docs=RuleDoc(
        what=(
            "UpdateTaskSet changing the `scale` of a declared `aws_ecs_task_set`, DeleteTaskSet "
            "deleting it, or UpdateServicePrimaryTaskSet making it (or another task set of its "
            "service) primary, by anyone but Terraform. Without a plan the task set's id is not "
            "known, so the event is matched on the task set's service and the finding says so; a "
            "task set that CodeDeploy or an external controller created (CreateTaskSet in the "
            "events read) is told apart and its events are not reported: that is the controller's "
            "expected churn."
        ),
        why=(
            "With an EXTERNAL deployment controller the task sets are the deployment: their scale "
            "decides how many tasks of which task definition serve traffic. A task set scaled or "
            "deleted by hand shifts or drops traffic without review (ATT&CK T1578)."
        ),
        example=(
            'resource "aws_ecs_task_set" "api" {\n'
            "  service = aws_ecs_service.api.id\n"
            "  cluster = aws_ecs_cluster.main.id\n"
            "  scale {\n"
            '    unit  = "PERCENT"\n'
            "    value = 100\n"
            "  }\n"
            "}\n"
            '# CloudTrail: UpdateTaskSet {"cluster": "main", "service": "api", "taskSet": '
            '"ecs-svc/1234567890123456789", "scale": {"value": 10, "unit": "PERCENT"}}'
        ),
        fix="Restore the declared scale (terraform apply), or adopt the change in the .tf file.",
    ),
    remediation="Revert with terraform apply (scale), or adopt the change in the .tf file.",
    mitre=("T1578",),
)


def extract(event: Event, resource: Resource) -> list[Change]:
    scale = event.request.get("scale")
    return [Change("update", "scale", [to_tf(scale)])] if isinstance(scale, Mapping) else []


def primary(event: Event, resource: Resource) -> list[Change]:
    """Terraform has no attribute for the primary task set: the switch is information."""
    chosen = event.request.get("primaryTaskSet")
    return [Change("info", None, chosen, detail=f"UpdateServicePrimaryTaskSet made {chosen} primary")]


EVENTS = (
    EventRow(ECS, "UpdateTaskSet", (TASK_SET,), extract),
    EventRow(ECS, "DeleteTaskSet", (TASK_SET,), deleted, security=True),
    EventRow(ECS, "UpdateServicePrimaryTaskSet", (TASK_SET,), primary),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """Deleting a task set is high, a primary switch information. None keeps the default."""
    if op == "delete":
        return Severity.HIGH
    if op == "info":
        return Severity.INFO
    return None
