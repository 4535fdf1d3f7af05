"""TFD-DRIFT-020: ECS task definition revision registered outside Terraform."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity, Unknown
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, named, same, scalar
from tfdrift_ci.rules.drift._rows import TASK_DEFINITION, EventRow
from tfdrift_ci.rules.redact import (
    ENVIRONMENT,
    LOG_CONFIGURATION,
    credentials_pair,
    hidden_pair,
    is_marker,
    log_configuration_pair,
)

RULE = Rule(
    id="TFD-DRIFT-020",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS task definition revision registered outside Terraform",
    resource_types=("aws_ecs_task_definition",),
    docs=RuleDoc(
        what=(
            "RegisterTaskDefinition of a declared family by anyone but Terraform; "
            "reports each container-level difference from the declared container "
            "definitions (image, privileged, environment, secrets, user, read-only "
            "root …) and task-level ones (task/execution role, cpu, memory, network"
            " mode). Environment values and log-driver options are never shown, whatever their "
            "names: only the variable and option names, whether each was added, removed or changed, "
            "and the kind of credential a value looks like (the patterns of TFD-ECS-007); command "
            "and entry point items that look like a credential are hidden too. When the "
            "declared container definitions cannot be evaluated, only the new revision's container "
            "names and images are shown."
        ),
        why=(
            "A new revision is a new image and new permissions; it only takes "
            "effect once a service points at it, but it is how unreviewed code and "
            "privileges get in (ATT&CK T1525, T1610)."
        ),
        example=(
            'resource "aws_ecs_task_definition" "api" {\n'
            '  family                = "api"\n'
            '  container_definitions = jsonencode([{ name = "api", image = '
            '"...:3f9c2e1" }])\n'
            "}\n"
            '# CloudTrail: RegisterTaskDefinition {"family": "api", '
            '"containerDefinitions": [{"name": "api", "image": "...:latest", '
            '"privileged": true}]}'
        ),
        fix=(
            "Register revisions through Terraform (or through the deploy pipeline "
            "with task_definition under ignore_changes on the service), and "
            "deregister the unreviewed revision."
        ),
    ),
    remediation="Deregister the out-of-band revision, or adopt its content in container_definitions.",
    mitre=(
        "T1525",
        "T1610",
    ),
)


SECURITY_ATTRIBUTES = ("task_role_arn", "execution_role_arn")

_CONTAINER_FIELDS = (
    "image",
    "privileged",
    "readonlyRootFilesystem",
    "user",
    "environment",
    "secrets",
    "command",
    "entryPoint",
    "portMappings",
    "linuxParameters",
    "logConfiguration",
    "essential",
)
_TASK_FIELDS = {
    "taskRoleArn": "task_role_arn",
    "executionRoleArn": "execution_role_arn",
    "networkMode": "network_mode",
    "cpu": "cpu",
    "memory": "memory",
    "requiresCompatibilities": "requires_compatibilities",
    "pidMode": "pid_mode",
    "ipcMode": "ipc_mode",
}

# ECS defaults for omitted container fields, so that ``privileged: false`` equals "not set":
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
_CONTAINER_DEFAULTS = {"privileged": False, "readonlyRootFilesystem": False, "essential": True}


def _container_field(container: Mapping[str, Any], field: str) -> Any:
    value = container.get(field)
    if value is None:
        value = _CONTAINER_DEFAULTS.get(field)
    if field == "environment":
        return named(value, "value")
    if field == "secrets":
        return named(value, "valueFrom")
    return value


def extract(event: Event, resource: Resource) -> list[Change]:
    """A new revision registered outside Terraform: container-level differences from the declared
    container definitions (and task-level roles, cpu, memory …)."""
    req = event.request
    rev = None
    td = event.response.get("taskDefinition")
    if isinstance(td, Mapping):
        rev = td.get("revision")
    label = f"revision {rev}" if rev is not None else "a new revision"
    new_cds = req.get("containerDefinitions")
    if not isinstance(new_cds, list) and isinstance(td, Mapping):
        new_cds = td.get("containerDefinitions")  # request cut by CloudTrail's size cap: the echo
    out = _containers(resource.attributes.get("container_definitions"), new_cds, label)
    for member, attr in _TASK_FIELDS.items():
        if member not in req:
            continue
        new = req[member]
        old = resource.attributes.get(attr)
        if old is None and member in ("networkMode",):
            continue
        if not same(old, new):
            out.append(Change("register", attr, scalar(new), old, detail=label))
    if not out:
        out.append(Change("register", None, None, detail=label))
    return out


# Said on every finding whose values went through tfdrift_ci/rules/redact.py.
HIDDEN_NOTE = (
    "environment values and log-driver options are never shown: only their names, whether each was "
    "added, removed or changed, and the kind of credential a value looks like"
)
CREDENTIAL_NOTE = "command and entry point arguments that look like credentials are not shown"
UNKNOWN_NOTE = (
    "the declared container definitions cannot be evaluated: only the new revision's container names "
    "and images are shown"
)


def _names_and_images(cds: Any) -> Any:
    """What is shown of a revision compared with nothing: its containers' names and images."""
    if not isinstance(cds, list):
        return None
    return [{"name": c.get("name"), "image": c.get("image")} for c in cds if isinstance(c, Mapping)]


def _shown(field: str, old: Any, new: Any) -> tuple[Any, Any, str | None]:
    """The two values as findings show them, and the note that says what was hidden."""
    if field == ENVIRONMENT:
        return (*hidden_pair(old, new), HIDDEN_NOTE)
    if field == LOG_CONFIGURATION:
        return (*log_configuration_pair(old, new), HIDDEN_NOTE)
    if field in ("command", "entryPoint"):
        shown_old, shown_new = credentials_pair(old, new)
        hid = any(is_marker(v) for side in (shown_old, shown_new) if isinstance(side, list) for v in side)
        return shown_old, shown_new, CREDENTIAL_NOTE if hid else None
    return old, new, None


def _containers(declared_cds: Any, new_cds: Any, label: str) -> list[Change]:
    if isinstance(declared_cds, Unknown):
        shown = _names_and_images(new_cds)
        return [
            Change("register", "container_definitions", shown, declared_cds, detail=label, note=UNKNOWN_NOTE)
        ]
    if not isinstance(new_cds, list):
        return []
    out: list[Change] = []
    declared_by_name = {c.get("name"): c for c in (declared_cds or []) if isinstance(c, Mapping)}
    new_by_name = {c.get("name"): c for c in new_cds if isinstance(c, Mapping)}
    for name in sorted(set(declared_by_name) | set(new_by_name), key=str):
        dc, nc = declared_by_name.get(name), new_by_name.get(name)
        path = f"container_definitions[{name}]"
        if dc is None or nc is None:
            new = {"image": nc.get("image")} if nc else None
            old = {"image": dc.get("image")} if dc else None
            out.append(Change("register", path, new, old, detail=label))
            continue
        for f in _CONTAINER_FIELDS:
            if f not in nc and f not in dc:
                continue
            old, new = _container_field(dc, f), _container_field(nc, f)
            if same(old, new):
                continue
            old, new, note = _shown(f, old, new)
            out.append(Change("register", f"{path}.{f}", new, old, detail=label, note=note))
    return out


EVENTS = (
    EventRow(ECS, "RegisterTaskDefinition", (TASK_DEFINITION,), extract, creates="aws_ecs_task_definition"),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """A privileged container, another task or execution role, or the host PID namespace is high.
    None keeps the default.
    """
    if attribute is None:
        return None
    if attribute.endswith(".privileged") and new is True:
        return Severity.HIGH
    if attribute in ("task_role_arn", "execution_role_arn"):
        return Severity.HIGH
    if attribute == "pid_mode" and new == "host":
        return Severity.HIGH
    return None
