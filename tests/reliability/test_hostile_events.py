"""Hostile CloudTrail input through the real CLI (``--events PATH``): malformed records are counted
and reported, never fatal; the good drift event next to them is still found; duplicates count once;
big and pathological files are capped and reported, within a memory limit and a hang guard."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import hostile_gen as gen
import pytest
from rel_support import GOOD_TF, HOSTILE, CliRunner, Run, assert_clean_failure, findings, run_cli

EVENTS = HOSTILE / "events"
DRIFTED = "aws_ecr_repository.drifted_bad"


def _check(cli: CliRunner, events: Path, tmp_path: Path, *extra: str) -> Run:
    out = tmp_path / "report.json"
    return cli(
        [
            "check",
            str(GOOD_TF),
            "--events",
            str(events),
            *gen.WINDOW,
            "--format",
            "json",
            "--output",
            str(out),
            "--format",
            "text",
            "--no-progress",
            *extra,
        ],
        outputs=[out],
    )


def _check_sub(events: Path, tmp_path: Path, *extra: str, timeout: float = 300) -> Run:
    out = tmp_path / "report.json"
    home = tmp_path / "home-sub"
    home.mkdir(exist_ok=True)
    return run_cli(
        [
            "check",
            str(GOOD_TF),
            "--events",
            str(events),
            *gen.WINDOW,
            "--format",
            "json",
            "--output",
            str(out),
            "--format",
            "text",
            "--no-progress",
            *extra,
        ],
        home=home,
        timeout=timeout,
        outputs=[out],
    )


def drift_ids(report: dict[str, Any]) -> list[str]:
    return [f["event"]["id"] for f in findings(report, kind="drift", address=DRIFTED) if f.get("event")]


def source_totals(report: dict[str, Any]) -> tuple[int, int, bool, str]:
    sources = report["scanned"]["sources"]
    read = sum(s["events_read"] for s in sources)
    malformed = sum(int(s.get("malformed") or 0) for s in sources)
    complete = all(s["complete"] for s in sources)
    errors = " ".join(str(s.get("error") or "") for s in sources)
    return read, malformed, complete, errors


def assert_good_drift_found(run: Run) -> dict[str, Any]:
    assert_clean_failure(run)
    assert run.rc == 1, run.err
    report = run.report()
    assert gen.GOOD_EVENT_ID in drift_ids(report), (
        f"good drift lost next to bad records: {[(f['kind'], f.get('address')) for f in report['findings']]}"
    )
    assert report["exit_code"] == run.rc
    return report


def test_good_event_alone_is_drift(cli: CliRunner, tmp_path: Path) -> None:
    """The baseline every other test in this module relies on."""
    report = assert_good_drift_found(_check(cli, EVENTS / "good.json", tmp_path))
    read, malformed, complete, _ = source_totals(report)
    assert (read, malformed, complete) == (1, 0, True)


@pytest.mark.parametrize(
    "name", ["wrong_types.json", "missing_user_identity.json", "lookup_truncated.json", "mixed.jsonl"]
)
def test_malformed_records_are_counted_not_fatal(cli: CliRunner, tmp_path: Path, name: str) -> None:
    report = assert_good_drift_found(_check(cli, EVENTS / name, tmp_path))
    _, malformed, _, errors = source_totals(report)
    if name != "missing_user_identity.json":  # a record without userIdentity may be read (actor unknown)
        assert malformed > 0 or errors, "malformed records were dropped without being reported"


def test_missing_user_identity_never_credits_anyone(cli: CliRunner, tmp_path: Path) -> None:
    """Records without a usable userIdentity are either malformed or attributed to an unknown actor,
    never to Terraform (which would hide drift)."""
    report = assert_good_drift_found(_check(cli, EVENTS / "missing_user_identity.json", tmp_path))
    for f in report["findings"]:
        if f.get("event") and str(f["event"]["id"]).startswith("noid-") and f.get("actor"):
            assert f["actor"]["via"] != "terraform"


def test_duplicate_event_ids_count_once(cli: CliRunner, tmp_path: Path) -> None:
    report = assert_good_drift_found(_check(cli, EVENTS / "duplicate_ids.json", tmp_path))
    assert drift_ids(report).count(gen.GOOD_EVENT_ID) == 1, drift_ids(report)


def test_duplicates_across_files_count_once(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "trail"
    for i in range(3):
        gen.write_records(folder / f"copy{i}.json", [gen.good_record()])
    report = assert_good_drift_found(_check(cli, folder, tmp_path))
    assert drift_ids(report).count(gen.GOOD_EVENT_ID) == 1
    read, _, _, _ = source_totals(report)
    assert read == 1


@pytest.mark.parametrize(
    "name", ["records_not_a_list.json", "not_cloudtrail.json", "empty.json", "truncated_file.json"]
)
def test_bad_file_among_good_files(cli: CliRunner, tmp_path: Path, name: str) -> None:
    folder = tmp_path / "trail"
    folder.mkdir()
    shutil.copy(EVENTS / "good.json", folder / "good.json")
    shutil.copy(EVENTS / name, folder / name)
    report = assert_good_drift_found(_check(cli, folder, tmp_path))
    _, malformed, complete, errors = source_totals(report)
    if name != "empty.json":
        assert malformed > 0 or not complete or name in errors, "unreadable file not reported"


@pytest.mark.parametrize("name", ["records_not_a_list.json", "not_cloudtrail.json", "truncated_file.json"])
def test_bad_file_alone_is_not_a_clean_pass(cli: CliRunner, tmp_path: Path, name: str) -> None:
    run = _check(cli, EVENTS / name, tmp_path)
    assert_clean_failure(run)
    if run.rc == 2:
        assert name in run.err
        return
    _, malformed, complete, errors = source_totals(run.report())
    assert malformed > 0 or not complete or errors, "a file that could not be read looked like a clean pass"


def test_whole_corpus_in_one_folder(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "trail"
    shutil.copytree(EVENTS, folder)
    report = assert_good_drift_found(_check(cli, folder, tmp_path))
    assert drift_ids(report).count(gen.GOOD_EVENT_ID) == 1
    _, malformed, _, _ = source_totals(report)
    assert malformed > 0


def test_truncated_request_parameters(cli: CliRunner, tmp_path: Path) -> None:
    """CloudTrail cuts requestParameters at 100 KB: the cut record is read as truncated or counted
    malformed; it never crashes the run or hides the good event."""
    path = gen.write_records(tmp_path / "trunc.json", [gen.truncated_request_record(), gen.good_record()])
    report = assert_good_drift_found(_check(cli, path, tmp_path))
    assert report["scanned"]["sources"]


def test_truncated_gzip_file(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "trail"
    folder.mkdir()
    others = [gen.record(eventID=f"gz-{i:04d}") for i in range(200)]
    gen.write_truncated_gzip(folder / "cut.json.gz", others)
    gen.write_records(folder / "good.json", [gen.good_record()])
    report = assert_good_drift_found(_check(cli, folder, tmp_path))
    _, malformed, complete, errors = source_totals(report)
    assert not complete or malformed > 0 or "cut.json.gz" in errors, "truncated gzip not reported"


def test_symlink_loop_in_events_folder(tmp_path: Path) -> None:
    folder = tmp_path / "trail"
    folder.mkdir()
    gen.write_records(folder / "good.json", [gen.good_record()])
    os.symlink(".", folder / "self")
    os.symlink("..", folder / "up")
    os.symlink("missing.json", folder / "dangling.json")
    run = _check_sub(folder, tmp_path, timeout=120)
    report = assert_good_drift_found(run)
    assert drift_ids(report).count(gen.GOOD_EVENT_ID) == 1


def test_deeply_nested_events(tmp_path: Path) -> None:
    """One document: the good record shares the file with a 10,000-level record. Either the good
    event is still read, or the file is reported unreadable (source incomplete, with the reason)."""
    path = gen.write_deep_events(tmp_path / "deep.json")
    run = _check_sub(path, tmp_path, timeout=120)
    assert_clean_failure(run)
    if run.rc == 2:
        assert "deep.json" in run.err
        return
    report = run.report()
    if gen.GOOD_EVENT_ID not in drift_ids(report):
        _, _, complete, errors = source_totals(report)
        assert not complete and "deep.json" in errors, "good event lost without the file being reported"


def test_deeply_nested_events_next_to_good_file(tmp_path: Path) -> None:
    folder = tmp_path / "trail"
    folder.mkdir()
    gen.write_deep_events(folder / "deep.json", with_good=False)
    gen.write_records(folder / "good.json", [gen.good_record()])
    report = assert_good_drift_found(_check_sub(folder, tmp_path, timeout=120))
    _, malformed, complete, errors = source_totals(report)
    assert malformed > 0 or not complete or "deep.json" in errors


@pytest.mark.slow
def test_gzip_bomb_is_capped_and_reported(tmp_path: Path) -> None:
    folder = tmp_path / "trail"
    folder.mkdir()
    gen.write_gzip_bomb(folder / "bomb.json.gz")
    gen.write_records(folder / "other.json", [gen.good_record()])
    run = _check_sub(folder, tmp_path, timeout=600)
    report = assert_good_drift_found(run)
    _, malformed, complete, errors = source_totals(report)
    assert not complete or "bomb" in errors or malformed > 0, "gzip bomb not reported"
    assert "bomb.json.gz" in (errors + json.dumps(report.get("notices", [])) + run.out)


@pytest.mark.slow
def test_50mb_single_line_trail_file(tmp_path: Path) -> None:
    """Real trail files are one line; a big one must be read whole (streamed or not)."""
    records = [
        gen.record(
            eventID=f"big-{i:06d}",
            requestParameters={
                "repositoryName": "elsewhere",
                "imageTagMutability": "MUTABLE",
                "pad": "p" * 200,
            },
        )
        for i in range(50_000)
    ]
    records.append(gen.good_record())
    path = gen.write_records(tmp_path / "big.json", records)
    assert path.stat().st_size > 50 * 1024 * 1024
    report = assert_good_drift_found(_check_sub(path, tmp_path, timeout=600))
    read, malformed, complete, _ = source_totals(report)
    assert (read, malformed, complete) == (50_001, 0, True)


@pytest.mark.slow
def test_5000_event_files(tmp_path: Path) -> None:
    folder = tmp_path / "trail"
    gen.make_many_event_files(folder, 5000)
    run = _check_sub(folder, tmp_path, timeout=600)
    assert_clean_failure(run)
    assert run.rc == 1
    read, malformed, complete, _ = source_totals(run.report())
    assert (read, malformed, complete) == (5000, 0, True)


def test_events_path_missing(cli: CliRunner, tmp_path: Path) -> None:
    run = _check(cli, tmp_path / "nope", tmp_path)
    assert_clean_failure(run)
    assert run.rc == 2
    assert "nope" in run.err


def test_events_file_invalid_utf8_name(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "trail"
    folder.mkdir()
    gen.write_records(folder / "good.json", [gen.good_record()])
    weird = os.fsencode(str(folder)) + b"/\xff\xfe-name.json"
    with open(weird, "wb") as fh:
        fh.write(b'{"Records": [')
    assert_good_drift_found(_check(cli, folder, tmp_path))


def test_special_files_in_events_folder(tmp_path: Path) -> None:
    """A FIFO or a link to /dev/zero or /dev/stdin in an events folder must not hang or exhaust
    memory; the trail file next to them is read."""
    folder = tmp_path / "trail"
    folder.mkdir()
    gen.write_records(folder / "good.json", [gen.good_record()])
    os.mkfifo(folder / "fifo.json")
    os.symlink("/dev/zero", folder / "zero.json")
    os.symlink("/dev/stdin", folder / "stdin.json.gz")
    os.symlink("/dev/urandom", folder / "random.jsonl")
    report = assert_good_drift_found(_check_sub(folder, tmp_path, timeout=120))
    assert drift_ids(report).count(gen.GOOD_EVENT_ID) == 1
