"""TFD-DRIFT-025: ECR Public repository catalog data changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-025",
    kind="drift",
    severity=Severity.LOW,
    title="ECR Public repository catalog data changed outside Terraform",
    resource_types=("aws_ecrpublic_repository",),
    docs=RuleDoc(
        what=(
            "PutRepositoryCatalogData (or CreateRepository) on a declared ECR "
            "Public repository changing `catalog_data`."
        ),
        why=(
            "The public gallery page is what users of the image read; a changed "
            "usage text can point them elsewhere."
        ),
        example=(
            'resource "aws_ecrpublic_repository" "tool" {\n'
            '  catalog_data { description = "Our CLI" }\n'
            "}\n"
            '# CloudTrail: PutRepositoryCatalogData {"catalogData": {"description":'
            ' "..."}}'
        ),
        fix="Restore the declared catalog data (terraform apply).",
    ),
    remediation="Revert with terraform apply (catalog_data), or adopt the change in the .tf file.",
    mitre=(),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
