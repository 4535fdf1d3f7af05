"""``events.fetch`` (what the CLI calls) and the CLI end to end against the local endpoints."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from support.lookup_server import LookupServer
from support.moto_server import MotoServer

from tfdrift_ci.errors import SourceError
from tfdrift_ci.events import SOURCES, build_query, fetch, source_kind
from tfdrift_ci.models import Identity, Inventory, Resource, Unknown, Window
from tfdrift_ci.rules.drift import WRITE_EVENTS

ROOT = Path(__file__).parents[2]
CT = ROOT / "tests" / "fixtures" / "cloudtrail"
EXAMPLE = ROOT / "examples"
WINDOW = Window(datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))


def inventory(*resources: Resource, regions: tuple[str, ...] = ("eu-west-1",)) -> Inventory:
    return Inventory(path=".", roots=(".",), resources=resources, files=1, regions=regions)


SERVICE = Resource(
    "aws_ecs_service.api", "aws_ecs_service", "api", identity=Identity("service", "api", "prod")
)
REPO = Resource(
    "aws_ecr_repository.api", "aws_ecr_repository", "api", identity=Identity("repository", "app/api")
)
INV = inventory(SERVICE, REPO)


def run(specs: list[str], inv: Inventory = INV, **kw: Any) -> Any:
    window = kw.pop("window", WINDOW)
    args: dict[str, Any] = {
        "regions": (),
        "auto": False,
        "profile": None,
        "role_arn": None,
        "progress": False,
        "debug": False,
        "env": {},
        "write_events": WRITE_EVENTS,
    }
    args.update(kw)
    return fetch(specs, inv, window, **args)


def test_registry_and_spec_kinds() -> None:
    assert set(SOURCES) == {"aws", "file", "s3", "athena", "lake"}
    assert [
        source_kind(s) for s in ("aws", "./x", "s3://b", "athena://w/d.t", "lake://x", "file:///tmp")
    ] == [
        "aws",
        "file",
        "s3",
        "athena",
        "lake",
        "file",
    ]
    with pytest.raises(SourceError, match="unknown scheme gs://"):
        source_kind("gs://bucket")


def test_query_from_inventory() -> None:
    q = build_query(INV, WINDOW, WRITE_EVENTS)
    assert ("ecs.amazonaws.com", "UpdateService") in q.event_names
    assert ("ecr.amazonaws.com", "PutImageTagMutability") in q.event_names
    assert ("ecr-public.amazonaws.com", "CreateRepository") not in q.event_names
    assert q.resource_names == ("api", "app/api", "prod")
    assert q.resource_names_complete
    # creating events are never narrowed by name: they are passed down with the wanted events
    assert ("ecs.amazonaws.com", "CreateService") in q.creating_events
    assert q.creating_events == q.event_names & WRITE_EVENTS.creating
    partly = inventory(
        Resource(
            "aws_ecs_service.x", "aws_ecs_service", "x", identity=Identity("service", Unknown("${var.n}"))
        )
    )
    assert not build_query(partly, WINDOW, WRITE_EVENTS).resource_names_complete


def test_no_ecr_or_ecs_resources_fetches_nothing(no_aws: pytest.MonkeyPatch) -> None:
    result = run(["aws"], inventory())
    assert result.events == [] and result.statuses == []
    assert "no ECR/ECS resources" in result.notices[0]


def test_auto_mode_without_credentials_returns_none(no_aws: pytest.MonkeyPatch) -> None:
    assert run(["aws"], auto=True) is None


def test_explicit_aws_without_credentials_says_what_to_configure(no_aws: pytest.MonkeyPatch) -> None:
    with pytest.raises(SourceError, match="no AWS credentials found: configure AWS credentials"):
        run(["aws"])


def test_missing_profile_is_a_source_error(no_aws: pytest.MonkeyPatch) -> None:
    with pytest.raises(SourceError, match="profile 'nope' not found"):
        run(["aws"], profile="nope")


def test_files_and_dedupe_across_sources(no_aws: pytest.MonkeyPatch) -> None:
    result = run([str(CT / "records.json"), str(CT / "awslogs")])
    ids = [e.id for e in result.events]
    assert len(ids) == len(set(ids)) > 10
    assert [s.name for s in result.statuses] == [f"file:{CT / 'records.json'}", f"file:{CT / 'awslogs'}"]
    assert all(s.complete for s in result.statuses)
    assert [e.time for e in result.events] == sorted(e.time for e in result.events)
    names = {(e.source, e.name) for e in result.events}
    assert ("ecs.amazonaws.com", "UpdateService") in names
    assert ("ecs.amazonaws.com", "CreateCapacityProvider") not in names  # no capacity provider declared


def test_aws_regions_concurrently_from_the_inventory(
    lookup_server: LookupServer, ct_records: list[dict[str, Any]]
) -> None:
    now = datetime.now(UTC)
    shift = now - timedelta(hours=1) - max(datetime.fromisoformat(r["eventTime"]) for r in ct_records)
    moved = [
        dict(r, eventTime=(datetime.fromisoformat(r["eventTime"]) + shift).strftime("%Y-%m-%dT%H:%M:%SZ"))
        for r in ct_records
    ]
    lookup_server.add(moved)
    lookup_server.add(
        [
            dict(r, eventID="use1-" + r["eventID"], awsRegion="us-east-1")
            for r in moved
            if r["eventName"] == "UpdateService"
        ]
    )
    inv = inventory(SERVICE, REPO, regions=("eu-west-1", "us-east-1"))
    result = run(["aws"], inv, window=Window(now - timedelta(days=7), now))
    assert [s.name for s in result.statuses] == ["aws:lookup-events:eu-west-1", "aws:lookup-events:us-east-1"]
    assert all(s.complete for s in result.statuses), [s.error for s in result.statuses]
    assert {e.region for e in result.events} == {"eu-west-1", "us-east-1"}
    assert sum(s.events_read for s in result.statuses) == len(result.events)
    assert lookup_server.calls_by_region.keys() == {"eu-west-1", "us-east-1"}


def test_aws_without_any_region(lookup_server: LookupServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(SourceError, match="no region to query"):
        run(["aws"], inventory(SERVICE, regions=()))


def test_auto_mode_without_a_region_is_incomplete_not_fatal(
    lookup_server: LookupServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    result = run(["aws"], inventory(SERVICE, regions=()), auto=True)
    assert result.events == []
    assert [(s.complete, s.error is not None and "no region" in s.error) for s in result.statuses] == [
        (False, True)
    ]


def test_role_arn_is_assumed_with_sts_then_used(moto: MotoServer) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="trail")
    s3.put_object(Bucket="trail", Key="exports/records.json", Body=(CT / "records.json").read_bytes())
    result = run(["s3://trail/exports"], role_arn="arn:aws:iam::123456789012:role/tfdrift-reader")
    assert result.statuses[0].complete and len(result.events) > 10


def test_debug_prints_the_plan_to_stderr_without_secrets(
    lookup_server: LookupServer, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(["aws"], debug=True, regions=("eu-west-1",))
    assert result.statuses[0].complete
    err = capsys.readouterr()
    assert "LookupEvents EventSource=ecs.amazonaws.com" in err.err
    assert err.out == ""
    assert "fake-secret-key-for-tests-only" not in err.err and "AKIAFAKEFORTESTS0001" not in err.err


def test_debug_prints_athena_sql(moto: MotoServer, capsys: pytest.CaptureFixture[str]) -> None:
    moto.seed_athena_results([], ["eventid"])
    result = run(["athena://primary/security.cloudtrail"], debug=True)
    assert result.statuses[0].complete, result.statuses[0].error
    assert "SELECT eventid" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------
# the real CLI


def _shifted_example(tmp_path: Path) -> tuple[list[dict[str, Any]], Path]:
    """The README example's CloudTrail records moved to end an hour ago (LookupEvents keeps 90 days,
    so the test must not depend on the date it runs)."""
    files = sorted((EXAMPLE / "cloudtrail").rglob("*.json*"))
    records: list[dict[str, Any]] = []
    for f in files:
        records.extend(json.loads(f.read_text())["Records"])
    newest = max(datetime.fromisoformat(r["eventTime"]) for r in records)
    shift = datetime.now(UTC) - timedelta(hours=1) - newest
    moved = [
        dict(r, eventTime=(datetime.fromisoformat(r["eventTime"]) + shift).strftime("%Y-%m-%dT%H:%M:%SZ"))
        for r in records
    ]
    path = tmp_path / "moved.json"
    path.write_text(json.dumps({"Records": moved}))
    return moved, path


def _check(args: list[str], out: Path) -> dict[str, Any]:
    from tfdrift_ci.cli import main

    code = main(
        [
            "check",
            str(EXAMPLE / "infra"),
            *args,
            "--since",
            "30d",
            "--format",
            "json",
            "--output",
            str(out),
            "--no-progress",
        ]
    )
    report = json.loads(out.read_text())
    assert report["exit_code"] == code
    return report


def test_cli_end_to_end_aws_equals_files(lookup_server: LookupServer, tmp_path: Path) -> None:
    records, path = _shifted_example(tmp_path)
    lookup_server.add(records)
    via_aws = _check(["--events", "aws"], tmp_path / "aws.json")
    via_file = _check(["--events", str(path)], tmp_path / "file.json")
    aws_sources = via_aws["scanned"]["sources"]
    assert aws_sources and all(s["name"].startswith("aws:lookup-events:") for s in aws_sources)
    assert all(s["complete"] for s in aws_sources), aws_sources
    assert sum(s["api_calls"] for s in aws_sources) == lookup_server.calls > 0
    assert sum(s["events_read"] for s in aws_sources) == via_file["scanned"]["sources"][0]["events_read"] > 0

    def key(f: dict[str, Any]) -> tuple[Any, ...]:
        return (f["rule_id"], f.get("address"), (f.get("event") or {}).get("id"))

    assert sorted(map(key, via_aws["findings"])) == sorted(map(key, via_file["findings"]))
    assert any(f["kind"] == "drift" for f in via_aws["findings"])


def test_cli_explicit_aws_without_credentials_exits_2(
    no_aws: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tfdrift_ci.cli import main

    assert main(["check", str(EXAMPLE / "infra"), "--events", "aws", "--no-progress"]) == 2
    assert "no AWS credentials found" in capsys.readouterr().err


def test_cli_auto_mode_without_credentials_is_static_with_a_notice(
    no_aws: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tfdrift_ci.cli import main

    out = tmp_path / "r.json"
    main(["check", str(EXAMPLE / "infra"), "--format", "json", "--output", str(out), "--no-progress"])
    report = json.loads(out.read_text())
    assert report["scanned"]["sources"] == []
    assert any("no AWS credentials" in n for n in report["scanned"]["notices"])


@pytest.mark.parametrize(
    ("rtype", "kind", "name", "source"),
    [
        ("aws_ecr_repository_creation_template", "creation_template", "team", "ecr.amazonaws.com"),
        ("aws_ecr_account_setting", "ecr_account_setting", "BASIC_SCAN_TYPE_VERSION", "ecr.amazonaws.com"),
        (
            "aws_ecr_pull_time_update_exclusion",
            "pull_time_update_exclusion",
            "arn:aws:iam::111122223333:role/scanner",
            "ecr.amazonaws.com",
        ),
        ("aws_ecs_task_set", "task_set", "api", "ecs.amazonaws.com"),
    ],
)
def test_named_lookups_ask_the_service_that_logs_the_events(
    rtype: str, kind: Any, name: str, source: str
) -> None:
    one = inventory(Resource(f"{rtype}.x", rtype, "x", identity=Identity(kind, name)))
    (named,) = build_query(one, WINDOW, WRITE_EVENTS).named_resources
    assert (named.name, named.event_source) == (name, source)
