"""TFD-DRIFT-026: Declared resource created outside Terraform."""

from __future__ import annotations

from tfdrift_ci.events.names import ECR, ECR_PUBLIC, ECS
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change
from tfdrift_ci.rules.drift._rows import (
    CAPACITY_PROVIDER,
    CLUSTER,
    PUBLIC_REPOSITORY,
    PULL_THROUGH_CACHE_RULE,
    REPOSITORY,
    SERVICE,
    EventRow,
)

RULE = Rule(
    id="TFD-DRIFT-026",
    kind="drift",
    severity=Severity.MEDIUM,
    title="Declared resource created outside Terraform",
    resource_types=(
        "aws_ecr_repository",
        "aws_ecrpublic_repository",
        "aws_ecs_cluster",
        "aws_ecs_service",
        "aws_ecs_capacity_provider",
        "aws_ecr_pull_through_cache_rule",
    ),
    docs=RuleDoc(
        what=(
            "A Create* event (CreateRepository, CreateService, CreateCluster, "
            "CreateCapacityProvider, CreatePullThroughCacheRule) by anyone but "
            "Terraform for a resource the configuration declares; its attributes "
            "are compared with the declaration too."
        ),
        why=(
            "Terraform will fail to create it (already exists) or, once imported, "
            "silently change it; either way it was not created from the reviewed "
            "code."
        ),
        example=(
            'resource "aws_ecs_cluster" "main" { name = "main" }\n'
            '# CloudTrail: CreateCluster {"clusterName": "main"} via the console'
        ),
        fix=(
            "Import it (`terraform import` / an `import` block) and let the next plan show the differences."
        ),
    ),
    remediation="Import the resource into Terraform state (import block), then apply.",
    mitre=(),
)


def extract(event: Event, resource: Resource) -> list[Change]:
    return [Change("create")]


# ``creates``: an undeclared resource of that type created by one of these events is reported as
# unmanaged by the engine (rule unmanaged_resource).
EVENTS = (
    EventRow(ECR, "CreateRepository", (REPOSITORY,), extract, creates="aws_ecr_repository"),
    EventRow(
        ECR,
        "CreatePullThroughCacheRule",
        (PULL_THROUGH_CACHE_RULE,),
        extract,
        creates="aws_ecr_pull_through_cache_rule",
    ),
    EventRow(
        ECR_PUBLIC, "CreateRepository", (PUBLIC_REPOSITORY,), extract, creates="aws_ecrpublic_repository"
    ),
    EventRow(ECS, "CreateService", (SERVICE,), extract, creates="aws_ecs_service"),
    EventRow(ECS, "CreateCluster", (CLUSTER,), extract, creates="aws_ecs_cluster"),
    EventRow(
        ECS, "CreateCapacityProvider", (CAPACITY_PROVIDER,), extract, creates="aws_ecs_capacity_provider"
    ),
)
