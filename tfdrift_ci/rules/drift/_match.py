"""Event → declared resource matching by identity.

An event names the resource it touches through request members (``repositoryName``, ``cluster`` +
``service``, ``family`` …) or an ARN (``resourceArn`` of TagResource). Both are reduced to a
``Key`` (kind, name, cluster, account, region) and compared with each resource's ``Identity``:
names must be equal (or match the fnmatch pattern of a partly unknown name, which the finding then
says), region and account must agree when both sides know them.

Facts: the request members that name a resource are in the ECR and ECS API references; ARN formats:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html and
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html#ecs-resource-ids
(old-style ECS ARNs have no cluster segment).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Event, Identity, IdentityKind, Inventory, Resource, Unknown

DEFAULT_CLUSTER = "default"

# --------------------------------------------------------------------------------------------------
# ARNs


@frozen
class Arn:
    """``arn:partition:service:region:account:resource``. ``resource_type`` is the part before the
    first ``/`` (or ``:``) of the resource, ``path`` the rest split on ``/``."""

    partition: str
    service: str
    region: str | None
    account: str | None
    resource_type: str
    path: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.path[-1] if self.path else ""


def parse_arn(text: object) -> Arn | None:
    """Parse an ARN; None when ``text`` is not one. Empty region/account become None (ECR Public
    repository ARNs sometimes have no region: ``arn:aws:ecr-public::ACCT:repository/NAME``)."""
    if not isinstance(text, str) or not text.startswith("arn:"):
        return None
    parts = text.split(":", 5)
    if len(parts) != 6 or not parts[2] or not parts[5]:
        return None
    _, partition, service, region, account, resource = parts
    if "/" in resource:
        rtype, _, rest = resource.partition("/")
        path = tuple(p for p in rest.split("/") if p != "")
    elif ":" in resource:  # arn:…:task-definition:family:3 never occurs for ECS, but other services do this
        rtype, _, rest = resource.partition(":")
        path = (rest,) if rest else ()
    else:
        rtype, path = resource, ()
    return Arn(partition, service, region or None, account or None, rtype, path)


def name_from(value: object, resource_type: str) -> str | None:
    """A name or an ARN of ``resource_type`` (``cluster``, ``capacity-provider`` …) → the name."""
    if not isinstance(value, str) or not value:
        return None
    arn = parse_arn(value)
    if arn is None:
        return value
    if arn.resource_type != resource_type or not arn.path:
        return None
    return arn.name


def split_task_definition(value: object) -> tuple[str | None, int | None]:
    """``family``, ``family:3`` or ``arn:…:task-definition/family:3`` → (family, revision)."""
    if not isinstance(value, str) or not value:
        return None, None
    arn = parse_arn(value)
    if arn is not None:
        if arn.resource_type != "task-definition" or not arn.path:
            return None, None
        value = arn.path[-1]
    family, sep, rev = value.partition(":")
    if sep and rev.isdigit():
        return family, int(rev)
    return family, None


# --------------------------------------------------------------------------------------------------
# Keys an event names


@frozen
class Key:
    kind: IdentityKind
    name: str | None  # None for registry-level keys
    cluster: str | None = None  # services only
    account: str | None = None
    region: str | None = None
    revision: int | None = None  # task definitions named family:rev
    member: str | None = None  # the task set an event names (its id), within the service


# Kinds named by (cluster, name): a missing cluster is the ``default`` one.
CLUSTER_SCOPED: frozenset[str] = frozenset({"service", "task_set", "express_gateway_service", "daemon"})


def _account(event: Event, request: Mapping[str, Any]) -> str | None:
    registry = request.get("registryId")
    if isinstance(registry, str) and registry.isdigit():
        return registry
    return event.account


def _service_key(event: Event, service: object, cluster: object) -> Key | None:
    """ECS service by (cluster, name). ``service`` is a name or an ARN, new style
    ``service/CLUSTER/NAME`` or old style ``service/NAME`` (then the cluster comes from ``cluster``)."""
    cluster_name = name_from(cluster, "cluster") if cluster else DEFAULT_CLUSTER
    account, region = event.account, event.region
    arn = parse_arn(service)
    if arn is not None:
        if arn.resource_type != "service" or not arn.path:
            return None
        name = arn.path[-1]
        if len(arn.path) >= 2:
            cluster_name = arn.path[-2]
        account, region = arn.account or account, arn.region or region
    elif isinstance(service, str) and service:
        name = service
    else:
        return None
    return Key("service", name, cluster_name or DEFAULT_CLUSTER, account, region)


def key_from_arn(event: Event, text: object) -> tuple[Key, str] | None:
    """TagResource/UntagResource ``resourceArn`` → (key, Terraform resource type)."""
    arn = parse_arn(text)
    if arn is None or not arn.path:
        return None
    account = arn.account or event.account
    region = arn.region or event.region
    if arn.service == "ecr" and arn.resource_type == "repository":
        return Key("repository", "/".join(arn.path), None, account, region), "aws_ecr_repository"
    if arn.service == "ecr-public" and arn.resource_type == "repository":
        return Key("public_repository", arn.name, None, account, None), "aws_ecrpublic_repository"
    if arn.service != "ecs":
        return None
    if arn.resource_type == "cluster":
        return Key("cluster", arn.name, None, account, region), "aws_ecs_cluster"
    if arn.resource_type == "service":
        cluster = arn.path[-2] if len(arn.path) >= 2 else None
        # Old-style service ARNs carry no cluster: match the name in any cluster.
        return Key("service", arn.name, cluster, account, region), "aws_ecs_service"
    if arn.resource_type == "task-definition":
        family, rev = split_task_definition(arn.name)
        return Key("task_definition", family, None, account, region, rev), "aws_ecs_task_definition"
    if arn.resource_type == "capacity-provider":
        return Key("capacity_provider", arn.name, None, account, region), "aws_ecs_capacity_provider"
    if arn.resource_type == "task-set" and len(arn.path) >= 3:
        # task-set/<cluster>/<service>/<task set id>
        cluster, service, task_set = arn.path[0], arn.path[1], "/".join(arn.path[2:])
        return Key("task_set", service, cluster, account, region, member=task_set), "aws_ecs_task_set"
    return None


def _repository_key(event: Event, kind: IdentityKind) -> Key | None:
    req = event.request
    name = req.get("repositoryName")
    if not isinstance(name, str) or not name:
        return None
    region = None if kind == "public_repository" else event.region
    return Key(kind, name, None, _account(event, req), region)


def _registry_key(event: Event, kind: IdentityKind) -> Key | None:
    return Key("registry", None, None, _account(event, event.request), event.region)


def _pull_through_cache_key(event: Event, kind: IdentityKind) -> Key | None:
    prefix = event.request.get("ecrRepositoryPrefix")
    if not isinstance(prefix, str) or not prefix:
        return None
    return Key(kind, prefix, None, _account(event, event.request), event.region)


def _service_key_of(event: Event, kind: IdentityKind) -> Key | None:
    req = event.request
    service = req.get("serviceName") if event.name == "CreateService" else None
    return _service_key(event, service or req.get("service"), req.get("cluster"))


def _task_definition_key(event: Event, kind: IdentityKind) -> Key | None:
    family, rev = split_task_definition(event.request.get("family") or event.request.get("taskDefinition"))
    if family is None:
        return None
    if rev is None:
        td = event.response.get("taskDefinition")
        if isinstance(td, Mapping) and isinstance(td.get("revision"), int):
            rev = td["revision"]
    return Key(kind, family, None, event.account, event.region, rev)


def _cluster_key(event: Event, kind: IdentityKind) -> Key | None:
    req = event.request
    raw = req.get("clusterName") if event.name == "CreateCluster" else req.get("cluster")
    if event.name == "CreateCluster" and not raw:
        raw = DEFAULT_CLUSTER  # CreateCluster with no name creates "default"
    name = name_from(raw or DEFAULT_CLUSTER, "cluster")
    return Key(kind, name, None, event.account, event.region) if name else None


def _capacity_provider_key(event: Event, kind: IdentityKind) -> Key | None:
    raw = event.request.get("name") or event.request.get("capacityProvider")
    name = name_from(raw, "capacity-provider")
    return Key(kind, name, None, event.account, event.region) if name else None


def _account_setting_key(event: Event, kind: IdentityKind) -> Key | None:
    name = event.request.get("name")
    return Key(kind, name, None, event.account, event.region) if isinstance(name, str) else None


def _task_set_id(value: object) -> str | None:
    """``ecs-svc/1234567890`` or ``arn:…:task-set/<cluster>/<service>/ecs-svc/1234567890`` → the id."""
    if not isinstance(value, str) or not value:
        return None
    arn = parse_arn(value)
    if arn is None:
        return value
    return "/".join(arn.path[2:]) if arn.resource_type == "task-set" and len(arn.path) >= 3 else None


def _task_set_key(event: Event, kind: IdentityKind) -> Key | None:
    req = event.request
    key = _service_key(event, req.get("service"), req.get("cluster"))
    if key is None:
        return None
    member = _task_set_id(req.get("taskSet") or req.get("primaryTaskSet"))
    if member is None and event.name == "CreateTaskSet":
        created = event.response.get("taskSet")
        member = _task_set_id(created.get("id")) if isinstance(created, Mapping) else None
    return Key(kind, key.name, key.cluster, key.account, key.region, member=member)


def _express_service_key(event: Event, kind: IdentityKind) -> Key | None:
    req = event.request
    if event.name == "CreateExpressGatewayService":
        key = _service_key(event, req.get("serviceName"), req.get("cluster"))
    else:
        key = _service_key(event, req.get("serviceArn"), None)
    return Key(kind, key.name, key.cluster, key.account, key.region) if key is not None else None


def _daemon_key(event: Event, kind: IdentityKind) -> Key | None:
    """CreateDaemon names ``daemonName`` (+ ``clusterArn``); the others a ``daemonArn``, read as
    ``daemon/<cluster>/<name>`` or ``daemon/<name>`` (no sample record was available)."""
    req = event.request
    cluster = name_from(req.get("clusterArn"), "cluster") if req.get("clusterArn") else DEFAULT_CLUSTER
    account, region = event.account, event.region
    if event.name == "CreateDaemon":
        name = req.get("daemonName")
    else:
        arn = parse_arn(req.get("daemonArn"))
        if arn is None or arn.resource_type != "daemon" or not arn.path:
            return None
        name = arn.name
        cluster = arn.path[-2] if len(arn.path) >= 2 else None
        account, region = arn.account or account, arn.region or region
    if not isinstance(name, str) or not name:
        return None
    return Key(kind, name, cluster, account, region)


def _daemon_task_definition_key(event: Event, kind: IdentityKind) -> Key | None:
    raw = event.request.get("family") or event.request.get("daemonTaskDefinition")
    if not isinstance(raw, str) or not raw:
        return None
    arn = parse_arn(raw)
    if arn is not None:
        if arn.resource_type != "daemon-task-definition" or not arn.path:
            return None
        raw = arn.name
    family, sep, rev = raw.partition(":")
    revision = int(rev) if sep and rev.isdigit() else None
    return Key(kind, family, None, event.account, event.region, revision)


def _named_by(member: str) -> Callable[[Event, IdentityKind], Key | None]:
    """A resource one request member names (a prefix, a setting name, a principal ARN)."""

    def key_of(event: Event, kind: IdentityKind) -> Key | None:
        name = event.request.get(member)
        if not isinstance(name, str) or not name:
            return None
        return Key(kind, name, None, _account(event, event.request), event.region)

    return key_of


# How an event names the resource, per identity kind.
_KEYS: dict[str, Callable[[Event, IdentityKind], Key | None]] = {
    "repository": _repository_key,
    "public_repository": _repository_key,
    "registry": _registry_key,
    "pull_through_cache_rule": _pull_through_cache_key,
    "service": _service_key_of,
    "task_definition": _task_definition_key,
    "cluster": _cluster_key,
    "cluster_capacity_providers": _cluster_key,
    "capacity_provider": _capacity_provider_key,
    "account_setting": _account_setting_key,
    "task_set": _task_set_key,
    "express_gateway_service": _express_service_key,
    "daemon": _daemon_key,
    "daemon_task_definition": _daemon_task_definition_key,
    "resource_tag": _named_by("resourceArn"),
    "creation_template": _named_by("prefix"),
    "ecr_account_setting": _named_by("name"),
    "pull_time_update_exclusion": _named_by("principalArn"),
}


def event_key(event: Event, kind: IdentityKind) -> Key | None:
    """The key of the resource an event touches, for the identity kind its rule names."""
    key_of = _KEYS.get(kind)
    return key_of(event, kind) if key_of is not None else None


def event_keys(event: Event, kind: IdentityKind) -> list[Key]:
    """Every resource key an event names: one, except DeleteTaskDefinitions (a list of revisions)."""
    if kind == "task_definition" and event.name == "DeleteTaskDefinitions":
        refs = event.request.get("taskDefinitions")
        out: list[Key] = []
        for ref in refs if isinstance(refs, list) else []:
            family, rev = split_task_definition(ref)
            if family is not None:
                key = Key(kind, family, None, event.account, event.region, rev)
                if key not in out:
                    out.append(key)
        return out
    one = event_key(event, kind)
    return [one] if one is not None else []


# --------------------------------------------------------------------------------------------------
# Matching keys to resources


@frozen
class Match:
    resource: Resource
    by_pattern: bool = False
    notes: tuple[str, ...] = ()


_REF = re.compile(
    r"^\$?\{?\s*((?:module\.[\w-]+\.)*aws_ecs_cluster\.[\w-]+(?:\[[^\]]*\])?)\.(id|arn|name)\s*\}?$"
)


def _name_match(declared: object, actual: str | None, what: str) -> tuple[bool, str | None]:
    """(matches, note). Unknown names match through their pattern; a fully unknown name only for
    the cluster part of a service (the service name still has to match)."""
    if actual is None:
        return False, None
    if isinstance(declared, str):
        return declared == actual, None
    if isinstance(declared, Unknown):
        pattern = declared.pattern
        if pattern and what == "cluster" and "cluster/" in pattern:
            # an ARN glob (arn:aws*:ecs:*:*:cluster/main): events name clusters reduced to names
            pattern = pattern.rsplit("cluster/", 1)[1]
        if pattern:
            if fnmatch.fnmatchcase(actual, pattern):
                return True, (
                    f"matched by pattern: the declared {what} is {declared.expr} (not known "
                    f"statically); {actual!r} fits {pattern!r}"
                )
            return False, None
        if what == "cluster":
            return (
                True,
                f"matched on the service name only: the declared cluster is {declared.expr} (not known)",
            )
    return False, None


def _cluster_by_reference(resource: Resource, inventory: Inventory | None) -> str | Unknown | None:
    """``cluster = aws_ecs_cluster.main.id`` left unknown by the inventory: use that cluster's name."""
    ident = resource.identity
    if ident is None or not isinstance(ident.cluster, Unknown) or inventory is None:
        return ident.cluster if ident else None
    m = _REF.match(ident.cluster.expr.strip())
    if not m:
        return ident.cluster
    prefix = "".join(f"module.{p}." for p in resource.module_path)
    target = m.group(1)
    wanted = target if target.startswith("module.") else prefix + target
    for other in inventory.resources:
        if other.address == wanted and other.identity is not None and isinstance(other.identity.name, str):
            return other.identity.name
    return ident.cluster


def identity_of(resource: Resource, inventory: Inventory | None = None) -> Identity | None:
    """The resource's identity, with a service's cluster resolved through a reference to a declared
    cluster when the inventory left it unknown."""
    ident = resource.identity
    if ident is None:
        return None
    if ident.kind in CLUSTER_SCOPED:
        cluster = _cluster_by_reference(resource, inventory)
        if cluster is not ident.cluster:
            return Identity(ident.kind, ident.name, cluster, ident.account, ident.region)
    return ident


def _same(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def matches(key: Key, ident: Identity) -> tuple[bool, bool, tuple[str, ...]]:
    """(matches, by_pattern, notes) for one key against one identity."""
    if key.kind != ident.kind:
        return False, False, ()
    if not _same(key.account, ident.account):
        return False, False, ()
    if key.kind != "public_repository" and not _same(key.region, ident.region):
        return False, False, ()
    notes: list[str] = []
    if key.kind == "registry":
        return True, False, ()
    ok, note = _name_match(ident.name, key.name, "name")
    if not ok:
        return False, False, ()
    if note:
        notes.append(note)
    if key.kind in CLUSTER_SCOPED and key.cluster is not None:
        declared_cluster = ident.cluster if ident.cluster is not None else DEFAULT_CLUSTER
        ok, note = _name_match(declared_cluster, key.cluster, "cluster")
        if not ok:
            return False, False, ()
        if note:
            notes.append(note)
    return True, bool(notes), tuple(notes)


def find(
    key: Key,
    resources: Iterable[Resource],
    types: tuple[str, ...],
    inventory: Inventory | None = None,
) -> list[Match]:
    """Declared resources of ``types`` whose identity matches ``key``."""
    out: list[Match] = []
    for res in resources:
        if res.type not in types:
            continue
        ident = identity_of(res, inventory)
        if ident is None:
            continue
        ok, by_pattern, notes = matches(key, ident)
        if ok and key.kind == "task_set":
            ok, notes = _same_task_set(key, res, notes)
        if ok:
            out.append(Match(res, by_pattern, notes))
    return out


def created_task_sets(events: Iterable[Event], by_terraform: Callable[[Event], bool]) -> frozenset[str]:
    """Ids of the task sets someone other than Terraform created (CreateTaskSet responses): CodeDeploy
    or an external controller's own task sets. A declared task set is Terraform's, so an event that
    names one of these is about another task set of the service, not the declared one."""
    out: set[str] = set()
    for event in events:
        if event.name != "CreateTaskSet" or event.error_code or by_terraform(event):
            continue
        created = event.response.get("taskSet")
        task_set = _task_set_id(created.get("id")) if isinstance(created, Mapping) else None
        if task_set:
            out.add(task_set)
    return frozenset(out)


def _same_task_set(key: Key, res: Resource, notes: tuple[str, ...]) -> tuple[bool, tuple[str, ...]]:
    """A task set's id is assigned by AWS: compared when the plan or state knows it, else the event
    is matched on the service (and the finding says so)."""
    declared = res.attributes.get("task_set_id")
    if key.member is None:
        return True, notes
    if isinstance(declared, str) and declared:
        return declared == key.member, notes
    note = (
        f"matched on the service: the declared task set's id is assigned by AWS (not known without a "
        f"plan); the event names task set {key.member}"
    )
    return True, (*notes, note)


def same_place(key: Key, resources: Iterable[Resource], types: tuple[str, ...]) -> bool:
    """Whether the project declares resources of ``types`` in the key's account and region (so an
    undeclared one created there is plausibly this project's business: an ``unmanaged`` finding)."""
    for res in resources:
        ident = res.identity
        if (
            res.type in types
            and ident is not None
            and _same(key.account, ident.account)
            and _same(key.region, ident.region)
        ):
            return True
    return False


def services_in_cluster(
    services: Iterable[Resource], cluster: str, account: str | None, region: str | None
) -> list[Resource]:
    """The declared ECS services of ``cluster`` (a declared cluster that is not known statically
    matches through its pattern) in that account and region, where both sides know them."""
    out: list[Resource] = []
    for res in services:
        ident = res.identity
        if res.type != "aws_ecs_service" or ident is None:
            continue
        declared_cluster = ident.cluster if ident.cluster is not None else DEFAULT_CLUSTER
        ok, _ = _name_match(declared_cluster, cluster, "cluster")
        if ok and _same(account, ident.account) and _same(region, ident.region):
            out.append(res)
    return out
