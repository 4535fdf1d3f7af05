"""Records and their hidden state line: round trips, and damaged or hostile state never trusted."""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tfdrift_ci.sweep.records import (
    SEEN_LIMIT,
    STATE_PREFIX,
    VALUE_LIMIT,
    AttrState,
    Record,
    Value,
    decode_state,
    encode_state,
    marker,
    record_from_json,
    record_key,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def attr(**changes: object) -> AttrState:
    base = AttrState(
        attribute="image_tag_mutability",
        declared=Value.of("IMMUTABLE"),
        actual=Value.of("MUTABLE"),
        status="active",
        time=T0,
        event_id="e1",
        event_name="PutImageTagMutability",
        who="alice@example.com",
        via="console",
        rule_id="TFD-DRIFT-001",
        severity="high",
        title="ECR image tag mutability changed outside Terraform",
        file="infra/main.tf",
        line=10,
        message="alice changed it",
        remediation="revert or adopt",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def record(**changes: object) -> Record:
    base = Record(
        key=record_key("infra", "aws_ecr_repository.api"),
        root="infra",
        address="aws_ecr_repository.api",
        resource_type="aws_ecr_repository",
        status="open",
        attributes=(attr(),),
        seen=(("e1", T0),),
        swept=T0 + timedelta(days=1),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_key_is_stable_and_separates_root_and_address() -> None:
    assert record_key("infra", "aws_ecr_repository.api") == record_key("infra", "aws_ecr_repository.api")
    assert record_key("a", "b.c") != record_key("a/b", "c")
    assert len(record_key("x", "y")) == 20
    assert marker("abc") == "<!-- tfdrift-ci:sweep=abc -->"


def test_a_record_survives_the_state_line() -> None:
    r = record(alert_pending=("slack:X",))
    line = encode_state(r.as_json())
    assert line.startswith(STATE_PREFIX) and line.endswith(" -->") and "\n" not in line
    assert "--" not in line[len("<!--") : -len("-->")]
    back = record_from_json(decode_state(f"{marker(r.key)}\n{line}\n### body"))
    assert back == r


def test_large_values_are_kept_as_a_hash() -> None:
    big = [{"name": f"c{i}", "image": "x" * 100} for i in range(200)]
    v = Value.of(big)
    assert not v.kept and v.digest and v.preview and len(json.dumps(v.as_json())) < 400
    assert Value.of({"a": 1}).kept
    assert len(json.dumps(big)) > VALUE_LIMIT
    assert Value.from_json(v.as_json()) == v


@pytest.mark.parametrize(
    "text",
    [
        "no state at all",
        f"{STATE_PREFIX}2:{base64.b64encode(zlib.compress(b'{}')).decode()} -->",  # another format
        f"{STATE_PREFIX}1:not base64!! -->",
        f"{STATE_PREFIX}1:{base64.b64encode(b'not zlib').decode()} -->",
        f"{STATE_PREFIX}1:{base64.b64encode(zlib.compress(b'not json')).decode()} -->",
        f"{STATE_PREFIX}1:unterminated",
    ],
)
def test_damaged_state_lines_read_as_nothing(text: str) -> None:
    assert decode_state(text) is None


def test_a_compressed_bomb_is_refused() -> None:
    bomb = zlib.compress(b"[" + b"0," * (3 << 20) + b"0]", 9)
    assert decode_state(f"{STATE_PREFIX}1:{base64.b64encode(bomb).decode()} -->") is None


@pytest.mark.parametrize(
    "change",
    [
        {"format": 2},
        {"status": "deleted"},
        {"key": 3},
        {"seen": "e1"},
        {"seen": [["e1", "not a time"]]},
        {"attributes": [{"attribute": "x"}]},
        {"attributes": "x"},
        {"alert_pending": [1]},
    ],
)
def test_records_of_the_wrong_shape_are_refused(change: dict[str, object]) -> None:
    data = record().as_json()
    data.update(change)
    assert record_from_json(data) is None


def test_a_bad_severity_or_line_is_refused() -> None:
    data = record().as_json()
    data["attributes"][0]["severity"] = "apocalyptic"
    assert record_from_json(data) is None
    data = record().as_json()
    data["attributes"][0]["line"] = True
    assert record_from_json(data) is None


def test_seen_events_are_trimmed_behind_a_floor() -> None:
    r = record(seen=())
    events = [(f"e{i}", T0 + timedelta(minutes=i)) for i in range(SEEN_LIMIT + 10)]
    r = r.with_seen(events)
    assert len(r.seen) == SEEN_LIMIT
    assert r.floor == T0 + timedelta(minutes=9)
    assert r.has_seen("e0", T0)  # trimmed, but at or before the floor
    assert r.has_seen(f"e{SEEN_LIMIT + 9}", T0 + timedelta(days=1))
    assert not r.has_seen("new", T0 + timedelta(days=1))
    # adding again what is known changes nothing
    assert r.with_seen(events[-3:]) == r


def test_worst_severity_and_the_oldest_active_change() -> None:
    later = attr(attribute="x", severity="medium", time=T0 + timedelta(hours=2))
    gone = attr(attribute="y", severity="critical", status="set_back", time=T0 - timedelta(days=3))
    r = record(attributes=(attr(), later, gone))
    assert r.worst() == "high"
    assert r.oldest_active == T0
    assert record(attributes=(gone,)).oldest_active is None
