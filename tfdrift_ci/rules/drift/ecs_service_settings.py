"""TFD-DRIFT-015: ECS service setting changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

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


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    if op == "info":
        return Severity.INFO
    return None
