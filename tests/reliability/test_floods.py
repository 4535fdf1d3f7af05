"""Floods: anyone with an AWS identity can fill a window with failed calls (CloudTrail logs them
too). 1,500 denied ``UpdateService`` calls on one service are 31 LookupEvents pages; within a page
budget smaller than that, the drift on *another* declared resource must still be found, and the
source must say what it could not read. Against the local LookupEvents endpoint
(tests/support/lookup_server.py) with the real boto3 client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import hostile_gen as gen
import pytest
from rel_support import CliRunner, Run, assert_clean_failure
from support.lookup_server import LookupServer

from tfdrift_ci import inventory
from tfdrift_ci.events import FetchResult, fetch
from tfdrift_ci.events.budget import Budget
from tfdrift_ci.models import Window
from tfdrift_ci.rules.drift import WRITE_EVENTS

ROOT = Path(__file__).parents[1] / "fixtures" / "floods"
NOW = datetime(2026, 11, 23, tzinfo=UTC)
WEEK = Window(NOW - timedelta(days=7), NOW)
ATTACKER = {
    "type": "IAMUser",
    "principalId": "AIDAFLOODFLOODFLOOD01",
    "arn": f"arn:aws:iam::{gen.ACCOUNT}:user/intern",
    "accountId": gen.ACCOUNT,
    "userName": "intern",
}


def _t(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def ecs(event_id: str, t: datetime, service: str, **kw: Any) -> dict[str, Any]:
    return gen.record(
        eventID=event_id,
        eventTime=_t(t),
        eventSource="ecs.amazonaws.com",
        eventName="UpdateService",
        requestParameters={"cluster": "prod", "service": service, "desiredCount": 5},
        responseElements=None,
        resources=...,  # ECS records carry no resources[] (so ResourceName cannot find them)
        **kw,
    )


def ecr(event_id: str, t: datetime, repo: str, **kw: Any) -> dict[str, Any]:
    return gen.record(
        eventID=event_id,
        eventTime=_t(t),
        requestParameters={"repositoryName": repo, "imageTagMutability": "MUTABLE"},
        responseElements=None,
        resources=[
            {"accountId": gen.ACCOUNT, "ARN": f"arn:aws:ecr:{gen.REGION}:{gen.ACCOUNT}:repository/{repo}"}
        ],
        **kw,
    )


def flood(make: Any, name: str, start: datetime, n: int = 1500, minutes: int = 15) -> list[dict[str, Any]]:
    """``n`` denied calls on ``name`` within ``minutes`` after ``start``, by one IAM user."""
    step = minutes * 60 / n
    return [
        make(
            f"flood-{i:05d}",
            start + timedelta(seconds=i * step),
            name,
            errorCode="AccessDenied",
            errorMessage="User: intern is not authorized",
            userIdentity=ATTACKER,
            userAgent="aws-cli/2.15.0",
            sessionCredentialFromConsole=...,
        )
        for i in range(n)
    ]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> Iterator[LookupServer]:
    """An unthrottled endpoint, and no pacing on our side: these tests count pages, not seconds
    (pacing to 2 calls/s is tests/events/test_lookup.py's business)."""
    from tfdrift_ci.events import lookup

    monkeypatch.setattr(lookup.TokenBucket, "acquire", lambda self: None)
    with LookupServer(rate=None) as srv:
        for key, value in srv.env().items():
            monkeypatch.setenv(key, value)
        yield srv


def unread_ranges(error: str) -> list[tuple[str, datetime, datetime]]:
    """The ``not read: KEY=VALUE START – END; …`` ranges a source stopped by its budget lists."""
    return [
        (m[1], datetime.fromisoformat(m[2]), datetime.fromisoformat(m[3]))
        for m in re.finditer(r"(\w+=\S+) (\S+Z) – (\S+Z)", error)
    ]


def run(budget: Budget) -> FetchResult:
    inv = inventory.load(str(ROOT))
    got = fetch(
        ["aws"],
        inv,
        WEEK,
        write_events=WRITE_EVENTS,
        regions=(gen.REGION,),
        auto=False,
        profile=None,
        role_arn=None,
        progress=False,
        debug=False,
        env={},
        budget=budget,
    )
    assert got is not None
    return got


def test_a_flood_on_one_service_does_not_hide_the_drift_on_another(server: LookupServer) -> None:
    drift = ecs("drift-worker", NOW - timedelta(days=3), "worker", userAgent="console.amazonaws.com")
    burst = NOW - timedelta(days=1)
    server.add([drift, *flood(ecs, "api", burst)])
    got = run(Budget(max_pages=20))
    assert "drift-worker" in {e.id for e in got.events}
    (status,) = got.statuses
    assert not status.complete and status.error is not None
    assert status.api_calls is not None and status.api_calls <= 20
    assert "page budget of 20 pages reached" in status.error
    # what was not read, by query and time: inside the flood, never the drift's day
    ranges = unread_ranges(status.error)
    assert ranges and all(a >= burst - timedelta(minutes=5) for _, a, _ in ranges), status.error
    assert "failed calls: a flood?" in status.error


def test_a_drift_inside_the_flood_is_found_by_resource_name(server: LookupServer) -> None:
    """The drift happened in the middle of the flood: only a ResourceName lookup reaches it within
    the budget (ECR records name the repository in resources[]; the ARN's account is learned from
    the events read)."""
    burst = NOW - timedelta(days=1)
    drift = ecr("drift-base", burst + timedelta(minutes=7), "base", userAgent="console.amazonaws.com")
    server.add([drift, *flood(ecr, "app", burst)])
    got = run(Budget(max_pages=20))
    assert "drift-base" in {e.id for e in got.events}
    (status,) = got.statuses
    assert not status.complete and status.error is not None
    assert "ResourceName lookups for the declared resources" in status.error
    resource_names = {
        r["LookupAttributes"][0]["AttributeValue"]
        for r in server.requests
        if r["LookupAttributes"][0]["AttributeKey"] == "ResourceName"
    }
    assert f"arn:aws:ecr:{gen.REGION}:{gen.ACCOUNT}:repository/base" in resource_names


def test_within_the_budget_a_flood_is_read_whole_and_complete(server: LookupServer) -> None:
    drift = ecs("drift-worker", NOW - timedelta(days=3), "worker")
    server.add([drift, *flood(ecs, "api", NOW - timedelta(days=1))])
    got = run(Budget())
    (status,) = got.statuses
    assert status.complete, status.error
    assert {"drift-worker", "flood-00000", "flood-01499"} <= {e.id for e in got.events}
    assert not any(r["LookupAttributes"][0]["AttributeKey"] == "ResourceName" for r in server.requests)


def test_a_flood_older_than_the_drift_costs_nothing_extra(server: LookupServer) -> None:
    """Newest first: a drift after the flood is read on the first page whatever the budget."""
    server.add(
        [ecs("drift-worker", NOW - timedelta(hours=2), "worker"), *flood(ecs, "api", NOW - timedelta(days=2))]
    )
    got = run(Budget(max_pages=5))
    assert "drift-worker" in {e.id for e in got.events}
    assert not got.statuses[0].complete


# --------------------------------------------------------------------------------------------------
# through the real CLI: the budget from a flag or from .tfdrift.yml


def _cli_check(cli: CliRunner, tmp_path: Path, server: LookupServer, *extra: str) -> Run:
    out = tmp_path / "report.json"
    run = cli(
        [
            "check",
            str(ROOT),
            "--events",
            "aws",
            "--since",
            _t(WEEK.since),
            "--until",
            _t(WEEK.until),
            "--no-progress",
            "--format",
            "json",
            "--output",
            str(out),
            "--format",
            "text",
            *extra,
        ],
        env=server.env(),
        outputs=[out],
    )
    assert_clean_failure(run)
    return run


def _drift_ids(report: dict[str, Any]) -> set[str]:
    return {(f.get("event") or {}).get("id") for f in report["findings"] if f["kind"] == "drift"}


@pytest.mark.parametrize("how", ["flag", "config"])
def test_cli_flood_within_a_page_budget(
    cli: CliRunner, tmp_path: Path, server: LookupServer, how: str
) -> None:
    drift = ecs("drift-worker", NOW - timedelta(days=3), "worker", userAgent="console.amazonaws.com")
    server.add([drift, *flood(ecs, "api", NOW - timedelta(days=1))])
    if how == "flag":
        extra: tuple[str, ...] = ("--events-max-pages", "20")
    else:
        config = tmp_path / "tfdrift.yml"
        config.write_text("events_max_pages: 20\n")
        extra = ("--config", str(config))
    run = _cli_check(cli, tmp_path, server, "--fail-on", "critical", *extra)
    report = run.report()
    assert "drift-worker" in _drift_ids(report)
    (src,) = report["scanned"]["sources"]
    assert src["complete"] is False and src["api_calls"] <= 20
    assert "page budget of 20 pages reached" in src["error"]
    assert run.rc == 0  # the drift is medium-or-lower here; the cut window alone does not fail...
    again = _cli_check(cli, tmp_path, server, "--fail-on", "critical", "--fail-on-incomplete", *extra)
    assert again.rc == 1  # ...unless asked to
    assert "page budget" in run.out  # named in the text report too


def test_cli_budget_flags_refuse_bad_values(
    cli: CliRunner, capsys: pytest.CaptureFixture[str], server: LookupServer
) -> None:
    for flag, value in (
        ("--events-max-pages", "many"),
        ("--events-timeout", "soon"),
        ("--events-max-records", "-1"),
    ):
        with pytest.raises(SystemExit) as exit_:  # argparse's usage error
            cli(["check", str(ROOT), "--events", "aws", flag, value])
        assert exit_.value.code == 2
        last = capsys.readouterr().err.splitlines()[-1]
        assert last.startswith(f"tfdrift-ci: error: argument {flag}: "), last


def test_cli_record_budget_on_files(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "trail"
    for i in range(3):
        gen.write_records(folder / f"{i}.json", [gen.record(eventID=f"r{i}-{k}") for k in range(2)])
    out = tmp_path / "report.json"
    args = [
        "check",
        str(ROOT),
        "--events",
        str(folder),
        *gen.WINDOW,
        "--format",
        "json",
        "--output",
        str(out),
    ]
    run = cli([*args, "--events-max-records", "2", "--fail-on", "never"], outputs=[out])
    (src,) = run.report()["scanned"]["sources"]
    assert src["complete"] is False and src["events_read"] == 2
    assert src["error"].startswith(
        "stopped: record budget of 2 records reached (--events-max-records) after 1 of 3"
    )
    run = cli([*args, "--events-max-records", "0"], outputs=[out])  # 0: no limit
    assert run.report()["scanned"]["sources"][0]["complete"] is True
