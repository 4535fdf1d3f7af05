"""Drift rules: out-of-band changes to declared ECR/ECS resources, from CloudTrail events.

Every rule module holds one ``RULE`` and one ``grade(attribute, old, new, op)`` function (the
severity of one change; None keeps the rule's default). The event table and the matching loop live
in ``_engine`` (with ``_match``, ``_attributes``, ``_actors``); the registry below is explicit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tfdrift_ci.models import Event, Finding, Inventory
from tfdrift_ci.rules.base import Rule
from tfdrift_ci.rules.drift import (
    created_out_of_band,
    ecr_image_scanning,
    ecr_image_tag_mutability,
    ecr_images_deleted,
    ecr_lifecycle_policy,
    ecr_pull_through_cache,
    ecr_registry_policy,
    ecr_registry_scanning,
    ecr_replication,
    ecr_repository_deleted,
    ecr_repository_policy,
    ecrpublic_catalog,
    ecs_account_setting,
    ecs_capacity_provider,
    ecs_capacity_provider_strategy,
    ecs_cluster_capacity_providers,
    ecs_cluster_deleted,
    ecs_cluster_settings,
    ecs_container_instance_state,
    ecs_desired_count,
    ecs_exec_session,
    ecs_execute_command,
    ecs_service_deleted,
    ecs_service_network,
    ecs_service_settings,
    ecs_service_task_definition,
    ecs_task_definition_deregistered,
    ecs_task_definition_registered,
    failed_attempt,
    tags,
    unmanaged_resource,
)
from tfdrift_ci.settings import Settings

MODULES = (
    ecr_image_tag_mutability,
    ecr_image_scanning,
    ecr_repository_policy,
    ecr_lifecycle_policy,
    ecr_repository_deleted,
    ecr_replication,
    ecr_registry_scanning,
    ecr_registry_policy,
    ecr_pull_through_cache,
    ecs_desired_count,
    ecs_service_task_definition,
    ecs_execute_command,
    ecs_service_network,
    ecs_capacity_provider_strategy,
    ecs_service_settings,
    ecs_service_deleted,
    ecs_cluster_settings,
    ecs_cluster_capacity_providers,
    ecs_cluster_deleted,
    ecs_task_definition_registered,
    ecs_task_definition_deregistered,
    ecs_capacity_provider,
    tags,
    ecs_account_setting,
    ecrpublic_catalog,
    created_out_of_band,
    unmanaged_resource,
    failed_attempt,
    ecs_exec_session,
    ecs_container_instance_state,
    ecr_images_deleted,
)

DRIFT_RULES: tuple[Rule, ...] = tuple(m.RULE for m in MODULES)


def run(
    inventory: Inventory,
    events: Sequence[Event],
    settings: Settings,
    *,
    now: datetime | None = None,
) -> list[Finding]:
    """Drift, unmanaged and attempt findings for ``events`` against ``inventory``'s resources.

    ``now`` (default: the current time) only phrases "made 2 days ago" in plan-revert messages.
    """
    from tfdrift_ci.rules.drift import _engine

    rules = {m.RULE.id: m.RULE for m in MODULES}
    graders = {m.RULE.id: m.grade for m in MODULES}
    return _engine.run(inventory, events, settings, rules, graders, now=now)
