"""The byte-level trail-file fast path finds exactly the records a full decode would look at, or
declines (None) so the caller decodes the whole file. Equivalence, not speed (bench/ measures)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tfdrift_ci.events.names import RESOURCE_TYPES, events_for
from tfdrift_ci.events.prefilter import candidate_records

WANTED = events_for(set(RESOURCE_TYPES))
NAMES = {n for _, n in WANTED}
RECORDS = Path(__file__).parents[1] / "fixtures" / "cloudtrail" / "records.json"


def _fixture_records() -> list[dict[str, Any]]:
    return list(json.loads(RECORDS.read_text(encoding="utf-8"))["Records"])


def _compact(records: list[dict[str, Any]]) -> bytes:
    return json.dumps({"Records": records}, separators=(",", ":")).encode()


def _reference(body: bytes) -> tuple[int, list[Any]]:
    records = json.loads(body)["Records"]
    return len(records), [r for r in records if r.get("eventName") in NAMES]


def test_fixture_records_give_the_full_decode_result() -> None:
    records = _fixture_records()
    body = _compact(records)
    got = candidate_records(body, WANTED)
    assert got is not None
    assert got == _reference(body)
    assert got[1], "the fixture holds ECR/ECS writes"
    assert len(got[1]) < len(records), "the fixture holds records that are not wanted"


def test_no_wanted_record() -> None:
    records = [r for r in _fixture_records() if r["eventName"] not in NAMES]
    assert records
    assert candidate_records(_compact(records), WANTED) == (len(records), [])


def test_declines_other_layouts() -> None:
    records = _fixture_records()
    pretty = json.dumps({"Records": records}, indent=2).encode()
    assert candidate_records(pretty, WANTED) is None
    extra_key = _compact(records)[:-1] + b',"eventID":"x","more":[1]}'
    assert candidate_records(extra_key, WANTED) is None
    reordered = json.dumps(
        {"Records": [dict(reversed(list(r.items()))) for r in records]}, separators=(",", ":")
    )
    assert candidate_records(reordered.encode(), WANTED) is None
    assert candidate_records(b'{"Records":[]}', WANTED) is None


def test_declines_escaped_event_names_and_malformed_records() -> None:
    records = _fixture_records()
    name = next(r["eventName"] for r in records if r["eventName"] in NAMES)
    escaped = _compact(records).replace(
        f'"eventName":"{name}"'.encode(), b'"eventName":"\\u0055' + name[1:].encode() + b'"', 1
    )
    if name.startswith("U"):
        assert json.loads(escaped)["Records"]  # still valid JSON, the name spelled with an escape
    assert candidate_records(escaped, WANTED) is None
    no_source = [dict(r) for r in records]
    del no_source[0]["eventSource"]
    assert candidate_records(_compact(no_source), WANTED) is None


def test_nested_record_marker_is_never_misread() -> None:
    records = [dict(r) for r in _fixture_records()]
    target = next(i for i, r in enumerate(records) if r["eventName"] in NAMES)
    # a record whose request nests an object that starts like a record
    records[target]["requestParameters"] = {"x": {"eventVersion": "1", "y": [1, {"z": "]}"}]}}
    body = _compact(records)
    got = candidate_records(body, WANTED)
    assert got is None or got == _reference(body)


_record = st.fixed_dictionaries(
    {
        "eventVersion": st.just("1.09"),
        "eventTime": st.just("2026-11-20T09:00:00Z"),
        "eventSource": st.sampled_from(["ecs.amazonaws.com", "ecr.amazonaws.com", "s3.amazonaws.com"]),
        "eventName": st.sampled_from(
            ["UpdateService", "DescribeServices", "PutImageTagMutability", "GetObject"]
        ),
        "readOnly": st.booleans(),
        "requestParameters": st.one_of(
            st.none(),
            st.dictionaries(
                st.sampled_from(["cluster", "eventVersion", "eventName", "note"]),
                st.one_of(st.text(max_size=12), st.integers(), st.just('{"eventVersion":'), st.just("]}")),
                max_size=3,
            ),
        ),
        "eventID": st.uuids().map(str),
    }
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_record, min_size=1, max_size=12))
def test_random_files_match_or_decline(records: list[dict[str, Any]]) -> None:
    body = _compact(records)
    got = candidate_records(body, WANTED)
    assert got is None or got == _reference(body)
