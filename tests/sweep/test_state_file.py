"""``--state FILE``: the same sweep without GitHub (a local cron, another CI)."""

from __future__ import annotations

import json
from pathlib import Path

from sweep_support import SweepRunner, immutable, mutable, scan, write_events


def test_open_update_close_reopen_without_github(workspace: Path, sweep: SweepRunner) -> None:
    events = workspace / "events"
    state = workspace / "state" / "sweep.json"
    e1 = mutable("e1", "2026-11-02T09:00:00Z")
    e2 = scan("e2", "2026-11-04T10:00:00Z", on=False)
    e3 = immutable("e3", "2026-11-06T12:00:00Z")
    e4 = scan("e4", "2026-11-06T12:00:05Z", on=True, who="terraform")
    e5 = mutable("e5", "2026-11-09T08:30:00Z", who="carol")

    write_events(events, [e1])
    r1 = sweep("2026-11-03T00:00:00Z", "--state", str(state))
    assert r1.code == 1, r1.err
    assert "tfdrift-ci: sweep: new drift: aws_ecr_repository.drift_lifecycle (infra)\n" in r1.err
    data = json.loads(state.read_text(encoding="utf-8"))
    assert data["last_until"] == "2026-11-03T00:00:00Z"
    [record] = data["records"]
    assert (record["root"], record["address"], record["status"]) == (
        "infra",
        "aws_ecr_repository.drift_lifecycle",
        "open",
    )

    write_events(events, [e1, e2])
    r2 = sweep("2026-11-05T00:00:00Z", "--state", str(state))
    assert "more drift: aws_ecr_repository.drift_lifecycle (infra)" in r2.err
    # Without open issues to reach back for, the window starts at the last sweep (less an hour)...
    # but the open drift's oldest change (e1) is older, so the window reaches back to it.
    assert r2.report["scanned"]["window"]["since"] == "2026-11-02T09:00:00Z"

    write_events(events, [e1, e2, e3, e4])
    r3 = sweep("2026-11-08T00:00:00Z", "--state", str(state))
    assert "drift gone: aws_ecr_repository.drift_lifecycle (infra)" in r3.err
    [record] = json.loads(state.read_text(encoding="utf-8"))["records"]
    assert record["status"] == "closed"
    assert {a["status"] for a in record["attributes"]} == {"set_back"}

    write_events(events, [e1, e2, e3, e4, e5])
    r4 = sweep("2026-11-10T00:00:00Z", "--state", str(state))
    assert "drift returned: aws_ecr_repository.drift_lifecycle (infra)" in r4.err
    assert r4.report["scanned"]["window"]["since"] == "2026-11-07T23:00:00Z"

    before = state.read_text(encoding="utf-8")
    r5 = sweep("2026-11-10T00:00:00Z", "--state", str(state))
    assert "sweep:" not in r5.err
    assert state.read_text(encoding="utf-8") == before


def test_a_damaged_state_file_is_a_usage_error(workspace: Path, sweep: SweepRunner) -> None:
    state = workspace / "sweep.json"
    state.write_text('{"format": 1, "records": [{"key": 3}]}', encoding="utf-8")
    r = sweep("2026-11-03T00:00:00Z", "--state", str(state))
    assert r.code == 2
    assert r.err.strip() == f"tfdrift-ci: error: --state {state}: record 0 is damaged"
    state.write_text("not json", encoding="utf-8")
    r = sweep("2026-11-03T00:00:00Z", "--state", str(state))
    assert r.code == 2 and "cannot read it" in r.err and "Traceback" not in r.err


def test_the_code_adopting_the_new_value_closes_the_drift(workspace: Path, sweep: SweepRunner) -> None:
    state = workspace / "sweep.json"
    write_events(workspace / "events", [mutable("e1", "2026-11-02T09:00:00Z")])
    sweep("2026-11-03T00:00:00Z", "--state", str(state))
    main_tf = workspace / "infra" / "main.tf"
    text = main_tf.read_text(encoding="utf-8")
    main_tf.write_text(text.replace('"IMMUTABLE"', '"MUTABLE"', 1), encoding="utf-8")
    r = sweep("2026-11-04T00:00:00Z", "--state", str(state))
    assert "drift gone: aws_ecr_repository.drift_lifecycle (infra)" in r.err
    [record] = json.loads(state.read_text(encoding="utf-8"))["records"]
    [attr] = record["attributes"]
    assert attr["status"] == "adopted"
    assert attr["note"] == 'the code now declares image_tag_mutability = "MUTABLE" (infra/main.tf)'


def test_a_resource_removed_from_the_code_closes_its_drift(workspace: Path, sweep: SweepRunner) -> None:
    state = workspace / "sweep.json"
    write_events(workspace / "events", [mutable("e1", "2026-11-02T09:00:00Z", repo="shop-worker")])
    sweep("2026-11-03T00:00:00Z", "--state", str(state))
    main_tf = workspace / "infra" / "main.tf"
    text = main_tf.read_text(encoding="utf-8")
    start = text.index('resource "aws_ecr_repository" "drift_second"')
    end = text.index('resource "aws_ecr_repository" "drift_third"')
    main_tf.write_text(text[:start] + text[end:], encoding="utf-8")
    r = sweep("2026-11-04T00:00:00Z", "--state", str(state))
    assert "drift gone: aws_ecr_repository.drift_second (infra)" in r.err
    [record] = json.loads(state.read_text(encoding="utf-8"))["records"]
    assert (
        record["attributes"][0]["note"]
        == "aws_ecr_repository.drift_second is no longer declared in the code (infra)"
    )


def test_a_file_that_does_not_parse_never_counts_as_removed(workspace: Path, sweep: SweepRunner) -> None:
    state = workspace / "sweep.json"
    write_events(workspace / "events", [mutable("e1", "2026-11-02T09:00:00Z", repo="shop-worker")])
    sweep("2026-11-03T00:00:00Z", "--state", str(state))
    (workspace / "infra" / "main.tf").write_text(
        'resource "aws_ecr_repository" "drift_second" {\n', encoding="utf-8"
    )
    r = sweep("2026-11-04T00:00:00Z", "--state", str(state))
    assert "sweep:" not in r.err
    [record] = json.loads(state.read_text(encoding="utf-8"))["records"]
    assert record["status"] == "open"


def test_dry_run_changes_nothing(workspace: Path, sweep: SweepRunner) -> None:
    state = workspace / "sweep.json"
    write_events(workspace / "events", [mutable("e1", "2026-11-02T09:00:00Z")])
    r = sweep("2026-11-03T00:00:00Z", "--state", str(state), "--dry-run")
    assert "sweep: dry run, would do: new drift: aws_ecr_repository.drift_lifecycle (infra)" in r.err
    assert not state.exists()
