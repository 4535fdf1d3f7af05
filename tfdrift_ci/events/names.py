"""Which CloudTrail write events can change each declared resource type.

Shared by the event sources (to plan queries: LookupEvents by EventName, Athena/Lake WHERE clauses)
and the drift engine (to know what to look at). Facts: ``shared/reference/cloudtrail-events.md``.
"""

from __future__ import annotations

ECR = "ecr.amazonaws.com"
ECR_PUBLIC = "ecr-public.amazonaws.com"
ECS = "ecs.amazonaws.com"

# (eventSource, eventName) pairs per Terraform resource type.
WRITE_EVENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "aws_ecr_repository": (
        (ECR, "CreateRepository"),
        (ECR, "DeleteRepository"),
        (ECR, "PutImageScanningConfiguration"),
        (ECR, "PutImageTagMutability"),
        # Not Terraform-managed (images), reported as info: someone deleted images by hand.
        (ECR, "BatchDeleteImage"),
        (ECR, "TagResource"),
        (ECR, "UntagResource"),
    ),
    "aws_ecr_repository_policy": ((ECR, "SetRepositoryPolicy"), (ECR, "DeleteRepositoryPolicy")),
    "aws_ecr_lifecycle_policy": ((ECR, "PutLifecyclePolicy"), (ECR, "DeleteLifecyclePolicy")),
    "aws_ecr_replication_configuration": ((ECR, "PutReplicationConfiguration"),),
    "aws_ecr_registry_scanning_configuration": ((ECR, "PutRegistryScanningConfiguration"),),
    "aws_ecr_registry_policy": ((ECR, "PutRegistryPolicy"), (ECR, "DeleteRegistryPolicy")),
    "aws_ecr_pull_through_cache_rule": (
        (ECR, "CreatePullThroughCacheRule"),
        (ECR, "UpdatePullThroughCacheRule"),
        (ECR, "DeletePullThroughCacheRule"),
    ),
    "aws_ecrpublic_repository": (
        (ECR_PUBLIC, "CreateRepository"),
        (ECR_PUBLIC, "DeleteRepository"),
        (ECR_PUBLIC, "PutRepositoryCatalogData"),
        (ECR_PUBLIC, "TagResource"),
        (ECR_PUBLIC, "UntagResource"),
    ),
    "aws_ecrpublic_repository_policy": (
        (ECR_PUBLIC, "SetRepositoryPolicy"),
        (ECR_PUBLIC, "DeleteRepositoryPolicy"),
    ),
    "aws_ecs_cluster": (
        (ECS, "CreateCluster"),
        (ECS, "DeleteCluster"),
        (ECS, "UpdateCluster"),
        (ECS, "UpdateClusterSettings"),
        (ECS, "PutClusterCapacityProviders"),
        (ECS, "UpdateContainerInstancesState"),
        (ECS, "TagResource"),
        (ECS, "UntagResource"),
    ),
    "aws_ecs_cluster_capacity_providers": ((ECS, "PutClusterCapacityProviders"),),
    "aws_ecs_capacity_provider": (
        (ECS, "CreateCapacityProvider"),
        (ECS, "UpdateCapacityProvider"),
        (ECS, "DeleteCapacityProvider"),
        (ECS, "TagResource"),
        (ECS, "UntagResource"),
    ),
    "aws_ecs_service": (
        (ECS, "CreateService"),
        (ECS, "UpdateService"),
        (ECS, "DeleteService"),
        (ECS, "ExecuteCommand"),
        (ECS, "CreateTaskSet"),
        (ECS, "UpdateServicePrimaryTaskSet"),
        (ECS, "DeleteTaskSet"),
        (ECS, "TagResource"),
        (ECS, "UntagResource"),
    ),
    "aws_ecs_task_definition": (
        (ECS, "RegisterTaskDefinition"),
        (ECS, "DeregisterTaskDefinition"),
        (ECS, "DeleteTaskDefinitions"),
        (ECS, "TagResource"),
        (ECS, "UntagResource"),
    ),
    "aws_ecs_account_setting_default": ((ECS, "PutAccountSettingDefault"),),
}

RESOURCE_TYPES: tuple[str, ...] = tuple(WRITE_EVENTS)


def events_for(resource_types: set[str] | frozenset[str]) -> frozenset[tuple[str, str]]:
    """The (eventSource, eventName) pairs that can change any of these resource types."""
    return frozenset(pair for t in resource_types for pair in WRITE_EVENTS.get(t, ()))
