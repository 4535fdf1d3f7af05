"""TFD-DRIFT-029: ECS Exec session into a declared cluster's tasks."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Finding, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift import _match as M
from tfdrift_ci.rules.drift._actors import describe
from tfdrift_ci.rules.drift._attributes import get_path
from tfdrift_ci.rules.drift._phrasing import fmt, line_of, when, where
from tfdrift_ci.rules.drift._rows import SERVICE, EventRow, Scope
from tfdrift_ci.rules.finding import make_finding

RULE = Rule(
    id="TFD-DRIFT-029",
    kind="attempt",
    severity=Severity.HIGH,
    title="ECS Exec session into a declared cluster's tasks",
    resource_types=("aws_ecs_service",),
    docs=RuleDoc(
        what=(
            "ExecuteCommand into a task of a cluster where the project declares "
            "services. Not drift (nothing changed) but an access event: low when "
            "the declared services there enable execute command, high when none "
            "does (exec was turned on out of band, or the task is not Terraform's)."
        ),
        why=(
            "An interactive shell in a production container bypasses the deployment"
            " pipeline and can read every secret the task has (ATT&CK T1609)."
        ),
        example=(
            'resource "aws_ecs_service" "api" { enable_execute_command = false }\n'
            '# CloudTrail: ExecuteCommand {"cluster": "main", "task": "...", '
            '"command": "/bin/sh", "interactive": true}'
        ),
        fix=("Confirm the session was expected; keep enable_execute_command off where nobody needs it."),
    ),
    remediation=("Review the session (SSM session logs); disable enable_execute_command where not needed."),
    mitre=("T1609",),
)


def handle(event: Event, scope: Scope) -> list[Finding]:
    """ExecuteCommand names a cluster and a task, not a service: relate it to the declared services
    of that cluster (the one that enables exec, or the only one)."""
    cluster = M.name_from(event.request.get("cluster") or M.DEFAULT_CLUSTER, "cluster")
    task = event.request.get("task") or event.response.get("taskArn")
    task_arn = M.parse_arn(task)
    if task_arn is not None and len(task_arn.path) >= 2:
        cluster = task_arn.path[-2]
    if cluster is None:
        return []
    services = M.services_in_cluster(scope.of_kind("service"), cluster, event.account, event.region)
    if not services:
        return []
    enabled = [s for s in services if get_path(s.attributes, "enable_execute_command") is True]
    target = enabled[0] if len(enabled) == 1 else (services[0] if len(services) == 1 else None)
    declared_on = bool(enabled)
    if event.error_code:
        severity = Severity.INFO
        what = f"tried to open an ECS Exec session ({event.error_code}) in cluster {cluster}"
    else:
        severity = grade(None, declared_on, None, "info") or RULE.severity
        what = f"opened an ECS Exec session in cluster {cluster}"
    container = event.request.get("container") or event.response.get("containerName")
    command = event.request.get("command")
    detail = f" (task {task}, container {container}, command {fmt(command, 60)})"
    notes: list[str] = []
    if not declared_on:
        notes.append(
            "no declared service in this cluster enables execute command: exec was turned on outside "
            "Terraform, or the task is not one of Terraform's"
        )
    if target is None:
        notes.append("candidate services: " + ", ".join(s.address for s in services))
    return [
        make_finding(
            RULE,
            f"{describe(event.actor)} {what}{detail} on {when(event)} ({where(event)}).",
            # several candidate services and not exactly one enables exec: no address of its own
            resource=target,
            event=event,
            severity=severity,
            resource_type="aws_ecs_service",
            root=(target or services[0]).root,
            line=line_of(target, "enable_execute_command") if target else None,
            attribute="enable_execute_command",
            expected=get_path(target.attributes, "enable_execute_command") is True if target else None,
            # a session that opened proves exec is on for that task, whatever is declared
            actual=None if event.error_code else True,
            notes=notes,
        )
    ]


EVENTS = (EventRow(ECS, "ExecuteCommand", (SERVICE,), handle=handle),)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """Low when exec is declared enabled, else high. None keeps the default."""
    if old is True:
        return Severity.LOW
    return Severity.HIGH
