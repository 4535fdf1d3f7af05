"""TFD-DRIFT-002: ECR scan on push or encryption changed outside Terraform."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_ci.events.names import ECR
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, scalar
from tfdrift_ci.rules.drift._rows import REPOSITORY, EventRow

RULE = Rule(
    id="TFD-DRIFT-002",
    kind="drift",
    severity=Severity.HIGH,
    title="ECR scan on push or encryption changed outside Terraform",
    resource_types=("aws_ecr_repository",),
    docs=RuleDoc(
        what=(
            "PutImageScanningConfiguration (or CreateRepository) changing "
            "`image_scanning_configuration.scan_on_push`, or a repository "
            "re-created with other `encryption_configuration`."
        ),
        why=(
            "Turning scan on push off lets vulnerable or implanted images in "
            "unnoticed (ATT&CK T1562.001 Impair Defenses)."
        ),
        example=(
            'resource "aws_ecr_repository" "api" {\n'
            "  image_scanning_configuration { scan_on_push = true }\n"
            "}\n"
            "# CloudTrail: PutImageScanningConfiguration "
            '{"imageScanningConfiguration": {"scanOnPush": false}}'
        ),
        fix=(
            "Turn scan on push back on (terraform apply) and scan the images pushed"
            " while it was off (`aws ecr start-image-scan`)."
        ),
    ),
    remediation=(
        "Revert with terraform apply "
        "(image_scanning_configuration.scan_on_push), or adopt the change in "
        "the .tf file."
    ),
    mitre=("T1562.001",),
)


SECURITY_ATTRIBUTES = ("image_scanning_configuration", "encryption_configuration")


def extract(event: Event, resource: Resource) -> list[Change]:
    req = event.request
    out: list[Change] = []
    cfg = req.get("imageScanningConfiguration")
    if isinstance(cfg, Mapping) and "scanOnPush" in cfg:
        out.append(Change("update", "image_scanning_configuration.scan_on_push", scalar(cfg["scanOnPush"])))
    enc = req.get("encryptionConfiguration") if event.name == "CreateRepository" else None
    if isinstance(enc, Mapping):
        if "encryptionType" in enc:
            out.append(Change("update", "encryption_configuration.encryption_type", enc["encryptionType"]))
        if enc.get("kmsKey"):
            out.append(Change("update", "encryption_configuration.kms_key", enc["kmsKey"]))
    return out


EVENTS = (
    EventRow(ECR, "PutImageScanningConfiguration", (REPOSITORY,), extract, security=True),
    EventRow(ECR, "CreateRepository", (REPOSITORY,), extract),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """Turning scanning off (or changing encryption) is high; turning it on is low. None keeps
    the default.
    """
    if attribute == "image_scanning_configuration.scan_on_push" and new is True:
        return Severity.LOW
    return Severity.HIGH
