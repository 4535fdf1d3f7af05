"""TFD-DRIFT-006: ECR replication configuration changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-006",
    kind="drift",
    severity=Severity.HIGH,
    title="ECR replication configuration changed outside Terraform",
    resource_types=("aws_ecr_replication_configuration",),
    docs=RuleDoc(
        what=(
            "PutReplicationConfiguration (registry-level, no repository name) "
            "differing from the declared `replication_configuration`."
        ),
        why=(
            "Replication copies every image to the destination registries: a "
            "destination in a foreign account exfiltrates them (ATT&CK T1537 "
            "Transfer Data to Cloud Account)."
        ),
        example=(
            'resource "aws_ecr_replication_configuration" "this" {\n'
            "  replication_configuration { rule { destination { region = "
            '"eu-central-1", registry_id = "111122223333" } } }\n'
            "}\n"
            "# CloudTrail: PutReplicationConfiguration with a destination "
            "registryId 444455556666"
        ),
        fix=(
            "Restore the declared replication (terraform apply) and check the "
            "destinations that received images."
        ),
    ),
    remediation=(
        "Revert with terraform apply (replication_configuration), or adopt the change in the .tf file."
    ),
    mitre=("T1537",),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
