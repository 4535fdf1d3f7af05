"""TFD-DRIFT-007: ECR registry scanning configuration changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-007",
    kind="drift",
    severity=Severity.HIGH,
    title="ECR registry scanning configuration changed outside Terraform",
    resource_types=("aws_ecr_registry_scanning_configuration",),
    docs=RuleDoc(
        what=("PutRegistryScanningConfiguration differing from the declared `scan_type` / `rule`."),
        why=(
            "Registry scanning (ENHANCED / continuous) is how vulnerabilities in "
            "pushed and running images surface; weakening it hides them (ATT&CK "
            "T1562.001)."
        ),
        example=(
            'resource "aws_ecr_registry_scanning_configuration" "this" { scan_type '
            '= "ENHANCED" }\n'
            '# CloudTrail: PutRegistryScanningConfiguration {"scanType": "BASIC"}'
        ),
        fix="Restore the declared scanning configuration (terraform apply).",
    ),
    remediation="Revert with terraform apply (scan_type / rule), or adopt the change in the .tf file.",
    mitre=("T1562.001",),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
