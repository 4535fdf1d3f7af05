"""CloudTrail LookupEvents faults through the real CLI and the real boto3 client, against a local
endpoint (``rel_support.LookupEvents``, independent of the events helper's own test server):
throttling on every other call, 5xx bursts, an expired token mid-run, a NextToken that errors,
throttling that never ends, access denied, the 90-day limit. Either every event is read exactly once
and the source is complete, or the source is marked incomplete with the reason - never a silent
partial result."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import hostile_gen as gen
import pytest
from rel_support import GOOD_TF, TRACEBACK, CliRunner, Fault, LookupEvents, Run, aws_env, serve

N = 120  # > 2 pages of 50


def _records(n: int = N) -> list[dict[str, Any]]:
    base = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    out = []
    for i in range(n):
        t = (base - timedelta(minutes=7 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        out.append(gen.record(eventID=f"lk-{i:04d}", eventTime=t))
    # read-only noise the source must drop, interleaved in time
    for i in range(10):
        t = (base - timedelta(minutes=7 * i + 3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        out.append(
            gen.record(eventID=f"ro-{i:04d}", eventTime=t, eventName="DescribeRepositories", readOnly=True)
        )
    return out


@pytest.fixture(autouse=True)
def _fast_own_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorten the source's own sleeps between retries (botocore's are left alone). The test is
    about what is read and reported, not about how long the pauses are."""
    from tfdrift_ci.events import lookup

    monkeypatch.setattr(lookup, "BACKOFF", (0.05, 0.1, 0.2, 0.4, 0.8))


def _run(cli: CliRunner, tmp_path: Path, state: LookupEvents, *extra: str) -> tuple[Run, dict[str, Any]]:
    out = tmp_path / "report.json"
    with serve(state.handle) as server:
        run = cli(
            [
                "check",
                str(GOOD_TF),
                "--events",
                "aws",
                "--region",
                "eu-west-1",
                *gen.WINDOW,
                "--no-progress",
                "--format",
                "json",
                "--output",
                str(out),
                "--format",
                "text",
                *extra,
            ],
            env=aws_env(server.url),
            outputs=[out],
        )
    assert TRACEBACK not in run.err, run.err[-3000:]
    assert run.rc in (0, 1, 2), run.err
    return run, (run.report() if "report.json" in run.files else {})


def _aws_source(report: dict[str, Any]) -> dict[str, Any]:
    sources = [s for s in report["scanned"]["sources"] if s["name"].startswith("aws")]
    assert len(sources) == 1, report["scanned"]["sources"]
    return sources[0]


def _assert_all_read_once(run: Run, report: dict[str, Any], state: LookupEvents) -> None:
    src = _aws_source(report)
    assert src["complete"], src
    assert src["events_read"] == N, src
    drift = [f for f in report["findings"] if f["kind"] == "drift" and f.get("event")]
    ids = [f["event"]["id"] for f in drift]
    assert len(ids) == len(set(ids)), "an event was reported twice"
    assert set(state.served) >= {f"lk-{i:04d}" for i in range(N)}, "the endpoint never served some events"


def _assert_incomplete_with_reason(run: Run, report: dict[str, Any], *words: str) -> dict[str, Any]:
    src = _aws_source(report)
    assert src["complete"] is False, f"partial result presented as complete: {src}"
    reason = (src.get("error") or "").lower()
    assert any(w.lower() in reason for w in words), f"reason does not say why: {src.get('error')!r}"
    assert (
        "incomplete" in run.out.lower() or "not complete" in run.out.lower() or reason[:30] in run.out.lower()
    ), "the text report hides the incomplete source"
    return src


def test_no_faults(cli: CliRunner, tmp_path: Path) -> None:
    state = LookupEvents(_records())
    run, report = _run(cli, tmp_path, state)
    _assert_all_read_once(run, report, state)
    assert _aws_source(report)["api_calls"] == len(state.calls)


def test_throttling_on_every_other_call(cli: CliRunner, tmp_path: Path) -> None:
    def fault(n: int, body: dict[str, Any]) -> Fault | None:
        return (400, "ThrottlingException", "Rate exceeded") if n % 2 == 1 else None

    state = LookupEvents(_records(), fault=fault)
    run, report = _run(cli, tmp_path, state)
    _assert_all_read_once(run, report, state)
    assert _aws_source(report)["api_calls"] == len(state.calls), "api_calls must count retried calls too"


def test_5xx_burst(cli: CliRunner, tmp_path: Path) -> None:
    def fault(n: int, body: dict[str, Any]) -> Fault | None:
        return (500, "InternalFailure", "We encountered an internal error.") if 1 <= n <= 3 else None

    state = LookupEvents(_records(), fault=fault)
    run, report = _run(cli, tmp_path, state)
    _assert_all_read_once(run, report, state)


def test_503_without_a_json_body_burst(cli: CliRunner, tmp_path: Path) -> None:
    def fault(n: int, body: dict[str, Any]) -> Fault | None:
        return (503, "ServiceUnavailable", "Service Unavailable") if n in (0, 2) else None

    state = LookupEvents(_records(), fault=fault)
    run, report = _run(cli, tmp_path, state)
    _assert_all_read_once(run, report, state)


def test_expired_token_mid_run(cli: CliRunner, tmp_path: Path) -> None:
    def fault(n: int, body: dict[str, Any]) -> Fault | None:
        return (
            (400, "ExpiredTokenException", "The security token included in the request is expired")
            if n >= 2
            else None
        )

    state = LookupEvents(_records(), fault=fault)
    run, report = _run(cli, tmp_path, state)
    src = _assert_incomplete_with_reason(run, report, "expired")
    assert src["events_read"] < N


def test_expired_token_fails_with_fail_on_incomplete(cli: CliRunner, tmp_path: Path) -> None:
    def fault(n: int, body: dict[str, Any]) -> Fault | None:
        return (400, "ExpiredTokenException", "expired") if n >= 1 else None

    state = LookupEvents(_records(), fault=fault)
    run, report = _run(cli, tmp_path, state, "--fail-on", "critical", "--fail-on-incomplete")
    _assert_incomplete_with_reason(run, report, "expired")
    assert run.rc == 1 and report["exit_code"] == 1


def test_next_token_error_once_is_recovered(cli: CliRunner, tmp_path: Path) -> None:
    failed: list[int] = []

    def fault(n: int, body: dict[str, Any]) -> Fault | None:
        if body.get("NextToken") and not failed:
            failed.append(n)
            return (400, "InvalidNextTokenException", "Invalid NextToken")
        return None

    state = LookupEvents(_records(), fault=fault)
    run, report = _run(cli, tmp_path, state)
    assert failed, "the test never exercised a NextToken"
    _assert_all_read_once(run, report, state)


def test_next_token_always_errors(cli: CliRunner, tmp_path: Path) -> None:
    """Every NextToken is refused. Restarting below the oldest event read can still reach the
    whole window; when it cannot (too many restarts), the source must say so."""
    many = 260
    state = LookupEvents(
        _records(many),
        fault=lambda n, body: (
            (400, "InvalidNextTokenException", "Invalid NextToken") if body.get("NextToken") else None
        ),
    )
    run, report = _run(cli, tmp_path, state)
    src = _aws_source(report)
    if src["complete"]:
        assert src["events_read"] == many, f"silent partial result: {src}"
    else:
        _assert_incomplete_with_reason(run, report, "nexttoken", "token")
        assert src["events_read"] < many


@pytest.mark.slow
def test_throttled_forever_gives_up_and_says_so(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tfdrift_ci.events.session import AwsSession

    # botocore's own retries (5 attempts, up to 20 s each) would make this test take minutes;
    # one attempt per call leaves the source's own bounded backoff (shortened above) in charge.
    monkeypatch.setattr(AwsSession.__init__, "__defaults__", (1, "standard"))
    state = LookupEvents(_records(), fault=lambda n, body: (400, "ThrottlingException", "Rate exceeded"))
    run, report = _run(cli, tmp_path, state)
    _assert_incomplete_with_reason(run, report, "throttl")
    assert len(state.calls) < 200, f"retries not bounded: {len(state.calls)} calls"


def test_access_denied(cli: CliRunner, tmp_path: Path) -> None:
    state = LookupEvents(
        _records(),
        fault=lambda n, body: (
            400,
            "AccessDeniedException",
            "User: arn:aws:iam::111122223333:user/ci is not authorized to perform: cloudtrail:LookupEvents",
        ),
    )
    run, report = _run(cli, tmp_path, state)
    if run.rc == 2:  # refusing the whole run is acceptable when the only source is unusable
        assert "LookupEvents" in run.err
        return
    _assert_incomplete_with_reason(run, report, "lookupevents")


def test_window_older_than_90_days(cli: CliRunner, tmp_path: Path) -> None:
    state = LookupEvents(_records())
    out = tmp_path / "report.json"
    with serve(state.handle) as server:
        run = cli(
            [
                "check",
                str(GOOD_TF),
                "--events",
                "aws",
                "--region",
                "eu-west-1",
                "--since",
                "200d",
                "--no-progress",
                "--format",
                "json",
                "--output",
                str(out),
                "--format",
                "text",
            ],
            env=aws_env(server.url),
            outputs=[out],
        )
    assert TRACEBACK not in run.err
    _assert_incomplete_with_reason(run, run.report(), "90")


def test_explicit_aws_without_credentials_is_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    run = cli(["check", str(GOOD_TF), "--events", "aws", "--region", "eu-west-1", *gen.WINDOW])
    assert run.rc == 2
    assert TRACEBACK not in run.err
    assert "credentials" in run.err.lower()


def test_html_instead_of_cloudtrail(cli: CliRunner, tmp_path: Path) -> None:
    """A proxy or a wrong AWS_ENDPOINT_URL answering 200 with HTML: not an empty, complete window."""

    def handler(req: Any) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "text/html"}, b"<html>captive portal</html>"

    out = tmp_path / "report.json"
    with serve(handler) as server:
        run = cli(
            [
                "check",
                str(GOOD_TF),
                "--events",
                "aws",
                "--region",
                "eu-west-1",
                *gen.WINDOW,
                "--no-progress",
                "--format",
                "json",
                "--output",
                str(out),
            ],
            env=aws_env(server.url),
            outputs=[out],
        )
    assert TRACEBACK not in run.err, run.err[-2000:]
    assert run.rc in (1, 2), run.err
    if run.rc == 1:
        src = _aws_source(run.report())
        assert not src["complete"] and src.get("error"), (
            f"an endpoint that is not CloudTrail read as an empty window: {src}"
        )


def test_operations_called_are_in_the_iam_policy(cli: CliRunner, tmp_path: Path) -> None:
    """An independent check of docs/iam-policy.json: every operation the aws source sent to the
    endpoint is allowed by the documented policy."""
    from rel_support import policy_actions

    state = LookupEvents(_records(10))
    _run(cli, tmp_path, state)
    assert state.operations
    missing = {op for op in state.operations if op.lower() not in policy_actions()}
    assert not missing, f"called but not in docs/iam-policy.json: {missing}"


def test_hostile_cloudtrail_event_strings(cli: CliRunner, tmp_path: Path) -> None:
    """LookupEvents hands each record over as a JSON *string*: cut, deeply nested, not an object,
    or with wrong types. Counted as malformed; the good event next to them is still read."""
    base = gen.record(eventID="lk-good", eventTime="2026-11-20T09:00:00Z")
    bad_texts = [
        json.dumps(gen.record(eventID="lk-cut"))[:200],
        '{"eventID": "lk-deep", "eventTime": "2026-11-20T08:00:00Z", "x": ' + gen.deep_json() + "}",
        "[1, 2, 3]",
        "null",
        json.dumps(gen.record(eventID="lk-types", eventName={"a": 1}, eventSource=["x"])),
    ]
    records = [base]
    for i, text in enumerate(bad_texts):
        rec = gen.record(eventID=f"lk-bad-{i}", eventTime=f"2026-11-20T0{i}:30:00Z")
        rec["__raw__"] = text
        records.append(rec)
    state = LookupEvents(records)
    _, report = _run(cli, tmp_path, state)
    src = _aws_source(report)
    assert "lk-good" in {f["event"]["id"] for f in report["findings"] if f.get("event")}
    assert src["malformed"] >= 3 or not src["complete"], src
