"""TFD-DRIFT-004: ECR lifecycle policy changed or deleted outside Terraform."""

from __future__ import annotations

from tfdrift_ci.events.names import ECR
from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import deleted, policy_change
from tfdrift_ci.rules.drift._rows import EventRow, Target

RULE = Rule(
    id="TFD-DRIFT-004",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECR lifecycle policy changed or deleted outside Terraform",
    resource_types=("aws_ecr_lifecycle_policy",),
    docs=RuleDoc(
        what=(
            "PutLifecyclePolicy / DeleteLifecyclePolicy on a repository whose "
            "lifecycle policy Terraform declares (compared as parsed JSON)."
        ),
        why=(
            "A changed lifecycle policy can expire the images that running services"
            " or rollbacks need, or stop expiring old vulnerable ones."
        ),
        example=(
            'resource "aws_ecr_lifecycle_policy" "api" {\n'
            "  repository = aws_ecr_repository.api.name\n"
            "  policy     = jsonencode({ rules = [...] })\n"
            "}\n"
            '# CloudTrail: DeleteLifecyclePolicy {"repositoryName": "api"}'
        ),
        fix="Restore the declared policy (terraform apply).",
    ),
    remediation="Revert with terraform apply (policy), or adopt the change in the .tf file.",
    mitre=(),
)


_POLICY: Target = ("repository", ("aws_ecr_lifecycle_policy",))

EVENTS = (
    EventRow(ECR, "PutLifecyclePolicy", (_POLICY,), policy_change("lifecyclePolicyText")),
    EventRow(ECR, "DeleteLifecyclePolicy", (_POLICY,), deleted),
)
