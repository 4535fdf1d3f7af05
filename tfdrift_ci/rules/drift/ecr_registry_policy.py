"""TFD-DRIFT-008: ECR registry policy changed or deleted outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.events.names import ECR
from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import deleted, is_public_policy, policy_change
from tfdrift_ci.rules.drift._rows import EventRow, registry

RULE = Rule(
    id="TFD-DRIFT-008",
    kind="drift",
    severity=Severity.HIGH,
    title="ECR registry policy changed or deleted outside Terraform",
    resource_types=("aws_ecr_registry_policy",),
    docs=RuleDoc(
        what=(
            "PutRegistryPolicy / DeleteRegistryPolicy differing from the declared "
            "registry policy (parsed JSON)."
        ),
        why=(
            "The registry policy grants other accounts replication and pull-through"
            " access to the whole registry (ATT&CK T1484)."
        ),
        example=(
            'resource "aws_ecr_registry_policy" "this" { policy = jsonencode({...})'
            " }\n"
            "# CloudTrail: PutRegistryPolicy with a new principal"
        ),
        fix="Restore the declared policy (terraform apply).",
    ),
    remediation="Revert with terraform apply (policy), or adopt the change in the .tf file.",
    mitre=("T1484",),
)


SECURITY_ATTRIBUTES = ("policy",)

EVENTS = (
    EventRow(
        ECR, "PutRegistryPolicy", (registry("aws_ecr_registry_policy"),), policy_change(), security=True
    ),
    EventRow(ECR, "DeleteRegistryPolicy", (registry("aws_ecr_registry_policy"),), deleted, security=True),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """A registry policy open to Principal "*" is critical. None keeps the default."""
    if op == "update" and is_public_policy(new):
        return Severity.CRITICAL
    return Severity.HIGH
