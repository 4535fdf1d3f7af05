"""``tfdrift-ci inventory``: the resources found, as a text table or JSON."""

from __future__ import annotations

import json
from typing import Any

from tfdrift_ci.models import Identity, Inventory, Resource, Unknown, jsonable, unfollowed_by_source
from tfdrift_ci.textutil import one_line


def resource_dict(r: Resource, *, declared_only: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "address": r.address,
        "type": r.type,
        "name": r.name,
        "module_path": list(r.module_path),
        "root": r.root,
        "file": r.file,
        "line": r.line,
        "end_line": r.end_line,
        "provider": r.provider,
        "identity": r.identity.as_dict() if r.identity else None,
        "unknowns": list(r.unknowns),
        "ignore_changes": r.ignore_changes if isinstance(r.ignore_changes, str) else list(r.ignore_changes),
        "attributes": jsonable(dict(r.attributes)),
    }
    out["declared_only"] = declared_only
    out["call_sites"] = [c.as_dict() for c in r.call_sites]
    if r.plan_actions:
        out["plan_actions"] = list(r.plan_actions)
    return out


def render_json(inv: Inventory) -> str:
    doc = {
        "path": inv.path,
        "plan": inv.plan_file,
        "files": inv.files,
        "roots": list(inv.roots),
        "regions": list(inv.regions),
        # declared_only: count/for_each gives no instance with these inputs (listed, never checked)
        "resources": [resource_dict(r) for r in inv.resources]
        + [resource_dict(r, declared_only=True) for r in inv.declared_only],
        "problems": [{"file": p.file, "line": p.line, "message": p.message} for p in inv.problems],
        "unfollowed_modules": [
            {"address": m.address, "source": m.source, "file": m.file, "line": m.line, "reason": m.reason}
            for m in inv.unfollowed_modules
        ],
        "modules_not_followed": [u.as_dict() for u in unfollowed_by_source(inv.unfollowed_modules)],
        "notices": list(inv.notices),  # files the file functions did not read, strings over the cap
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def identity_text(identity: Identity | None) -> str:
    if identity is None:
        return "-"

    def show(v: Any) -> str:
        if isinstance(v, Unknown):
            return f"?{v.pattern}" if v.pattern else f"?({v.expr})"
        return str(v)

    parts: list[str] = [identity.kind]
    if identity.name is not None:
        # a task set is named by its service (its own id is assigned by AWS)
        label = "service" if identity.kind == "task_set" else "name"
        parts.append(f"{label}={show(identity.name)}")
    if identity.cluster is not None:
        parts.append(f"cluster={show(identity.cluster)}")
    if identity.region:
        parts.append(f"region={identity.region}")
    if identity.account:
        parts.append(f"account={identity.account}")
    return " ".join(parts)


def render_text(inv: Inventory) -> str:
    """One row per resource instance, its address first; ROOT tells apart the rows of roots that
    call the same module.
    Every cell comes from Terraform (names, paths, values): made one inert line for the terminal."""
    header = ("ADDRESS", "ROOT", "TYPE", "LOCATION", "IDENTITY", "UNKNOWNS")
    rows: list[tuple[str, ...]] = []
    for r in inv.resources:
        unknowns = ", ".join(r.unknowns) if r.unknowns else "-"
        rows.append((r.address, r.root, r.type, _where(r), identity_text(r.identity), unknowns))
    for r in inv.declared_only:
        rows.append((r.address, r.root, r.type, _where(r), "-", "(no instance: count/for_each is empty)"))
    last = len(header) - 1  # UNKNOWNS: not padded, shortened to 60 characters
    table: list[tuple[str, ...]] = [header]
    table += [tuple(one_line(cell, 60 if i == last else 200) for i, cell in enumerate(row)) for row in rows]
    widths = [max(len(row[i]) for row in table) for i in range(last)]
    lines = []
    for row in table:
        lines.append("  ".join([*(row[i].ljust(widths[i]) for i in range(last)), row[last]]).rstrip())
    roots = ", ".join(inv.roots) or "none"
    summary = f"{len(inv.resources)} resource(s) in {inv.files} file(s); roots: {roots}"
    if inv.declared_only:
        summary += f"; {len(inv.declared_only)} declared with no instance"
    if inv.plan_file:
        summary += f"; plan: {inv.plan_file}"
    lines.append("")
    lines.append(one_line(summary, None))
    if inv.regions:
        lines.append("regions: " + ", ".join(inv.regions))
    for p in inv.problems:
        where = f"{p.file}:{p.line}" if p.line else p.file
        lines.append(one_line(f"problem: {where}: {p.message}", None))
    for u in unfollowed_by_source(inv.unfollowed_modules):
        calls = ", ".join(f"{m.address} ({m.file}:{m.line})" for m in u.calls)
        lines.append(one_line(f"not followed: {u.source}: {u.reason}; used by {calls}", None))
    lines.extend(one_line(f"notice: {n}", None) for n in inv.notices)
    return "\n".join(lines) + "\n"


def _where(r: Resource) -> str:
    return f"{r.file}:{r.line}" if r.file else "-"
