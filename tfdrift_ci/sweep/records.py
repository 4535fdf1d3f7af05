"""What the sweep remembers about each drifted resource, and how it is written down.

There is no database: a :class:`Record` lives in the hidden state marker of its GitHub issue (or in
the ``--state`` JSON file), so the issues themselves are the state. Everything read back is
untrusted (anyone with write access can edit an issue body): :func:`record_from_json` checks every
type and returns None for anything it does not recognise, never raising.

A record's key is stable for a resource: a hash of its Terraform root (relative to the workspace,
posix) and its address, so the same resource finds the same issue whichever way the sweep was
started, and the marker never carries a name an attacker could shape into HTML.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from collections.abc import Mapping
from dataclasses import field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Severity, iso

FORMAT = 1
SEEN_LIMIT = 300  # event ids kept per record; older ones are covered by ``floor``
VALUE_LIMIT = 8_000  # characters of JSON; a larger value is kept as its hash (see ``Value``)
MARKER_PREFIX = "<!-- tfdrift-ci:sweep="
STATE_PREFIX = "<!-- tfdrift-ci:state="
SUMMARY_KEY = "summary"

RecordStatus = Literal["open", "closed", "pending"]
AttrStatus = Literal["active", "set_back", "adopted", "removed"]


def record_key(root: str, address: str) -> str:
    """The stable key of one resource: 20 hex digits of SHA-256 over ``root`` NUL ``address``."""
    return hashlib.sha256(f"{root}\0{address}".encode()).hexdigest()[:20]


def marker(key: str) -> str:
    """The first line of an issue kept by the sweep."""
    return f"{MARKER_PREFIX}{key} -->"


def parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone(UTC) if t.tzinfo else t.replace(tzinfo=UTC)


# --------------------------------------------------------------------------------------------------
# values


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@frozen
class Value:
    """A declared or observed value as remembered. Values whose JSON is longer than
    :data:`VALUE_LIMIT` (a whole container definition list) are kept as a SHA-256 of their
    canonical JSON plus a short preview, so that a body stays well under GitHub's size limit."""

    value: Any = None
    digest: str | None = None  # sha256 of canonical_json(value) when the value itself is not kept
    preview: str | None = None

    @classmethod
    def of(cls, value: Any) -> Value:
        text = canonical_json(value)
        if len(text) <= VALUE_LIMIT:
            return cls(value=value)
        return cls(digest=hashlib.sha256(text.encode()).hexdigest(), preview=text[:200])

    @property
    def kept(self) -> bool:
        return self.digest is None

    def as_json(self) -> Any:
        if self.digest is None:
            return {"v": self.value}
        return {"sha256": self.digest, "preview": self.preview}

    @classmethod
    def from_json(cls, data: Any) -> Value | None:
        if not isinstance(data, dict):
            return None
        if "v" in data:
            return cls(value=data["v"])
        digest, preview = data.get("sha256"), data.get("preview")
        if isinstance(digest, str) and isinstance(preview, str | None):
            return cls(digest=digest, preview=preview)
        return None


# --------------------------------------------------------------------------------------------------
# records


@frozen
class AttrState:
    """One drifted attribute of a resource ("" = the resource as a whole: deleted, a revision
    registered by hand …): what the code declares, what AWS has now as far as CloudTrail told us,
    and whether that drift is still there."""

    attribute: str
    declared: Value
    actual: Value
    status: AttrStatus
    time: datetime  # of the change that gave ``status``
    event_id: str
    event_name: str
    who: str  # who made that change ("Terraform" for a set-back by an apply)
    via: str
    rule_id: str
    severity: str
    title: str
    file: str | None = None
    line: int | None = None
    message: str = ""
    remediation: str = ""
    note: str = ""  # why the drift is gone (set back / adopted / removed)
    # The difference (tfdrift_ci/report/diff.py) as text: excerpts of two long strings, or the
    # changed paths of two documents and their unified diff.
    diff_old: str = ""
    diff_new: str = ""
    diff_lines: tuple[str, ...] = ()
    unified: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "declared": self.declared.as_json(),
            "actual": self.actual.as_json(),
            "status": self.status,
            "time": iso(self.time),
            "event_id": self.event_id,
            "event_name": self.event_name,
            "who": self.who,
            "via": self.via,
            "rule_id": self.rule_id,
            "severity": self.severity,
            "title": self.title,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "remediation": self.remediation,
            "note": self.note,
            "diff_old": self.diff_old,
            "diff_new": self.diff_new,
            "diff_lines": list(self.diff_lines),
            "unified": self.unified,
        }


@frozen
class Record:
    """The sweep's memory of one drifted resource (``root`` + ``address``)."""

    key: str
    root: str
    address: str
    resource_type: str
    status: RecordStatus
    attributes: tuple[AttrState, ...] = ()
    seen: tuple[tuple[str, datetime], ...] = ()  # (event id, time) already reported, oldest first
    floor: datetime | None = None  # events at or before this time count as seen (``seen`` trimmed)
    issue: int | None = None  # the GitHub issue (not stored: the issue is where the record lives)
    url: str | None = None
    alert_pending: tuple[str, ...] = ()  # notify targets whose alert for this record failed
    swept: datetime | None = None  # end of the window of the last sweep that changed this record

    @property
    def active(self) -> tuple[AttrState, ...]:
        return tuple(a for a in self.attributes if a.status == "active")

    @property
    def oldest_active(self) -> datetime | None:
        """Time of the oldest change still drifted: the sweep's window reaches back to it, so that
        the drift engine sees that change again and notes a later write that set it back."""
        times = [a.time for a in self.active]
        return min(times) if times else None

    def worst(self) -> str:
        ranks = [Severity.parse(a.severity).rank for a in self.active or self.attributes]
        best = max(ranks, default=0)
        return next(s.value for s in Severity if s.rank == best)

    def has_seen(self, event_id: str, time: datetime) -> bool:
        return (self.floor is not None and time <= self.floor) or any(s[0] == event_id for s in self.seen)

    def with_seen(self, events: list[tuple[str, datetime]]) -> Record:
        """``seen`` extended with new (id, time) pairs, kept in time order and trimmed to
        :data:`SEEN_LIMIT`: the newest trimmed time becomes the floor."""
        known = {s[0] for s in self.seen}
        seen = list(self.seen) + [e for e in events if e[0] not in known]
        seen = sorted(dict(seen).items(), key=lambda e: (e[1], e[0]))
        floor = self.floor
        if len(seen) > SEEN_LIMIT:
            dropped, seen = seen[: len(seen) - SEEN_LIMIT], seen[len(seen) - SEEN_LIMIT :]
            newest = max(t for _, t in dropped)
            floor = newest if floor is None else max(floor, newest)
        return replace(self, seen=tuple(seen), floor=floor)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "key": self.key,
            "root": self.root,
            "address": self.address,
            "resource_type": self.resource_type,
            "status": self.status,
            "attributes": [a.as_json() for a in self.attributes],
            "seen": [[event_id, iso(t)] for event_id, t in self.seen],
            "floor": iso(self.floor) if self.floor else None,
            "alert_pending": list(self.alert_pending),
            "swept": iso(self.swept) if self.swept else None,
        }


def _str(data: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise _Bad(key)
    return value


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise _Bad(key)
    return value


def _opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Bad(key)
    return value


class _Bad(Exception):
    """A field of a stored record has the wrong type."""


def _attr_from_json(data: Any) -> AttrState:
    if not isinstance(data, dict):
        raise _Bad("attributes")
    declared, actual = Value.from_json(data.get("declared")), Value.from_json(data.get("actual"))
    time = parse_time(data.get("time"))
    status = data.get("status")
    if (
        declared is None
        or actual is None
        or time is None
        or status not in ("active", "set_back", "adopted", "removed")
    ):
        raise _Bad("attributes")
    return AttrState(
        attribute=_str(data, "attribute"),
        declared=declared,
        actual=actual,
        status=status,
        time=time,
        event_id=_str(data, "event_id"),
        event_name=_str(data, "event_name", ""),
        who=_str(data, "who", ""),
        via=_str(data, "via", "unknown"),
        rule_id=_str(data, "rule_id", ""),
        severity=_severity(data.get("severity")),
        title=_str(data, "title", ""),
        file=_opt_str(data, "file"),
        line=_opt_int(data, "line"),
        message=_str(data, "message", ""),
        remediation=_str(data, "remediation", ""),
        note=_str(data, "note", ""),
        diff_old=_str(data, "diff_old", ""),
        diff_new=_str(data, "diff_new", ""),
        diff_lines=_strings(data, "diff_lines"),
        unified=_str(data, "unified", ""),
    )


def _strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad(key)
    return tuple(value)


def _severity(value: object) -> str:
    try:
        return Severity.parse(str(value)).value
    except ValueError:
        raise _Bad("severity") from None


def record_from_json(data: Any) -> Record | None:
    """A record read back from a marker or the state file; None when anything is off."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    try:
        status = data.get("status")
        if status not in ("open", "closed", "pending"):
            return None
        seen = data.get("seen") or []
        pending = data.get("alert_pending") or []
        if not isinstance(seen, list):
            return None
        pairs = []
        for item in seen:
            t = parse_time(item[1]) if isinstance(item, list) and len(item) == 2 else None
            if t is None or not isinstance(item[0], str):
                return None
            pairs.append((item[0], t))
        if not isinstance(pending, list) or not all(isinstance(s, str) for s in pending):
            return None
        attrs = data.get("attributes")
        if not isinstance(attrs, list):
            return None
        floor = data.get("floor")
        return Record(
            key=_str(data, "key"),
            root=_str(data, "root"),
            address=_str(data, "address"),
            resource_type=_str(data, "resource_type", ""),
            status=status,
            attributes=tuple(_attr_from_json(a) for a in attrs),
            seen=tuple(pairs),
            floor=parse_time(floor) if floor is not None else None,
            alert_pending=tuple(pending),
            swept=parse_time(data.get("swept")),
        )
    except _Bad:
        return None


# --------------------------------------------------------------------------------------------------
# the hidden state line of an issue body


def encode_state(data: Mapping[str, Any]) -> str:
    """``<!-- tfdrift-ci:state=1:<base64(zlib(JSON))> -->``: base64 can never close the comment."""
    raw = zlib.compress(canonical_json(data).encode("utf-8"), 9)
    return f"{STATE_PREFIX}{FORMAT}:{base64.b64encode(raw).decode('ascii')} -->"


MAX_STATE = 1 << 20  # 1 MiB decompressed: far beyond a real record, a guard against zip bombs


def decode_state(body: str) -> Any:
    """The JSON of the state line of ``body``, or None (absent, damaged, too large)."""
    start = body.find(STATE_PREFIX)
    if start < 0:
        return None
    end = body.find(" -->", start)
    if end < 0:
        return None
    payload = body[start + len(STATE_PREFIX) : end]
    version, _, data = payload.partition(":")
    if version != str(FORMAT):
        return None
    try:
        raw = base64.b64decode(data, validate=True)
        inflater = zlib.decompressobj()
        text = inflater.decompress(raw, MAX_STATE)
        if inflater.unconsumed_tail:
            return None
        return json.loads(text.decode("utf-8"))
    except (binascii.Error, zlib.error, ValueError):
        return None


@frozen
class State:
    """Everything the sweep knows before it runs: the records by key and when the last sweep that
    changed something ended."""

    records: Mapping[str, Record] = field(default_factory=dict)
    last_until: datetime | None = None
    warnings: tuple[str, ...] = ()
