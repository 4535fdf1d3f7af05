"""Hand-built resources in plan-JSON shape for the config rule unit tests."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from tfdrift_ci.models import Identity, Inventory, Resource
from tfdrift_ci.rules.base import ConfigContext, Hit


def res(
    rtype: str,
    name: str,
    attributes: dict[str, Any] | None = None,
    *,
    module: tuple[str, ...] = (),
    line: int = 1,
    lines: dict[str, int] | None = None,
    ignore_changes: tuple[str, ...] = (),
    region: str | None = None,
) -> Resource:
    prefix = "".join(f"module.{m}." for m in module)
    return Resource(
        address=f"{prefix}{rtype}.{name}",
        type=rtype,
        name=name,
        module_path=module,
        attributes=attributes or {},
        file="main.tf",
        line=line,
        end_line=line + 20,
        attribute_lines=lines or {},
        ignore_changes=ignore_changes,
        identity=Identity(kind="repository", region=region) if region else None,
    )


def hits(module: ModuleType, resource: Resource, *others: Resource) -> list[Hit]:
    inventory = Inventory(path=".", roots=(".",), resources=(resource, *others), files=1)
    return list(module.check(resource, ConfigContext(inventory=inventory)))
