"""TFD-DRIFT-002: ECR scan on push or encryption changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

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


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """Turning scanning off (or changing encryption) is high; turning it on is low. None keeps
    the default.
    """
    if attribute == "image_scanning_configuration.scan_on_push" and new is True:
        return Severity.LOW
    return Severity.HIGH
