"""TFD-DRIFT-026: Declared resource created outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

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


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
