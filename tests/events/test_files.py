from __future__ import annotations

import gzip
import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tfdrift_ci.errors import SourceError
from tfdrift_ci.events.base import Query
from tfdrift_ci.events.budget import Budget
from tfdrift_ci.events.files import FileSource
from tfdrift_ci.events.records import MAX_DECOMPRESSED_BYTES
from tfdrift_ci.models import Window
from tfdrift_ci.rules.drift import WRITE_EVENTS

CT = Path(__file__).parents[1] / "fixtures" / "cloudtrail"
ALL = WRITE_EVENTS.all
WINDOW = Window(datetime(2026, 11, 14, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
QUERY = Query(window=WINDOW, event_names=ALL)


def fixture_records() -> list[dict[str, Any]]:
    return list(json.loads((CT / "records.json").read_text())["Records"])


def expected_ids(query: Query = QUERY) -> set[str]:
    out = set()
    for r in fixture_records():
        if (r["eventSource"], r["eventName"]) in query.event_names and not r["readOnly"]:
            t = datetime.fromisoformat(r["eventTime"])
            if query.window.contains(t) and r.get("eventType") != "AwsServiceEvent":
                out.add(r["eventID"])
    return out


def read(path: Path | str, query: Query = QUERY) -> tuple[list[Any], Any]:
    source = FileSource(str(path))
    events = list(source.events(query))
    return events, source.status()


@pytest.mark.parametrize(
    "name",
    [
        "records.json",
        "records.json.gz",
        "lookup-events-v1.json",
        "lookup-events-v2.json",
        "records.jsonl.txt",
        "array.json",
    ],
)
def test_every_format_gives_the_same_events(name: str) -> None:
    events, status = read(CT / name)
    assert {e.id for e in events} == expected_ids()
    assert len(expected_ids()) > 30
    assert status.complete and status.error is None
    assert status.events_read == len(events)
    assert status.name == f"file:{CT / name}"


def test_single_event_file() -> None:
    events, status = read(CT / "single-event.json")
    assert [e.name for e in events] == ["PutImageScanningConfiguration"]
    assert status.complete


def test_awslogs_tree_skips_digest_and_insight_and_reads_org_trail() -> None:
    events, status = read(CT / "awslogs")
    ids = {e.id for e in events}
    assert "insight-should-be-skipped" not in ids
    assert expected_ids() <= ids
    org = {e.id for e in events if e.account == "210987654321"}
    updates = sum(1 for r in fixture_records() if r["eventName"] == "UpdateService")
    assert len(org) == updates and all(i.startswith("org-") for i in org)
    assert status.complete, status.error


def test_only_queried_names_and_the_window() -> None:
    ecs_service = WRITE_EVENTS.for_types({"aws_ecs_service"})
    window = Window(datetime(2026, 11, 21, 13, 0, tzinfo=UTC), datetime(2026, 11, 21, 14, 0, tzinfo=UTC))
    query = Query(window=window, event_names=ecs_service)
    events, status = read(CT / "records.json", query)
    # since <= t < until: 13:00:00 is in, 14:00:00 is out
    assert sorted((e.time.strftime("%H:%M"), e.name) for e in events) == [
        ("13:00", "UpdateService"),
        ("13:20", "UpdateService"),
        ("13:40", "UpdateService"),
    ]
    assert status.events_read == 3


def test_duplicates_are_read_once(tmp_path: Path) -> None:
    shutil.copy(CT / "records.json", tmp_path / "a.json")
    shutil.copy(CT / "records.json.gz", tmp_path / "b.json.gz")
    events, status = read(tmp_path)
    assert len(events) == len(expected_ids()) == status.events_read


def test_broken_files_are_reported_and_the_rest_read(tmp_path: Path) -> None:
    shutil.copy(CT / "records.json", tmp_path / "good.json")
    data = (CT / "records.json.gz").read_bytes()
    (tmp_path / "truncated.json.gz").write_bytes(data[: len(data) // 2])
    (tmp_path / "broken.json").write_text('{"Records": [{"eventID": "x", "eventSource": "ecs.amazonaws.com"')
    (tmp_path / "README.md").write_text("# exports from the audit account\n")
    events, status = read(tmp_path)
    assert {e.id for e in events} == expected_ids()
    assert not status.complete
    assert status.error is not None
    assert "2 of 4 files could not be read" in status.error
    assert "truncated.json.gz (truncated gzip" in status.error
    assert "broken.json (invalid JSON" in status.error
    assert "1 file(s) skipped: not CloudTrail JSON (README.md)" in status.error


def test_malformed_records_are_counted_not_fatal(tmp_path: Path) -> None:
    recs = fixture_records()
    good = [r for r in recs if r["eventName"] == "UpdateService"]
    bad_time = dict(good[0], eventID="bad-time", eventTime="not a time")
    no_id = {k: v for k, v in good[1].items() if k != "eventID"}
    lines = [json.dumps(r) for r in good] + [
        json.dumps(bad_time),
        json.dumps(no_id),
        '{"eventSource": "ecs.amazonaws.com", broken',
        '"ecs.amazonaws.com"',
    ]
    (tmp_path / "events.log").write_text("\n".join(lines) + "\n")
    events, status = read(tmp_path / "events.log")
    assert len(events) == len(good)
    assert status.malformed == 4
    assert status.complete
    assert status.error is not None and "4 malformed record(s) skipped" in status.error


def test_gzip_bomb_is_capped_and_reported(tmp_path: Path) -> None:
    import zlib

    # ~64 MiB of zeros compresses to ~64 KiB: far above the 100:1 ratio guard.
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = comp.compress(b'{"Records": [' + b" " * (64 << 20)) + comp.flush()
    (tmp_path / "bomb.json.gz").write_bytes(body)
    shutil.copy(CT / "records.json", tmp_path / "good.json")
    events, status = read(tmp_path)
    assert len(events) == len(expected_ids())
    assert not status.complete
    assert status.error is not None and "bomb.json.gz (decompresses more than 100:1" in status.error


def test_absolute_cap(tmp_path: Path) -> None:
    (tmp_path / "big.json").write_text(json.dumps({"Records": fixture_records()}))
    source = FileSource(str(tmp_path / "big.json"), max_bytes=1000)
    assert list(source.events(QUERY)) == []
    status = source.status()
    assert not status.complete and status.error is not None and "cap" in status.error
    assert MAX_DECOMPRESSED_BYTES >= 1 << 30


def test_escaped_event_source_is_still_found(tmp_path: Path) -> None:
    r = next(x for x in fixture_records() if x["eventName"] == "UpdateService")
    text = json.dumps({"Records": [r]}).replace('"ecs.amazonaws.com"', '"\\u0065cs.amazonaws.com"')
    (tmp_path / "escaped.json").write_text(text)
    events, _ = read(tmp_path / "escaped.json")
    assert [e.id for e in events] == [r["eventID"]]


def test_unrelated_files_are_skipped_without_parsing(tmp_path: Path) -> None:
    s3_only = [dict(r, eventSource="s3.amazonaws.com") for r in fixture_records()]
    (tmp_path / "s3.json.gz").write_bytes(gzip.compress(json.dumps({"Records": s3_only}).encode()))
    events, status = read(tmp_path)
    assert events == [] and status.complete and status.events_read == 0


def test_missing_path_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        FileSource(str(tmp_path / "nope"))


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d")
    shutil.copy(CT / "single-event.json", tmp_path / "d" / "e.json")
    events, status = read(tmp_path)
    assert len(events) == 1 and status.complete


def test_progress_is_reported_per_file() -> None:
    calls: list[tuple[str, int, int | None]] = []
    source = FileSource(str(CT / "awslogs"))
    list(source.events(QUERY, lambda name, done, total: calls.append((name, done, total))))
    assert calls[0][1:] == (0, 3)
    assert calls[-1][1:] == (3, 3)


def test_json_that_only_the_strict_parser_rejects_is_still_read(tmp_path: Path) -> None:
    """A lone surrogate escape (any caller can put odd bytes in its user agent) must not make the
    whole file unreadable."""
    r = next(x for x in fixture_records() if x["eventName"] == "UpdateService")
    text = json.dumps({"Records": [dict(r, userAgent="UA")]}).replace('"UA"', '"bad \\ud800 agent"')
    (tmp_path / "odd.json").write_text(text)
    events, status = read(tmp_path / "odd.json")
    assert [e.id for e in events] == [r["eventID"]] and status.complete


def test_deeply_nested_json_is_a_broken_file_not_a_crash(tmp_path: Path) -> None:
    depth = 10_000
    (tmp_path / "deep.json").write_text(
        '{"eventSource": "ecs.amazonaws.com", "x": ' + "[" * depth + "]" * depth + "}"
    )
    shutil.copy(CT / "single-event.json", tmp_path / "good.json")
    events, status = read(tmp_path)
    assert len(events) == 1
    assert not status.complete and status.error is not None and "deep.json (invalid JSON" in status.error


def _compact(records: list[dict[str, Any]]) -> bytes:
    return json.dumps({"Records": records}, separators=(",", ":")).encode()


def test_compact_trail_fast_path_survives_a_nested_event_version_key(tmp_path: Path) -> None:
    recs = [r for r in fixture_records() if r["eventName"] in ("UpdateService", "DescribeServices")]
    # A nested object whose first key is eventVersion makes the structural split go wrong inside
    # this record: the pieces fail to decode and the whole file is decoded instead.
    odd = dict(
        recs[0],
        eventID="nested",
        requestParameters={"cluster": "prod", "service": "api", "x": [{"a": 1}, {"eventVersion": "1"}]},
    )
    data = _compact([*recs, odd])
    assert data.startswith(b'{"Records":[{"eventVersion":') and b'},{"eventVersion":"1"}' in data
    (tmp_path / "trail.json.gz").write_bytes(gzip.compress(data))
    events, status = read(tmp_path / "trail.json.gz")
    assert "nested" in {e.id for e in events}
    assert len(events) == sum(1 for r in recs if not r["readOnly"]) + 1 and status.complete


def test_compact_trail_fast_path_finds_escaped_and_late_names(tmp_path: Path) -> None:
    update = next(r for r in fixture_records() if r["eventName"] == "UpdateService")
    # a hostile nested "eventName" before the record's own, and a name spelled with an escape
    late = {
        "eventVersion": "1.09",
        "requestParameters": {"eventName": "Nothing"},
        **{k: v for k, v in update.items() if k != "eventVersion"},
    }
    late["eventID"] = "late"
    escaped = dict(update, eventID="escaped", eventName="UNIQUE-NAME")
    data = _compact([late, escaped]).replace(b'"UNIQUE-NAME"', b'"\\u0055pdateService"')
    (tmp_path / "t.json").write_bytes(data)
    events, status = read(tmp_path / "t.json")
    assert sorted(e.id for e in events) == ["escaped", "late"] and status.complete


def test_compact_head_with_spaced_records_is_read(tmp_path: Path) -> None:
    """``{"Records":[`` + json.dumps(record) (spaces after colons): the fast path must still see the
    records' names."""
    recs = [r for r in fixture_records() if r["eventName"] == "UpdateService"]
    (tmp_path / "mixed.json").write_text('{"Records":[' + ",".join(json.dumps(r) for r in recs) + "]}")
    events, status = read(tmp_path / "mixed.json")
    assert len(events) == len(recs) and status.complete


def test_json_without_any_record_is_reported_not_silently_empty(tmp_path: Path) -> None:
    (tmp_path / "other.json").write_text('{"hello": "world", "items": [1, 2, 3]}')
    events, status = read(tmp_path / "other.json")
    assert events == [] and not status.complete
    assert status.error is not None and "not CloudTrail JSON" in status.error


def test_fifos_devices_and_dangling_links_are_skipped_and_reported(tmp_path: Path) -> None:
    import os

    shutil.copy(CT / "records.json", tmp_path / "good.json")
    os.mkfifo(tmp_path / "pipe.json")  # opening it would block forever
    (tmp_path / "zero.json").symlink_to("/dev/zero")  # reading it would never end
    (tmp_path / "gone.json").symlink_to(tmp_path / "missing.json")
    events, status = read(tmp_path)
    assert {e.id for e in events} == expected_ids()
    assert status.error is not None
    assert "3 entry(ies) skipped: not a regular file (gone.json, pipe.json, zero.json)" in status.error


# --------------------------------------------------------------------------------------------------
# budgets


def _five_files(tmp_path: Path) -> list[dict[str, Any]]:
    recs = [r for r in fixture_records() if r["eventName"] == "UpdateService"][:5]
    for i, r in enumerate(recs):
        (tmp_path / f"{i:02d}.json").write_text(
            json.dumps({"Records": [r, dict(r, eventID=f"{r['eventID']}-b")]})
        )
    return recs


def test_record_budget_stops_between_files_and_says_what_was_not_read(tmp_path: Path) -> None:
    recs = _five_files(tmp_path)
    query = replace(QUERY, budget=Budget(max_records=3))
    events, status = read(tmp_path, query)
    # 2 records per file: the second file crosses the budget and is read to its end
    assert {e.id for e in events} == {
        recs[0]["eventID"],
        f"{recs[0]['eventID']}-b",
        recs[1]["eventID"],
        f"{recs[1]['eventID']}-b",
    }
    assert not status.complete
    assert status.error is not None
    assert status.error.startswith(
        "stopped: record budget of 3 records reached (--events-max-records) after 2 of 5 files (4 records in "
    )
    assert "not read: 02.json, 03.json, 04.json" in status.error


def test_time_budget_with_an_injected_clock(tmp_path: Path) -> None:
    _five_files(tmp_path)
    now = [0.0]

    def tick(name: str, done: int, total: int | None) -> None:
        now[0] = 10.0 * done  # each file "takes" 10 s

    source = FileSource(str(tmp_path))
    query = replace(QUERY, budget=Budget(timeout=25, clock=lambda: now[0]))
    events = list(source.events(query, tick))
    status = source.status()
    assert len(events) == 6 and not status.complete
    assert status.error is not None
    assert status.error.startswith(
        "stopped: time budget of 25s reached (--events-timeout) after 3 of 5 files"
    )
    assert source.unusable() is None  # cut short is incomplete, not "nothing readable"


def test_within_budget_is_complete(tmp_path: Path) -> None:
    _five_files(tmp_path)
    events, status = read(tmp_path, replace(QUERY, budget=Budget(max_records=10)))
    assert len(events) == 10 and status.complete and status.error is None
