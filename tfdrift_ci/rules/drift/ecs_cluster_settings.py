"""TFD-DRIFT-017: ECS cluster settings or exec configuration changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-017",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS cluster settings or exec configuration changed outside Terraform",
    resource_types=("aws_ecs_cluster",),
    docs=RuleDoc(
        what=(
            "UpdateCluster / UpdateClusterSettings / CreateCluster changing "
            "`setting` (containerInsights), "
            "`configuration.execute_command_configuration` or "
            "`service_connect_defaults` of a declared cluster."
        ),
        why=(
            "Container Insights and ECS Exec logging are how you see what happens "
            "in the cluster; turning them off hides activity (ATT&CK T1562.008 "
            "Disable or Modify Cloud Logs)."
        ),
        example=(
            'resource "aws_ecs_cluster" "main" {\n'
            '  setting { name = "containerInsights"  value = "enabled" }\n'
            "}\n"
            '# CloudTrail: UpdateClusterSettings {"cluster": "main", "settings": '
            '[{"name": "containerInsights", "value": "disabled"}]}'
        ),
        fix="Restore the declared settings (terraform apply).",
    ),
    remediation=(
        "Revert with terraform apply (setting / configuration), or adopt the change in the .tf file."
    ),
    mitre=("T1562.008",),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """Changes to exec logging, or Container Insights turned off, are high. None keeps the
    default.
    """
    if attribute and attribute.startswith("configuration.execute_command_configuration"):
        return Severity.HIGH
    if attribute == "setting.containerInsights" and new == "disabled":
        return Severity.HIGH
    return None
