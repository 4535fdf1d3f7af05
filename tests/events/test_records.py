"""Payload parsing and the size caps (records.py), including property tests over hostile input."""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfdrift_ci.events.base import Query
from tfdrift_ci.events.records import NotCloudTrail, PayloadError, Selector, read_capped, select_payload
from tfdrift_ci.events.sql import UnsafeLiteral, literal
from tfdrift_ci.models import Window
from tfdrift_ci.rules.drift import WRITE_EVENTS

CT = Path(__file__).parents[1] / "fixtures" / "cloudtrail"
QUERY = Query(
    Window(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
    WRITE_EVENTS.all,
)
SELECTOR = Selector(QUERY)


def test_gzip_is_detected_by_magic_not_name() -> None:
    raw = (CT / "records.json").read_bytes()
    assert read_capped(io.BytesIO(gzip.compress(raw)), compressed_size=None) == raw
    assert read_capped(io.BytesIO(raw), compressed_size=None) == raw


def test_multi_member_gzip_is_read_whole() -> None:
    a, b = b'{"Records": [', b"]}"
    assert read_capped(io.BytesIO(gzip.compress(a) + gzip.compress(b)), compressed_size=None) == a + b


def test_plain_payload_over_the_cap() -> None:
    with pytest.raises(PayloadError, match="cap"):
        read_capped(io.BytesIO(b"x" * 101), compressed_size=None, limit=100)


def test_corrupt_gzip() -> None:
    data = bytearray(gzip.compress(b'{"Records": []}' * 100))
    data[20:30] = b"\x00" * 10
    with pytest.raises(PayloadError, match="gzip"):
        read_capped(io.BytesIO(bytes(data)), compressed_size=len(data))


def test_not_json_and_broken_json() -> None:
    with pytest.raises(PayloadError, match="not CloudTrail JSON"):
        select_payload(b"# readme ecs.amazonaws.com", SELECTOR)
    with pytest.raises(PayloadError, match="invalid JSON"):
        select_payload(b'{"Records": [{"eventSource": "ecs.amazonaws.com"', SELECTOR)
    with pytest.raises(NotCloudTrail, match=r"\(empty\)"):
        select_payload(b" \n", SELECTOR)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"hello", "not JSON"),
        (b"[]", "an empty JSON list"),
        (b'{"hello": "world"}', "no Records, Events or eventSource in it"),
        (b'[{"eventSource": "ecs.amazonaws.com"}]', "no CloudTrail record in it"),
        (b'{"eventSource": "ecs.amazonaws.com"}\n{"x": 1}\n', "no CloudTrail record in 2 JSON line(s)"),
    ],
)
def test_payloads_that_are_not_cloudtrail_say_why(payload: bytes, reason: str) -> None:
    with pytest.raises(NotCloudTrail) as err:
        select_payload(payload, SELECTOR)
    assert err.value.reason == reason


@pytest.mark.parametrize("key", ["Records", "Events"])
@pytest.mark.parametrize("value", ['"nope"', "null", "{}", "3"])
def test_a_records_list_that_is_not_a_list_is_a_broken_file(key: str, value: str) -> None:
    with pytest.raises(PayloadError, match=f'"{key}" is .*, not a list of records'):
        select_payload(f'{{"{key}": {value}}}'.encode(), SELECTOR)


@pytest.mark.parametrize("payload", [b'{"Records": []}', b'{"Events": []}', b'{"Records":[]}\n'])
def test_empty_trail_file_and_lookup_output_are_readable_and_empty(payload: bytes) -> None:
    parsed = select_payload(payload, SELECTOR)
    assert parsed.readable and parsed.empty and parsed.events == []


def test_records_that_are_not_cloudtrail_are_malformed_even_without_a_wanted_source() -> None:
    """No wanted eventSource in the file used to mean "skip it unread": records that are not
    CloudTrail at all were then silently dropped instead of counted."""
    parsed = select_payload(b'{"Records": [1, {"foo": "bar"}, "x"]}', SELECTOR)
    assert len(parsed.malformed) == 3 and not parsed.readable and not parsed.empty


def test_other_services_records_are_skipped_unread_but_count_as_cloudtrail() -> None:
    rec = {"eventVersion": "1.09", "eventSource": "s3.amazonaws.com", "eventName": "PutObject"}
    for doc in ({"Records": [rec, rec]}, [rec, rec]):
        parsed = select_payload(json.dumps(doc, separators=(",", ":")).encode(), SELECTOR)
        assert parsed.readable and parsed.records == 2 and parsed.malformed == []


def test_wanted_records_outside_the_window_are_counted() -> None:
    recs = json.loads((CT / "records.json").read_text())["Records"]
    narrow = Selector(
        replace(QUERY, window=Window(datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 8, tzinfo=UTC)))
    )
    parsed = select_payload(json.dumps({"Records": recs}).encode(), narrow)
    wanted = [
        r
        for r in recs
        if (r["eventSource"], r["eventName"]) in QUERY.event_names
        and not r["readOnly"]
        and r.get("eventType") != "AwsServiceEvent"
    ]
    assert parsed.events == [] and parsed.misses.count == len(wanted) > 30
    times = sorted(datetime.fromisoformat(r["eventTime"]) for r in wanted)
    assert (parsed.misses.earliest, parsed.misses.latest) == (times[0], times[-1])


def test_lookup_item_list_and_records_list() -> None:
    recs = json.loads((CT / "records.json").read_text())["Records"]
    items = json.loads((CT / "lookup-events-v2.json").read_text())["Events"]
    as_list = select_payload(json.dumps(items).encode(), SELECTOR)
    nested = select_payload(json.dumps([{"Records": recs}]).encode(), SELECTOR)
    assert {e.id for e in as_list.events} == {e.id for e in nested.events}
    assert len(as_list.events) > 30


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
_record_keys = st.sampled_from(
    ["eventID", "eventName", "eventSource", "eventTime", "readOnly", "userIdentity", "requestParameters"]
)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_events_or_a_payload_error(data: bytes) -> None:
    try:
        select_payload(b'{"eventSource": "ecs.amazonaws.com", ' + data, SELECTOR)
        select_payload(data, SELECTOR)
    except PayloadError:
        pass


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.dictionaries(_record_keys, _json | st.sampled_from(["ecs.amazonaws.com", "UpdateService"])),
        max_size=5,
    )
)
def test_any_records_document_gives_events_or_malformed_counts(records: list[dict[str, Any]]) -> None:
    for doc in (
        {"Records": records},
        records,
        {"Events": [{"CloudTrailEvent": json.dumps(r)} for r in records]},
    ):
        try:
            parsed = select_payload(json.dumps(doc).encode(), SELECTOR)
        except NotCloudTrail:
            # a bare list of objects that are no CloudTrail record is not CloudTrail
            assert isinstance(doc, list)
            continue
        assert len(parsed.events) + len(parsed.malformed) <= max(len(records), 1)


# --------------------------------------------------------------------------------------------------
# the byte pre-filter of compact trail files: the same events as decoding every record


def _fixture_records() -> list[dict[str, Any]]:
    return list(json.loads((CT / "records.json").read_text())["Records"])


def _events(payload: bytes) -> list[tuple[str, str, Any]]:
    parsed = select_payload(payload, SELECTOR)
    return [(e.id, e.name, e.request) for e in parsed.events]


def _both_ways(records: list[Any]) -> tuple[bytes, bytes]:
    """The compact form CloudTrail writes (pre-filtered) and an indented one (decoded whole)."""
    compact = json.dumps({"Records": records}, separators=(",", ":")).encode()
    assert compact.startswith(b'{"Records":[{"eventVersion":')
    return compact, json.dumps({"Records": records}, indent=1).encode()


def test_prefilter_gives_the_events_of_a_full_decode_and_counts_what_it_skipped() -> None:
    records = _fixture_records()
    compact, indented = _both_ways(records)
    assert _events(compact) == _events(indented) != []
    fast, full = select_payload(compact, SELECTOR), select_payload(indented, SELECTOR)
    assert fast.records == full.records == len(records)
    assert fast.valid == full.valid and fast.malformed == full.malformed
    wanted = {(s, n) for s, n in QUERY.event_names}
    # skipped: exactly the records whose eventName is no wanted one (never decoded)
    assert fast.skipped == sum(1 for r in records if r["eventName"] not in {n for _, n in wanted})
    assert full.skipped == 0


_MUTATIONS = ("nested_event_version", "nested_event_name", "escaped_user_agent", "escaped_name", "spaced")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=10_000), st.sampled_from((None, *_MUTATIONS))),
        min_size=1,
        max_size=25,
    )
)
def test_prefilter_matches_a_full_decode_on_odd_records(picks: list[tuple[int, str | None]]) -> None:
    """Records chosen from the fixtures, some made odd in the ways that could fool a byte scanner:
    a nested object starting with eventVersion (a fake record separator), a nested eventName, a
    \\u escape elsewhere in the record or inside its eventName, spaces after the colon."""
    base = _fixture_records()
    records: list[Any] = []
    for i, (pick, mutation) in enumerate(picks):
        r = dict(base[pick % len(base)], eventID=f"id-{i}")
        if mutation == "nested_event_version":
            r["requestParameters"] = {"x": [{"a": 1}, {"eventVersion": "1.08", "eventName": "UpdateService"}]}
        elif mutation == "nested_event_name":
            r["requestParameters"] = dict(r.get("requestParameters") or {}, eventName="CreateService")
        elif mutation == "escaped_user_agent":
            r["userAgent"] = "caf\u00e9"
        elif mutation == "escaped_name":
            r["eventName"] = "ESCAPED:" + r["eventName"]
        elif mutation == "spaced":
            r["eventName"] = "SPACED:" + r["eventName"]
        records.append(r)
    compact, indented = _both_ways(records)
    for r in records:
        name = r["eventName"]
        if name.startswith("ESCAPED:"):
            plain = name.split(":", 1)[1]
            escaped = f"\\u{ord(plain[0]):04x}{plain[1:]}"
            compact = compact.replace(f'"{name}"'.encode(), f'"{escaped}"'.encode(), 1)
            indented = indented.replace(f'"{name}"'.encode(), f'"{escaped}"'.encode(), 1)
        elif name.startswith("SPACED:"):
            plain = name.split(":", 1)[1]
            spaced = f'"eventName" :  "{plain}"'.encode()
            compact = compact.replace(f'"eventName":"{name}"'.encode(), spaced, 1)
            indented = indented.replace(f'"{name}"'.encode(), f'"{plain}"'.encode(), 1)
    assert _events(compact) == _events(indented)
    assert select_payload(compact, SELECTOR).records == len(records)


def test_gzip_members_zero_padding_and_a_bad_trailer() -> None:
    raw = (CT / "records.json").read_bytes()
    padded = gzip.compress(raw, mtime=0) + b"\x00" * 1000
    assert read_capped(io.BytesIO(padded), compressed_size=None) == raw
    bad_crc = bytearray(gzip.compress(raw, mtime=0))
    bad_crc[-8] ^= 0xFF
    with pytest.raises(PayloadError, match="corrupt gzip"):
        read_capped(io.BytesIO(bytes(bad_crc)), compressed_size=None)
    with pytest.raises(PayloadError, match="truncated gzip"):
        read_capped(io.BytesIO(gzip.compress(raw, mtime=0)[:-3]), compressed_size=None)
    garbage = gzip.compress(raw, mtime=0) + b"PK\x03\x04 not gzip"
    with pytest.raises(PayloadError, match="corrupt gzip"):
        read_capped(io.BytesIO(garbage), compressed_size=None)


def test_decompression_stops_at_the_cap_without_holding_the_whole_bomb() -> None:
    bomb = gzip.compress(b"\0" * (64 << 20), mtime=0)
    with pytest.raises(PayloadError, match="gzip bomb"):
        read_capped(io.BytesIO(bomb), compressed_size=len(bomb), limit=1 << 30)
    with pytest.raises(PayloadError, match="cap"):
        read_capped(io.BytesIO(bomb), compressed_size=None, limit=3 << 20)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_sql_literals_are_safe_or_refused(value: str) -> None:
    try:
        quoted = literal(value)
    except UnsafeLiteral:
        return
    inner = quoted[1:-1]
    assert quoted[0] == quoted[-1] == "'"
    # nothing inside can end the literal or escape its closing quote
    assert inner == value
    assert not any(c in inner for c in "'\"\\;") and not any(c.isspace() for c in inner)
