"""``fix --revert``: the ``terraform apply`` lines that restore the declared values, per root.

No code is touched. Each root gets one command with a ``-target`` per drifted resource (Terraform
plans only those, and what they depend on); a task definition revision deregistered by hand gets
``-replace`` (an INACTIVE revision cannot be made active again: Terraform registers a new one).
A resource deleted by hand is a ``-target`` as well: the refresh finds it gone and the plan creates
it. What Terraform cannot restore (deleted images, container instance states) is said so.
"""

from __future__ import annotations

import os
import posixpath
import shlex
from collections.abc import Sequence

from tfdrift_ci.fix.adopt import latest_drift
from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Finding
from tfdrift_ci.report import escape
from tfdrift_ci.report._common import value_text

# Whole-resource events Terraform cannot undo: nothing it declares changed.
_NOT_TERRAFORMS = {
    "BatchDeleteImage": "deleted images are not Terraform's: push them again",
    "UpdateContainerInstancesState": "container instance states are not Terraform's: set them back with "
    "aws ecs update-container-instances-state",
}
_REPLACE = {"DeregisterTaskDefinition", "DeleteTaskDefinitions"}


@frozen
class RootRevert:
    root: str
    targets: tuple[str, ...]  # addresses, -target
    replaces: tuple[str, ...]  # addresses, -replace
    lines: tuple[str, ...]  # what each restores (one per finding)
    manual: tuple[str, ...]  # what Terraform cannot restore


def plan(findings: Sequence[Finding]) -> list[RootRevert]:
    latest, whole = latest_drift(findings)
    roots: dict[str, dict[str, list[str]]] = {}
    for f in [*latest, *whole]:
        assert f.address is not None
        root = roots.setdefault(f.root or ".", {"target": [], "replace": [], "lines": [], "manual": []})
        event = f.event.name if f.event else ""
        if f.attribute is None and event in _NOT_TERRAFORMS:
            root["manual"].append(f"{escape.terminal(f.address)}: {_NOT_TERRAFORMS[event]}")
            continue
        kind = "replace" if f.attribute is None and event in _REPLACE else "target"
        if f.address not in root[kind]:
            root[kind].append(f.address)
        root["lines"].append(_restores(f))
    return [
        RootRevert(
            root,
            tuple(sorted(set(parts["target"]) - set(parts["replace"]))),
            tuple(sorted(parts["replace"])),
            tuple(parts["lines"]),
            tuple(parts["manual"]),
        )
        for root, parts in sorted(roots.items())
    ]


def _restores(f: Finding) -> str:
    address = escape.terminal(f.address)
    if f.attribute is None:
        what = f.event.name if f.event else "the change"
        return f"{address}: undoes {escape.terminal(what)}"
    return (
        f"{address}.{escape.terminal(f.attribute)}: {escape.terminal(value_text(f.actual, 60))} → "
        f"{escape.terminal(value_text(f.expected, 60))}"
    )


def render(reverts: Sequence[RootRevert], path: str = ".") -> str:
    """Shell lines, one command per root (``terraform -chdir=PATH/ROOT apply …``, from where the
    check ran), comments above it."""
    if not reverts:
        return "# no drift to revert\n"
    out: list[str] = []
    for r in reverts:
        out.append(f"# root {escape.terminal(r.root)}")
        out += [f"#   {line}" for line in r.lines]
        out += [f"#   not restorable by Terraform: {m}" for m in r.manual]
        flags = [f"-target={shlex.quote(a)}" for a in r.targets]
        flags += [f"-replace={shlex.quote(a)}" for a in r.replaces]
        if flags:
            where = posixpath.normpath(posixpath.join(path.replace(os.sep, "/"), r.root))
            chdir = "" if where == "." else f"-chdir={shlex.quote(escape.terminal(where))} "
            out.append(f"terraform {chdir}apply " + " ".join(flags))
        out.append("")
    return "\n".join(out)
