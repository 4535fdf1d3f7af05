"""TFD-DRIFT-023: Tags changed outside Terraform."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_ci.events.names import ECR, ECR_PUBLIC, ECS
from tfdrift_ci.models import Event, Resource, Severity, Unknown
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import LAST, Change
from tfdrift_ci.rules.drift._rows import (
    CAPACITY_PROVIDER,
    CLUSTER,
    PUBLIC_REPOSITORY,
    REPOSITORY,
    RESOURCE_TAG,
    SERVICE,
    TASK_DEFINITION,
    TASK_SET,
    EventRow,
    Target,
)

RULE = Rule(
    id="TFD-DRIFT-023",
    kind="drift",
    severity=Severity.LOW,
    title="Tags changed outside Terraform",
    resource_types=(
        "aws_ecr_repository",
        "aws_ecrpublic_repository",
        "aws_ecs_cluster",
        "aws_ecs_service",
        "aws_ecs_task_definition",
        "aws_ecs_capacity_provider",
        "aws_ecs_task_set",
        "aws_ecs_tag",
    ),
    docs=RuleDoc(
        what=(
            "TagResource / UntagResource (ECR tags `Key`/`Value`, ECS "
            "`key`/`value`) on a declared resource named by its ARN, changing a tag"
            " away from its declared value; for `aws_ecs_tag` (one tag on a resource named by "
            "`resource_arn`), the declared key set to another value or removed."
        ),
        why=(
            "Tags drive cost allocation, ABAC permissions and automation; an ABAC "
            "tag changed by hand can grant access."
        ),
        example=(
            'resource "aws_ecr_repository" "api" {\n'
            '  tags = { team = "payments" }\n'
            "}\n"
            '# CloudTrail: TagResource {"resourceArn": '
            '"arn:aws:ecr:eu-west-1:111122223333:repository/api", "tags": [{"Key": '
            '"team", "Value": "growth"}]}'
        ),
        fix="Restore the declared tags (terraform apply) or adopt them.",
    ),
    remediation="Revert with terraform apply (tags), or adopt the tag in the .tf file.",
    mitre=(),
)


def _tags_dict(tags: Any) -> dict[str, Any]:
    """ECR tags ``[{Key, Value}]``, ECS tags ``[{key, value}]`` → ``{key: value}``."""
    out: dict[str, Any] = {}
    if isinstance(tags, list):
        for t in tags:
            if isinstance(t, Mapping):
                k = t.get("Key", t.get("key"))
                if isinstance(k, str):
                    out[k] = t.get("Value", t.get("value"))
    elif isinstance(tags, Mapping):
        out.update({str(k): v for k, v in tags.items()})
    return out


def tag_changes(event: Event, resource: Resource) -> list[Change]:
    """TagResource sets keys, UntagResource removes them: one change per key (``tags.KEY``)."""
    if resource.type == "aws_ecs_tag":
        return _one_tag(event, resource)
    # With a plan, tags_all holds the provider's default_tags too: a tag the provider sets is declared.
    declared = resource.attributes.get("tags_all")
    if not isinstance(declared, (Mapping, Unknown)):
        declared = resource.attributes.get("tags")
    if isinstance(declared, Unknown):
        declared_tags: Any = declared
    else:
        declared_tags = dict(declared) if isinstance(declared, Mapping) else {}
    out: list[Change] = []
    if event.name == "TagResource":
        for k, v in _tags_dict(event.request.get("tags")).items():
            old = declared_tags if isinstance(declared_tags, Unknown) else declared_tags.get(k)
            out.append(Change("update", f"tags.{k}", v, old))
    else:
        keys = event.request.get("tagKeys")
        for k in keys if isinstance(keys, list) else []:
            old = declared_tags if isinstance(declared_tags, Unknown) else declared_tags.get(k)
            out.append(Change("update", f"tags.{k}", None, old))
    return out


def _one_tag(event: Event, resource: Resource) -> list[Change]:
    """``aws_ecs_tag`` declares one key of the tagged resource: its ``value`` set or the key removed."""
    key = resource.attributes.get("key")
    if not isinstance(key, str):
        return []
    if event.name == "TagResource":
        tags = _tags_dict(event.request.get("tags"))
        return [Change("update", "value", tags[key])] if key in tags else []
    keys = event.request.get("tagKeys")
    if isinstance(keys, list) and key in keys:
        return [Change("delete", None, None, detail=f"tag {key!r} removed")]
    return []


def create_tags(event: Event, resource: Resource) -> list[Change]:
    """The tags a Create* call sets, compared whole with the declared ones (after the request's
    other changes)."""
    tags = _tags_dict(event.request.get("tags"))
    if not tags:
        return []
    declared = resource.attributes.get("tags")
    return [Change("update", "tags", tags, declared if declared is not None else {}, order=LAST)]


# TagResource/UntagResource name the resource by its ARN (resourceArn), of any of these types.
# aws_ecs_tag names the tagged resource by its ARN too (RESOURCE_TAG).
_ECS_TAGGED: tuple[Target, ...] = (
    CLUSTER,
    CAPACITY_PROVIDER,
    SERVICE,
    TASK_DEFINITION,
    TASK_SET,
    RESOURCE_TAG,
)

EVENTS = (
    EventRow(ECR, "TagResource", (REPOSITORY,), tag_changes, by_arn=True),
    EventRow(ECR, "UntagResource", (REPOSITORY,), tag_changes, by_arn=True),
    EventRow(ECR_PUBLIC, "TagResource", (PUBLIC_REPOSITORY,), tag_changes, by_arn=True),
    EventRow(ECR_PUBLIC, "UntagResource", (PUBLIC_REPOSITORY,), tag_changes, by_arn=True),
    EventRow(ECS, "TagResource", _ECS_TAGGED, tag_changes, by_arn=True),
    EventRow(ECS, "UntagResource", _ECS_TAGGED, tag_changes, by_arn=True),
    EventRow(ECR, "CreateRepository", (REPOSITORY,), create_tags),
    EventRow(ECR_PUBLIC, "CreateRepository", (PUBLIC_REPOSITORY,), create_tags),
    EventRow(ECS, "CreateService", (SERVICE,), create_tags),
    EventRow(ECS, "CreateCluster", (CLUSTER,), create_tags),
    EventRow(ECS, "CreateCapacityProvider", (CAPACITY_PROVIDER,), create_tags),
)
