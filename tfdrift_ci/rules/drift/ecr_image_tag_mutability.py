"""TFD-DRIFT-001: ECR image tag mutability changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.events.names import ECR
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, to_tf
from tfdrift_ci.rules.drift._rows import REPOSITORY, EventRow

RULE = Rule(
    id="TFD-DRIFT-001",
    kind="drift",
    severity=Severity.HIGH,
    title="ECR image tag mutability changed outside Terraform",
    resource_types=("aws_ecr_repository",),
    docs=RuleDoc(
        what=(
            "PutImageTagMutability (or CreateRepository) by anyone but Terraform "
            "that sets `image_tag_mutability` to something other than the declared "
            "value."
        ),
        why=(
            "With MUTABLE tags an attacker or a careless push can replace the image"
            " behind a tag that running services and deployments already trust "
            "(ATT&CK T1525 Implant Internal Image)."
        ),
        example=(
            'resource "aws_ecr_repository" "api" {\n'
            '  image_tag_mutability = "IMMUTABLE"\n'
            "}\n"
            '# CloudTrail: PutImageTagMutability {"repositoryName": "api", '
            '"imageTagMutability": "MUTABLE"} by alice via the console'
        ),
        fix=(
            "Set the repository back to IMMUTABLE (`aws ecr "
            "put-image-tag-mutability --image-tag-mutability IMMUTABLE` or "
            "`terraform apply`), and find out which tags were overwritten "
            "meanwhile."
        ),
    ),
    remediation=("Revert with terraform apply (image_tag_mutability), or adopt the change in the .tf file."),
    mitre=("T1525",),
)


SECURITY_ATTRIBUTES = ("image_tag_mutability", "image_tag_mutability_exclusion_filter")


def extract(event: Event, resource: Resource) -> list[Change]:
    req = event.request
    out: list[Change] = []
    if "imageTagMutability" in req:
        out.append(Change("update", "image_tag_mutability", req["imageTagMutability"]))
    filters = req.get("imageTagMutabilityExclusionFilters")
    if isinstance(filters, list):
        out.append(Change("update", "image_tag_mutability_exclusion_filter", to_tf(filters)))
    return out


EVENTS = (
    EventRow(ECR, "PutImageTagMutability", (REPOSITORY,), extract, security=True),
    EventRow(ECR, "CreateRepository", (REPOSITORY,), extract),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """Turning tags MUTABLE (or adding exclusion filters that make some tags mutable) is high;
    IMMUTABLE_WITH_EXCLUSION is medium; making tags IMMUTABLE (stricter than declared) is low.
    None keeps the default.
    """
    if attribute == "image_tag_mutability_exclusion_filter":
        return Severity.HIGH if new else Severity.LOW
    text = new.upper() if isinstance(new, str) else ""
    if text.startswith("MUTABLE"):
        return Severity.HIGH
    if text == "IMMUTABLE_WITH_EXCLUSION":
        return Severity.MEDIUM
    return Severity.LOW
