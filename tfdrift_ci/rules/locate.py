"""Findings on a resource inside a module point at the user's code (issue: "from finding to fix").

A rule places its finding on the resource (the offending argument's line). For a resource declared in
a module that is not where the user changes anything: the value comes in through the calling
``module`` block's input, or is the module's default. :func:`locate` moves such a finding to where the
value is set in the repository (``inventory/origin.py``: the module input, through nested modules;
the variable default or tfvars entry; the module block when nothing better) and keeps the resource in
the module as ``Finding.related``. A file of a fetched module (module cache, ``.terraform/modules``)
never stays a finding's location.

Run after suppressions (``engine.evaluate``): inline suppression comments are read at the resource
block, where the rule placed the finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from tfdrift_ci.inventory.origin import in_fetched_module, user_location
from tfdrift_ci.models import Finding, Inventory, Location, Origin, Resource


def locate(findings: Iterable[Finding], inventory: Inventory) -> list[Finding]:
    """``findings`` with those on module resources moved to the user's location (same order)."""
    by_address: Mapping[tuple[str, str], Resource] = {(r.root, r.address): r for r in inventory.resources}
    out: list[Finding] = []
    for f in findings:
        resource = by_address.get((f.root or ".", f.address)) if f.address else None
        out.append(_located(f, resource) if resource is not None and resource.call_sites else f)
    return out


def _located(f: Finding, resource: Resource) -> Finding:
    where = user_location(resource, f.attribute)
    own_file = f.file if f.file == resource.file else resource.file
    own_line = f.line if f.file == resource.file else resource.line
    if where.file is None or (where.file == resource.file and where.kind in ("attribute", "resource_block")):
        return f  # set in the resource block of a module in the repository: the rule's line is best
    site = resource.call_sites[-1]
    related = Location(
        file=own_file or "",
        line=own_line,
        note=f"the resource in module {site.address} ({site.package or site.source})",
        in_repository=not in_fetched_module(resource),
    )
    at = f"{where.file}:{where.line}" if where.line else where.file
    return replace(
        f,
        file=where.file,
        line=where.line,
        related=(*f.related, related),
        notes=(*f.notes, f"{set_at(where)} ({at})"),
    )


def set_at(where: Origin) -> str:
    """What the finding's location is, in words: ``value set by input mutability on module.app``."""
    last = where.chain[-1] if where.chain else where.name
    text = {
        "module_input": f"value set by the input {where.name} of the module block",
        "variable_default": f"value set by the default of {last}",
        "tfvars": f"value set by {where.name} in {where.file}",
        "local": f"value set by local.{where.name}",
        "variable": f"value from {last}",
        "module_block": f"shown at the module block {where.name}",
    }.get(where.kind, "")
    return text or f"shown at {where.kind}"
