"""TFD-DRIFT-025: ECR Public repository catalog data changed outside Terraform."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_ci.events.names import ECR_PUBLIC
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, flatten
from tfdrift_ci.rules.drift._rows import PUBLIC_REPOSITORY, EventRow

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


QUIET_FORM_DEFAULTS = True


def extract(event: Event, resource: Resource) -> list[Change]:
    cat = event.request.get("catalogData")
    if not isinstance(cat, Mapping):
        return []
    flat: dict[str, Any] = {}
    flatten("catalog_data", cat, flat)
    return [Change("update", p, v) for p, v in sorted(flat.items()) if not p.endswith("logo_image_blob")]


EVENTS = (
    EventRow(ECR_PUBLIC, "PutRepositoryCatalogData", (PUBLIC_REPOSITORY,), extract),
    EventRow(ECR_PUBLIC, "CreateRepository", (PUBLIC_REPOSITORY,), extract),
)
