"""TFD-ECR-007: ECR repository without a lifecycle policy (info).

https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, Rule, RuleDoc
from tfdrift_ci.rules.config._util import related

LIFECYCLE_TYPE = "aws_ecr_lifecycle_policy"

RULE = Rule(
    id="TFD-ECR-007",
    kind="config",
    severity=Severity.INFO,
    title="ECR repository has no lifecycle policy",
    resource_types=("aws_ecr_repository",),
    default_enabled=False,
    remediation="Add an aws_ecr_lifecycle_policy whose repository is this repository's name.",
    docs=RuleDoc(
        what=(
            "An `aws_ecr_repository` for which the project declares no `aws_ecr_lifecycle_policy` "
            "(matched by reference in the same module or by literal repository name). Informational. "
            "Off by default: most projects declare repositories without lifecycle policies, so on by "
            "default it would fire on most repositories, and a missing policy costs storage rather "
            "than security. Turn it on with `rules: {TFD-ECR-007: on}`."
        ),
        why=(
            "Without a lifecycle policy every pushed image is kept forever: storage costs grow, and old "
            "vulnerable images stay pullable and keep showing up in scan reports."
        ),
        example=(
            'resource "aws_ecr_repository" "nolifecycle_bad" {\n'
            '  name = "api"\n'
            "}\n\n"
            'resource "aws_ecr_repository" "lifecycle_ok" {\n'
            '  name = "web"\n'
            "}\n"
            'resource "aws_ecr_lifecycle_policy" "web" {\n'
            "  repository = aws_ecr_repository.lifecycle_ok.name\n"
            '  policy     = file("lifecycle.json")\n'
            "}"
        ),
        fix=(
            "Declare an `aws_ecr_lifecycle_policy` that expires untagged images after a few days and "
            "keeps the last N tagged releases."
        ),
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    if related(ctx.inventory, LIFECYCLE_TYPE, "repository", resource):
        return
    yield Hit(
        message="no aws_ecr_lifecycle_policy in the project refers to this repository",
        attribute=None,
        actual=None,
        expected="an aws_ecr_lifecycle_policy",
        line=resource.line,
    )
