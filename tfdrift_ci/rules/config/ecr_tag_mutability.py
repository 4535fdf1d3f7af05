"""TFD-ECR-001: ECR image tags must be immutable.

https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecr_repository#image_tag_mutability
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line, block, upper

ATTRIBUTE = "image_tag_mutability"
MUTABLE = ("MUTABLE", "MUTABLE_WITH_EXCLUSION")
IMMUTABLE = ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION")

RULE = Rule(
    id="TFD-ECR-001",
    kind="config",
    severity=Severity.HIGH,
    title="ECR repository allows mutable image tags",
    resource_types=("aws_ecr_repository", "aws_ecr_repository_creation_template"),
    peers=PeerIds(
        checkov=("CKV_AWS_51",),
        trivy=("AVD-AWS-0031", "aws-ecr-enforce-immutable-repository"),
        kics=("d1846b12-20c5-4d45-8798-fc35b79268eb",),  # ECR Image Tag Not Immutable
    ),
    mitre=("T1525",),
    remediation='Set image_tag_mutability = "IMMUTABLE" (or "IMMUTABLE_WITH_EXCLUSION").',
    docs=RuleDoc(
        what=(
            "`image_tag_mutability` on `aws_ecr_repository` (and on repository creation templates). "
            "`MUTABLE` fails, and so does an omitted value because AWS and the Terraform provider "
            "default to `MUTABLE`. `MUTABLE_WITH_EXCLUSION` fails too: tags are mutable except the "
            "excluded filters. `IMMUTABLE` passes, and `IMMUTABLE_WITH_EXCLUSION` passes as well "
            "(tags are immutable except the listed exclusion filters, which are usually `latest`-style "
            "moving tags that deployments must not reference). A value that cannot be evaluated "
            "(a variable without a value) is not evaluated and gives no finding."
        ),
        why=(
            "With mutable tags, anyone who can push to the repository can replace the image behind "
            "`api:1.4.2` without changing a single line of Terraform or task definition: the next task "
            "start silently runs different code. Immutable tags make a tag a permanent name for one "
            "image digest, which is what deployment manifests and rollbacks assume."
        ),
        example=(
            'resource "aws_ecr_repository" "mutable_bad" {\n'
            '  name = "api"\n'
            "}\n\n"
            'resource "aws_ecr_repository" "immutable_ok" {\n'
            '  name                 = "api"\n'
            '  image_tag_mutability = "IMMUTABLE"\n'
            "}"
        ),
        fix=(
            'Set `image_tag_mutability = "IMMUTABLE"`. Pipelines that re-push a moving tag such as '
            "`latest` can use `IMMUTABLE_WITH_EXCLUSION` with an `image_tag_mutability_exclusion_filter` "
            "for that tag, and must deploy by version tag or digest."
        ),
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    value = resource.attributes.get(ATTRIBUTE)
    if value is None:
        yield Hit(
            message="image_tag_mutability is not set: ECR defaults to MUTABLE tags",
            attribute=ATTRIBUTE,
            actual=None,
            expected="IMMUTABLE",
            line=resource.line,
        )
        return
    text = upper(value)
    if text in MUTABLE:
        note = ""
        if text == "MUTABLE_WITH_EXCLUSION" and block(
            resource.attributes, "image_tag_mutability_exclusion_filter"
        ):
            note = " (only the exclusion filters are immutable)"
        yield Hit(
            message=f"image_tag_mutability is {text}: tags can be overwritten{note}",
            attribute=ATTRIBUTE,
            actual=value,
            expected="IMMUTABLE",
            line=attr_line(resource, ATTRIBUTE),
        )
