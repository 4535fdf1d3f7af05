"""Inventory from a plan: ``terraform show -json`` output (format versions 0.1–1.2), or a binary plan
read through ``terraform.py``.

The plan is the better source for values (variables, data sources and module outputs are resolved),
the ``.tf`` files are the only source for file/line and ``ignore_changes`` (the plan JSON's
``configuration`` carries no ``lifecycle``), so resources are joined to the static inventory by
address. Format: https://developer.hashicorp.com/terraform/internals/json-format
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from tfdrift_ci.errors import InventoryError
from tfdrift_ci.inventory.expr.convert import unknown_paths
from tfdrift_ci.inventory.identity import RESOURCE_TYPES, identity_for, parse_arn
from tfdrift_ci.inventory.resources import JSON_DOCUMENTS
from tfdrift_ci.models import Resource, Unknown

WANTED = frozenset(RESOURCE_TYPES)
_AFTER_APPLY = "(known after apply)"


def read(plan: str, working_dir: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The plan document; raises InventoryError (naming the file) for anything else."""
    try:
        with open(plan, "rb") as fh:
            head = fh.read(4)
    except OSError as err:
        raise InventoryError(f"cannot read plan: {err.strerror or err}", file=plan) from None
    if head.startswith(b"PK\x03\x04"):  # binary plans are zip archives
        from tfdrift_ci.inventory import terraform

        data = terraform.show_json(plan, working_dir, env)
    else:
        try:
            with open(plan, encoding="utf-8") as fh:
                data = json.load(fh)
        except UnicodeDecodeError:
            raise InventoryError("not a plan: neither JSON nor a binary plan file", file=plan) from None
        except ValueError as err:
            raise InventoryError(f"plan is not valid JSON ({err})", file=plan) from None
        except RecursionError:
            raise InventoryError("plan JSON nests too deeply to be a Terraform plan", file=plan) from None
        except OSError as err:
            raise InventoryError(f"cannot read plan: {err.strerror or err}", file=plan) from None
    check_shape(data, plan)
    return data


def check_shape(data: Any, plan: str) -> None:
    if not isinstance(data, dict) or "format_version" not in data:
        raise InventoryError(
            "not a Terraform plan: expected the output of `terraform show -json` (no format_version)",
            file=plan,
        )
    version = str(data.get("format_version"))
    if not re.match(r"^[01]\.\d+$", version):
        raise InventoryError(f"unsupported plan format_version {version!r} (0.x and 1.x are read)", file=plan)
    keys = ("planned_values", "resource_changes", "prior_state", "values", "configuration")
    if not any(k in data for k in keys):
        raise InventoryError(
            "not a Terraform plan: none of planned_values, resource_changes, prior_state, values", file=plan
        )
    for key in ("planned_values", "prior_state", "values", "configuration"):
        if key in data and data[key] is not None and not isinstance(data[key], dict):
            raise InventoryError(f"not a Terraform plan: {key} is not an object", file=plan)
    if "resource_changes" in data and not isinstance(data["resource_changes"], (list, type(None))):
        raise InventoryError("not a Terraform plan: resource_changes is not a list", file=plan)


def _module_resources(module: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(module, dict):
        return
    for res in module.get("resources") or []:
        if isinstance(res, dict):
            yield res
    for child in module.get("child_modules") or []:
        yield from _module_resources(child)


def _values_by_address(doc: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if not isinstance(doc, dict):
        return out
    for res in _module_resources(doc.get("root_module")):
        managed = res.get("mode", "managed") == "managed"
        # types are checked before the set lookup: a hostile plan may put a list where a name goes
        if (
            managed
            and isinstance(res.get("type"), str)
            and res["type"] in WANTED
            and isinstance(res.get("address"), str)
        ):
            out[res["address"]] = res
    return out


def _mark_unknown(value: Any, unknown: Any) -> Any:
    """Apply ``after_unknown`` to ``after``: a True leaf is a value known only after apply."""
    if unknown is True:
        return Unknown(_AFTER_APPLY)
    if isinstance(unknown, dict):
        base = dict(value) if isinstance(value, dict) else {}
        for k, u in unknown.items():
            base[k] = _mark_unknown(base.get(k), u)
        return base
    if isinstance(unknown, list):
        items = list(value) if isinstance(value, list) else []
        for k, u in enumerate(unknown):
            if k < len(items):
                items[k] = _mark_unknown(items[k], u)
            elif u is True:
                items.append(Unknown(_AFTER_APPLY))
        return items
    return value


_SENSITIVE = "(sensitive value)"


def _mark_sensitive(value: Any, marks: Any, rtype: str, top: bool = True) -> Any:
    """Values Terraform itself marks sensitive (``after_sensitive`` / ``sensitive_values``) are not
    carried into findings: they become Unknown, the way ``terraform plan`` prints them. JSON
    documents are kept (whole container definitions are marked sensitive as soon as one variable in
    them is, and the config rules need them; the report layer redacts secret-looking values)."""
    if marks is True:
        return Unknown(_SENSITIVE)
    if isinstance(marks, dict) and isinstance(value, dict):
        out = dict(value)
        for k, m in marks.items():
            if top and k in JSON_DOCUMENTS.get(rtype, ()):
                continue
            if k in out:
                out[k] = _mark_sensitive(out[k], m, rtype, top=False)
        return out
    if isinstance(marks, list) and isinstance(value, list):
        return [_mark_sensitive(v, m, rtype, top=False) for v, m in zip(value, marks, strict=False)] + value[
            len(marks) :
        ]
    return value


def _decode_docs(rtype: str, values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    out = dict(values)
    for key in JSON_DOCUMENTS.get(rtype, ()):
        text = out.get(key)
        if isinstance(text, str):
            try:
                out[key] = json.loads(text)
            except (ValueError, RecursionError):
                out[key] = Unknown(text[:200])
    return out


_SEGMENT = re.compile(r'module\.([A-Za-z0-9_-]+)(\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?\.')


def split_address(address: str) -> tuple[tuple[str, ...], str, str]:
    """``module.app["x"].aws_ecs_service.this[0]`` → (('app["x"]',), "aws_ecs_service", "this")."""
    path: list[str] = []
    pos = 0
    while True:
        m = _SEGMENT.match(address, pos)
        if not m:
            break
        path.append(m.group(1) + (m.group(2) or ""))
        pos = m.end()
    rest = address[pos:]
    rest = rest.split("[", 1)[0]
    parts = rest.split(".")
    if len(parts) >= 2:
        return tuple(path), parts[0], parts[1]
    return tuple(path), rest, ""


def _strip_index(address: str) -> str:
    return re.sub(r'\[(?:"(?:[^"\\]|\\.)*"|\d+|\*)\]$', "", address)


def _generic(address: str) -> str:
    """Every instance key removed: module.a["x"].aws_y.z[0] → module.a.aws_y.z."""
    return re.sub(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]', "", address)


def _provider_regions(config: Any) -> dict[str, tuple[str | None, str | None]]:
    out: dict[str, tuple[str | None, str | None]] = {}
    if not isinstance(config, dict):
        return out
    for key, pc in (config.get("provider_config") or {}).items():
        if not isinstance(pc, dict):
            continue
        expressions = pc.get("expressions") or {}
        region = _constant(expressions.get("region"))
        account = None
        allowed = _constant(expressions.get("allowed_account_ids"))
        if isinstance(allowed, list) and len(allowed) == 1 and isinstance(allowed[0], str):
            account = allowed[0]
        assume = expressions.get("assume_role")
        if account is None and isinstance(assume, list) and assume and isinstance(assume[0], dict):
            role = _constant(assume[0].get("role_arn"))
            if isinstance(role, str):
                parsed = parse_arn(role)
                account = parsed[1] if parsed else None
        out[str(key)] = (region if isinstance(region, str) else None, account)
    return out


def _constant(expr: Any) -> Any:
    if isinstance(expr, dict):
        return expr.get("constant_value")
    return None


def _config_provider_keys(config: Any) -> dict[str, str]:
    """Resource address (without instance key) → provider_config_key, across module calls."""
    out: dict[str, str] = {}

    def walk(module: Any, prefix: str) -> None:
        if not isinstance(module, dict):
            return
        for res in module.get("resources") or []:
            if isinstance(res, dict) and isinstance(res.get("address"), str):
                key = res.get("provider_config_key")
                if isinstance(key, str):
                    out[prefix + res["address"]] = key
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict):
                walk(call.get("module"), f"{prefix}module.{name}.")

    if isinstance(config, dict):
        walk(config.get("root_module"), "")
    return out


def resources_from_plan(
    data: Mapping[str, Any], static: Mapping[str, Resource] | None = None
) -> tuple[list[Resource], set[str]]:
    """The ECR/ECS resources of a plan document (and the regions its provider configs name)."""
    static = static or {}
    static_base: dict[str, Resource] = {}
    static_generic: dict[str, Resource] = {}
    for addr, res in static.items():
        static_base.setdefault(_strip_index(addr), res)
        static_generic.setdefault(_generic(addr), res)
    planned = _values_by_address(data.get("planned_values"))
    prior_doc = data.get("prior_state")
    prior = _values_by_address(prior_doc.get("values") if isinstance(prior_doc, dict) else None)
    state_values = _values_by_address(data.get("values"))  # `terraform show -json` of a state file
    changes: dict[str, dict[str, Any]] = {}
    resource_changes = data.get("resource_changes")
    for rc in resource_changes if isinstance(resource_changes, list) else []:
        if (
            isinstance(rc, dict)
            and rc.get("mode", "managed") == "managed"
            and isinstance(rc.get("type"), str)
            and rc["type"] in WANTED
            and isinstance(rc.get("address"), str)
        ):
            changes[rc["address"]] = rc
    providers = _provider_regions(data.get("configuration"))
    provider_keys = _config_provider_keys(data.get("configuration"))
    regions = {r for r, _ in providers.values() if r}

    addresses: list[str] = list(dict.fromkeys([*changes, *planned, *prior, *state_values]))
    out: list[Resource] = []
    for address in addresses:
        rc = changes.get(address)
        entry = planned.get(address) or prior.get(address) or state_values.get(address) or {}
        rtype = str((rc or entry).get("type", ""))
        name = str((rc or entry).get("name", ""))
        module_path, _, _ = split_address(address)
        change = rc.get("change") if rc else None
        change = change if isinstance(change, dict) else {}
        actions = tuple(str(a) for a in change.get("actions") or ())
        before = change.get("before") if rc else None
        after = change.get("after") if rc else None
        if rc is None:
            after = (planned.get(address) or {}).get("values")
            before = (prior.get(address) or state_values.get(address) or {}).get("values")
        planned_values: dict[str, Any] | None = None
        after_sensitive = (
            change.get("after_sensitive") if rc else (planned.get(address) or {}).get("sensitive_values")
        )
        before_sensitive = change.get("before_sensitive") if rc else None
        if isinstance(after, dict):
            after = _mark_sensitive(after, after_sensitive, rtype)
            planned_values = _decode_docs(rtype, _mark_unknown(after, change.get("after_unknown") or {}))
        if isinstance(before, dict):
            before = _mark_sensitive(before, before_sensitive, rtype)
        prior_values = _decode_docs(rtype, before) if isinstance(before, dict) else None
        if prior_values is None and address in prior:
            entry_prior = prior[address]
            values = entry_prior.get("values")
            if isinstance(values, dict):
                values = _mark_sensitive(values, entry_prior.get("sensitive_values"), rtype)
            prior_values = _decode_docs(rtype, values)
        attrs = planned_values if planned_values is not None else (prior_values or {})

        id_attrs = dict(attrs)
        for key in ("arn", "id", "registry_id"):
            missing = id_attrs.get(key) is None or isinstance(id_attrs.get(key), Unknown)
            if missing and prior_values and prior_values.get(key) is not None:
                id_attrs[key] = prior_values[key]
        pkey = provider_keys.get(_strip_index(address)) or (rc or entry).get("provider_config_key")
        region, account = None, None
        if isinstance(pkey, str):
            region, account = providers.get(pkey) or providers.get(pkey.split(":")[-1]) or (None, None)
        if region is None and "aws" in providers:
            region, account = providers["aws"]

        # exact address, else the same resource with unknown instance keys in the static pass
        joined = (
            static.get(address)
            or static_base.get(_strip_index(address))
            or static_generic.get(_generic(address))
        )
        out.append(
            Resource(
                address=address,
                type=rtype,
                name=name,
                module_path=module_path,
                attributes=attrs,
                file=joined.file if joined else None,
                line=joined.line if joined else None,
                end_line=joined.end_line if joined else None,
                attribute_lines=joined.attribute_lines if joined else {},
                ignore_changes=joined.ignore_changes if joined else (),
                identity=identity_for(rtype, id_attrs, region=region, account=account, prefer_arn=True),
                root=joined.root if joined else ".",
                provider=joined.provider if joined else _provider_name(pkey),
                unknowns=tuple(unknown_paths(attrs)),
                plan_actions=actions,
                planned=planned_values,
                prior=prior_values,
            )
        )
    return out, regions


def _provider_name(pkey: object) -> str | None:
    return pkey.split(":")[-1] if isinstance(pkey, str) else None
