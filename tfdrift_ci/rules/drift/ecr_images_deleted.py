"""TFD-DRIFT-031: ECR images deleted by hand from a declared repository."""

from __future__ import annotations

from collections.abc import Mapping

from tfdrift_ci.events.names import ECR
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change
from tfdrift_ci.rules.drift._rows import REPOSITORY, EventRow

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


def extract(event: Event, resource: Resource) -> list[Change]:
    ids = event.request.get("imageIds")
    ids = ids if isinstance(ids, list) else []
    tags = [i.get("imageTag") or i.get("imageDigest") for i in ids if isinstance(i, Mapping)]
    shown = ", ".join(str(t) for t in tags[:5]) + (f" and {len(tags) - 5} more" if len(tags) > 5 else "")
    return [Change("info", None, tags, detail=f"deleted {len(tags)} image(s) ({shown})")]


# Images are not Terraform's, but deleting them by hand matters in an incident timeline.
EVENTS = (EventRow(ECR, "BatchDeleteImage", (REPOSITORY,), extract),)
