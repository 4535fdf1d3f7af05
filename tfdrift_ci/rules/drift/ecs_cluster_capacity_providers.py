"""TFD-DRIFT-018: ECS cluster capacity providers changed outside Terraform."""

from __future__ import annotations

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, to_tf
from tfdrift_ci.rules.drift._rows import CLUSTER, EventRow

RULE = Rule(
    id="TFD-DRIFT-018",
    kind="drift",
    severity=Severity.HIGH,
    title="ECS cluster capacity providers changed outside Terraform",
    resource_types=(
        "aws_ecs_cluster_capacity_providers",
        "aws_ecs_cluster",
    ),
    docs=RuleDoc(
        what=(
            "PutClusterCapacityProviders on a cluster whose capacity providers "
            "Terraform declares (`aws_ecs_cluster_capacity_providers`, or inline on"
            " older `aws_ecs_cluster`)."
        ),
        why=(
            "The default strategy decides where every service without its own strategy runs (ATT&CK T1578)."
        ),
        example=(
            'resource "aws_ecs_cluster_capacity_providers" "main" {\n'
            '  cluster_name       = "main"\n'
            '  capacity_providers = ["FARGATE"]\n'
            "}\n"
            '# CloudTrail: PutClusterCapacityProviders {"capacityProviders": '
            '["FARGATE", "FARGATE_SPOT"]}'
        ),
        fix="Restore the declared capacity providers (terraform apply).",
    ),
    remediation=(
        "Revert with terraform apply (capacity_providers / "
        "default_capacity_provider_strategy), or adopt the change in the .tf "
        "file."
    ),
    mitre=("T1578",),
)


SECURITY_ATTRIBUTES = ("capacity_providers", "default_capacity_provider_strategy")


def extract(event: Event, resource: Resource) -> list[Change]:
    req = event.request
    if resource.type == "aws_ecs_cluster" and not (
        "capacity_providers" in resource.attributes
        or "default_capacity_provider_strategy" in resource.attributes
    ):
        return []  # managed by aws_ecs_cluster_capacity_providers, or not by Terraform at all
    out = []
    if "capacityProviders" in req:
        out.append(Change("update", "capacity_providers", req["capacityProviders"]))
    if "defaultCapacityProviderStrategy" in req:
        out.append(
            Change(
                "update", "default_capacity_provider_strategy", to_tf(req["defaultCapacityProviderStrategy"])
            )
        )
    return out


EVENTS = (
    EventRow(
        ECS,
        "PutClusterCapacityProviders",
        (("cluster_capacity_providers", ("aws_ecs_cluster_capacity_providers",)), CLUSTER),
        extract,
        security=True,
    ),
)
