"""From a check's report to what the sweep reasons about: the changes seen per resource, and what
the code declares now.

- Every unsuppressed ``drift`` finding at or above the minimum severity is a :class:`Change` of
  kind ``drift`` (an out-of-band write: who, what, when, declared → new).
- The drift engine says when a later write set a drifted attribute back to the declared value
  (``Finding.set_back``): that becomes a ``set_back`` change, so an apply that restored the value
  closes the issue.
- Terraform's own writes in the window (``Report.terraform_applies``) become ``apply`` changes: they
  close whole-resource drift (a repository deleted by hand and re-created by an apply, a revision
  registered by hand followed by Terraform's own).
- :class:`Current` answers "what does the code declare now" for the records the sweep already keeps
  (the drift is gone when the code now declares the new value, or no longer declares the resource).
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Mapping
from dataclasses import field
from datetime import UTC, datetime
from typing import Any, Literal

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Finding, Report, Resource, SetBack, Severity, TerraformApply
from tfdrift_ci.report._common import deletion_text
from tfdrift_ci.report.diff import finding_diff, summary_lines
from tfdrift_ci.rules.drift import _attributes as values
from tfdrift_ci.sweep.records import record_key

MISSING = values.MISSING


def root_path(report_path: str, root: str | None, base: str) -> str:
    """A Terraform root as a posix path relative to ``base`` (the workspace): the same resource has
    the same key whether the sweep was given ``.`` or ``infra``. Outside ``base``: absolute."""
    full = os.path.abspath(os.path.join(report_path, root or "."))
    rel = os.path.relpath(full, os.path.abspath(base))
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        rel = full
    return posixpath.normpath(rel.replace(os.sep, "/")) or "."


def file_path(report_path: str, file: str | None, base: str) -> str | None:
    """A finding's file (relative to the scanned PATH) relative to the workspace, like its root."""
    if not file:
        return file
    return root_path(report_path, file, base)


DIFF_LINES = 20
UNIFIED_LIMIT = 6_000


@frozen
class Change:
    """One write CloudTrail recorded on a tracked resource: an out-of-band change (``drift``), a
    later write that set a drifted attribute back to the declared value (``set_back``), or one of
    Terraform's own writes on the resource (``apply``, attribute "")."""

    key: str
    root: str
    address: str
    resource_type: str
    kind: Literal["drift", "set_back", "apply"]
    attribute: str  # "" for the resource as a whole
    time: datetime
    event_id: str
    event_name: str
    who: str
    via: str
    declared: Any = None
    actual: Any = None
    rule_id: str = ""
    severity: str = "info"
    title: str = ""
    file: str | None = None
    line: int | None = None
    message: str = ""
    remediation: str = ""
    # The difference between declared and actual (tfdrift_ci/report/diff.py), as plain text:
    # excerpts of two long strings, or the changed paths of two documents and their unified diff.
    diff_old: str = ""
    diff_new: str = ""
    diff_lines: tuple[str, ...] = ()
    unified: str = ""
    finding: Finding | None = field(default=None, compare=False, repr=False)


def _when(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _set_back(back: SetBack, base: Change) -> Change:
    value = json.dumps(base.declared, ensure_ascii=False, sort_keys=True, default=str)
    if len(value) > 60:
        value = value[:59] + "…"
    return Change(
        key=base.key,
        root=base.root,
        address=base.address,
        resource_type=base.resource_type,
        kind="set_back",
        attribute=base.attribute,
        time=back.time,
        event_id=back.event_id,
        event_name="",
        who=back.who,
        via="terraform" if back.terraform else "unknown",
        declared=base.declared,
        actual=base.declared,
        rule_id=base.rule_id,
        severity=base.severity,
        title=base.title,
        file=base.file,
        line=base.line,
        message=f"{back.who} set it back to {value} on {_when(back.time)} (event {back.event_id})",
    )


def _apply(report: Report, apply: TerraformApply, base: str) -> Change:
    root = root_path(report.path, apply.root, base)
    return Change(
        key=record_key(root, apply.address),
        root=root,
        address=apply.address,
        resource_type="",
        kind="apply",
        attribute="",
        time=apply.time,
        event_id=apply.event_id,
        event_name=apply.event_name,
        who="Terraform",
        via="terraform",
        message=f"Terraform's own {apply.event_name} on {_when(apply.time)} (event {apply.event_id})",
    )


def _diff(f: Finding) -> dict[str, Any]:
    gone = deletion_text(f)
    if gone is not None:  # the resource itself: "(declared) → deleted"
        return {"diff_old": "(declared)", "diff_new": gone}
    vd = finding_diff(f)
    if vd is None:
        return {}
    if vd.kind == "text":
        return {"diff_old": vd.old_excerpt, "diff_new": vd.new_excerpt}
    unified = vd.unified if len(vd.unified) <= UNIFIED_LIMIT else vd.unified[: UNIFIED_LIMIT - 1] + "…"
    return {"diff_lines": tuple(summary_lines(vd)[:DIFF_LINES]), "unified": unified}


def changes(report: Report, *, base: str, min_severity: Severity = Severity.LOW) -> list[Change]:
    """The drift, set-back and apply changes of ``report``, in time order."""
    out: list[Change] = []
    for f in report.findings:
        if f.kind != "drift" or f.suppressed or f.address is None or f.event is None:
            continue
        if f.severity.rank < min_severity.rank:
            continue
        root = root_path(report.path, f.root, base)
        change = Change(
            key=record_key(root, f.address),
            root=root,
            address=f.address,
            resource_type=f.resource_type or "",
            kind="drift",
            attribute=f.attribute or "",
            time=f.event.time,
            event_id=f.event.id,
            event_name=f.event.name,
            who=(f.actor.display if f.actor else "") or "an unknown principal",
            via=f.actor.via if f.actor else "unknown",
            declared=f.expected,
            actual=f.actual,
            rule_id=f.rule_id,
            severity=f.severity.value,
            title=f.title,
            file=file_path(report.path, f.file, base),
            line=f.line,
            message=f.message,
            remediation=f.remediation or "",
            finding=f,
            **_diff(f),
        )
        out.append(change)
        if f.set_back is not None:
            out.append(_set_back(f.set_back, change))
    out.extend(_apply(report, a, base) for a in report.terraform_applies)
    out.sort(key=lambda c: (c.time, c.kind != "drift", c.event_id))
    return out


@frozen
class Current:
    """What the code declares now, for the roots this sweep scanned."""

    scope: str  # the scanned PATH relative to the workspace ("." for all of it)
    resources: Mapping[tuple[str, str], Resource]  # (root, address) -> resource
    # False when part of the code could not be read (a file that does not parse, a module not
    # followed): then a resource missing from the inventory may only be unread, never "removed".
    complete: bool = True

    def in_scope(self, root: str) -> bool:
        if self.scope == ".":
            return not root.startswith("/")
        return root == self.scope or root.startswith(self.scope.rstrip("/") + "/")

    def resource(self, root: str, address: str) -> Resource | None:
        return self.resources.get((root, address))

    def removed(self, root: str, address: str) -> bool:
        """The resource is no longer declared: its root was scanned completely without it."""
        return self.complete and self.in_scope(root) and (root, address) not in self.resources

    def declares(self, root: str, address: str, attribute: str, value: Any) -> bool:
        """The code now declares ``value`` for ``attribute`` (compared the way the drift engine
        compares a change with the declaration; never true for a masked or unknown value)."""
        res = self.resource(root, address)
        if res is None or not attribute:
            return False
        declared = values.declared_value(res, attribute)
        if declared is MISSING or values.contains_unknown(declared):
            return False
        return values.same(declared, value, loose=attribute != "policy")


def current(report: Report, *, base: str) -> Current:
    resources: dict[tuple[str, str], Resource] = {}
    for r in report.resources:
        resources[(root_path(report.path, r.root, base), r.address)] = r
    unread = bool(report.unfollowed_modules) or any(f.kind == "error" for f in report.findings)
    return Current(scope=root_path(report.path, ".", base), resources=resources, complete=not unread)
