"""TFD-DRIFT-035: ECS daemon or daemon task definition changed outside Terraform.

CreateDaemon (daemonName, clusterArn), UpdateDaemon and DeleteDaemon (daemonArn); Register- and
DeleteDaemonTaskDefinition (family; ``family:revision`` or an ARN): the ECS API reference
(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateDaemon.html). No CloudTrail
sample of these events was available: a daemon ARN is read as ``daemon/<cluster>/<name>`` or
``daemon/<name>`` (``_match``).
"""

from __future__ import annotations

from typing import Any

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, deleted, request_members, to_tf
from tfdrift_ci.rules.drift._rows import DAEMON, DAEMON_TASK_DEFINITION, EventRow

RULE = Rule(
    id="TFD-DRIFT-035",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS daemon or daemon task definition changed outside Terraform",
    resource_types=("aws_ecs_daemon", "aws_ecs_daemon_task_definition"),
    docs=RuleDoc(
        what=(
            "UpdateDaemon changing a declared `aws_ecs_daemon` (daemon task definition, capacity "
            "providers, deployment configuration, ECS Exec, tag propagation), DeleteDaemon deleting "
            "it, CreateDaemon creating one next to declared ones (unmanaged); "
            "RegisterDaemonTaskDefinition registering a revision of a declared "
            "`aws_ecs_daemon_task_definition` family, DeleteDaemonTaskDefinition deleting one."
        ),
        why=(
            "A daemon runs on every container instance of its capacity providers: another task "
            "definition or ECS Exec turned on by hand reaches every host (ATT&CK T1610)."
        ),
        example=(
            'resource "aws_ecs_daemon" "agent" {\n'
            '  name                       = "log-agent"\n'
            "  daemon_task_definition_arn = aws_ecs_daemon_task_definition.agent.arn\n"
            "  enable_execute_command     = false\n"
            "}\n"
            '# CloudTrail: UpdateDaemon {"daemonArn": "…:daemon/main/log-agent", '
            '"enableExecuteCommand": true}'
        ),
        fix="Restore the declared daemon (terraform apply), or adopt the change in the .tf file.",
    ),
    remediation="Revert with terraform apply, or adopt the change in the .tf file.",
    mitre=("T1610",),
)

QUIET_FORM_DEFAULTS = True
SECURITY_ATTRIBUTES = ("enable_execute_command", "daemon_task_definition_arn")

_settings = request_members(skip=("daemonArn", "daemonName", "clusterArn", "clientToken", "tags"))


def registered(event: Event, resource: Resource) -> list[Change]:
    """A new revision of a declared daemon task definition family, compared by its containers with
    the declared ``container_definition`` blocks (the same containers registered again is no finding)."""
    arn = event.response.get("daemonTaskDefinitionArn")
    label = str(arn).rsplit("/", 1)[-1] if isinstance(arn, str) else str(event.request.get("family"))
    containers = event.request.get("containerDefinitions")
    if not isinstance(containers, list):
        return []
    return [Change("register", "container_definition", to_tf(containers), detail=f"revision {label}")]


EVENTS = (
    EventRow(ECS, "CreateDaemon", (DAEMON,), _settings, creates="aws_ecs_daemon"),
    EventRow(ECS, "UpdateDaemon", (DAEMON,), _settings),
    EventRow(ECS, "DeleteDaemon", (DAEMON,), deleted, security=True),
    EventRow(ECS, "RegisterDaemonTaskDefinition", (DAEMON_TASK_DEFINITION,), registered),
    EventRow(ECS, "DeleteDaemonTaskDefinition", (DAEMON_TASK_DEFINITION,), deleted),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """ECS Exec turned on, or a daemon deleted, is high. None keeps the default."""
    if op == "delete" or (attribute == "enable_execute_command" and new is True):
        return Severity.HIGH
    return None
