"""Attributes Terraform only knows after apply, made as predictable as their declared names allow
(an ECS cluster's ``arn`` is ``arn:aws*:ecs:*:*:cluster/<name>``): an :class:`~tfdrift_ci.models.Unknown`
with a pattern, which events can still be matched against."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tfdrift_ci.inventory.expr.convert import glob_escape
from tfdrift_ci.models import Unknown


def computed(rtype: str, attr: str, value_of: Callable[[str], Any]) -> Any:
    """Values Terraform only knows after apply, as patterns where the name makes them predictable
    (an ECS cluster's ``id`` is its ARN ``arn:aws:ecs:<region>:<account>:cluster/<name>``)."""

    def name_pattern(name_attr: str, fmt: str) -> Any:
        name = value_of(name_attr)
        if isinstance(name, str):
            return Unknown(f"{rtype}.{attr}", fmt.format(name=glob_escape(name)))
        return Unknown(f"{rtype}.{attr}")

    if rtype == "aws_ecs_cluster" and attr in ("id", "arn"):
        return name_pattern("name", "arn:aws*:ecs:*:*:cluster/{name}")
    if rtype == "aws_ecs_service" and attr in ("id", "arn"):
        # new-format service ARNs name the cluster too: service/<cluster>/<name>
        return name_pattern("name", "arn:aws*:ecs:*:*:service/*/{name}")
    if rtype == "aws_ecs_capacity_provider" and attr in ("id", "arn"):
        return name_pattern("name", "arn:aws*:ecs:*:*:capacity-provider/{name}")
    if rtype == "aws_ecs_task_definition" and attr == "arn":
        return name_pattern("family", "arn:aws*:ecs:*:*:task-definition/{name}:*")
    if rtype == "aws_ecs_task_definition" and attr == "arn_without_revision":
        return name_pattern("family", "arn:aws*:ecs:*:*:task-definition/{name}")
    if rtype == "aws_ecr_repository" and attr == "id":
        return value_of("name")  # the provider uses the repository name as its id
    if rtype == "aws_ecr_repository" and attr == "arn":
        return name_pattern("name", "arn:aws*:ecr:*:*:repository/{name}")
    if rtype == "aws_ecr_repository" and attr == "repository_url":
        return name_pattern("name", "*.dkr.ecr.*.amazonaws.com/{name}")
    if rtype == "aws_ecrpublic_repository" and attr == "id":
        return value_of("repository_name")
    if rtype == "aws_ecs_cluster_capacity_providers" and attr == "id":
        return value_of("cluster_name")
    return Unknown(f"{rtype}.{attr}")


def computed_data(rtype: str, attr: str, value_of: Callable[[str], Any]) -> Any:
    """Data sources that look up an existing ECS cluster / ECR repository by name: the name is
    declared, so ARNs and ids are predictable (a service in one stack on a cluster of another)."""
    label = f"data.{rtype}.{attr}"

    def pattern(name_attr: str, fmt: str) -> Any:
        name = value_of(name_attr)
        if isinstance(name, str):
            return Unknown(label, fmt.format(name=glob_escape(name)))
        return Unknown(label)

    if rtype == "aws_ecs_cluster" and attr in ("id", "arn"):
        return pattern("cluster_name", "arn:aws*:ecs:*:*:cluster/{name}")
    if rtype == "aws_ecs_cluster" and attr == "name":
        return value_of("cluster_name")
    if rtype == "aws_ecr_repository" and attr == "arn":
        return pattern("name", "arn:aws*:ecr:*:*:repository/{name}")
    if rtype == "aws_ecr_repository" and attr == "id":
        return value_of("name")
    if rtype == "aws_ecr_repository" and attr == "repository_url":
        return pattern("name", "*.dkr.ecr.*.amazonaws.com/{name}")
    if rtype == "aws_ecs_task_definition" and attr in ("arn", "id"):
        return pattern("task_definition", "arn:aws*:ecs:*:*:task-definition/{name}*")
    return Unknown(label)
