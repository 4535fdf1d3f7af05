"""TFD-DRIFT-003: ECR repository policy changed or deleted outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.events.names import ECR, ECR_PUBLIC
from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import deleted, is_public_policy, policy_change
from tfdrift_ci.rules.drift._rows import EventRow, Target

RULE = Rule(
    id="TFD-DRIFT-003",
    kind="drift",
    severity=Severity.HIGH,
    title="ECR repository policy changed or deleted outside Terraform",
    resource_types=(
        "aws_ecr_repository_policy",
        "aws_ecrpublic_repository_policy",
    ),
    docs=RuleDoc(
        what=(
            "SetRepositoryPolicy / DeleteRepositoryPolicy on a repository whose "
            "policy Terraform declares; policies are compared as parsed JSON (key "
            "order, whitespace and one-item lists do not count)."
        ),
        why=(
            "A repository policy decides who can pull and push. A policy opened to "
            'Principal "*" exposes every image to the internet (critical); any '
            "other change grants or removes cross-account access outside review "
            "(ATT&CK T1484 policy modification)."
        ),
        example=(
            'resource "aws_ecr_repository_policy" "api" {\n'
            "  repository = aws_ecr_repository.api.name\n"
            "  policy     = data.aws_iam_policy_document.pull_from_ci.json\n"
            "}\n"
            '# CloudTrail: SetRepositoryPolicy with {"Principal": "*", "Action": '
            '"ecr:*"}'
        ),
        fix=(
            "Restore the declared policy with terraform apply and review who pulled"
            " images meanwhile (CloudTrail BatchGetImage / GetDownloadUrlForLayer)."
        ),
    ),
    remediation=(
        "Revert with terraform apply (policy), or adopt the new policy in the .tf file after review."
    ),
    mitre=("T1484",),
)


SECURITY_ATTRIBUTES = ("policy",)

_PRIVATE: Target = ("repository", ("aws_ecr_repository_policy",))
_PUBLIC: Target = ("public_repository", ("aws_ecrpublic_repository_policy",))

EVENTS = (
    EventRow(ECR, "SetRepositoryPolicy", (_PRIVATE,), policy_change(), security=True),
    EventRow(ECR, "DeleteRepositoryPolicy", (_PRIVATE,), deleted, security=True),
    EventRow(ECR_PUBLIC, "SetRepositoryPolicy", (_PUBLIC,), policy_change(), security=True),
    EventRow(ECR_PUBLIC, "DeleteRepositoryPolicy", (_PUBLIC,), deleted, security=True),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """A policy that allows Principal "*" without a Condition is critical; other changes and
    deletions are high. None keeps the default.
    """
    if op == "update" and is_public_policy(new):
        return Severity.CRITICAL
    return Severity.HIGH
