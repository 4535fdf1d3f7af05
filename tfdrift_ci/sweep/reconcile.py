"""The sweep's decision, as a pure function: what it remembers + what this check saw → actions.

One record (one GitHub issue) per drifted resource (root + address):

- **open**: drift on a resource with no record (or one waiting over the cap) that is still there
  at the end of the window. Drift that was already set back within the same window opens nothing.
- **update**: more out-of-band changes on an open issue (a comment each), or part of its drift gone.
- **close**: the last drifted attribute is gone *in this sweep*: a later write set it back to the
  declared value (a terraform apply, or someone by hand), the code now declares the new value, or the
  code no longer declares the resource. Closing needs that evidence: an issue a person reopened is
  not closed again because nothing new happened.
- **reopen**: new out-of-band changes on a closed issue.
- **pending**: new drift beyond the cap of issues opened per run; listed in one summary issue and
  opened by a later sweep.

Events already reported (by id, kept in the record) are never reported twice, so two sweeps over the
same window change nothing the second time. Only new and re-opened drift is alerted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Severity, iso
from tfdrift_ci.sweep.observe import Change, Current
from tfdrift_ci.sweep.records import AttrState, Record, State, Value, canonical_json

ActionKind = Literal["open", "update", "close", "reopen", "pending", "drop"]
OVERLAP = timedelta(hours=1)  # CloudTrail delivers events up to ~15 minutes late; reread a margin


@frozen
class Action:
    kind: ActionKind
    record: Record  # as it is after this sweep
    previous: Record | None
    new: tuple[Change, ...] = ()  # out-of-band changes first seen in this sweep, in time order
    resolved: tuple[AttrState, ...] = ()  # attributes whose drift went away in this sweep
    alert: bool = False  # new or re-opened drift: sent to the --notify targets


@frozen
class Plan:
    actions: tuple[Action, ...]
    records: Mapping[str, Record]  # every record after the sweep, unchanged ones included

    def of(self, *kinds: ActionKind) -> list[Action]:
        return [a for a in self.actions if a.kind in kinds]

    @property
    def pending(self) -> list[Record]:
        return sorted((r for r in self.records.values() if r.status == "pending"), key=_open_order)


def window_start(state: State, *, cap: datetime, until: datetime, overlap: timedelta = OVERLAP) -> datetime:
    """Where the sweep's event window starts: the end of the last sweep that changed something
    (less ``overlap``), reaching back to the oldest change of every drift still open so that a
    later terraform apply is seen setting it back; never before ``cap`` (``--since``)."""
    start = state.last_until - overlap if state.last_until is not None else cap
    for record in state.records.values():
        oldest = record.oldest_active if record.status in ("open", "pending") else None
        if oldest is not None:
            start = min(start, oldest)
    return min(max(start, cap), until - timedelta(seconds=1))


def _attr(change: Change) -> AttrState:
    return AttrState(
        attribute=change.attribute,
        declared=Value.of(change.declared),
        actual=Value.of(change.actual),
        status="active",
        time=change.time,
        event_id=change.event_id,
        event_name=change.event_name,
        who=change.who,
        via=change.via,
        rule_id=change.rule_id,
        severity=change.severity,
        title=change.title,
        file=change.file,
        line=change.line,
        message=change.message,
        remediation=change.remediation,
        diff_old=change.diff_old,
        diff_new=change.diff_new,
        diff_lines=change.diff_lines,
        unified=change.unified,
    )


# Whole-resource drift (attribute "") that one of Terraform's own writes on the resource undoes: a
# deletion undone by Terraform re-creating the resource (Create*/Put*/Set*), a revision registered
# or deregistered by hand followed by Terraform registering its own.
_UNDONE = ("Delete", "Deregister", "Register")
_UNDOES = ("Create", "Put", "Set", "Register")


def _undoes(change: Change, attr: AttrState) -> bool:
    if change.kind == "set_back":
        return True
    return (
        attr.attribute == "" and attr.event_name.startswith(_UNDONE) and change.event_name.startswith(_UNDOES)
    )


def _hcl(value: Value) -> str:
    if not value.kept:
        return f"{value.preview or ''}… (sha256 {value.digest})"
    return canonical_json(value.value)


def _resolve_in_code(attrs: dict[str, AttrState], root: str, address: str, current: Current) -> None:
    """Mark active attributes the code has caught up with (adopted) or whose resource is gone."""
    removed = current.removed(root, address)
    for name, a in list(attrs.items()):
        if a.status != "active":
            continue
        if removed:
            attrs[name] = replace(
                a, status="removed", note=f"{address} is no longer declared in the code ({root})"
            )
        elif a.actual.kept and current.declares(root, address, a.attribute, a.actual.value):
            where = f" ({a.file})" if a.file else ""
            attrs[name] = replace(
                a, status="adopted", note=f"the code now declares {a.attribute} = {_hcl(a.actual)}{where}"
            )


def _one(
    prev: Record | None, changes: Sequence[Change], current: Current
) -> tuple[Record | None, list[Change], list[AttrState]]:
    """The record after this sweep, the new drift changes and the attributes resolved now."""
    attrs: dict[str, AttrState] = {a.attribute: a for a in prev.attributes} if prev else {}
    new: list[Change] = []
    seen: list[tuple[str, datetime]] = []
    for c in changes:
        if prev is not None and prev.has_seen(c.event_id, c.time):
            continue
        a = attrs.get(c.attribute)
        if c.kind == "drift":
            new.append(c)
            seen.append((c.event_id, c.time))
            if a is None or c.time >= a.time:
                attrs[c.attribute] = _attr(c)
        elif (
            a is not None
            and a.status == "active"
            and c.time >= a.time
            and c.event_id != a.event_id
            and _undoes(c, a)
        ):
            seen.append((c.event_id, c.time))
            attrs[c.attribute] = replace(
                a,
                status="set_back",
                time=c.time,
                event_id=c.event_id,
                event_name=c.event_name or a.event_name,
                who=c.who,
                via=c.via,
                note=c.message,
            )
    if not attrs:
        return None, [], []
    first = next((c for c in changes if c.kind == "drift"), changes[0] if changes else None)
    # A record whose stored state was damaged has only its key: the next change repairs it.
    root = (prev.root if prev else "") or (first.root if first else "")
    address = (prev.address if prev else "") or (first.address if first else "")
    _resolve_in_code(attrs, root, address, current)
    # Resolved now: drifted before this sweep, or by a change new in it, and no longer.
    was_active = {a.attribute for a in prev.active} if prev else set()
    was_active |= {c.attribute for c in new}
    resolved = [a for a in attrs.values() if a.status != "active" and a.attribute in was_active]
    if prev is not None and not prev.address:
        prev = replace(prev, root=root, address=address, resource_type=first.resource_type if first else "")
    base = prev or Record(
        key=first.key if first else "",
        root=root,
        address=address,
        resource_type=first.resource_type if first else "",
        status="open",
    )
    ordered = tuple(sorted(attrs.values(), key=lambda a: a.attribute))
    return replace(base, attributes=ordered).with_seen(seen), new, resolved


def _open_order(r: Record) -> tuple[int, str, str, str]:
    oldest = r.oldest_active
    return (-Severity.parse(r.worst()).rank, iso(oldest) if oldest else "", r.root, r.address)


def _decide(prev: Record, record: Record, new: list[Change], resolved: list[AttrState]) -> Action | None:
    """The action for a resource that has an issue (open or closed, as GitHub says now: a person
    may have closed or reopened it)."""
    active = bool(record.active)
    if prev.status == "open":
        if not active and resolved:
            return Action("close", replace(record, status="closed"), prev, tuple(new), tuple(resolved))
        if new or resolved:
            return Action("update", record, prev, tuple(new), tuple(resolved))
        return None
    if new and active:
        return Action("reopen", replace(record, status="open"), prev, tuple(new), tuple(resolved), alert=True)
    if new:  # more history on a closed issue, already set back: told, not reopened
        return Action("update", record, prev, tuple(new), tuple(resolved))
    return None


def reconcile(
    state: State, changes: Sequence[Change], current: Current, *, cap: int | None, until: datetime
) -> Plan:
    """What to do this sweep. ``cap`` limits the issues opened (None: no limit, as for --state);
    ``until`` (the end of the window) is written into every record an action changes."""
    by_key: dict[str, list[Change]] = {}
    for c in sorted(changes, key=lambda c: (c.time, c.kind != "drift", c.event_id)):
        by_key.setdefault(c.key, []).append(c)
    records: dict[str, Record] = dict(state.records)
    actions: list[Action] = []
    to_open: list[tuple[Record, Record | None, list[Change]]] = []
    for key in sorted(set(by_key) | set(state.records)):
        prev = state.records.get(key)
        record, new, resolved = _one(prev, by_key.get(key, []), current)
        if record is None:
            continue
        record = replace(record, swept=until)
        if prev is None or prev.status == "pending":
            if record.active:
                to_open.append((record, prev, new))
            elif prev is not None:  # waited over the cap and is gone meanwhile
                del records[key]
                closed = replace(record, status="closed")
                actions.append(Action("drop", closed, prev, tuple(new), tuple(resolved)))
            continue
        action = _decide(prev, record, new, resolved)
        if action is not None:
            actions.append(action)
            records[key] = action.record
    to_open.sort(key=lambda item: _open_order(item[0]))
    for i, (candidate, prev, new) in enumerate(to_open):
        status: Literal["open", "pending"] = "open" if cap is None or i < cap else "pending"
        if prev is not None and status == "pending" and not new:
            continue  # still waiting over the cap, nothing new: left as it was
        record = replace(candidate, status=status)
        records[record.key] = record
        actions.append(Action(status, record, prev, tuple(new), alert=prev is None))
    return Plan(tuple(actions), records)
