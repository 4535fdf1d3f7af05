"""TFD-ECR-005: ECR repository without a repository policy (info).

https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import related

POLICY_TYPE = "aws_ecr_repository_policy"

RULE = Rule(
    id="TFD-ECR-005",
    kind="config",
    severity=Severity.INFO,
    title="ECR repository has no repository policy",
    resource_types=("aws_ecr_repository",),
    default_enabled=False,
    peers=PeerIds(
        kics=("69e7c320-b65d-41bb-be02-d63ecc0bcc9d",),  # ECR Repository Without Policy
    ),
    remediation="Add an aws_ecr_repository_policy whose repository is this repository's name.",
    docs=RuleDoc(
        what=(
            "An `aws_ecr_repository` for which the project declares no `aws_ecr_repository_policy` "
            "(matched by a reference such as `aws_ecr_repository.this.name` in the same module, or by "
            "the literal repository name). Informational: a repository without a policy is private to "
            "its account and governed by IAM identity policies only. "
            "Off by default: most repositories rely on IAM identity policies and have no repository "
            "policy, so on by default it would fire on nearly every repository and drown the findings "
            "that matter (KICS reports it as query 69e7c320…). Turn it on with "
            "`rules: {TFD-ECR-005: on}` where a policy per repository is your standard."
        ),
        why=(
            "A repository policy is where cross-account pull access and push restrictions are stated "
            "next to the repository; without one, who can push is spread over every IAM policy in the "
            "account. Many teams want that written down per repository."
        ),
        example=(
            'resource "aws_ecr_repository" "nopolicy_bad" {\n'
            '  name = "api"\n'
            "}\n\n"
            'resource "aws_ecr_repository" "withpolicy_ok" {\n'
            '  name = "web"\n'
            "}\n"
            'resource "aws_ecr_repository_policy" "web" {\n'
            "  repository = aws_ecr_repository.withpolicy_ok.name\n"
            "  policy     = data.aws_iam_policy_document.web.json\n"
            "}"
        ),
        fix=(
            "Declare an `aws_ecr_repository_policy` naming the accounts/roles allowed to pull and "
            "push. If identity policies are your standard, leave the rule off (its default)."
        ),
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    if related(ctx.inventory, POLICY_TYPE, "repository", resource):
        return
    yield Hit(
        message="no aws_ecr_repository_policy in the project refers to this repository",
        attribute=None,
        actual=None,
        expected="an aws_ecr_repository_policy",
        line=resource.line,
    )
