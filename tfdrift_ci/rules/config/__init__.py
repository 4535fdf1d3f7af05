"""Static (config) rules over declared ECR/ECS resources, plus the two ``error`` rules.

Explicit registry: ``CONFIG_RULES`` lists every rule module's ``RULE`` and ``CHECKS`` maps each id to
its ``check`` function (a catalog test checks every module under this package is listed).
``run`` evaluates every enabled rule on every resource of its types; a rule that raises becomes a
``TFD-ERR-002`` error finding, never a lost report.
"""

from __future__ import annotations

from collections.abc import Mapping

from tfdrift_ci.models import Finding, Inventory, Resource, Severity
from tfdrift_ci.rules.base import ConfigCheck, ConfigContext, Hit, Rule, RuleDoc
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
}

CONFIG_RULES: tuple[Rule, ...] = tuple(m.RULE for m in MODULES.values())
CHECKS: Mapping[str, ConfigCheck] = {m.RULE.id: m.check for m in MODULES.values()}

# --------------------------------------------------------------------------------------------------
# Error rules: not checks, but findings the engine emits; catalogued so they can be looked up,
# documented and re-graded like any other rule.

PARSE_ERROR = Rule(
    id="TFD-ERR-001",
    kind="error",
    severity=Severity.HIGH,
    title="Terraform file could not be read",
    resource_types=(),
    remediation="Fix the syntax (terraform validate) so that the file can be checked.",
    docs=RuleDoc(
        what=(
            "A `.tf` file (or plan) under the scanned path that could not be parsed or decoded "
            "(syntax error, invalid UTF-8). The rest of the project is still checked; the finding "
            "names the file and, where known, the line."
        ),
        why=(
            "Resources in an unreadable file are invisible to every other rule; reporting the file "
            "with high severity keeps a broken file from passing a pipeline silently."
        ),
        example='resource "aws_ecr_repository" "broken" {\n  name = "api"\n# missing closing brace',
        fix="Run `terraform validate` (or `terraform fmt`) and fix the reported syntax error.",
    ),
)

RULE_CRASH = Rule(
    id="TFD-ERR-002",
    kind="error",
    severity=Severity.HIGH,
    title="A rule failed on a resource",
    resource_types=(),
    remediation="Report the message to the tfdrift-ci maintainers; suppress by rule and address meanwhile.",
    docs=RuleDoc(
        what=(
            "A rule raised an unexpected error while evaluating one resource. The finding names the "
            "rule and the resource; every other rule and resource is still evaluated."
        ),
        why=(
            "A crash must not hide the rest of the report, and must not pass silently either: the "
            "resource was not checked by that rule."
        ),
        example="(no Terraform example: this is a defect in tfdrift-ci or an input it does not expect)",
        fix=(
            "Upgrade tfdrift-ci, or report the message with the resource's declaration. To unblock a "
            "pipeline meanwhile, add an `ignore:` entry for TFD-ERR-002 and the address."
        ),
    ),
)

ERROR_RULES: tuple[Rule, ...] = (PARSE_ERROR, RULE_CRASH)


# --------------------------------------------------------------------------------------------------


def _finding(rule: Rule, resource: Resource, hit: Hit, severity: Severity) -> Finding:
    line = hit.line if hit.line is not None else attr_line(resource, hit.attribute)
    return Finding(
        rule_id=rule.id,
        kind="config",
        severity=severity,
        title=rule.title,
        message=hit.message,
        address=resource.address,
        resource_type=resource.type,
        file=resource.file,
        line=line,
        root=resource.root,
        attribute=hit.attribute,
        expected=hit.expected,
        actual=hit.actual,
        remediation=rule.remediation,
        notes=hit.notes,
    )


def _crash(rule: Rule, resource: Resource, err: BaseException, severity: Severity) -> Finding:
    return Finding(
        rule_id=RULE_CRASH.id,
        kind="error",
        severity=severity,
        title=RULE_CRASH.title,
        message=f"rule {rule.id} failed on {resource.address}: {type(err).__name__}: {err}",
        address=resource.address,
        resource_type=resource.type,
        file=resource.file,
        line=resource.line,
        root=resource.root,
        remediation=RULE_CRASH.remediation,
    )


def run(
    inventory: Inventory, settings: Settings, *, checks: Mapping[str, ConfigCheck] | None = None
) -> list[Finding]:
    """Every enabled config rule on every resource of its types.

    ``settings.rules[id]`` may disable a rule or override its severity (the override wins over a
    rule's per-hit severity). ``checks`` replaces the registry (tests)."""
    table = CHECKS if checks is None else checks
    crash_setting = settings.rules.get(RULE_CRASH.id)
    crash_severity = (crash_setting.severity if crash_setting else None) or RULE_CRASH.severity
    ctx = ConfigContext(inventory=inventory)
    by_type: dict[str, list[Resource]] = {}
    for resource in inventory.resources:
        by_type.setdefault(resource.type, []).append(resource)
    findings: list[Finding] = []
    for rule in CONFIG_RULES:
        setting = settings.rules.get(rule.id)
        if setting is not None and not setting.enabled:
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
                    findings.append(_crash(rule, resource, err, crash_severity))
                    continue
                for hit in hits:
                    severity = override or hit.severity or rule.severity
                    findings.append(_finding(rule, resource, hit, severity))
    return findings
