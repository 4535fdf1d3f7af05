"""Worker processes for the file and S3 sources (events/workers.py): the same events, in the same
order, with the same status, whatever the number of jobs; budgets stop at the same file."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tfdrift_ci.events import workers
from tfdrift_ci.events.base import Query
from tfdrift_ci.events.budget import Budget
from tfdrift_ci.events.files import FileSource
from tfdrift_ci.models import Window
from tfdrift_ci.rules.drift import WRITE_EVENTS

CT = Path(__file__).parents[1] / "fixtures" / "cloudtrail"
WINDOW = Window(datetime(2026, 11, 14, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
QUERY = Query(window=WINDOW, event_names=WRITE_EVENTS.all)


def fixture_records() -> list[dict[str, Any]]:
    return list(json.loads((CT / "records.json").read_text())["Records"])


def trail_folder(root: Path, files: int = 12) -> Path:
    """``files`` compact trail files of the fixture records (fresh eventIDs per file, and one
    duplicated record across files: the first file read must win in every mode)."""
    recs = fixture_records()
    for n in range(files):
        batch = [dict(r, eventID=f"{r['eventID']}-{n}") for r in recs]
        batch.append(dict(recs[0], eventID="shared", awsRegion=f"region-{n}"))
        body = json.dumps({"Records": batch}, separators=(",", ":")).encode()
        folder = root / f"2026/11/{20 + n % 3:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"trail-{n:03d}.json.gz").write_bytes(gzip.compress(body, mtime=0))
    (root / "notes.txt").write_text("not CloudTrail")
    (root / "broken.json.gz").write_bytes(gzip.compress(b'{"Records":[{"eventVersion":"1.08"', mtime=0)[:-8])
    return root


def read(path: Path, jobs: int, query: Query = QUERY) -> tuple[list[Any], Any, FileSource]:
    source = FileSource(str(path), jobs=jobs)
    events = list(source.events(query))
    return events, source.status(), source


@pytest.fixture
def pool_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small test folders are read in-process by default: make them worth a pool, and cut them into
    batches of 5 files (a budget can then stop inside a batch)."""
    monkeypatch.setattr(workers, "MIN_POOL_BYTES", 0)
    monkeypatch.setattr(workers, "BATCH_FILES", 5)


@pytest.mark.usefixtures("pool_always")
def test_one_and_two_jobs_give_the_same_events_in_the_same_order(tmp_path: Path) -> None:
    folder = trail_folder(tmp_path)
    one, status_one, src_one = read(folder, 1)
    two, status_two, src_two = read(folder, 2)
    assert not src_one.pooled and src_two.pooled
    assert one and one == two
    assert [e.id for e in one] == [e.id for e in two]
    assert status_one == status_two
    assert status_one.records == 12 * (len(fixture_records()) + 1)
    assert 0 < (status_one.records_skipped or 0) < status_one.records
    # the duplicated record: the first file's copy, in every mode
    assert [e.region for e in one if e.id == "shared"] == ["region-0"]
    assert status_one.error is not None and "broken.json.gz (truncated gzip" in status_one.error
    assert src_one.notices() == src_two.notices()


@pytest.mark.usefixtures("pool_always")
@pytest.mark.parametrize("max_records", [1, 60, 200])
def test_record_budget_stops_at_the_same_file_with_any_number_of_jobs(
    tmp_path: Path, max_records: int
) -> None:
    folder = trail_folder(tmp_path)
    query = replace(QUERY, budget=Budget(max_records=max_records))
    one, status_one, _ = read(folder, 1, query)
    two, status_two, src_two = read(folder, 2, query)
    assert src_two.pooled
    assert not status_two.complete and status_two.error is not None
    assert status_two.error.startswith("stopped: record budget of")
    assert [e.id for e in one] == [e.id for e in two]
    # the same files read and not read (the elapsed time in the note differs)
    assert status_one.error is not None
    assert status_one.error.split(" records in ")[0] == status_two.error.split(" records in ")[0]
    assert status_one.error.split("not read: ")[1] == status_two.error.split("not read: ")[1]
    assert status_one.records == status_two.records


def test_small_inputs_and_one_job_stay_in_this_process(tmp_path: Path) -> None:
    folder = trail_folder(tmp_path, files=3)
    _, _, src = read(folder, 4)
    assert not src.pooled  # a few KB: not worth starting processes
    assert workers.worth_a_pool(2, 10, None)  # unknown sizes: worth it
    assert not workers.worth_a_pool(1, 10, None)
    assert not workers.worth_a_pool(8, 1, 1 << 40)


def test_jobs_default_to_the_usable_cores() -> None:
    assert workers.resolve_jobs(None) == workers.default_jobs() >= 1
    assert workers.resolve_jobs(0) == workers.default_jobs()
    assert workers.resolve_jobs(3) == 3


@pytest.mark.usefixtures("pool_always")
def test_cli_jobs_flag_reaches_the_file_source_and_the_report_is_the_same(tmp_path: Path) -> None:
    from tfdrift_ci.cli import main

    repo = Path(__file__).parents[2]
    example = json.loads(next((repo / "examples" / "cloudtrail").glob("*.json")).read_text())["Records"]
    filler = [dict(r, eventID=f"{r['eventID']}-{n}", eventName="DescribeServices", readOnly=True)
              for n, r in enumerate(fixture_records() * 3)]
    folder = tmp_path / "trail"
    folder.mkdir()
    for n, record in enumerate(example):  # one example event per compact trail file, among fillers
        body = json.dumps({"Records": [*filler, record]}, separators=(",", ":")).encode()
        (folder / f"trail-{n:03d}.json.gz").write_bytes(gzip.compress(body, mtime=0))
    reports = []
    for jobs in ("1", "2"):
        out = tmp_path / f"report-{jobs}.json"
        argv = ["check", str(repo / "examples" / "infra"), "--events", str(folder)]
        argv += ["--since", "2026-11-01T00:00:00Z", "--until", "2026-11-23T00:00:00Z"]
        argv += ["--format", "json", "--output", str(out), "--fail-on", "never", "--jobs", jobs]
        assert main(argv) == 0
        reports.append(json.loads(out.read_text()))
    (one,), (two,) = (r["scanned"]["sources"] for r in reports)
    assert one == two
    assert one["records"] == len(example) * (len(filler) + 1)
    assert one["records_skipped"] >= len(example) * len(filler)
    assert reports[0]["findings"] == reports[1]["findings"]
    assert sum(f["kind"] == "drift" for f in reports[0]["findings"]) >= 3  # the example's drift, found


def test_a_dead_worker_is_a_problem_for_its_input_not_a_crash() -> None:
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    future: Future[workers.Outcome] = Future()
    future.set_exception(BrokenProcessPool("a child process terminated abruptly"))
    outcome = workers.outcome_of(future)
    assert outcome.parsed is None and outcome.problem == "worker process failed (BrokenProcessPool)"


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_cli_jobs_refuses_what_is_not_a_whole_number(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    from tfdrift_ci.cli import main

    with pytest.raises(SystemExit) as exit_:  # argparse's usage error: exit 2, one line
        main(["check", ".", "--offline", "--jobs", value])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith("tfdrift-ci: error: argument --jobs: ")
