"""Event sources that give nothing, through the real CLI: an explicitly named ``--events`` path with
no readable CloudTrail file, or an endpoint that cannot be reached, is exit 2 with one line saying
why (never an empty, "complete" window and a PASS); a window that misses every record says so; in
auto mode an unreachable LookupEvents is a named incomplete source."""

from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path
from typing import Any

import hostile_gen as gen
import pytest
from rel_support import GOOD_TF, TRACEBACK, CliRunner, Run, assert_clean_failure, aws_env


def _check(cli: CliRunner, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    out = tmp_path / "report.json"
    run = cli(
        [
            "check",
            str(GOOD_TF),
            *args,
            "--no-progress",
            "--format",
            "json",
            "--output",
            str(out),
            "--format",
            "text",
        ],
        env=env,
        outputs=[out],
    )
    assert TRACEBACK not in run.err, run.err[-3000:]
    assert_clean_failure(run)
    return run


def _error_line(run: Run) -> str:
    lines = [ln for ln in run.err.splitlines() if ln.strip()]
    assert lines, "exit 2 without a message"
    return lines[-1]


# --------------------------------------------------------------------------------------------------
# files


NOT_CLOUDTRAIL: list[tuple[str, bytes, str]] = [
    ("events.txt", b"aws: command not found\n", "not JSON"),
    ("events.json", b"", "empty"),
    ("records-nope.json", b'{"Records": "nope"}', '"Records" is a string, not a list'),
    ("events-null.json", b'{"Events": null}', '"Events" is null, not a list'),
    ("empty-list.json", b"[]", "an empty JSON list"),
    ("other.json", b'{"findings": [], "version": 3}', "no Records, Events or eventSource"),
    ("junk-records.json", b'{"Records": [1, 2, {"foo": "bar"}]}', "none a CloudTrail record"),
    # mtime=0: the bytes (and so the test id) must not change from one collection to the next
    ("bad.json.gz", gzip.compress(b'{"Records": [', mtime=0)[:-8], "truncated gzip"),
]


@pytest.mark.parametrize(("name", "content", "why"), NOT_CLOUDTRAIL, ids=[c[0] for c in NOT_CLOUDTRAIL])
def test_explicit_file_without_cloudtrail_is_exit_2(
    cli: CliRunner, tmp_path: Path, name: str, content: bytes, why: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    run = _check(cli, tmp_path, "--events", str(path), *gen.WINDOW)
    assert run.rc == 2, (run.rc, run.err[-2000:])
    line = _error_line(run)
    assert line.startswith(f"tfdrift-ci: error: --events {path}: "), line
    assert why in line, line
    assert "report.json" not in run.files, "a report was written for a run that stopped"


def test_empty_folder_is_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "events").mkdir()
    run = _check(cli, tmp_path, "--events", str(tmp_path / "events"), *gen.WINDOW)
    assert run.rc == 2
    assert "no files found" in _error_line(run)


def test_folder_of_nothing_readable_is_exit_2_and_names_the_files(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "README.md").write_text("# exports go here\n")
    (folder / "broken.json").write_text('{"Records": [{"eventSource": "ecr.amazonaws.com"')
    run = _check(cli, tmp_path, "--events", str(folder), *gen.WINDOW)
    assert run.rc == 2
    line = _error_line(run)
    assert "no readable CloudTrail file among its 2 file(s)" in line
    assert "README.md (not JSON)" in line and "broken.json (invalid JSON" in line


def test_folder_with_one_good_file_is_read_and_says_what_it_skipped(cli: CliRunner, tmp_path: Path) -> None:
    """The rest of a folder still decides: one readable file is enough; broken ones make the
    source incomplete (as before), other JSON is skipped and mentioned."""
    folder = tmp_path / "events"
    gen.write_records(folder / "good.json", [gen.good_record()])
    (folder / "README.md").write_text("# exports go here\n")
    (folder / "truncated.json.gz").write_bytes(gzip.compress(b'{"Records": []}')[:-8])
    run = _check(cli, tmp_path, "--events", str(folder), *gen.WINDOW)
    assert run.rc == 1
    src = run.report()["scanned"]["sources"][0]
    assert src["events_read"] == 1 and src["complete"] is False
    assert "truncated.json.gz" in src["error"] and "README.md" in src["error"]


@pytest.mark.parametrize("content", ['{"Records": []}', '{"Events": []}'])
def test_empty_but_valid_file_is_an_empty_history_with_a_notice(
    cli: CliRunner, tmp_path: Path, content: str
) -> None:
    """An empty trail file or ``lookup-events`` output is what a quiet window looks like: read,
    complete, and said."""
    path = tmp_path / "events.json"
    path.write_text(content)
    run = _check(cli, tmp_path, "--events", str(path), *gen.WINDOW)
    report = run.report()
    src = report["scanned"]["sources"][0]
    assert src["complete"] is True and src["events_read"] == 0
    assert any("hold no records at all" in n for n in report["scanned"]["notices"]), report["scanned"]
    assert "hold no records at all" in run.out


def test_records_of_other_services_only_is_a_readable_file(cli: CliRunner, tmp_path: Path) -> None:
    path = gen.write_records(
        tmp_path / "s3.json",
        [
            gen.record(eventSource="s3.amazonaws.com", eventName="PutObject", eventID=f"s3-{i}")
            for i in range(3)
        ],
    )
    run = _check(cli, tmp_path, "--events", str(path), *gen.WINDOW)
    src = run.report()["scanned"]["sources"][0]
    assert src["complete"] is True and src["events_read"] == 0 and src["malformed"] == 0


def test_non_cloudtrail_records_in_a_trail_file_are_malformed(cli: CliRunner, tmp_path: Path) -> None:
    path = gen.write_records(tmp_path / "mixed.json", [gen.good_record(), {"hello": "world"}, 42])
    run = _check(cli, tmp_path, "--events", str(path), *gen.WINDOW)
    src = run.report()["scanned"]["sources"][0]
    assert src["events_read"] == 1 and src["malformed"] == 2, src


# --------------------------------------------------------------------------------------------------
# the window


def test_every_record_outside_the_window_is_said(cli: CliRunner, tmp_path: Path) -> None:
    times = ["2026-10-02T08:00:00Z", "2026-10-05T12:30:00Z", "2026-10-09T17:45:00Z"]
    path = gen.write_records(
        tmp_path / "old.json",
        [gen.record(eventID=f"old-{i}", eventTime=t) for i, t in enumerate(times)],
    )
    window = ("--since", "2026-11-01T00:00:00Z", "--until", "2026-11-08T00:00:00Z")
    run = _check(cli, tmp_path, "--events", str(path), *window)
    expected = (
        "3 relevant record(s), all outside the window 2026-11-01T00:00:00Z – 2026-11-08T00:00:00Z; "
        "earliest 2026-10-02T08:00:00Z, latest 2026-10-09T17:45:00Z"
    )
    notices = run.report()["scanned"]["notices"]
    assert any(expected in n for n in notices), notices
    assert expected in run.out


def test_no_window_notice_when_something_matched(cli: CliRunner, tmp_path: Path) -> None:
    path = gen.write_records(
        tmp_path / "mixed.json",
        [gen.good_record(), gen.record(eventID="old-1", eventTime="2026-10-02T08:00:00Z")],
    )
    run = _check(cli, tmp_path, "--events", str(path), *gen.WINDOW)
    assert not any("outside the window" in n for n in run.report()["scanned"]["notices"])


# --------------------------------------------------------------------------------------------------
# an unreachable endpoint


def _closed_port() -> str:
    """A local URL nothing listens on (bound, then closed: connection refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def no_own_backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the LookupEvents source's own sleeps: an unreachable endpoint must not wait for them
    (botocore's bounded connection retries already ran)."""
    from tfdrift_ci.events import lookup

    slept: list[float] = []
    original = lookup.LookupSource.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs["sleep"] = slept.append
        original(self, *args, **kwargs)

    monkeypatch.setattr(lookup.LookupSource, "__init__", init)
    return slept


def test_explicit_aws_with_an_unreachable_endpoint_is_exit_2(
    cli: CliRunner, tmp_path: Path, no_own_backoff: list[float]
) -> None:
    url = _closed_port()
    run = _check(cli, tmp_path, "--events", "aws", "--region", "eu-west-1", *gen.WINDOW, env=aws_env(url))
    assert run.rc == 2, run.err[-2000:]
    line = _error_line(run)
    assert line.startswith("tfdrift-ci: error: --events aws: cannot reach CloudTrail in eu-west-1"), line
    assert url in line
    assert no_own_backoff == [], "slept after botocore's retries on an unreachable endpoint"


def test_auto_mode_with_an_unreachable_endpoint_is_a_named_incomplete_source(
    cli: CliRunner, tmp_path: Path, no_own_backoff: list[float]
) -> None:
    run = _check(cli, tmp_path, "--region", "eu-west-1", *gen.WINDOW, env=aws_env(_closed_port()))
    report = run.report()
    (src,) = report["scanned"]["sources"]
    assert src["name"] == "aws:lookup-events:eu-west-1"
    assert src["complete"] is False and "cannot reach CloudTrail" in src["error"]
    assert run.rc == 1  # the fixture's high config finding; the source is named, not fatal
    assert "incomplete" in run.out.lower()
    assert no_own_backoff == []
    for flags, rc in (((), 0), (("--fail-on-incomplete",), 1)):
        again = _check(
            cli,
            tmp_path,
            "--region",
            "eu-west-1",
            *gen.WINDOW,
            "--fail-on",
            "critical",
            *flags,
            env=aws_env(_closed_port()),
        )
        assert again.rc == rc, flags


def test_clients_bound_connection_time_and_retries() -> None:
    """The settings behind "fails in seconds": every AWS client connects within 5 s, reads within
    30 s and makes at most 3 attempts (botocore's defaults: 60 s, 60 s, and 5 attempts here)."""
    import boto3

    from tfdrift_ci.events.session import AwsSession

    session = AwsSession(
        boto3.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="eu-west-1")
    )
    for service in ("cloudtrail", "s3", "athena"):
        config = session.client(service).meta.config
        assert config.connect_timeout <= 5 and config.read_timeout <= 30
        assert config.retries["total_max_attempts"] <= 3


def test_explicit_s3_with_an_unreachable_endpoint_is_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    url = _closed_port()
    run = _check(cli, tmp_path, "--events", "s3://trail-bucket/AWSLogs/", *gen.WINDOW, env=aws_env(url))
    assert run.rc == 2
    assert "--events s3://trail-bucket/AWSLogs/: cannot reach S3" in _error_line(run)


def test_report_json_is_not_written_on_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps([]))
    run = _check(cli, tmp_path, "--events", str(path), *gen.WINDOW)
    assert run.rc == 2 and not run.files
