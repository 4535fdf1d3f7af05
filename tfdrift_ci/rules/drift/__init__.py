"""Drift rules: out-of-band changes to declared ECR/ECS resources, from CloudTrail events.

A drift rule is one module: its ``RULE``, the write events it acts on (``EVENTS``, with the
function that reads each one) and, optionally, a ``grade()`` (see ``_rows`` for the whole
contract). ``MODULES`` below is the explicit registry; the event table the engine uses and the
write events the event sources query (``WRITE_EVENTS``) are derived from it, so they cannot
disagree. The matching loop lives in ``_engine`` (with ``_match``, ``_decide``, ``_phrasing``,
``_actors`` and the shared value helpers in ``_attributes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tfdrift_ci.events.base import WriteEvents
from tfdrift_ci.models import Event, Finding, Gap, Inventory, TerraformApply
from tfdrift_ci.rules.base import Rule
from tfdrift_ci.rules.drift import (
    _engine,
    created_out_of_band,
    ecr_account_settings,
    ecr_creation_template,
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
    ecs_daemon,
    ecs_desired_count,
    ecs_exec_session,
    ecs_execute_command,
    ecs_express_gateway_service,
    ecs_service_deleted,
    ecs_service_network,
    ecs_service_settings,
    ecs_service_task_definition,
    ecs_task_definition_deregistered,
    ecs_task_definition_registered,
    ecs_task_set,
    failed_attempt,
    tags,
    unmanaged_resource,
)
from tfdrift_ci.rules.drift._registry import DriftRule, Registry
from tfdrift_ci.rules.drift._rows import EventRow
from tfdrift_ci.settings import Settings

__all__ = ["DRIFT_RULES", "MODULES", "REGISTRY", "WRITE_EVENTS", "DriftRule", "EventRow", "Registry", "run"]

# module name -> module, in catalog order (ids ascending)
MODULES = {
    "ecr_image_tag_mutability": ecr_image_tag_mutability,
    "ecr_image_scanning": ecr_image_scanning,
    "ecr_repository_policy": ecr_repository_policy,
    "ecr_lifecycle_policy": ecr_lifecycle_policy,
    "ecr_repository_deleted": ecr_repository_deleted,
    "ecr_replication": ecr_replication,
    "ecr_registry_scanning": ecr_registry_scanning,
    "ecr_registry_policy": ecr_registry_policy,
    "ecr_pull_through_cache": ecr_pull_through_cache,
    "ecs_desired_count": ecs_desired_count,
    "ecs_service_task_definition": ecs_service_task_definition,
    "ecs_execute_command": ecs_execute_command,
    "ecs_service_network": ecs_service_network,
    "ecs_capacity_provider_strategy": ecs_capacity_provider_strategy,
    "ecs_service_settings": ecs_service_settings,
    "ecs_service_deleted": ecs_service_deleted,
    "ecs_cluster_settings": ecs_cluster_settings,
    "ecs_cluster_capacity_providers": ecs_cluster_capacity_providers,
    "ecs_cluster_deleted": ecs_cluster_deleted,
    "ecs_task_definition_registered": ecs_task_definition_registered,
    "ecs_task_definition_deregistered": ecs_task_definition_deregistered,
    "ecs_capacity_provider": ecs_capacity_provider,
    "tags": tags,
    "ecs_account_setting": ecs_account_setting,
    "ecrpublic_catalog": ecrpublic_catalog,
    "created_out_of_band": created_out_of_band,
    "unmanaged_resource": unmanaged_resource,
    "failed_attempt": failed_attempt,
    "ecs_exec_session": ecs_exec_session,
    "ecs_container_instance_state": ecs_container_instance_state,
    "ecr_images_deleted": ecr_images_deleted,
    "ecs_task_set": ecs_task_set,
    "ecr_creation_template": ecr_creation_template,
    "ecs_express_gateway_service": ecs_express_gateway_service,
    "ecs_daemon": ecs_daemon,
    "ecr_account_settings": ecr_account_settings,
}

# Failed calls are reported under failed_attempt, creations nobody declared under unmanaged_resource.
REGISTRY = Registry.of(MODULES.values(), failed=failed_attempt, unmanaged=unmanaged_resource)
DRIFT_RULES: tuple[Rule, ...] = tuple(r.rule for r in REGISTRY.rules)
# What the event sources must query (the caller passes it to events.fetch).
WRITE_EVENTS: WriteEvents = REGISTRY.write_events


def run(
    inventory: Inventory,
    events: Sequence[Event],
    settings: Settings,
    *,
    now: datetime | None = None,
    registry: Registry = REGISTRY,
    applies: list[TerraformApply] | None = None,
    gaps: list[Gap] | None = None,
) -> list[Finding]:
    """Drift, unmanaged and attempt findings for ``events`` against ``inventory``'s resources.

    ``now`` (default: the current time) only phrases "made 2 days ago" in plan-revert messages;
    ``registry`` (default: every rule above) may be ``REGISTRY.extended(more_modules)``;
    ``applies``, when given, collects Terraform's own writes on declared resources (the report's
    timeline shows them); ``gaps``, when given, collects the declared resources whose name is
    unknown and whose events could not be told apart (``_unknown``).
    """
    return _engine.run(inventory, events, settings, registry, now=now, applies=applies, gaps=gaps)
