"""TFD-DRIFT-011: ECS service moved to another task definition outside Terraform."""

from __future__ import annotations

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, service_changes
from tfdrift_ci.rules.drift._rows import SERVICE, EventRow

RULE = Rule(
    id="TFD-DRIFT-011",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS service moved to another task definition outside Terraform",
    resource_types=("aws_ecs_service",),
    docs=RuleDoc(
        what=(
            "UpdateService (or CreateTaskSet) pointing a declared service at a task"
            " definition other than the declared one (family:revision and ARNs "
            "compared by family and revision). CodeDeploy task sets on a service "
            'with `deployment_controller { type = "CODE_DEPLOY" }` are expected and'
            " not reported."
        ),
        why=(
            "The service now runs an image and settings no one reviewed in the "
            "Terraform change (ATT&CK T1610 Deploy Container)."
        ),
        example=(
            'resource "aws_ecs_service" "api" {\n'
            '  task_definition = "api:11"\n'
            "}\n"
            '# CloudTrail: UpdateService {"service": "api", "taskDefinition": '
            '"api:14"}'
        ),
        fix=(
            "Deploy through Terraform, or put `task_definition` under "
            "ignore_changes when a separate deploy pipeline owns it."
        ),
    ),
    remediation=(
        "Revert with terraform apply (task_definition), or adopt the new "
        "revision in the .tf file (ignore_changes = [task_definition] when CI "
        "deploys it)."
    ),
    mitre=("T1610",),
)


def extract(event: Event, resource: Resource) -> list[Change]:
    return [change for topic, change in service_changes(event) if topic == "task_definition"]


def task_set(event: Event, resource: Resource) -> list[Change]:
    """CodeDeploy-style deployments: a task set with its task definition, or the primary one
    switched or deleted (reported as information)."""
    req = event.request
    if event.name == "CreateTaskSet" and req.get("taskDefinition"):
        return [Change("update", "task_definition", req["taskDefinition"])]
    return [Change("info", "task_definition", None, detail=f"{event.name} outside Terraform")]


EVENTS = (
    EventRow(ECS, "CreateService", (SERVICE,), extract),
    EventRow(ECS, "UpdateService", (SERVICE,), extract),
    EventRow(ECS, "CreateTaskSet", (SERVICE,), task_set),
    EventRow(ECS, "UpdateServicePrimaryTaskSet", (SERVICE,), task_set),
    EventRow(ECS, "DeleteTaskSet", (SERVICE,), task_set),
)
