"""Static (config) rules over declared ECR/ECS resources.

Explicit registry: ``CONFIG_RULES`` lists every rule module's ``RULE`` and ``CHECKS`` maps each id to
its ``check`` function (a catalog test checks every module under this package is listed).
``run`` evaluates every enabled rule on every resource of its types; a rule that raises becomes a
``TFD-ERR-002`` error finding (``rules/errors.py``), never a lost report.
"""

from __future__ import annotations

from collections.abc import Mapping

from tfdrift_ci.models import Finding, Inventory, Resource, Severity
from tfdrift_ci.rules.base import ConfigCheck, ConfigContext, Hit, Rule
from tfdrift_ci.rules.config import (
    ecr_force_delete,
    ecr_kms_encryption,
    ecr_no_lifecycle_policy,
    ecr_no_policy,
    ecr_public_policy,
    ecr_scan_on_push,
    ecr_tag_mutability,
    ecs_admin_iam_role,
    ecs_container_definitions_unknown,
    ecs_container_insights,
    ecs_desired_count_zero,
    ecs_efs_transit_encryption,
    ecs_exec_encryption,
    ecs_exec_logging,
    ecs_execute_command,
    ecs_fargate_platform_version,
    ecs_host_namespace,
    ecs_image_tag,
    ecs_network_mode,
    ecs_plaintext_secrets,
    ecs_privileged,
    ecs_public_ip,
    ecs_readonly_root,
    ecs_shared_task_role,
)
from tfdrift_ci.rules.config._util import attr_line
from tfdrift_ci.rules.errors import RULE_CRASH, crash_finding, describe_error, severity_under
from tfdrift_ci.rules.finding import make_finding
from tfdrift_ci.settings import Settings

# module name -> module, in catalog order (ids ascending)
MODULES = {
    "ecr_tag_mutability": ecr_tag_mutability,
    "ecr_scan_on_push": ecr_scan_on_push,
    "ecr_kms_encryption": ecr_kms_encryption,
    "ecr_public_policy": ecr_public_policy,
    "ecr_no_policy": ecr_no_policy,
    "ecr_force_delete": ecr_force_delete,
    "ecr_no_lifecycle_policy": ecr_no_lifecycle_policy,
    "ecs_execute_command": ecs_execute_command,
    "ecs_exec_logging": ecs_exec_logging,
    "ecs_privileged": ecs_privileged,
    "ecs_host_namespace": ecs_host_namespace,
    "ecs_network_mode": ecs_network_mode,
    "ecs_readonly_root": ecs_readonly_root,
    "ecs_plaintext_secrets": ecs_plaintext_secrets,
    "ecs_image_tag": ecs_image_tag,
    "ecs_shared_task_role": ecs_shared_task_role,
    "ecs_efs_transit_encryption": ecs_efs_transit_encryption,
    "ecs_public_ip": ecs_public_ip,
    "ecs_container_insights": ecs_container_insights,
    "ecs_fargate_platform_version": ecs_fargate_platform_version,
    "ecs_desired_count_zero": ecs_desired_count_zero,
    "ecs_admin_iam_role": ecs_admin_iam_role,
    "ecs_container_definitions_unknown": ecs_container_definitions_unknown,
    "ecs_exec_encryption": ecs_exec_encryption,
}

CONFIG_RULES: tuple[Rule, ...] = tuple(m.RULE for m in MODULES.values())
CHECKS: Mapping[str, ConfigCheck] = {m.RULE.id: m.check for m in MODULES.values()}


def _finding(rule: Rule, resource: Resource, hit: Hit, severity: Severity) -> Finding:
    return make_finding(
        rule,
        hit.message,
        resource=resource,
        severity=severity,
        line=hit.line if hit.line is not None else attr_line(resource, hit.attribute),
        attribute=hit.attribute,
        expected=hit.expected,
        actual=hit.actual,
        notes=hit.notes,
    )


def run(
    inventory: Inventory, settings: Settings, *, checks: Mapping[str, ConfigCheck] | None = None
) -> list[Finding]:
    """Every enabled config rule on every resource of its types.

    ``settings.rules[id]`` may disable a rule or override its severity (the override wins over a
    rule's per-hit severity). ``checks`` replaces the registry (tests)."""
    table = CHECKS if checks is None else checks
    crash_severity = severity_under(RULE_CRASH, settings)  # None: TFD-ERR-002 turned off
    ctx = ConfigContext(inventory=inventory)
    by_type: dict[str, list[Resource]] = {}
    for resource in inventory.resources:
        by_type.setdefault(resource.type, []).append(resource)
    findings: list[Finding] = []
    for rule in CONFIG_RULES:
        setting = settings.rules.get(rule.id)
        if not rule.enabled_under(setting):
            continue
        check = table.get(rule.id)
        if check is None:
            continue
        override = setting.severity if setting is not None else None
        for rtype in rule.resource_types:
            for resource in by_type.get(rtype, ()):
                try:
                    hits = list(check(resource, ctx))
                except Exception as err:  # noqa: BLE001 - a crashing rule becomes an error finding
                    if crash_severity is not None:
                        message = f"rule {rule.id} failed on {resource.address}: {describe_error(err)}"
                        findings.append(crash_finding(message, resource=resource, severity=crash_severity))
                    continue
                for hit in hits:
                    severity = override or hit.severity or rule.severity
                    findings.append(_finding(rule, resource, hit, severity))
    return findings
