"""Resource → the CloudTrail keys its events are matched by: an ECR repository by (registry, region,
repository name); repository and lifecycle policies by their repository; replication, registry scanning
and the registry policy at registry level; an ECS service by (cluster name, service name); a task
definition by family (revisions ``family:N``); a cluster or capacity provider by name. A task set,
an Express gateway service and a daemon by (cluster name, service or daemon name): a task set's id is
computed by AWS, so its service names it; a daemon task definition by family; a repository creation
template by its prefix; ``aws_ecs_tag`` by the ARN of the resource it tags; ECR account settings by
name; a pull-time update exclusion by its principal ARN. A resource's own ``region`` argument
(provider v6) wins over its provider's region.

ECR events name repositories by ``repositoryName`` (+ ``registryId``); ECS events name clusters and
services by name *or* ARN, so every ARN is reduced to its name here and a missing ``cluster`` on a
service means the ``default`` cluster (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tfdrift_ci.models import Identity, IdentityKind, Unknown

# resource type → (identity kind, attribute holding the name, ARN resource prefix to strip)
KINDS: dict[str, tuple[IdentityKind, str | None, str | None]] = {
    "aws_ecr_repository": ("repository", "name", "repository/"),
    "aws_ecr_repository_policy": ("repository", "repository", "repository/"),
    "aws_ecr_lifecycle_policy": ("repository", "repository", "repository/"),
    "aws_ecrpublic_repository": ("public_repository", "repository_name", "repository/"),
    "aws_ecrpublic_repository_policy": ("public_repository", "repository_name", "repository/"),
    "aws_ecr_replication_configuration": ("registry", None, None),
    "aws_ecr_registry_scanning_configuration": ("registry", None, None),
    "aws_ecr_registry_policy": ("registry", None, None),
    "aws_ecr_pull_through_cache_rule": ("pull_through_cache_rule", "ecr_repository_prefix", None),
    "aws_ecs_cluster": ("cluster", "name", "cluster/"),
    "aws_ecs_cluster_capacity_providers": ("cluster_capacity_providers", "cluster_name", "cluster/"),
    "aws_ecs_capacity_provider": ("capacity_provider", "name", "capacity-provider/"),
    "aws_ecs_service": ("service", "name", "service/"),
    "aws_ecs_task_definition": ("task_definition", "family", "task-definition/"),
    "aws_ecs_account_setting_default": ("account_setting", "name", None),
    "aws_ecs_task_set": ("task_set", "service", "service/"),
    "aws_ecs_express_gateway_service": ("express_gateway_service", "service_name", "service/"),
    "aws_ecs_daemon": ("daemon", "name", "daemon/"),
    "aws_ecs_daemon_task_definition": ("daemon_task_definition", "family", "daemon-task-definition/"),
    "aws_ecs_tag": ("resource_tag", "resource_arn", None),
    "aws_ecr_repository_creation_template": ("creation_template", "prefix", None),
    "aws_ecr_account_setting": ("ecr_account_setting", "name", None),
    "aws_ecr_pull_time_update_exclusion": ("pull_time_update_exclusion", "principal_arn", None),
}

# Identity kinds named by (cluster, name), like a service: the attribute holding the cluster (a name
# or an ARN; None or absent means the ``default`` cluster).
CLUSTER_ATTRIBUTE: dict[IdentityKind, str] = {
    "service": "cluster",
    "task_set": "cluster",
    "express_gateway_service": "cluster",
    "daemon": "cluster_arn",
}

RESOURCE_TYPES: tuple[str, ...] = tuple(KINDS)

# ECR Public is a us-east-1-only API (https://docs.aws.amazon.com/AmazonECR/latest/public/public-registries.html)
_PUBLIC_REGION = "us-east-1"

_ARN = re.compile(r"^arn:(aws[a-zA-Z*-]*):([a-z0-9*-]+):([a-z0-9*-]*):(\d{12}|\*?):(.+)$")


def parse_arn(text: str) -> tuple[str | None, str | None, str] | None:
    """``arn:aws:ecs:us-east-1:123456789012:cluster/prod`` → (region, account, "cluster/prod")."""
    m = _ARN.match(text)
    if not m:
        return None
    region = m.group(3) if m.group(3) and "*" not in m.group(3) else None
    account = m.group(4) if m.group(4) and "*" not in m.group(4) else None
    return region, account, m.group(5)


def reduce_name(value: Any, prefix: str | None) -> str | Unknown | None:
    """A name, or an ARN of one (``…:cluster/prod`` → ``prod``; a task definition ARN's
    ``family:revision`` → ``family``); Unknowns keep their pattern, reduced the same way."""
    if value is None:
        return None
    if isinstance(value, Unknown):
        if value.pattern and prefix and value.pattern.startswith("arn:"):
            tail = _tail(value.pattern, prefix)
            if tail is not None and not any(c in tail for c in "*?["):
                return tail
            if tail is not None:
                return Unknown(value.expr, tail)
        return value
    if not isinstance(value, str):
        return Unknown(str(value))
    if prefix and value.startswith("arn:"):
        tail = _tail(value, prefix)
        if tail is not None:
            return tail
    return value


def _tail(arn: str, prefix: str) -> str | None:
    parsed = parse_arn(arn)
    if parsed is None:
        return None
    resource = parsed[2]
    if not resource.startswith(prefix):
        return None
    tail = resource[len(prefix) :]
    if prefix in ("service/", "daemon/") and "/" in tail:
        tail = tail.rsplit("/", 1)[1]  # new-format service ARNs: service/<cluster>/<name>
    if prefix in ("task-definition/", "daemon-task-definition/"):
        tail = tail.split(":", 1)[0]
    return tail


def _arn_region_account(attrs: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str | None, str | None]:
    for key in keys:
        value = attrs.get(key)
        if isinstance(value, str):
            parsed = parse_arn(value)
            if parsed is not None:
                return parsed[0], parsed[1]
    return None, None


def identity_for(
    rtype: str,
    attrs: Mapping[str, Any],
    *,
    region: str | None = None,
    account: str | None = None,
    prefer_arn: bool = False,
) -> Identity | None:
    """The identity of one resource instance. ``region``/``account`` come from its provider
    configuration; an ARN in the values (``arn`` from a plan, a literal cluster ARN) fills the gaps,
    or wins when ``prefer_arn`` (plan/state values are what AWS reported)."""
    spec = KINDS.get(rtype)
    if spec is None:
        return None
    kind, name_attr, prefix = spec
    name: str | Unknown | None = None
    if name_attr is not None:
        name = reduce_name(attrs.get(name_attr), prefix)
        if name is None:
            name = Unknown(f"{name_attr} (not set)")
    cluster: str | Unknown | None = None
    arn_keys: tuple[str, ...] = ("arn",)
    if kind in CLUSTER_ATTRIBUTE:
        cluster_attr = CLUSTER_ATTRIBUTE[kind]
        raw = attrs.get(cluster_attr)
        cluster = "default" if raw is None else reduce_name(raw, "cluster/")
        arn_keys = ("arn", "id", cluster_attr)
    elif kind in ("cluster", "cluster_capacity_providers", "capacity_provider"):
        arn_keys = ("arn", "id", "cluster_name")
    elif kind == "repository":
        arn_keys = ("arn", name_attr or "arn")
    arn_region, arn_account = _arn_region_account(attrs, arn_keys)
    if prefer_arn:
        region = arn_region or region
        account = arn_account or account
    else:
        region = region or arn_region
        account = account or arn_account
    if kind == "repository" and isinstance(attrs.get("registry_id"), str):
        account = attrs["registry_id"]
    if isinstance(attrs.get("region"), str) and attrs["region"]:
        region = attrs["region"]  # provider v6: a resource's own region argument wins
    if kind == "public_repository":
        region = _PUBLIC_REGION
    return Identity(kind=kind, name=name, cluster=cluster, account=account, region=region)
