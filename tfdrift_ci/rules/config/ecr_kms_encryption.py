"""TFD-ECR-003: ECR repositories should be encrypted with a customer managed KMS key.

https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecr_repository#encryption_configuration
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity, Unknown
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line, block, upper

ATTRIBUTE = "encryption_configuration"
# The AWS managed key for ECR is not a customer key (its policy cannot be changed).
AWS_MANAGED = ("alias/aws/ecr",)

RULE = Rule(
    id="TFD-ECR-003",
    kind="config",
    severity=Severity.LOW,
    title="ECR repository is not encrypted with a customer managed KMS key",
    resource_types=("aws_ecr_repository", "aws_ecr_repository_creation_template"),
    peers=PeerIds(
        checkov=("CKV_AWS_136",),
        trivy=("AVD-AWS-0033", "aws-ecr-repository-customer-key"),
        kics=("0e32d561-4b5a-4664-a6e3-a3fa85649157",),  # ECR Repository Not Encrypted With CMK
    ),
    mitre=(),
    remediation='Set encryption_configuration { encryption_type = "KMS", kms_key = <customer key ARN> }.',
    docs=RuleDoc(
        what=(
            "`encryption_configuration` on `aws_ecr_repository` (and creation templates). An omitted "
            'block or `encryption_type = "AES256"` fails (AWS owned key); `KMS`/`KMS_DSSE` without '
            "`kms_key`, or with the AWS managed `alias/aws/ecr`, fails (AWS managed key). `KMS` with a "
            "customer key (a literal ARN/alias or a reference to an `aws_kms_key`) passes. Values that "
            "cannot be evaluated are not evaluated."
        ),
        why=(
            "A customer managed key puts image layers under a key policy you control: you can audit "
            "every decrypt in CloudTrail, restrict it to the roles that pull, and revoke access by "
            "disabling the key. Encryption settings cannot be changed after the repository exists, so "
            "this is cheapest to get right at creation."
        ),
        example=(
            'resource "aws_ecr_repository" "aes_bad" {\n'
            '  name = "api"\n'
            "}\n\n"
            'resource "aws_ecr_repository" "cmk_ok" {\n'
            '  name = "api"\n'
            "  encryption_configuration {\n"
            '    encryption_type = "KMS"\n'
            "    kms_key         = aws_kms_key.ecr.arn\n"
            "  }\n"
            "}"
        ),
        fix=(
            "Create an `aws_kms_key` for the registry and set `encryption_configuration { "
            'encryption_type = "KMS", kms_key = aws_kms_key.ecr.arn }`. Changing encryption replaces '
            "the repository: push the images again after the change."
        ),
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    raw = resource.attributes.get(ATTRIBUTE)
    if isinstance(raw, Unknown):
        return
    cfg = block(resource.attributes, ATTRIBUTE)
    line = attr_line(resource, ATTRIBUTE)
    if cfg is None:
        yield Hit(
            message="no encryption_configuration: images are encrypted with an AWS owned key (AES256)",
            attribute=f"{ATTRIBUTE}.encryption_type",
            actual=None,
            expected="KMS",
            line=line,
        )
        return
    etype = cfg.get("encryption_type")
    if isinstance(etype, Unknown):
        return
    text = upper(etype) or "AES256"
    if text not in ("KMS", "KMS_DSSE"):
        yield Hit(
            message=f"encryption_type is {text}: images are encrypted with an AWS owned key",
            attribute=f"{ATTRIBUTE}.encryption_type",
            actual=etype,
            expected="KMS",
            line=line,
        )
        return
    key = cfg.get("kms_key")
    if isinstance(key, Unknown):
        return
    if not key or (isinstance(key, str) and key.strip() in AWS_MANAGED):
        yield Hit(
            message=f"encryption_type is {text} but no customer key is given: the AWS managed key "
            "aws/ecr is used",
            attribute=f"{ATTRIBUTE}.kms_key",
            actual=key or None,
            expected="a customer managed KMS key ARN",
            line=line,
        )
