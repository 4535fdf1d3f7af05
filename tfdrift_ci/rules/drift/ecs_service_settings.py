"""TFD-DRIFT-015: ECS service setting changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, service_changes
from tfdrift_ci.rules.drift._rows import SERVICE, EventRow

RULE = Rule(
    id="TFD-DRIFT-015",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS service setting changed outside Terraform",
    resource_types=("aws_ecs_service",),
    docs=RuleDoc(
        what=(
            "Any other UpdateService / CreateService member on a declared service: "
            "deployment configuration and circuit breaker, load balancers, platform"
            " version, health check grace period, placement, tag propagation, "
            "service registries …; a bare forceNewDeployment is reported as info."
        ),
        why=(
            "Terraform will set these back on the next apply, and unreviewed "
            "deployment settings (a disabled circuit breaker, another target group)"
            " change how outages and rollbacks behave (ATT&CK T1578)."
        ),
        example=(
            'resource "aws_ecs_service" "api" {\n'
            "  deployment_circuit_breaker { enable = true  rollback = true }\n"
            "}\n"
            '# CloudTrail: UpdateService {"deploymentConfiguration": '
            '{"deploymentCircuitBreaker": {"enable": false}}}'
        ),
        fix=("Restore the declared settings (terraform apply) or adopt them in the configuration."),
    ),
    remediation="Revert with terraform apply, or adopt the change in the .tf file.",
    mitre=("T1578",),
)


QUIET_FORM_DEFAULTS = True


def extract(event: Event, resource: Resource) -> list[Change]:
    """Every service setting the other service rules do not report; an UpdateService that only
    forces a new deployment is reported as information."""
    changes = service_changes(event)
    out = [change for topic, change in changes if topic == "settings"]
    if event.name == "UpdateService" and event.request.get("forceNewDeployment") is True and not changes:
        out.append(
            Change(
                "info",
                "force_new_deployment",
                True,
                detail="forced a new deployment (tasks restarted; mutable image tags are pulled again)",
            )
        )
    return out


EVENTS = (
    EventRow(ECS, "CreateService", (SERVICE,), extract),
    EventRow(ECS, "UpdateService", (SERVICE,), extract),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    if op == "info":
        return Severity.INFO
    return None
