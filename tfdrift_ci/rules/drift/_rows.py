"""What a drift rule module declares: the CloudTrail write events it acts on (``EVENTS``, a tuple of
``EventRow``), each with the function that reads one event's request into ``Change``s.

A drift rule module holds:

* ``RULE``: the rule (id, kind, severity, title, resource types, docs), as every rule module does;
* ``EVENTS``: one ``EventRow`` per (eventSource, eventName) it acts on: which identity the event
  names and which resource types it can change (``targets``), how to read its request
  (``extract``, or ``handle`` for a rule that reads the event alone), whether it creates a
  resource (``creates``) and whether it can change a security setting (``security``);
* optionally ``grade(attribute, old, new, op) -> Severity | None`` (absent or None: the rule's
  severity), ``SECURITY_ATTRIBUTES`` (top-level attributes that are security settings: a denied
  attempt on them is medium) and ``QUIET_FORM_DEFAULTS = True`` (the console re-sends this rule's
  settings as a whole form: an undeclared attribute set to an empty or default value is no finding).

The registry (``rules/drift/__init__``) derives the event table and the write-event set the event
sources query from these rows, so the two cannot disagree. Several rules may act on one event
(CreateRepository: tag mutability, scanning, tags, "created outside Terraform"); each extracts only
its own changes and the engine reports each change under the rule that extracted it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Event, Finding, IdentityKind, Resource
from tfdrift_ci.rules.drift._attributes import Extractor

# (identity kind the event names, Terraform resource types it can change)
Target = tuple[IdentityKind, tuple[str, ...]]

REPOSITORY: Target = ("repository", ("aws_ecr_repository",))
PUBLIC_REPOSITORY: Target = ("public_repository", ("aws_ecrpublic_repository",))
SERVICE: Target = ("service", ("aws_ecs_service",))
CLUSTER: Target = ("cluster", ("aws_ecs_cluster",))
TASK_DEFINITION: Target = ("task_definition", ("aws_ecs_task_definition",))
CAPACITY_PROVIDER: Target = ("capacity_provider", ("aws_ecs_capacity_provider",))
PULL_THROUGH_CACHE_RULE: Target = ("pull_through_cache_rule", ("aws_ecr_pull_through_cache_rule",))
TASK_SET: Target = ("task_set", ("aws_ecs_task_set",))
EXPRESS_GATEWAY_SERVICE: Target = ("express_gateway_service", ("aws_ecs_express_gateway_service",))
DAEMON: Target = ("daemon", ("aws_ecs_daemon",))
DAEMON_TASK_DEFINITION: Target = ("daemon_task_definition", ("aws_ecs_daemon_task_definition",))
RESOURCE_TAG: Target = ("resource_tag", ("aws_ecs_tag",))
CREATION_TEMPLATE: Target = ("creation_template", ("aws_ecr_repository_creation_template",))
ECR_ACCOUNT_SETTING: Target = ("ecr_account_setting", ("aws_ecr_account_setting",))
PULL_TIME_UPDATE_EXCLUSION: Target = ("pull_time_update_exclusion", ("aws_ecr_pull_time_update_exclusion",))


def registry(resource_type: str) -> Target:
    """A registry-level resource (replication, registry scanning, registry policy): the event names
    no resource, only the registry (account and region)."""
    return ("registry", (resource_type,))


class Scope(Protocol):
    """What a rule that handles its events alone may look at: the declared resources, by kind."""

    def of_kind(self, kind: str) -> list[Resource]: ...


# A rule that reads its event alone (matching, failed calls, phrasing): ECS Exec sessions name a
# cluster and a task, not a declared resource.
Handler = Callable[[Event, Scope], list[Finding]]


@frozen
class EventRow:
    """One CloudTrail write event a drift rule acts on.

    ``by_arn``: the resource is named by the request's ``resourceArn`` (TagResource), of any of
    the target types. ``creates``: the resource type the event creates (an undeclared one is
    reported as unmanaged). ``security``: the event can change a security setting (a denied
    attempt that names no attribute is medium)."""

    source: str  # eventSource, e.g. ecr.amazonaws.com
    name: str  # eventName, e.g. PutImageTagMutability
    targets: tuple[Target, ...]
    extract: Extractor | None = None
    handle: Handler | None = None
    creates: str | None = None
    security: bool = False
    by_arn: bool = False

    @property
    def pair(self) -> tuple[str, str]:
        return (self.source, self.name)

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(t for _, types in self.targets for t in types)
