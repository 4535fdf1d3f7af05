"""Hand-built resources in plan-JSON shape for the config rule unit tests."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from tfdrift_ci import inventory
from tfdrift_ci.models import Identity, Inventory, Resource
from tfdrift_ci.rules import config as config_rules
from tfdrift_ci.rules.base import ConfigContext, Hit
from tfdrift_ci.settings import RuleSetting, Settings


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


def fixture_outcomes(directory: Path, rule_id: str) -> tuple[set[str], set[str], set[str]]:
    """Load a fixture directory through the real inventory and run the config rules.

    Returns (addresses named ``*_bad``, addresses with ``rule_id``'s finding, every address of the
    rule's resource types)."""
    inv = inventory.load(str(directory))
    assert inv.problems == (), f"fixture does not parse: {inv.problems}"
    rule = next(r for r in config_rules.CONFIG_RULES if r.id == rule_id)
    mine = [r for r in inv.resources if r.type in rule.resource_types]
    bad = {r.address for r in mine if r.name.endswith("_bad")}
    # the rule under test runs even when it is off by default (TFD-ECR-005, TFD-ECR-007)
    settings = Settings(rules={rule_id: RuleSetting(enabled=True)})
    hit = {f.address for f in config_rules.run(inv, settings) if f.rule_id == rule_id and f.address}
    return bad, hit, {r.address for r in mine}
