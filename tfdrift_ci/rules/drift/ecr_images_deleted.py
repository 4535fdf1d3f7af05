"""TFD-DRIFT-031: ECR images deleted by hand from a declared repository."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-031",
    kind="drift",
    severity=Severity.INFO,
    title="ECR images deleted by hand from a declared repository",
    resource_types=("aws_ecr_repository",),
    docs=RuleDoc(
        what=(
            "BatchDeleteImage on a declared repository by anyone but Terraform "
            "(lifecycle policy expiry is a service event and is not reported)."
        ),
        why=(
            "Images are not Terraform's, but deleting the ones services run or roll"
            " back to breaks deployments; it belongs in an incident timeline."
        ),
        example=(
            '# CloudTrail: BatchDeleteImage {"repositoryName": "api", "imageIds": [{"imageTag": "v1.4.1"}]}'
        ),
        fix=("Push the images again from CI if they are still needed; use a lifecycle policy for clean-up."),
    ),
    remediation="No Terraform change needed; re-push the images if they are still in use.",
    mitre=(),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
