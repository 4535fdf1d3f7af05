"""TFD-DRIFT-033: ECR repository creation template changed or deleted outside Terraform.

Create/Update/DeleteRepositoryCreationTemplate name the template by ``prefix`` (``ROOT`` for every
repository): https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_UpdateRepositoryCreationTemplate.html;
the Terraform attributes are those of ``aws_ecr_repository_creation_template``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_ci.events.names import ECR
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import (
    Change,
    deleted,
    is_public_policy,
    parse_json_text,
    snake,
    to_tf,
)
from tfdrift_ci.rules.drift._rows import CREATION_TEMPLATE, EventRow

RULE = Rule(
    id="TFD-DRIFT-033",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECR repository creation template changed or deleted outside Terraform",
    resource_types=("aws_ecr_repository_creation_template",),
    docs=RuleDoc(
        what=(
            "UpdateRepositoryCreationTemplate (or CreateRepositoryCreationTemplate) setting a member "
            "of a declared `aws_ecr_repository_creation_template` to something else than declared "
            "(tag mutability, encryption, repository and lifecycle policy, resource tags, "
            "applied_for, custom role), or DeleteRepositoryCreationTemplate deleting it. A template "
            "created outside Terraform next to declared ones is reported as unmanaged."
        ),
        why=(
            "Every repository that ECR creates on push, for a pull-through cache or for replication "
            "gets the template's settings: a template turned MUTABLE or given an open repository "
            "policy weakens every repository created from then on (ATT&CK T1525)."
        ),
        example=(
            'resource "aws_ecr_repository_creation_template" "team" {\n'
            '  prefix               = "team"\n'
            '  applied_for          = ["PULL_THROUGH_CACHE"]\n'
            '  image_tag_mutability = "IMMUTABLE"\n'
            "}\n"
            '# CloudTrail: UpdateRepositoryCreationTemplate {"prefix": "team", '
            '"imageTagMutability": "MUTABLE"}'
        ),
        fix="Restore the declared template (terraform apply), or adopt the change in the .tf file.",
    ),
    remediation="Revert with terraform apply, or adopt the change in the .tf file.",
    mitre=("T1525",),
)

QUIET_FORM_DEFAULTS = True
SECURITY_ATTRIBUTES = ("image_tag_mutability", "repository_policy", "encryption_configuration")

# request member -> Terraform attribute, where the two are not camelCase/snake_case of each other
_NAMES = {"imageTagMutabilityExclusionFilters": "image_tag_mutability_exclusion_filter"}
_POLICIES = ("repositoryPolicy", "lifecyclePolicy")


def extract(event: Event, resource: Resource) -> list[Change]:
    out: list[Change] = []
    for i, (member, value) in enumerate(event.request.items()):
        if member == "prefix":
            continue
        attribute = _NAMES.get(member, snake(member))
        if member in _POLICIES:
            new: Any = parse_json_text(value)
        elif member == "resourceTags":
            new = _tags(value)
        elif member == "encryptionConfiguration" and isinstance(value, Mapping):
            new = [to_tf(value)]
        else:
            new = to_tf(value)
        out.append(Change("update", attribute, new, order=i))
    return out


def _tags(value: Any) -> Any:
    """``[{"Key": k, "Value": v}]`` → ``{k: v}`` (the template's ``resource_tags`` map)."""
    if not isinstance(value, list):
        return value
    pairs = [t for t in value if isinstance(t, Mapping) and isinstance(t.get("Key"), str)]
    return {t["Key"]: t.get("Value") for t in pairs}


EVENTS = (
    EventRow(
        ECR,
        "CreateRepositoryCreationTemplate",
        (CREATION_TEMPLATE,),
        extract,
        creates="aws_ecr_repository_creation_template",
    ),
    EventRow(ECR, "UpdateRepositoryCreationTemplate", (CREATION_TEMPLATE,), extract, security=True),
    EventRow(ECR, "DeleteRepositoryCreationTemplate", (CREATION_TEMPLATE,), deleted, security=True),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """Mutable tags or an open repository policy for new repositories are high; deleting the template
    (new repositories get ECR's defaults) is high. None keeps the default."""
    if op == "delete":
        return Severity.HIGH
    if attribute == "image_tag_mutability" and isinstance(new, str) and new.upper().startswith("MUTABLE"):
        return Severity.HIGH
    if attribute == "repository_policy" and is_public_policy(new):
        return Severity.CRITICAL
    return None
