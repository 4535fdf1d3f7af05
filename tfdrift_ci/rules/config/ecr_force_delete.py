"""TFD-ECR-006: force_delete lets `terraform destroy` delete a repository that still holds images.

https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecr_repository#force_delete
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, Rule, RuleDoc
from tfdrift_ci.rules.config._util import as_bool, attr_line

ATTRIBUTE = "force_delete"

RULE = Rule(
    id="TFD-ECR-006",
    kind="config",
    severity=Severity.LOW,
    title="ECR repository can be deleted with its images (force_delete)",
    resource_types=("aws_ecr_repository", "aws_ecrpublic_repository"),
    mitre=("T1485",),
    remediation="Remove force_delete (or set force_delete = false).",
    docs=RuleDoc(
        what=(
            "`force_delete = true` on `aws_ecr_repository` / `force_destroy = true` on "
            "`aws_ecrpublic_repository`. The default (`false`) passes."
        ),
        why=(
            "With force delete, a destroy, a rename or an accidental replacement deletes every image "
            "in the repository, including the ones running services still pull when they scale out. "
            "Without it AWS refuses to delete a non-empty repository."
        ),
        example=(
            'resource "aws_ecr_repository" "force_bad" {\n'
            '  name         = "api"\n'
            "  force_delete = true\n"
            "}\n\n"
            'resource "aws_ecr_repository" "keep_ok" {\n'
            '  name = "api"\n'
            "}"
        ),
        fix="Remove `force_delete` for long-lived repositories; keep it only in ephemeral test stacks.",
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    attribute = "force_destroy" if resource.type == "aws_ecrpublic_repository" else ATTRIBUTE
    value = resource.attributes.get(attribute)
    if as_bool(value) is True:
        yield Hit(
            message=f"{attribute} = true: destroying or replacing the repository deletes its images",
            attribute=attribute,
            actual=value,
            expected=False,
            line=attr_line(resource, attribute),
        )
