"""Request parameters → Terraform attribute paths, typed, and how to compare them with declarations.

CloudTrail gives only the new value, in API shape (camelCase, ``ENABLED``/``DISABLED``, numbers as
strings for task cpu/memory). Declarations come in ``terraform show -json`` shape (snake_case, nested
blocks as lists of dicts). Each extractor turns one event's request into ``Change``s at Terraform
paths (``image_scanning_configuration.scan_on_push``) with Terraform types, so that ``same()`` can
compare them with the declared value structurally: key order, whitespace, a single-item list versus
a scalar (IAM ``Action: "x"`` ≡ ``["x"]``), list order of set-like attributes and "true"/"256"
strings versus typed values do not count as differences.

The rule modules read their events with these helpers (each rule holds its own extractor); this
module keeps only what several rules share. Facts: the request members of each event are in the
API references (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/,
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/), the attribute names and defaults in
the Terraform AWS provider docs
(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_service etc.).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Event, Resource, Unknown

Op = Literal["update", "create", "delete", "register", "deregister", "info"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


# ``Change.order`` of what comes after every request member (tags a Create* call sets).
LAST = 1 << 30


@frozen
class Change:
    """One thing an event did to one resource, as one rule reads it (the engine reports it under
    the rule whose extractor returned it).

    ``attribute`` is the Terraform path (None for whole-resource operations); ``new`` the typed new
    value; ``declared`` the declared value when the extractor computed it (else looked up at
    ``attribute``); ``note`` is said on the finding (what the extractor hid). ``order`` places the
    change among all the changes one event makes to one resource (stable, then registry order): the
    index of the request member it came from where several rules read one request member by member
    (an UpdateService reads in request order), ``LAST`` for what follows the request.
    """

    op: Op = "update"
    attribute: str | None = None
    new: Any = None
    declared: Any = MISSING
    detail: str | None = None
    order: int = 0
    note: str | None = None


# --------------------------------------------------------------------------------------------------
# Names and shapes

_CAMEL1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL2 = re.compile(r"([a-z0-9])([A-Z])")


def snake(name: str) -> str:
    """``enableECSManagedTags`` → ``enable_ecs_managed_tags``."""
    return _CAMEL2.sub(r"\1_\2", _CAMEL1.sub(r"\1_\2", name)).lower()


def to_tf(value: Any) -> Any:
    """API shape → Terraform shape: snake_case keys, nested objects as one-item block lists."""
    if isinstance(value, Mapping):
        return {snake(str(k)): _block(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_tf(v) for v in value]
    return value


def _block(value: Any) -> Any:
    if isinstance(value, Mapping):
        return [to_tf(value)]
    return to_tf(value)


def flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    """``{"managedScaling": {"targetCapacity": 90}}`` → ``{"p.managed_scaling.target_capacity": 90}``.
    Lists stay leaves (compared whole)."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            flatten(f"{prefix}.{snake(str(k))}" if prefix else snake(str(k)), v, out)
    else:
        out[prefix] = to_tf(value)


def get_path(attrs: Mapping[str, Any] | None, path: str) -> Any:
    """Declared value at a dotted path; nested blocks (lists of dicts) are entered at their first
    item. Returns MISSING when absent, the ``Unknown`` when a step is unknown."""
    cur: Any = attrs if attrs is not None else MISSING
    for part in path.split("."):
        if isinstance(cur, Unknown) or cur is MISSING:
            return cur
        if isinstance(cur, list):
            if not cur:
                return MISSING
            cur = cur[0]
        if isinstance(cur, Unknown):
            return cur
        if not isinstance(cur, Mapping) or part not in cur:
            return MISSING
        cur = cur[part]
    return cur


def contains_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


# Provider defaults when an attribute is omitted (what Terraform would set).
DEFAULTS: dict[tuple[str, str], Any] = {
    ("aws_ecr_repository", "image_tag_mutability"): "MUTABLE",
    ("aws_ecr_repository", "image_scanning_configuration.scan_on_push"): False,
    ("aws_ecr_repository", "encryption_configuration.encryption_type"): "AES256",
    ("aws_ecr_repository", "tags"): {},
    ("aws_ecs_service", "desired_count"): 0,
    ("aws_ecs_service", "enable_execute_command"): False,
    ("aws_ecs_service", "network_configuration.assign_public_ip"): False,
    ("aws_ecs_service", "propagate_tags"): "NONE",
    ("aws_ecs_service", "enable_ecs_managed_tags"): False,
    ("aws_ecs_service", "deployment_minimum_healthy_percent"): 100,
    ("aws_ecs_service", "deployment_maximum_percent"): 200,
    ("aws_ecs_service", "deployment_circuit_breaker.enable"): False,
    ("aws_ecs_service", "deployment_circuit_breaker.rollback"): False,
    ("aws_ecs_service", "scheduling_strategy"): "REPLICA",
    ("aws_ecs_service", "deployment_controller.type"): "ECS",
    ("aws_ecs_service", "tags"): {},
    ("aws_ecs_cluster", "tags"): {},
    ("aws_ecs_task_definition", "tags"): {},
    ("aws_ecs_capacity_provider", "tags"): {},
    ("aws_ecrpublic_repository", "tags"): {},
}


_TRIVIAL = (None, False, 0, "", "NONE", "LATEST", "DISABLED", "REPLICA", "ECS", "DEFAULT")


def trivial(value: Any) -> bool:
    """An empty, false, zero or AWS-default value (what the console sends for fields left alone)."""
    value = canon(value)
    if isinstance(value, Mapping):
        return all(trivial(v) for v in value.values())
    if isinstance(value, list):
        return not value
    return any(value == t and type(value) is type(t) for t in _TRIVIAL if t is not None) or value is None


def undeclared(resource: Resource, path: str) -> bool:
    """Neither the configuration nor a provider default says anything about ``path``."""
    if (resource.type, path) in DEFAULTS:
        return False
    value = get_path(resource.attributes, path)
    return value is MISSING or value is None


def declared_value(resource: Resource, path: str, attrs: Mapping[str, Any] | None = None) -> Any:
    value = get_path(resource.attributes if attrs is None else attrs, path)
    if value is MISSING or value is None:
        return DEFAULTS.get((resource.type, path))
    return value


# --------------------------------------------------------------------------------------------------
# Comparison


def scalar(v: Any) -> Any:
    """``"true"``/``"256"`` typed; whole floats as ints; anything else unchanged."""
    if isinstance(v, str):
        low = v.strip().lower()
        if low in ("true", "false"):
            return low == "true"
        if re.fullmatch(r"-?\d+", v.strip()):
            return int(v.strip())
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def canon(value: Any, *, loose: bool = False) -> Any:
    """A comparable form: JSON text parsed, None members dropped, one-item lists unwrapped, lists
    sorted (set semantics), "true"/"256" strings typed. ``loose`` also drops members that are
    false, 0 or "" (an unset block argument and its zero default are the same to Terraform); never
    for policies, where ``"false"`` in a Condition matters."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("{", "["):
            try:
                return canon(json.loads(text), loose=loose)
            except ValueError:
                return scalar(value)
        return scalar(value)
    if isinstance(value, Mapping):
        # absent, null and empty blocks/lists are the same to Terraform
        out = {}
        for k, v in sorted(value.items(), key=lambda kv: str(kv[0])):
            c = canon(v, loose=loose)
            if c is None or c in ([], {}) or (loose and _zero(c)):
                continue
            out[str(k)] = c
        return out
    if isinstance(value, (list, tuple)):
        items = [canon(v, loose=loose) for v in value]
        if len(items) == 1:
            return items[0]
        return sorted(items, key=lambda x: json.dumps(x, sort_keys=True, default=str))
    return scalar(value)


def _zero(value: Any) -> bool:
    return value is False or value == "" or (type(value) is int and value == 0)


def same(declared: Any, new: Any, *, loose: bool = False) -> bool:
    if declared is MISSING:
        declared = None
    if new is MISSING:
        new = None
    a, b = canon(declared, loose=loose), canon(new, loose=loose)
    return bool((None if a in ([], {}) else a) == (None if b in ([], {}) else b))


def parse_json_text(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def is_public_policy(policy: Any) -> bool:
    """An Allow statement for Principal ``*`` (or ``{"AWS": "*"}``) with no Condition.
    https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html"""
    doc = parse_json_text(policy)
    if not isinstance(doc, Mapping):
        return False
    statements = doc.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        return False
    for st in statements:
        if not isinstance(st, Mapping) or st.get("Effect") != "Allow" or st.get("Condition"):
            continue
        principal = st.get("Principal")
        values: list[Any] = []
        if isinstance(principal, Mapping):
            for v in principal.values():
                values.extend(v if isinstance(v, list) else [v])
        else:
            values = principal if isinstance(principal, list) else [principal]
        if "*" in values:
            return True
    return False


# --------------------------------------------------------------------------------------------------
# Extractor helpers several rules share: (event, resource) → changes

# Reads one event's request into the changes it made to one matched resource (Terraform paths,
# Terraform types); [] when the event changed nothing the rule reports.
Extractor = Callable[[Event, Resource], list[Change]]


def named(items: Any, value_key: str) -> dict[str, Any]:
    """``[{"name": n, value_key: v}, …]`` (ECS settings, environment, secrets) → ``{n: v}``."""
    out: dict[str, Any] = {}
    if isinstance(items, list):
        for it in items:
            if isinstance(it, Mapping) and isinstance(it.get("name"), str):
                out[it["name"]] = it.get(value_key)
    return out


def deleted(event: Event, resource: Resource) -> list[Change]:
    """A Delete* call: the whole resource is gone (``force`` noted)."""
    # the declared policy is the expected value; the response echoes the deleted one, which is the
    # best we have when the declaration is not known
    old: Any = resource.attributes.get("policy", MISSING)
    resp = event.response
    for key in ("policyText", "lifecyclePolicyText"):
        if old is MISSING and isinstance(resp.get(key), str):
            old = parse_json_text(resp[key])
    detail = "force" if event.request.get("force") is True else None
    return [Change("delete", None, None, old, detail=detail)]


def policy_change(member: str = "policyText") -> Extractor:
    """A policy set from the JSON text in request member ``member``: the ``policy`` attribute."""

    def extract(event: Event, resource: Resource) -> list[Change]:
        text = event.request.get(member)
        if text is None:
            return []
        return [Change("update", "policy", parse_json_text(text))]

    return extract


def request_members(skip: tuple[str, ...] = ()) -> Extractor:
    """Every request member not in ``skip``, at its snake_case path (nested objects flattened)."""

    def extract(event: Event, resource: Resource) -> list[Change]:
        flat: dict[str, Any] = {}
        for k, v in event.request.items():
            if k in skip:
                continue
            flatten(snake(k), v, flat)
        return [Change("update", path, v) for path, v in sorted(flat.items())]

    return extract


# ---- ECS services: one request, six rules

ServiceTopic = Literal[
    "desired_count", "task_definition", "execute_command", "network", "placement", "settings"
]

_SERVICE_SKIP = ("service", "serviceName", "cluster", "clientToken", "forceNewDeployment", "tags")


def service_changes(event: Event) -> list[tuple[ServiceTopic, Change]]:
    """A CreateService/UpdateService request member by member, at Terraform paths, each under the
    topic of the rule that reports it (``Change.order`` is the member's place in the request)."""
    out: list[tuple[ServiceTopic, Change]] = []
    for i, (key, value) in enumerate(event.request.items()):
        if key in _SERVICE_SKIP:
            continue
        if key == "desiredCount":
            out.append(("desired_count", Change("update", "desired_count", scalar(value), order=i)))
        elif key == "taskDefinition":
            out.append(("task_definition", Change("update", "task_definition", value, order=i)))
        elif key == "enableExecuteCommand":
            out.append(
                ("execute_command", Change("update", "enable_execute_command", scalar(value), order=i))
            )
        elif key in ("capacityProviderStrategy", "launchType"):
            out.append(("placement", Change("update", snake(key), to_tf(value), order=i)))
        elif key == "networkConfiguration" and isinstance(value, Mapping):
            out += [("network", c) for c in _service_network(value, i)]
        else:
            out += [("settings", c) for c in _service_setting(key, value, i)]
    return out


def _service_network(value: Mapping[str, Any], order: int) -> list[Change]:
    vpc = value.get("awsvpcConfiguration")
    if not isinstance(vpc, Mapping):
        return []
    out: list[Change] = []
    if "assignPublicIp" in vpc:
        public = vpc["assignPublicIp"]
        enabled = public == "ENABLED" if isinstance(public, str) else scalar(public)
        out.append(Change("update", "network_configuration.assign_public_ip", enabled, order=order))
    for member, attr in (("subnets", "subnets"), ("securityGroups", "security_groups")):
        if member in vpc:
            out.append(Change("update", f"network_configuration.{attr}", vpc[member], order=order))
    return out


def _service_setting(key: str, value: Any, order: int) -> list[Change]:
    def change(path: str, new: Any) -> Change:
        return Change("update", path, new, order=order)

    flat: dict[str, Any] = {}
    if key == "deploymentConfiguration" and isinstance(value, Mapping):
        out: list[Change] = []
        for member, v in value.items():
            if member == "minimumHealthyPercent":
                out.append(change("deployment_minimum_healthy_percent", v))
            elif member == "maximumPercent":
                out.append(change("deployment_maximum_percent", v))
            else:
                flat = {}
                flatten(snake(member), v, flat)
                out += [change(p, x) for p, x in sorted(flat.items())]
        return out
    if key == "loadBalancers":
        return [change("load_balancer", to_tf(value))]
    if key == "placementStrategy":
        return [change("ordered_placement_strategy", to_tf(value))]
    if key == "enableECSManagedTags":
        return [change("enable_ecs_managed_tags", scalar(value))]
    if key == "deploymentController" and isinstance(value, Mapping):
        return [change("deployment_controller.type", value.get("type"))]
    if isinstance(value, Mapping):
        flatten(snake(key), value, flat)
        return [change(p, x) for p, x in sorted(flat.items())]
    return [change(snake(key), to_tf(value))]
