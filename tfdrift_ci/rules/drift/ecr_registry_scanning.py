"""TFD-DRIFT-007: ECR registry scanning configuration changed outside Terraform."""

from __future__ import annotations

from collections.abc import Mapping

from tfdrift_ci.events.names import ECR
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, to_tf
from tfdrift_ci.rules.drift._rows import EventRow, registry

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


SECURITY_ATTRIBUTES = ("scan_type", "rule")


def extract(event: Event, resource: Resource) -> list[Change]:
    req = event.request
    out = []
    if "scanType" in req:
        out.append(Change("update", "scan_type", req["scanType"]))
    if isinstance(req.get("rules"), list):
        rules = [
            {
                "scan_frequency": r.get("scanFrequency"),
                "repository_filter": to_tf(r.get("repositoryFilters") or []),
            }
            for r in req["rules"]
            if isinstance(r, Mapping)
        ]
        out.append(Change("update", "rule", rules))
    return out


EVENTS = (
    EventRow(
        ECR,
        "PutRegistryScanningConfiguration",
        (registry("aws_ecr_registry_scanning_configuration"),),
        extract,
        security=True,
    ),
)
