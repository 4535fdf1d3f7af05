"""Shared by the file, S3 and LookupEvents sources: CloudTrail payloads → records → selected events.

Formats are recognised by content, never by file name (a trail copy, a CLI dump and a log shipper's
JSON lines all arrive with arbitrary names):

- a trail file ``{"Records": […]}`` (gzip or not — gzip is detected by its magic bytes),
- ``aws cloudtrail lookup-events`` output ``{"Events": [{"CloudTrailEvent": "<json>", …}]}``
  (``EventTime`` as ISO text from CLI v2 or epoch seconds from v1; only ``CloudTrailEvent`` is used),
- JSON lines (one record, or one of the documents above, per line),
- a single event object, or a JSON array of records / lookup items.

The pipeline is cheap first: a payload that contains none of the wanted ``eventSource`` strings is
skipped without parsing, and records are checked on ``eventSource``/``eventName``/``readOnly``
before the full ``normalise``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

from tfdrift_ci.events.base import Query
from tfdrift_ci.events.normalise import MalformedRecord, is_read_only, normalise
from tfdrift_ci.models import Event, Window

_loads: Callable[[bytes | str], Any]
_strict_loads: Callable[[bytes | str], Any]
_DECODE_ERRORS = (ValueError, RecursionError)
try:
    # orjson parses trail files ~3x faster than json (the files source's main cost). It is
    # stricter (lone surrogates, integers beyond 64 bits, nesting over 1024), so a document it
    # rejects is retried with json, the reference, before being called broken.
    import orjson

    def _loads(data: bytes | str) -> Any:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return json.loads(data)

    _strict_loads = orjson.loads

except ImportError:  # pragma: no cover - depends on the environment
    _loads = _strict_loads = json.loads

GZIP_MAGIC = b"\x1f\x8b"
# A decompressed CloudTrail file larger than this is reported, not read (a gzip bomb or not a trail
# file: CloudTrail delivers a file every ~5 minutes per region, typically well under 100 MB).
MAX_DECOMPRESSED_BYTES = 1 << 30
# Beyond this size, a compression ratio above _MAX_RATIO stops decompression early, so a bomb
# cannot make us hold a gigabyte before the absolute cap trips. CloudTrail JSON gzips ~10-20:1.
_RATIO_FLOOR = 32 << 20
_MAX_RATIO = 100
_CHUNK = 1 << 20
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib's gzip mode: header and trailer (CRC-32, length) checked


class PayloadError(ValueError):
    """A whole file/object that cannot be read (broken gzip, broken JSON, over the size cap)."""


class NotCloudTrail(PayloadError):
    """A payload that is not a CloudTrail document at all (a README, an empty file, ``[]``, some
    other tool's JSON). ``reason`` says what it is; ``str()`` is ``not CloudTrail JSON (reason)``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"not CloudTrail JSON ({reason})")


class _Skipped:
    """Stands for a lookup item of an unwanted event, skipped without decoding its CloudTrailEvent
    (it still counts as a CloudTrail record)."""

    __slots__ = ()


SKIPPED = _Skipped()


class _Broken:
    """Stands for a record that could not even be decoded (a bad JSON line, a bad CloudTrailEvent)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


# --------------------------------------------------------------------------------------------------
# bytes


def read_capped(
    stream: BinaryIO, *, compressed_size: int | None, limit: int = MAX_DECOMPRESSED_BYTES
) -> bytes:
    """The whole payload of ``stream``, gunzipped when it starts with the gzip magic, refusing to
    produce more than ``limit`` bytes. Raises ``PayloadError`` for truncated/corrupt gzip.

    Decompression streams: compressed input is read in ``_CHUNK`` pieces and inflated into at most
    ``_CHUNK`` bytes at a time, so the caps trip before a bomb's output is held. zlib's gzip mode
    checks each member's CRC-32 and length; members may follow each other (``cat a.gz b.gz``) and
    zero padding after the last one is ignored, as ``gzip`` does."""
    head = stream.read(2)
    if head != GZIP_MAGIC:
        rest = stream.read(limit + 1 - len(head))
        data = head + rest
        if len(data) > limit:
            raise PayloadError(f"larger than the {human_size(limit)} cap")
        return data
    try:
        return _gunzip(head, stream, compressed_size, limit)
    except zlib.error as err:
        raise PayloadError(f"corrupt gzip: {err}") from None


def _gunzip(pending: bytes, stream: BinaryIO, compressed_size: int | None, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    member = zlib.decompressobj(_GZIP_WBITS)
    ended = False  # the stream gave everything it had
    while True:
        if not pending and not ended:
            pending = stream.read(_CHUNK)
            ended = not pending
        # At most _CHUNK bytes out per call; input not yet used waits in unconsumed_tail (and
        # with none left, a call with b"" drains what inflate still holds).
        chunk = member.decompress(pending, _CHUNK)
        pending = member.unconsumed_tail
        if chunk:
            total += len(chunk)
            if total > limit:
                raise PayloadError(f"decompresses to more than the {human_size(limit)} cap (gzip bomb?)")
            if compressed_size and total > _RATIO_FLOOR and total > _MAX_RATIO * compressed_size:
                raise PayloadError(
                    f"decompresses more than {_MAX_RATIO}:1 past {human_size(_RATIO_FLOOR)} (gzip bomb?)"
                )
            parts.append(chunk)
        if member.eof:
            rest = _next_member(member.unused_data, stream)
            if rest is None:
                return b"".join(parts)
            member = zlib.decompressobj(_GZIP_WBITS)
            pending = rest
        elif ended and not chunk and not pending:
            raise PayloadError("truncated gzip (ended before the end-of-stream marker)")


def _next_member(rest: bytes, stream: BinaryIO) -> bytes | None:
    """The input after a gzip member: None at the end (zero padding allowed), else the bytes that
    start the next member."""
    while True:
        rest = rest.lstrip(b"\0")
        if rest:
            return rest
        rest = stream.read(_CHUNK)
        if not rest:
            return None


def human_size(n: int) -> str:
    return f"{n / (1 << 30):g} GiB" if n >= 1 << 30 else f"{n / (1 << 20):g} MiB"


# --------------------------------------------------------------------------------------------------
# records


@dataclass
class Selector:
    """Stateless record checks for one query (safe to share between threads, and picklable for
    worker processes)."""

    query: Query
    sources: frozenset[str] = field(init=False)
    needles: tuple[bytes, ...] = field(init=False)
    name_bytes: frozenset[bytes] = field(init=False)
    # ``"eventName": "<a wanted name>"``, any JSON whitespace around the colon: the byte pre-filter
    # of trail files (a name spelled with ``\\u`` escapes is caught by the escape scan there).
    name_pattern: re.Pattern[bytes] = field(init=False)

    def __post_init__(self) -> None:
        self.sources = frozenset(s for s, _ in self.query.event_names)
        self.needles = tuple(s.encode() for s in sorted(self.sources))
        self.name_bytes = frozenset(n.encode() for _, n in self.query.event_names)
        # Longest first, so that a name is never cut at a shorter one's end (the closing quote
        # follows the group anyway).
        names = sorted(self.name_bytes, key=lambda n: (-len(n), n))
        wanted = b"|".join(re.escape(n) for n in names) or b"(?!)"
        self.name_pattern = re.compile(rb'"eventName"[ \t\r\n]*:[ \t\r\n]*"(?:' + wanted + rb')"')

    def for_workers(self) -> Selector:
        """The same checks without the budget (its clock may not pickle; workers never meter)."""
        return Selector(Query(window=self.query.window, event_names=self.query.event_names))

    def payload_may_match(self, data: bytes) -> bool:
        """False when no wanted eventSource string occurs in ``data`` (then nothing in it can match).
        A payload with ``\\u`` escapes could spell a source in escapes: parse those anyway."""
        if not self.needles:
            return False
        return any(n in data for n in self.needles) or b"\\u" in data

    def wants(self, source: object, name: object) -> bool:
        return (source, name) in self.query.event_names

    def select(self, record: object, misses: WindowMisses | None = None) -> Event | None:
        """The event for ``record`` if it is a wanted write event inside the window, else None.
        Raises ``MalformedRecord`` for records that are not CloudTrail events at all. A wanted
        write event outside the window is counted in ``misses`` (to tell a user why nothing
        matched)."""
        if record is SKIPPED:
            return None
        if isinstance(record, _Broken):
            raise MalformedRecord(record.reason)
        if not isinstance(record, Mapping):
            raise MalformedRecord(f"record is a {type(record).__name__}, not an object")
        source = record.get("eventSource")
        name = record.get("eventName")
        if not isinstance(source, str) or not isinstance(name, str):
            raise MalformedRecord("record has no eventSource/eventName strings")
        if (source, name) not in self.query.event_names:
            return None
        if is_read_only(record):
            return None
        event = normalise(record)
        if event is None:
            return None
        if not self.query.window.contains(event.time):
            if misses is not None:
                misses.add(event.time)
            return None
        return event


@dataclass
class WindowMisses:
    """Wanted write records that fell outside the window: how many, the earliest and the latest."""

    count: int = 0
    earliest: datetime | None = None
    latest: datetime | None = None

    def add(self, t: datetime) -> None:
        self.count += 1
        if self.earliest is None or t < self.earliest:
            self.earliest = t
        if self.latest is None or t > self.latest:
            self.latest = t

    def merge(self, other: WindowMisses) -> None:
        if not other.count:
            return
        assert other.earliest is not None and other.latest is not None
        self.earliest = other.earliest if self.earliest is None else min(self.earliest, other.earliest)
        self.latest = other.latest if self.latest is None else max(self.latest, other.latest)
        self.count += other.count

    def notice(self, window: Window) -> str | None:
        """``7 relevant records, all outside the window A – B; earliest …, latest …`` or None."""
        if not self.count:
            return None
        assert self.earliest is not None and self.latest is not None
        return (
            f"{self.count} relevant record(s), all outside the window {_iso(window.since)} – "
            f"{_iso(window.until)}; earliest {_iso(self.earliest)}, latest {_iso(self.latest)} "
            "(widen --since/--until to include them)"
        )


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Tally:
    """De-duplication (by eventID) and counting for one source. Not thread-safe: feed it from one
    thread (sources parse in workers and hand their events over)."""

    seen: set[str] = field(default_factory=set)
    events_read: int = 0
    malformed: int = 0
    duplicates: int = 0
    malformed_examples: list[str] = field(default_factory=list)
    misses: WindowMisses = field(default_factory=WindowMisses)

    def add(self, event: Event) -> bool:
        if event.id in self.seen:
            self.duplicates += 1
            return False
        self.seen.add(event.id)
        self.events_read += 1
        return True

    def bad(self, reason: str, count: int = 1) -> None:
        self.malformed += count
        if len(self.malformed_examples) < 3:
            self.malformed_examples.append(reason)

    def malformed_note(self) -> str | None:
        if not self.malformed:
            return None
        examples = "; ".join(self.malformed_examples)
        return f"{self.malformed} malformed record(s) skipped ({examples})"

    def window_notice(self, window: Window) -> str | None:
        """Said when nothing was read inside the window but relevant records lay outside it."""
        return None if self.events_read else self.misses.notice(window)


@dataclass
class Parsed:
    """What one payload gave: selected events and malformed-record reasons (in order)."""

    events: list[Event] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)
    records: int = 0  # records looked at (for progress / benchmarks)
    # Of those, records never decoded: their bytes showed they cannot be a wanted event (no wanted
    # eventSource in the payload, no wanted eventName in the record).
    skipped: int = 0
    # Records known to be CloudTrail records (decoded without error, or skipped unread because
    # they are another service's): a payload with none, and with records, holds no CloudTrail.
    valid: int = 0
    # A Records/Events container (a trail file, lookup-events output): it is CloudTrail even empty.
    container: bool = False
    misses: WindowMisses = field(default_factory=WindowMisses)

    @property
    def readable(self) -> bool:
        """Whether the payload is a CloudTrail document: some CloudTrail record, or an empty
        trail file / lookup-events output. ``{"Records": [1, 2]}`` is not (both malformed)."""
        return self.valid > 0 or (self.container and self.records == 0)

    @property
    def empty(self) -> bool:
        """An empty trail file or lookup-events output (``{"Records": []}``)."""
        return self.container and self.records == 0


def select_payload(data: bytes, selector: Selector) -> Parsed:
    """Parse one decompressed payload in any supported format and select its events.
    Raises ``PayloadError`` when the payload as a whole is not readable JSON."""
    with _no_gc():
        return _select_payload(data, selector)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Decoding a trail file allocates hundreds of thousands of containers, which makes the cyclic
    GC run over and over for nothing (decoded JSON has no cycles): ~25 % of the files source's time.
    Only the caller that disabled it re-enables it, so concurrent S3 workers leave it enabled."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _select_payload(data: bytes, selector: Selector) -> Parsed:
    out = Parsed()
    body = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not body:
        raise NotCloudTrail("empty")
    if body[:1] not in (b"{", b"["):
        raise NotCloudTrail("not JSON")
    if not any(k in body for k in _CLOUDTRAIL_MARKS):
        # Every record and lookup item names its source, every trail file and lookup output has
        # its Records/Events list: this is some other JSON.
        if body.rstrip() == b"[]":
            raise NotCloudTrail("an empty JSON list")
        raise NotCloudTrail("no Records, Events or eventSource in it")
    if body.startswith(_TRAIL_HEAD):
        # A trail file as CloudTrail writes it: its own byte pre-filter (eventName per record).
        compact = _select_compact_trail(body, selector)
        if compact is not None:
            return compact
    if not selector.payload_may_match(body):
        sources = body.count(b'"eventSource"') + body.count(b'"EventSource"')
        if sources:
            # CloudTrail records, none from a wanted service: nothing in it can match.
            out.records = out.valid = out.skipped = sources
            return out
        # Names no event source at all ({"Records": "nope"}, {"Records": []}): small, so decode it
        # below to say exactly what it is (an empty trail file is fine, the rest is not).
    try:
        doc = _loads(body)
    except _DECODE_ERRORS as err:
        if b"\n" not in body.rstrip():
            raise PayloadError(f"invalid JSON: {_short(err)}") from None
        doc = _LINES
    if doc is _LINES:
        _select_lines(body, selector, out)
        if not out.readable:
            raise NotCloudTrail(f"no CloudTrail record in {out.records} JSON line(s)")
        return out
    out.container = _container(doc)
    _select_records(iter_records(doc, selector), selector, out)
    if not out.readable and not out.container:
        raise NotCloudTrail("no CloudTrail record in it")
    return out


_LINES = object()  # the payload is not one JSON document: read it as JSON lines


def _container(doc: object) -> bool:
    """Whether ``doc`` is a trail file or lookup-events output (a CloudTrail document even when
    empty). Raises for one whose list is not a list, and for an empty JSON list."""
    if isinstance(doc, Mapping) and "eventID" not in doc:
        for key in ("Records", "Events"):
            if key in doc:
                value = doc[key]
                if not isinstance(value, list):
                    raise PayloadError(f'"{key}" is {_json_type(value)}, not a list of records')
                return True
    if isinstance(doc, list) and not doc:
        raise NotCloudTrail("an empty JSON list")
    return False


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an object" if isinstance(value, Mapping) else "an array"


_CLOUDTRAIL_MARKS = (b"eventSource", b"EventSource", b'"Records"', b'"Events"', b"\\u")
# CloudTrail writes trail files as one compact line: {"Records":[{"eventVersion":…},{"eventVersion":…}]}
_TRAIL_HEAD = b'{"Records":[{"eventVersion":'
_RECORD_HEAD = b'{"eventVersion":'
_RECORD_SEP = b'},{"eventVersion":'


def _select_compact_trail(body: bytes, selector: Selector) -> Parsed | None:
    """Byte pre-filter for compact trail files (``{"Records":[{"eventVersion":…},…]}``, how
    CloudTrail writes them): only the records whose ``eventName`` is a wanted one are decoded;
    every other record is counted (the ``},{"eventVersion":`` separators) and skipped unread. Most
    records of a busy trail are read-only calls and other services' writes, so most of the file is
    never parsed: one regular-expression scan over the bytes finds the few candidates.

    Why it is safe:

    - A candidate is any ``"eventName"`` key (whitespace allowed around the colon) followed by a
      wanted name, and any record holding a ``\\u`` escape anywhere: the only way JSON can spell a
      letter of a name or key differently (``\\u0055pdateService``). Inside a JSON string
      every ``"`` is escaped, so the key cannot match inside a value; a nested ``eventName`` key
      only makes its record a candidate for nothing (the record is decoded and checked in full).
    - A candidate record spans from the separator before the match to the one after it. If a
      nested object starts with an ``eventVersion`` key, that span is unbalanced and fails to decode
      strictly: then None, and the caller decodes the whole document. A record that is not a
      candidate cannot be a wanted event whatever its span, since its own eventName is not wanted.
    """
    end = body.rstrip()
    if not end.endswith(b"}]}"):
        return None
    out = Parsed(container=True)
    first = len(_TRAIL_HEAD) - len(_RECORD_HEAD)  # where the first record starts
    last_stop = len(end) - 2  # where the last record ends (before "]}")
    total = end.count(_RECORD_SEP) + 1
    decoded = 0
    done_to = first  # candidates before this offset belong to a record already decoded
    for at in _candidates(end, first, selector):
        if at < done_to:
            continue
        sep = end.rfind(_RECORD_SEP, first, at)
        start = first if sep < 0 else sep + 2
        nxt = end.find(_RECORD_SEP, at)
        stop = last_stop if nxt < 0 else nxt + 1
        done_to = stop
        try:
            record = _strict_loads(end[start:stop])
        except _DECODE_ERRORS:
            return None
        if not isinstance(record, dict):
            return None
        decoded += 1
        _select_records((record,), selector, out)
    out.records = total
    out.skipped = total - decoded
    out.valid += out.skipped  # records (each starts with eventVersion) of no wanted event
    return out


_ESCAPE = re.compile(rb"\\u")


def _candidates(end: bytes, first: int, selector: Selector) -> Iterator[int]:
    """Offsets of wanted-eventName matches and, when the payload has ``\\u`` escapes, of those, in
    order (merged: records are decoded front to back)."""
    names = (m.start() for m in selector.name_pattern.finditer(end, first))
    if _ESCAPE.search(end, first) is None:
        return names
    import heapq

    return heapq.merge(names, (m.start() for m in _ESCAPE.finditer(end, first)))


def _select_lines(body: bytes, selector: Selector, out: Parsed) -> None:
    lines = body.split(b"\n")
    first = next((ln for ln in lines if ln.strip()), b"")
    try:
        _loads(first)
    except _DECODE_ERRORS as err:
        # Not JSON lines either: the file is broken JSON as a whole.
        raise PayloadError(f"invalid JSON: {_short(err)}") from None
    for number, raw_line in enumerate(lines, 1):
        line = raw_line.strip()
        if not line:
            continue
        if not selector.payload_may_match(line) and (b'"eventSource"' in line or b'"EventSource"' in line):
            out.records += 1  # a record of no wanted service: nothing in it can match
            out.valid += 1
            continue
        try:
            doc = _loads(line)
        except _DECODE_ERRORS as err:
            out.records += 1
            out.malformed.append(f"line {number}: invalid JSON: {_short(err)}")
            continue
        _select_records(iter_records(doc, selector), selector, out)


def _select_records(records: Iterable[object], selector: Selector, out: Parsed) -> None:
    for record in records:
        out.records += 1
        try:
            event = selector.select(record, out.misses)
        except MalformedRecord as err:
            out.malformed.append(str(err))
            continue
        out.valid += 1
        if event is not None:
            out.events.append(event)


def iter_records(doc: object, selector: Selector | None = None) -> Iterator[object]:
    """The CloudTrail records in one decoded document, whatever its shape. Lookup items whose
    EventSource/EventName are not wanted are skipped without decoding their CloudTrailEvent."""
    if isinstance(doc, Mapping):
        records = doc.get("Records")
        if isinstance(records, list) and "eventID" not in doc:
            yield from records
            return
        items = doc.get("Events")
        if isinstance(items, list) and "eventID" not in doc:
            for item in items:
                yield from _lookup_item(item, selector)
            return
        if "CloudTrailEvent" in doc:
            yield from _lookup_item(doc, selector)
            return
        yield doc
        return
    if isinstance(doc, list):
        for item in doc:
            if isinstance(item, Mapping) and "CloudTrailEvent" in item:
                yield from _lookup_item(item, selector)
            elif isinstance(item, Mapping) and isinstance(item.get("Records"), list):
                yield from item["Records"]
            else:
                yield item
        return
    yield doc


def _lookup_item(item: object, selector: Selector | None) -> Iterator[object]:
    """One LookupEvents result: the record is the JSON string in ``CloudTrailEvent``."""
    if not isinstance(item, Mapping):
        yield item
        return
    if selector is not None:
        source, name = item.get("EventSource"), item.get("EventName")
        if isinstance(source, str) and isinstance(name, str) and not selector.wants(source, name):
            yield SKIPPED
            return
        if is_read_only({"readOnly": item.get("ReadOnly")}):
            yield SKIPPED
            return
    text = item.get("CloudTrailEvent")
    if isinstance(text, Mapping):
        yield text
        return
    if not isinstance(text, str):
        yield _Broken("lookup event without a CloudTrailEvent string")
        return
    try:
        yield _loads(text)
    except _DECODE_ERRORS as err:
        yield _Broken(f"CloudTrailEvent is not JSON: {_short(err)}")


def _short(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return text if len(text) <= 120 else text[:119] + "…"


def describe_problems(problems: list[tuple[str, str]], total: int, what: str) -> str:
    """``2 of 140 files could not be read: a.json.gz (truncated gzip …); b.json (…)``."""
    shown = "; ".join(f"{name} ({reason})" for name, reason in problems[:3])
    more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
    return f"{len(problems)} of {total} {what} could not be read: {shown}{more}"
