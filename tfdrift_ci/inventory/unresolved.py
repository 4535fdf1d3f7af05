"""What a check of one ``.tf`` file could not resolve. Terraform's unit is the directory: a file read
alone usually uses variables and locals declared in its neighbours (``variables.tf``, ``locals.tf``,
``terraform.tfvars``), and every attribute set from them is unknown here. The rules skip unknown
values (they never guess), so without this the check of such a file reads "no unsafe configuration
found" while it checked almost nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Inventory, Unknown

# `var.name` / `local.name` in an unknown value's expression text: the names the file does not define
_NAME = re.compile(r"\b(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)")
NAMES_SHOWN = 5


@frozen
class Unresolved:
    """The attributes of a single-file check whose value depends on a variable or local that has no
    value in that file."""

    file: str  # the file checked, as given
    attributes: int  # attribute values that could not be resolved
    resources: tuple[str, ...]  # addresses of the resources they belong to
    names: tuple[str, ...]  # var.x / local.y they depend on, sorted

    @property
    def reason(self) -> str:
        shown = ", ".join(self.names[:NAMES_SHOWN])
        more = f" and {len(self.names) - NAMES_SHOWN} more" if len(self.names) > NAMES_SHOWN else ""
        attrs = f"{self.attributes} attribute{'s' if self.attributes != 1 else ''}"
        res = f"{len(self.resources)} resource{'s' if len(self.resources) != 1 else ''}"
        return (
            f"the file was read alone: {attrs} of {res} depend on {shown}{more}, which have no value "
            "in it, so the rules that read them did not run; check its directory to use the "
            "variables, locals and .tfvars declared beside it"
        )


def _unknowns(value: Any) -> Iterator[Unknown]:
    if isinstance(value, Unknown):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _unknowns(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _unknowns(v)


def single_file_unresolved(inventory: Inventory, file: str) -> Unresolved | None:
    """For a check whose PATH is the one file ``file``: the values its resources take from variables
    or locals that have no value in it, or None when there are none. Values that are unknown for
    other reasons (a data source, another resource's computed attribute) are left out: they are
    unknown in a directory check too, and the rules handle them."""
    attributes = 0
    resources: list[str] = []
    names: set[str] = set()
    for r in inventory.resources:
        found = 0
        for unknown in _unknowns(dict(r.attributes)):
            refs = {f"{kind}.{name}" for kind, name in _NAME.findall(unknown.expr)}
            if refs:
                found += 1
                names |= refs
        if found:
            attributes += found
            resources.append(r.address)
    if not attributes:
        return None
    return Unresolved(file, attributes, tuple(resources), tuple(sorted(names)))
