"""TFD-ECS-008: container images referenced by :latest or without any tag or digest.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-considerations.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html (image)
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line, container_label, containers

RULE = Rule(
    id="TFD-ECS-008",
    kind="config",
    severity=Severity.MEDIUM,
    title="ECS container image is not pinned (:latest or no tag)",
    resource_types=("aws_ecs_task_definition",),
    mitre=("T1525",),
    remediation=(
        "Set container_definitions[].image to a version tag or digest (repo/app:1.4.2 or repo/app@sha256:…)."
    ),
    docs=RuleDoc(
        what=(
            "`image` in each container of `container_definitions`. An image with a digest "
            "(`@sha256:…`) passes. An image whose tag is `latest`, or with no tag at all (which means "
            "`latest`), fails. A registry port (`registry:5000/app`) is not mistaken for a tag. An "
            "image built from values the inventory cannot evaluate is not evaluated."
        ),
        why=(
            "`latest` names whatever was pushed last: two tasks of the same service can run different "
            "code, a rollback to the previous task definition does not roll back the image, and "
            "nobody can tell from the task definition what is running."
        ),
        example=(
            'resource "aws_ecs_task_definition" "latest_bad" {\n'
            '  family = "api"\n'
            "  container_definitions = jsonencode([{\n"
            '    name = "api", image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:latest"\n'
            "  }])\n"
            "}\n\n"
            'resource "aws_ecs_task_definition" "pinned_ok" {\n'
            '  family = "api"\n'
            "  container_definitions = jsonencode([{\n"
            '    name = "api", image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.4.2"\n'
            "  }])\n"
            "}"
        ),
        fix=(
            "Deploy by immutable version tag (with TFD-ECR-001's immutable tags) or by digest; pass the "
            "tag in as a variable from the pipeline that built the image."
        ),
    ),
)


def image_tag(image: str) -> tuple[str | None, str | None]:
    """(tag, digest) of an image reference; tag None when absent."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else None
    return tag, (digest or None)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    for where, container in containers(resource) or ():
        image = container.get("image")
        if not isinstance(image, str) or not image.strip():
            continue  # Unknown or missing: not evaluated
        if "${" in image:
            continue  # an unevaluated template: not evaluated
        tag, digest = image_tag(image.strip())
        if digest:
            continue
        if tag is None or tag == "latest":
            why = "uses the latest tag" if tag else "has no tag (means latest) and no digest"
            yield Hit(
                message=f"{container_label(where, container)} image {image!r} {why}",
                attribute=(path := f"{where}.image"),
                actual=image,
                expected="a version tag or @sha256 digest",
                line=attr_line(resource, path),
            )
