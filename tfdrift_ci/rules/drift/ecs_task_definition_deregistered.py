"""TFD-DRIFT-021: ECS task definition deregistered or deleted outside Terraform."""

from __future__ import annotations

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change
from tfdrift_ci.rules.drift._rows import TASK_DEFINITION, EventRow

RULE = Rule(
    id="TFD-DRIFT-021",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS task definition deregistered or deleted outside Terraform",
    resource_types=("aws_ecs_task_definition",),
    docs=RuleDoc(
        what=(
            "DeregisterTaskDefinition / DeleteTaskDefinitions of a declared family by anyone but Terraform."
        ),
        why=(
            "Services pinned to the revision cannot start new tasks from it; "
            "Terraform plans a replacement (ATT&CK T1489)."
        ),
        example=(
            'resource "aws_ecs_task_definition" "api" { family = "api" }\n'
            '# CloudTrail: DeregisterTaskDefinition {"taskDefinition": "api:11"}'
        ),
        fix=(
            "Check which revision Terraform expects (terraform plan) and re-register it with terraform apply."
        ),
    ),
    remediation="Re-register with terraform apply.",
    mitre=("T1489",),
)


def extract(event: Event, resource: Resource) -> list[Change]:
    req = event.request
    refs = (
        req.get("taskDefinitions") if event.name == "DeleteTaskDefinitions" else [req.get("taskDefinition")]
    )
    labels = [str(r) for r in refs or [] if r]
    verb = "deleted" if event.name == "DeleteTaskDefinitions" else "deregistered"
    return [Change("deregister", None, None, detail=f"{verb} {', '.join(labels)}")]


EVENTS = (
    EventRow(ECS, "DeregisterTaskDefinition", (TASK_DEFINITION,), extract),
    EventRow(ECS, "DeleteTaskDefinitions", (TASK_DEFINITION,), extract),
)
