"""TFD-DRIFT-006: ECR replication configuration changed outside Terraform."""

from __future__ import annotations

from collections.abc import Mapping

from tfdrift_ci.events.names import ECR
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, to_tf
from tfdrift_ci.rules.drift._rows import EventRow, registry

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


SECURITY_ATTRIBUTES = ("replication_configuration",)


def extract(event: Event, resource: Resource) -> list[Change]:
    cfg = event.request.get("replicationConfiguration")
    if not isinstance(cfg, Mapping):
        return []
    rules = []
    for r in cfg.get("rules") or []:
        if isinstance(r, Mapping):
            rules.append(
                {
                    "destination": to_tf(r.get("destinations") or []),
                    "repository_filter": to_tf(r.get("repositoryFilters") or []),
                }
            )
    return [Change("update", "replication_configuration", [{"rule": rules}])]


EVENTS = (
    EventRow(
        ECR,
        "PutReplicationConfiguration",
        (registry("aws_ecr_replication_configuration"),),
        extract,
        security=True,
    ),
)
