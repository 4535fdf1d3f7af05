"""Request parameters → Terraform attribute paths, typed, and how to compare them with declarations.

CloudTrail gives only the new value, in API shape (camelCase, ``ENABLED``/``DISABLED``, numbers as
strings for task cpu/memory). Declarations come in ``terraform show -json`` shape (snake_case, nested
blocks as lists of dicts). Each extractor turns one event's request into ``Change``s at Terraform
paths (``image_scanning_configuration.scan_on_push``) with Terraform types, so that ``same()`` can
compare them with the declared value structurally: key order, whitespace, a single-item list versus
a scalar (IAM ``Action: "x"`` ≡ ``["x"]``), list order of set-like attributes and "true"/"256"
strings versus typed values do not count as differences.

Facts: ``shared/reference/cloudtrail-events.md`` §1 (request members per event), Terraform AWS
provider docs for the attribute names and defaults
(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_service etc.).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tfdrift_ci.models import Event, Resource, Unknown

Op = Literal["update", "create", "delete", "register", "deregister", "info"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Change:
    """One thing an event did to one resource.

    ``attribute`` is the Terraform path (None for whole-resource operations); ``new`` the typed new
    value; ``rule`` the drift rule id reporting it; ``declared`` the declared value when the
    extractor computed it (else looked up at ``attribute``); ``sensitive`` masks values in output.
    """

    rule: str
    op: Op = "update"
    attribute: str | None = None
    new: Any = None
    declared: Any = MISSING
    sensitive: bool = False
    detail: str | None = None


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


def _scalar(v: Any) -> Any:
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
                return _scalar(value)
        return _scalar(value)
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
    return _scalar(value)


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


_SECRET_NAME = re.compile(r"(?i)(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential)")


def looks_secret(name: object) -> bool:
    return isinstance(name, str) and bool(_SECRET_NAME.search(name))


def mask(value: Any) -> Any:
    """Secret-looking environment values are never echoed."""
    if isinstance(value, Mapping):
        return {k: ("****" if looks_secret(k) and v not in (None, "") else v) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------------------------------
# Extractors: (event, resource) → changes

Extractor = Callable[[Event, Resource], list[Change]]


def _req(event: Event) -> Mapping[str, Any]:
    return event.request


def _tags_dict(tags: Any) -> dict[str, Any]:
    """ECR tags ``[{Key, Value}]``, ECS tags ``[{key, value}]`` → ``{key: value}``."""
    out: dict[str, Any] = {}
    if isinstance(tags, list):
        for t in tags:
            if isinstance(t, Mapping):
                k = t.get("Key", t.get("key"))
                if isinstance(k, str):
                    out[k] = t.get("Value", t.get("value"))
    elif isinstance(tags, Mapping):
        out.update({str(k): v for k, v in tags.items()})
    return out


def tag_changes(event: Event, resource: Resource) -> list[Change]:
    """TagResource sets keys, UntagResource removes them: one change per key (``tags.KEY``)."""
    # With a plan, tags_all holds the provider's default_tags too: a tag the provider sets is declared.
    declared = resource.attributes.get("tags_all")
    if not isinstance(declared, (Mapping, Unknown)):
        declared = resource.attributes.get("tags")
    if isinstance(declared, Unknown):
        declared_tags: Any = declared
    else:
        declared_tags = dict(declared) if isinstance(declared, Mapping) else {}
    out: list[Change] = []
    if event.name == "TagResource":
        for k, v in _tags_dict(_req(event).get("tags")).items():
            old = declared_tags if isinstance(declared_tags, Unknown) else declared_tags.get(k)
            out.append(Change("TFD-DRIFT-023", "update", f"tags.{k}", v, old))
    else:
        keys = _req(event).get("tagKeys")
        for k in keys if isinstance(keys, list) else []:
            old = declared_tags if isinstance(declared_tags, Unknown) else declared_tags.get(k)
            out.append(Change("TFD-DRIFT-023", "update", f"tags.{k}", None, old))
    return out


def _create_tags(event: Event, resource: Resource) -> list[Change]:
    tags = _tags_dict(_req(event).get("tags"))
    if not tags:
        return []
    declared = resource.attributes.get("tags")
    return [Change("TFD-DRIFT-023", "update", "tags", tags, declared if declared is not None else {})]


# ---- ECR


def ecr_tag_mutability(event: Event, resource: Resource) -> list[Change]:
    req = _req(event)
    out: list[Change] = []
    if "imageTagMutability" in req:
        out.append(Change("TFD-DRIFT-001", "update", "image_tag_mutability", req["imageTagMutability"]))
    filters = req.get("imageTagMutabilityExclusionFilters")
    if isinstance(filters, list):
        out.append(Change("TFD-DRIFT-001", "update", "image_tag_mutability_exclusion_filter", to_tf(filters)))
    return out


def ecr_scanning(event: Event, resource: Resource) -> list[Change]:
    cfg = _req(event).get("imageScanningConfiguration")
    if isinstance(cfg, Mapping) and "scanOnPush" in cfg:
        return [
            Change(
                "TFD-DRIFT-002",
                "update",
                "image_scanning_configuration.scan_on_push",
                _scalar(cfg["scanOnPush"]),
            )
        ]
    return []


def ecr_create_repository(event: Event, resource: Resource) -> list[Change]:
    req = _req(event)
    out = [Change("TFD-DRIFT-026", "create")]
    out += ecr_tag_mutability(event, resource) + ecr_scanning(event, resource)
    enc = req.get("encryptionConfiguration")
    if isinstance(enc, Mapping):
        if "encryptionType" in enc:
            out.append(
                Change(
                    "TFD-DRIFT-002",
                    "update",
                    "encryption_configuration.encryption_type",
                    enc["encryptionType"],
                )
            )
        if enc.get("kmsKey"):
            out.append(Change("TFD-DRIFT-002", "update", "encryption_configuration.kms_key", enc["kmsKey"]))
    return out + _create_tags(event, resource)


def ecr_images_deleted(event: Event, resource: Resource) -> list[Change]:
    ids = _req(event).get("imageIds")
    ids = ids if isinstance(ids, list) else []
    tags = [i.get("imageTag") or i.get("imageDigest") for i in ids if isinstance(i, Mapping)]
    shown = ", ".join(str(t) for t in tags[:5]) + (f" and {len(tags) - 5} more" if len(tags) > 5 else "")
    return [Change("TFD-DRIFT-031", "info", None, tags, detail=f"deleted {len(tags)} image(s) ({shown})")]


def ecr_delete(rule: str) -> Extractor:
    def extract(event: Event, resource: Resource) -> list[Change]:
        # the declared policy is the expected value; the response echoes the deleted one, which
        # is the best we have when the declaration is not known
        old: Any = resource.attributes.get("policy", MISSING)
        resp = event.response
        for key in ("policyText", "lifecyclePolicyText"):
            if old is MISSING and isinstance(resp.get(key), str):
                old = parse_json_text(resp[key])
        detail = "force" if _req(event).get("force") is True else None
        return [Change(rule, "delete", None, None, old, detail=detail)]

    return extract


def policy_change(rule: str, member: str = "policyText") -> Extractor:
    def extract(event: Event, resource: Resource) -> list[Change]:
        text = _req(event).get(member)
        if text is None:
            return []
        return [Change(rule, "update", "policy", parse_json_text(text))]

    return extract


def ecr_replication(event: Event, resource: Resource) -> list[Change]:
    cfg = _req(event).get("replicationConfiguration")
    if not isinstance(cfg, Mapping):
        return []
    rules = []
    for r in cfg.get("rules") or []:
        if isinstance(r, Mapping):
            rules.append(
                {
                    "destination": to_tf(r.get("destinations") or []),
                    "repository_filter": to_tf(r.get("repositoryFilters") or []),
                }
            )
    return [Change("TFD-DRIFT-006", "update", "replication_configuration", [{"rule": rules}])]


def ecr_registry_scanning(event: Event, resource: Resource) -> list[Change]:
    req = _req(event)
    out = []
    if "scanType" in req:
        out.append(Change("TFD-DRIFT-007", "update", "scan_type", req["scanType"]))
    if isinstance(req.get("rules"), list):
        rules = [
            {
                "scan_frequency": r.get("scanFrequency"),
                "repository_filter": to_tf(r.get("repositoryFilters") or []),
            }
            for r in req["rules"]
            if isinstance(r, Mapping)
        ]
        out.append(Change("TFD-DRIFT-007", "update", "rule", rules))
    return out


def generic(rule: str, skip: tuple[str, ...] = ()) -> Extractor:
    """Every request member not in ``skip``, at its snake_case path (nested objects flattened)."""

    def extract(event: Event, resource: Resource) -> list[Change]:
        flat: dict[str, Any] = {}
        for k, v in _req(event).items():
            if k in skip:
                continue
            flatten(snake(k), v, flat)
        return [Change(rule, "update", path, v) for path, v in sorted(flat.items())]

    return extract


def pull_through_cache(event: Event, resource: Resource) -> list[Change]:
    out: list[Change] = []
    if event.name == "CreatePullThroughCacheRule":
        out.append(Change("TFD-DRIFT-026", "create"))
    out += generic("TFD-DRIFT-009", skip=("ecrRepositoryPrefix", "registryId", "upstreamRegistry"))(
        event, resource
    )
    return out


def ecrpublic_create(event: Event, resource: Resource) -> list[Change]:
    out = [Change("TFD-DRIFT-026", "create")]
    cat = _req(event).get("catalogData")
    if isinstance(cat, Mapping):
        out += catalog_changes(cat)
    return out + _create_tags(event, resource)


def catalog_changes(cat: Mapping[str, Any]) -> list[Change]:
    flat: dict[str, Any] = {}
    flatten("catalog_data", cat, flat)
    return [
        Change("TFD-DRIFT-025", "update", p, v)
        for p, v in sorted(flat.items())
        if not p.endswith("logo_image_blob")
    ]


def ecrpublic_catalog(event: Event, resource: Resource) -> list[Change]:
    cat = _req(event).get("catalogData")
    return catalog_changes(cat) if isinstance(cat, Mapping) else []


# ---- ECS services

_SERVICE_SKIP = ("service", "serviceName", "cluster", "clientToken", "forceNewDeployment", "tags")


def ecs_service(event: Event, resource: Resource) -> list[Change]:
    req = _req(event)
    out: list[Change] = []
    if event.name == "CreateService":
        out.append(Change("TFD-DRIFT-026", "create"))
    for key, value in req.items():
        if key in _SERVICE_SKIP:
            continue
        if key == "desiredCount":
            out.append(Change("TFD-DRIFT-010", "update", "desired_count", _scalar(value)))
        elif key == "taskDefinition":
            out.append(Change("TFD-DRIFT-011", "update", "task_definition", value))
        elif key == "enableExecuteCommand":
            out.append(Change("TFD-DRIFT-012", "update", "enable_execute_command", _scalar(value)))
        elif key in ("capacityProviderStrategy", "launchType"):
            out.append(Change("TFD-DRIFT-014", "update", snake(key), to_tf(value)))
        elif key == "networkConfiguration" and isinstance(value, Mapping):
            vpc = value.get("awsvpcConfiguration")
            if isinstance(vpc, Mapping):
                if "assignPublicIp" in vpc:
                    public = vpc["assignPublicIp"]
                    out.append(
                        Change(
                            "TFD-DRIFT-013",
                            "update",
                            "network_configuration.assign_public_ip",
                            public == "ENABLED" if isinstance(public, str) else _scalar(public),
                        )
                    )
                for member, attr in (("subnets", "subnets"), ("securityGroups", "security_groups")):
                    if member in vpc:
                        out.append(
                            Change("TFD-DRIFT-013", "update", f"network_configuration.{attr}", vpc[member])
                        )
        elif key == "deploymentConfiguration" and isinstance(value, Mapping):
            for member, v in value.items():
                if member == "minimumHealthyPercent":
                    out.append(Change("TFD-DRIFT-015", "update", "deployment_minimum_healthy_percent", v))
                elif member == "maximumPercent":
                    out.append(Change("TFD-DRIFT-015", "update", "deployment_maximum_percent", v))
                else:
                    flat: dict[str, Any] = {}
                    flatten(snake(member), v, flat)
                    out += [Change("TFD-DRIFT-015", "update", p, x) for p, x in sorted(flat.items())]
        elif key == "loadBalancers":
            out.append(Change("TFD-DRIFT-015", "update", "load_balancer", to_tf(value)))
        elif key == "placementStrategy":
            out.append(Change("TFD-DRIFT-015", "update", "ordered_placement_strategy", to_tf(value)))
        elif key == "enableECSManagedTags":
            out.append(Change("TFD-DRIFT-015", "update", "enable_ecs_managed_tags", _scalar(value)))
        elif key == "deploymentController" and isinstance(value, Mapping):
            out.append(Change("TFD-DRIFT-015", "update", "deployment_controller.type", value.get("type")))
        elif isinstance(value, Mapping):
            flat = {}
            flatten(snake(key), value, flat)
            out += [Change("TFD-DRIFT-015", "update", p, x) for p, x in sorted(flat.items())]
        else:
            out.append(Change("TFD-DRIFT-015", "update", snake(key), to_tf(value)))
    if event.name == "CreateService":
        out += _create_tags(event, resource)
    elif req.get("forceNewDeployment") is True and not out:
        out.append(
            Change(
                "TFD-DRIFT-015",
                "info",
                "force_new_deployment",
                True,
                detail="forced a new deployment (tasks restarted; mutable image tags are pulled again)",
            )
        )
    return out


def ecs_task_set(event: Event, resource: Resource) -> list[Change]:
    req = _req(event)
    if event.name == "CreateTaskSet" and req.get("taskDefinition"):
        return [Change("TFD-DRIFT-011", "update", "task_definition", req["taskDefinition"])]
    return [
        Change("TFD-DRIFT-011", "info", "task_definition", None, detail=f"{event.name} outside Terraform")
    ]


# ---- ECS task definitions

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


def _named(items: Any, value_key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(items, list):
        for it in items:
            if isinstance(it, Mapping) and isinstance(it.get("name"), str):
                out[it["name"]] = it.get(value_key)
    return out


# ECS defaults for omitted container fields, so that ``privileged: false`` equals "not set":
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
_CONTAINER_DEFAULTS = {"privileged": False, "readonlyRootFilesystem": False, "essential": True}


def _container_field(container: Mapping[str, Any], field: str) -> Any:
    value = container.get(field)
    if value is None:
        value = _CONTAINER_DEFAULTS.get(field)
    if field == "environment":
        return _named(value, "value")
    if field == "secrets":
        return _named(value, "valueFrom")
    return value


def register_task_definition(event: Event, resource: Resource) -> list[Change]:
    """A new revision registered outside Terraform: container-level differences from the declared
    container definitions (and task-level roles, cpu, memory …)."""
    req = _req(event)
    rev = None
    td = event.response.get("taskDefinition")
    if isinstance(td, Mapping):
        rev = td.get("revision")
    label = f"revision {rev}" if rev is not None else "a new revision"
    out: list[Change] = []
    declared_cds = resource.attributes.get("container_definitions")
    new_cds = req.get("containerDefinitions")
    if not isinstance(new_cds, list) and isinstance(td, Mapping):
        new_cds = td.get("containerDefinitions")  # request cut by CloudTrail's size cap: the echo
    if isinstance(declared_cds, Unknown):
        out.append(
            Change("TFD-DRIFT-020", "register", "container_definitions", new_cds, declared_cds, detail=label)
        )
    elif isinstance(new_cds, list):
        declared_by_name = {c.get("name"): c for c in (declared_cds or []) if isinstance(c, Mapping)}
        new_by_name = {c.get("name"): c for c in new_cds if isinstance(c, Mapping)}
        for name in sorted(set(declared_by_name) | set(new_by_name), key=str):
            dc, nc = declared_by_name.get(name), new_by_name.get(name)
            path = f"container_definitions[{name}]"
            if dc is None or nc is None:
                out.append(
                    Change(
                        "TFD-DRIFT-020",
                        "register",
                        path,
                        {"image": nc.get("image")} if nc else None,
                        {"image": dc.get("image")} if dc else None,
                        detail=label,
                    )
                )
                continue
            for f in _CONTAINER_FIELDS:
                if f not in nc and f not in dc:
                    continue
                old, new = _container_field(dc, f), _container_field(nc, f)
                if same(old, new):
                    continue
                sensitive = f == "environment"
                out.append(Change("TFD-DRIFT-020", "register", f"{path}.{f}", new, old, sensitive, label))
    for member, attr in _TASK_FIELDS.items():
        if member not in req:
            continue
        new = req[member]
        old = resource.attributes.get(attr)
        if old is None and member in ("networkMode",):
            continue
        if not same(old, new):
            out.append(Change("TFD-DRIFT-020", "register", attr, _scalar(new), old, detail=label))
    if not out:
        out.append(Change("TFD-DRIFT-020", "register", None, None, detail=label))
    return out


def deregister_task_definition(event: Event, resource: Resource) -> list[Change]:
    req = _req(event)
    refs = (
        req.get("taskDefinitions") if event.name == "DeleteTaskDefinitions" else [req.get("taskDefinition")]
    )
    labels = [str(r) for r in refs or [] if r]
    verb = "deleted" if event.name == "DeleteTaskDefinitions" else "deregistered"
    return [Change("TFD-DRIFT-021", "deregister", None, None, detail=f"{verb} {', '.join(labels)}")]


# ---- ECS clusters


def _settings_dict(items: Any) -> dict[str, Any]:
    return _named(items, "value")


def cluster_changes(event: Event, resource: Resource) -> list[Change]:
    req = _req(event)
    out: list[Change] = []
    if event.name == "CreateCluster":
        out.append(Change("TFD-DRIFT-026", "create"))
    if isinstance(req.get("settings"), list):
        declared_setting = resource.attributes.get("setting")
        new = _settings_dict(req["settings"])
        for name, value in sorted(new.items()):
            if isinstance(declared_setting, Unknown):
                old: Any = declared_setting
            else:
                old = _settings_dict(declared_setting).get(name)
            out.append(Change("TFD-DRIFT-017", "update", f"setting.{name}", value, old))
    cfg = req.get("configuration")
    if isinstance(cfg, Mapping):
        flat: dict[str, Any] = {}
        flatten("configuration", cfg, flat)
        out += [Change("TFD-DRIFT-017", "update", p, v) for p, v in sorted(flat.items())]
    scd = req.get("serviceConnectDefaults")
    if isinstance(scd, Mapping) and "namespace" in scd:
        out.append(Change("TFD-DRIFT-017", "update", "service_connect_defaults.namespace", scd["namespace"]))
    if event.name == "CreateCluster":
        out += _create_tags(event, resource)
    return out


def cluster_capacity_providers(event: Event, resource: Resource) -> list[Change]:
    req = _req(event)
    if resource.type == "aws_ecs_cluster" and not (
        "capacity_providers" in resource.attributes
        or "default_capacity_provider_strategy" in resource.attributes
    ):
        return []  # managed by aws_ecs_cluster_capacity_providers, or not by Terraform at all
    out = []
    if "capacityProviders" in req:
        out.append(Change("TFD-DRIFT-018", "update", "capacity_providers", req["capacityProviders"]))
    if "defaultCapacityProviderStrategy" in req:
        out.append(
            Change(
                "TFD-DRIFT-018",
                "update",
                "default_capacity_provider_strategy",
                to_tf(req["defaultCapacityProviderStrategy"]),
            )
        )
    return out


def container_instances_state(event: Event, resource: Resource) -> list[Change]:
    req = _req(event)
    instances = req.get("containerInstances")
    n = len(instances) if isinstance(instances, list) else 0
    return [
        Change(
            "TFD-DRIFT-030",
            "info",
            None,
            req.get("status"),
            detail=f"set {n} container instance(s) to {req.get('status')}",
        )
    ]


def capacity_provider(event: Event, resource: Resource) -> list[Change]:
    out: list[Change] = []
    if event.name == "CreateCapacityProvider":
        out.append(Change("TFD-DRIFT-026", "create"))
    out += generic("TFD-DRIFT-022", skip=("name", "cluster", "tags"))(event, resource)
    if event.name == "CreateCapacityProvider":
        out += _create_tags(event, resource)
    return out


def account_setting(event: Event, resource: Resource) -> list[Change]:
    value = _req(event).get("value")
    return [Change("TFD-DRIFT-024", "update", "value", value)] if value is not None else []
