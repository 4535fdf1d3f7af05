"""Helpers shared by the config rules: reading plan-JSON-shaped attributes, finding the line of an
attribute, walking container definitions and relating resources to each other (a policy to its
repository, a service to its task definition).

Everything here treats ``Unknown`` as "not evaluated": helpers return it unchanged and the rules
decide not to guess.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from tfdrift_ci.inventory.lines import attribute_line
from tfdrift_ci.models import Inventory, Resource, Unknown

# The line of an attribute path (deepest recorded key first): the inventory records the keys, so it
# owns reading them back (tfdrift_ci/inventory/lines.py).
attr_line = attribute_line


def block(attrs: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    """The first nested block ``name`` (plan JSON shape: a list of dicts; a bare dict is accepted).

    Returns None when the block is absent or not evaluated."""
    value = attrs.get(name)
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    if isinstance(value, Mapping):
        return value
    return None


def blocks(attrs: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    """Every nested block ``name`` (repeated blocks such as ``setting`` or ``volume``)."""
    value = attrs.get(name)
    if isinstance(value, list):
        return [b for b in value if isinstance(b, Mapping)]
    if isinstance(value, Mapping):
        return [value]
    return []


def as_bool(value: object) -> bool | None:
    """Terraform accepts "true"/"false" strings for bools; None for anything else (Unknown too)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def as_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


def upper(value: object) -> str | None:
    return value.strip().upper() if isinstance(value, str) else None


def json_document(value: object) -> object:
    """A JSON document attribute (policy, container_definitions): decoded by the inventory; a string
    that was left as text is decoded here. Unknown, or text that is not JSON, gives None (not
    evaluated)."""
    if isinstance(value, str):
        try:
            decoded: object = json.loads(value)
        except ValueError:
            return None
        return decoded
    if isinstance(value, Unknown):
        return None
    return value


# --------------------------------------------------------------------------------------------------
# Container definitions


CONTAINERS = "container_definitions"
# `aws ecs describe-task-definition` output, pasted or read with file(): the whole response
# ({"taskDefinition": {..., "containerDefinitions": [...]}}) or the task definition object itself
# (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html).
_DESCRIBE_SHAPES = (("taskDefinition", "containerDefinitions"), ("containerDefinitions",))


def _describe_list(value: Mapping[str, Any]) -> tuple[tuple[str, ...], object] | None:
    """(keys, value at them) when ``value`` is a describe-task-definition document."""
    for keys in _DESCRIBE_SHAPES:
        if keys[0] in value:
            inner: object = value
            for key in keys:
                inner = inner.get(key) if isinstance(inner, Mapping) else None
            return keys, inner
    return None


def unknown_container_list(resource: Resource) -> Unknown | None:
    """The unevaluated expression a describe-task-definition document holds in place of its
    ``containerDefinitions`` list (``jsonencode({containerDefinitions = var.containers})``)."""
    value = json_document(resource.attributes.get(CONTAINERS))
    found = _describe_list(value) if isinstance(value, Mapping) else None
    return found[1] if found is not None and isinstance(found[1], Unknown) else None


def containers(resource: Resource) -> list[tuple[str, Mapping[str, Any]]] | None:
    """``(attribute path, definition)`` for each container of a task definition, or None when the
    ``container_definitions`` document was not evaluated (Unknown, or not a list of containers).

    The inventory decodes the JSON document (jsonencode, heredoc, file(), templatefile()); keys are
    the ECS API's camelCase (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html).
    Three shapes are read: the list Terraform expects (paths ``container_definitions[0]``), a
    single object (some modules pass one container), and the output of
    ``aws ecs describe-task-definition`` (paths ``container_definitions.taskDefinition.
    containerDefinitions[0]`` or ``container_definitions.containerDefinitions[0]``).
    """
    value = json_document(resource.attributes.get(CONTAINERS))
    prefix = CONTAINERS
    if isinstance(value, Mapping):
        described = _describe_list(value)
        if described is None:
            return [(f"{CONTAINERS}[0]", value)]
        keys, value = described
        prefix = ".".join((CONTAINERS, *keys))
    if not isinstance(value, list):
        return None
    return [(f"{prefix}[{i}]", c) for i, c in enumerate(value) if isinstance(c, Mapping)]


def _container_index(path: str) -> int:
    return int(path.rsplit("[", 1)[1].rstrip("]"))


def container_label(path: str, container: Mapping[str, Any]) -> str:
    """``container 'api'``, else ``container #0`` (its position; ``path`` as ``containers`` gives)."""
    name = container.get("name")
    return f"container {name!r}" if isinstance(name, str) else f"container #{_container_index(path)}"


def exec_configuration(resource: Resource) -> Mapping[str, Any] | None:
    """An ``aws_ecs_cluster``'s ``configuration.execute_command_configuration`` block; None when it is
    not declared or not evaluated (use ``exec_configuration_unknown`` to tell the two apart)."""
    conf = block(resource.attributes, "configuration")
    return block(conf, "execute_command_configuration") if conf is not None else None


def exec_configuration_unknown(resource: Resource) -> bool:
    """Is the cluster's exec configuration (or the ``configuration`` around it) an expression the
    inventory could not evaluate (a dynamic block, a module input without a value)?"""
    conf = resource.attributes.get("configuration")
    if isinstance(conf, Unknown):
        return True
    inner = block(resource.attributes, "configuration")
    return inner is not None and isinstance(inner.get("execute_command_configuration"), Unknown)


def is_windows_task(resource: Resource) -> bool:
    platform = block(resource.attributes, "runtime_platform")
    family = upper(platform.get("operating_system_family")) if platform else None
    return bool(family and family.startswith("WINDOWS"))


# --------------------------------------------------------------------------------------------------
# Relations between resources


def _reference_names(value: object, rtype: str) -> set[str]:
    """Resource names referenced as ``<rtype>.<name>`` in an unevaluated expression."""
    if isinstance(value, Unknown):
        return set(re.findall(rf"\b{re.escape(rtype)}\.([A-Za-z_][A-Za-z0-9_-]*)", value.expr))
    return set()


def refers_to(value: object, target: Resource, *, same_module_of: Resource, key: str = "name") -> bool:
    """Does attribute ``value`` of ``same_module_of`` designate ``target``?

    True when the value is a reference expression to ``target`` (``aws_ecr_repository.this.name``,
    ``aws_ecr_repository.this[0].name``) within the same module, or a literal equal to the target's
    ``key`` attribute (or the last part of its ARN).
    """
    if target.root != same_module_of.root:
        return False  # another Terraform root: another state, possibly another account
    if isinstance(value, Unknown):
        if target.module_path == same_module_of.module_path and target.name in _reference_names(
            value, target.type
        ):
            return True
        # A value passed through module variables keeps a name pattern when its last part is known
        # (``arn:aws*:ecs:*:*:cluster/main``): an exact name there designates the target too.
        own = target.attributes.get(key)
        if value.pattern and isinstance(own, str) and own:
            names = {c for c in _name_candidates(value.pattern) if "*" not in c and "?" not in c}
            return own in names
        return False
    if isinstance(value, str):
        own = target.attributes.get(key)
        if isinstance(own, str) and own:
            return own in _name_candidates(value)
    return False


def _name_candidates(value: str) -> set[str]:
    """A name, the last part of an ARN (``…:repository/api``, ``…:cluster/main``) and a task
    definition ``family:revision`` without its revision."""
    out = {value, value.rsplit("/", 1)[-1], value.rsplit(":", 1)[-1]}
    out |= {re.sub(r":(?:\d+|\*)$", "", v) for v in list(out)}
    return out


def related(
    inventory: Inventory, rtype: str, attribute: str, target: Resource, *, key: str = "name"
) -> list[Resource]:
    """Resources of ``rtype`` whose ``attribute`` designates ``target`` (same answers as
    ``refers_to``, through an index so that N repositories x N policies stays linear)."""
    index = _relation_index(inventory, rtype, attribute)
    found: dict[str, Resource] = {}
    for r in index.get(("ref", target.root, target.module_path, target.type, target.name), ()):
        found[r.address] = r
    own = target.attributes.get(key)
    if isinstance(own, str) and own:
        for r in index.get(("name", target.root, own), ()):
            found[r.address] = r
    return list(found.values())


_REF_ANY = re.compile(r"\b(aws_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)")
_CACHE: dict[tuple[int, str, str], tuple[Inventory, dict[tuple[Any, ...], list[Resource]]]] = {}
_TYPE_CACHE: dict[int, tuple[Inventory, dict[str, list[Resource]]]] = {}


def _relation_index(
    inventory: Inventory, rtype: str, attribute: str
) -> dict[tuple[Any, ...], list[Resource]]:
    cache_key = (id(inventory), rtype, attribute)
    hit = _CACHE.get(cache_key)
    if hit is not None and hit[0] is inventory:
        return hit[1]
    index: dict[tuple[Any, ...], list[Resource]] = {}
    for r in by_type(inventory).get(rtype, ()):
        value = r.attributes.get(attribute)
        keys: set[tuple[Any, ...]] = set()
        if isinstance(value, Unknown):
            for ttype, tname in _REF_ANY.findall(value.expr):
                keys.add(("ref", r.root, r.module_path, ttype, tname))
            if value.pattern:
                keys |= {
                    ("name", r.root, c)
                    for c in _name_candidates(value.pattern)
                    if "*" not in c and "?" not in c
                }
        elif isinstance(value, str) and value:
            keys |= {("name", r.root, c) for c in _name_candidates(value)}
        for k in keys:
            index.setdefault(k, []).append(r)
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[cache_key] = (inventory, index)
    return index


def by_type(inventory: Inventory) -> dict[str, list[Resource]]:
    """The inventory's resources grouped by type (cached per inventory object)."""
    hit = _TYPE_CACHE.get(id(inventory))
    if hit is not None and hit[0] is inventory:
        return hit[1]
    out: dict[str, list[Resource]] = {}
    for r in inventory.resources:
        out.setdefault(r.type, []).append(r)
    if len(_TYPE_CACHE) > 16:
        _TYPE_CACHE.clear()
    _TYPE_CACHE[id(inventory)] = (inventory, out)
    return out


def referenced(
    inventory: Inventory, source: Resource, attribute: str, rtype: str, *, key: str
) -> list[Resource]:
    """Resources of ``rtype`` that ``source.attribute`` designates (the reverse of ``related``)."""
    value = source.attributes.get(attribute)
    return [
        r
        for r in inventory.resources
        if r.type == rtype and refers_to(value, r, same_module_of=source, key=key)
    ]


def same_place(a: Resource, b: Resource) -> bool:
    """Could ``a`` and ``b`` live in the same account and region? Same Terraform root required;
    unknown account/region do not separate."""
    if a.root != b.root:
        return False
    ia, ib = a.identity, b.identity
    if ia is None or ib is None:
        return True
    if ia.region and ib.region and ia.region != ib.region:
        return False
    return not (ia.account and ib.account and ia.account != ib.account)


def wildcard_match(name: str, pattern: str) -> bool:
    """ECR repository filters: ``*`` is the only wildcard
    (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ScanningRepositoryFilter.html)."""
    return fnmatch.fnmatchcase(name, pattern.replace("[", "[[]").replace("?", "[?]"))


def iter_statements(policy: object) -> Iterator[Mapping[str, Any]]:
    """Statements of an IAM policy document (``Statement`` may be one object or a list)."""
    if not isinstance(policy, Mapping):
        return
    stmts = policy.get("Statement")
    if isinstance(stmts, Mapping):
        yield stmts
    elif isinstance(stmts, list):
        for s in stmts:
            if isinstance(s, Mapping):
                yield s


_KNOWN_PREFIXES = ("AKIA", "ASIA", "ghp_", "gho_", "ghs_", "github_pat_", "xoxb-", "xoxp-", "-----BEGIN")


def mask(secret: str) -> str:
    """Never echo a secret. Reports land in PR comments and code scanning, which may be read more
    widely than the repository; only a well-known token-type prefix (AKIA, ghp_…) is kept, because
    it tells the reader what kind of credential leaked without giving any of it away."""
    prefix = next((p for p in _KNOWN_PREFIXES if secret.startswith(p)), "")
    return f"{prefix}…(redacted, {len(secret)} characters)"
