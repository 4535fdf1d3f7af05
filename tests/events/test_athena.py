from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from support.moto_server import MotoServer

from tfdrift_ci.errors import SourceError
from tfdrift_ci.events.athena import COLUMNS, AthenaSource, build_sql, parse_spec
from tfdrift_ci.events.base import Query
from tfdrift_ci.events.budget import Budget
from tfdrift_ci.events.session import open_session
from tfdrift_ci.models import Window
from tfdrift_ci.rules.drift import WRITE_EVENTS

ALL = WRITE_EVENTS.all
WINDOW = Window(datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
QUERY = Query(WINDOW, ALL)
SPEC = "athena://primary/security.cloudtrail_logs"


def athena_row(r: dict[str, Any]) -> list[str | None]:
    """A record as Athena returns it for our SELECT (every value a string; structs read by field)."""
    ui = r.get("userIdentity") or {}
    issuer = (ui.get("sessionContext") or {}).get("sessionIssuer") or {}

    def s(v: Any) -> str | None:
        if v is None:
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        return v if isinstance(v, str) else json.dumps(v)

    values = {
        "eventid": r["eventID"],
        "eventtime": r["eventTime"],
        "eventsource": r["eventSource"],
        "eventname": r["eventName"],
        "awsregion": r["awsRegion"],
        "recipientaccountid": r.get("recipientAccountId"),
        "readonly": s(r.get("readOnly")),
        "eventtype": r.get("eventType"),
        "errorcode": r.get("errorCode"),
        "errormessage": r.get("errorMessage"),
        "sourceipaddress": r.get("sourceIPAddress"),
        "useragent": r.get("userAgent"),
        "requestparameters": s(r.get("requestParameters")),
        "responseelements": s(r.get("responseElements")),
        "sessioncredentialfromconsole": r.get("sessionCredentialFromConsole"),
        "ui_type": ui.get("type"),
        "ui_principalid": ui.get("principalId"),
        "ui_arn": ui.get("arn"),
        "ui_accountid": ui.get("accountId"),
        "ui_invokedby": ui.get("invokedBy"),
        "ui_accesskeyid": ui.get("accessKeyId"),
        "ui_username": ui.get("userName"),
        "ui_issuer_type": issuer.get("type"),
        "ui_issuer_arn": issuer.get("arn"),
        "ui_issuer_username": issuer.get("userName"),
        "ui_issuer_accountid": issuer.get("accountId"),
        "resource_arns": json.dumps([x["ARN"] for x in r.get("resources") or []]),
    }
    return [values[alias] for alias, _ in COLUMNS]


def wanted(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        t = datetime.fromisoformat(r["eventTime"])
        if (r["eventSource"], r["eventName"]) in ALL and not r["readOnly"] and WINDOW.contains(t):
            out.append(r)
    return out


def test_parse_spec() -> None:
    o = parse_spec("athena://wg-1/db.tbl?output=s3://res/athena/&partition=")
    assert (o["workgroup"], o["database"], o["table"], o["partition"], o["output"]) == (
        "wg-1",
        "db",
        "tbl",
        "",
        "s3://res/athena/",
    )
    assert parse_spec(SPEC)["partition"] == "timestamp"
    assert parse_spec(SPEC + "?region=eu-west-1")["region"] == "eu-west-1"
    for bad in (
        "athena://wg/db",
        "athena://wg/db.t;drop",
        'athena://w"g/db.t',
        "athena://wg/db.t?evil=1",
        "athena://wg/db.t?region=x';",
    ):
        with pytest.raises(SourceError):
            parse_spec(bad)


def test_sql_pushes_down_pairs_window_partition() -> None:
    sql = build_sql(
        Query(WINDOW, WRITE_EVENTS.for_types({"aws_ecs_service"})), "security", "cloudtrail_logs", "timestamp"
    )
    assert 'FROM "security"."cloudtrail_logs"' in sql
    assert "(eventsource = 'ecs.amazonaws.com' AND eventname IN ('CreateService', 'CreateTaskSet'," in sql
    assert "eventtime >= '2026-11-20T00:00:00Z'" in sql and "eventtime < '2026-11-23T00:00:00Z'" in sql
    assert "\"timestamp\" BETWEEN '2026/11/20' AND '2026/11/23'" in sql  # last day 22nd + 1 day of lag
    assert "strpos" not in sql  # names are not complete: no push-down


def test_names_push_down_only_when_complete_and_safe() -> None:
    q = Query(
        WINDOW,
        ALL,
        resource_names=("api", "prod"),
        resource_names_complete=True,
        creating_events=WRITE_EVENTS.creating,
    )
    # creating events stay unfiltered: an undeclared resource created beside declared ones is a
    # finding (TFD-DRIFT-027)
    assert (
        "(eventname IN ('CreateCapacityProvider', 'CreateCluster', 'CreateDaemon', "
        "'CreateExpressGatewayService', 'CreatePullThroughCacheRule', 'CreateRepository', "
        "'CreateRepositoryCreationTemplate', 'CreateService', 'RegisterPullTimeUpdateExclusion', "
        "'RegisterTaskDefinition') "
        "OR strpos(requestparameters, 'api') > 0 OR strpos(requestparameters, 'prod') > 0)"
    ) in build_sql(q, "d", "t", "")
    hostile = Query(
        WINDOW,
        ALL,
        resource_names=("api", "x') OR 1=1 --"),
        resource_names_complete=True,
        creating_events=WRITE_EVENTS.creating,
    )
    sql = build_sql(hostile, "d", "t", "")
    assert "strpos" not in sql and "1=1" not in sql
    assert "BETWEEN" not in build_sql(q, "d", "t", "")  # partition='' disables the date push-down
    # without knowing which events create a resource, no event may be narrowed by name
    assert "strpos" not in build_sql(replace(q, creating_events=None), "d", "t", "")


def test_moto_athena_end_to_end(moto: MotoServer, ct_records: list[dict[str, Any]]) -> None:
    rows = [athena_row(r) for r in wanted(ct_records)]
    moto.seed_athena_results(rows, [alias for alias, _ in COLUMNS])
    logs: list[str] = []
    src = AthenaSource(open_session(None, None), SPEC, log=logs.append)
    events = list(src.events(QUERY))
    status = src.status()
    assert {e.id for e in events} == {
        r["eventID"] for r in wanted(ct_records) if r.get("eventType") != "AwsServiceEvent"
    }
    assert status.complete and status.error is None
    assert status.api_calls == 3  # start, poll (moto finishes at once), one results page
    assert any("SELECT" in line for line in logs)  # --debug shows the SQL
    # the actor survives the round trip through Athena's columns
    jane = next(e for e in events if e.name == "PutImageScanningConfiguration")
    assert jane.actor.display == "jane@example.com" and jane.actor.via == "console"
    assert jane.request == {
        "repositoryName": "app/api",
        "registryId": "123456789012",
        "imageScanningConfiguration": {"scanOnPush": False},
    }
    assert jane.resources == ({"ARN": "arn:aws:ecr:eu-west-1:123456789012:repository/app/api"},)


def test_moto_missing_workgroup_is_incomplete(moto: MotoServer) -> None:
    src = AthenaSource(open_session(None, None), "athena://no-such-wg/db.t")
    assert list(src.events(QUERY)) == []
    status = src.status()
    assert not status.complete and status.error is not None and "WorkGroup does not exist" in status.error


def stubbed() -> tuple[AthenaSource, Stubber, list[float]]:
    client = boto3.client(
        "athena", region_name="us-east-1", aws_access_key_id="AKIAFAKE", aws_secret_access_key="fake"
    )
    sleeps: list[float] = []
    src = AthenaSource(None, SPEC, client=client, sleep=sleeps.append)
    return src, Stubber(client), sleeps


def _execution(state: str, reason: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"State": state}
    if reason:
        status["StateChangeReason"] = reason
    return {"QueryExecution": {"QueryExecutionId": "q1", "Status": status}}


def _page(rows: list[list[str | None]], token: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ResultSet": {
            "Rows": [{"Data": [{"VarCharValue": v} if v is not None else {} for v in row]} for row in rows]
        }
    }
    if token:
        out["NextToken"] = token
    return out


def test_stub_polls_and_pages(ct_records: list[dict[str, Any]]) -> None:
    rows = [athena_row(r) for r in wanted(ct_records) if r["eventName"] == "UpdateService"]
    header = [alias for alias, _ in COLUMNS]
    src, stub, sleeps = stubbed()
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": "q1"},
        {"QueryString": ANY, "WorkGroup": "primary", "QueryExecutionContext": ANY},
    )
    stub.add_response("get_query_execution", _execution("QUEUED"), {"QueryExecutionId": "q1"})
    stub.add_response("get_query_execution", _execution("RUNNING"), {"QueryExecutionId": "q1"})
    stub.add_response("get_query_execution", _execution("SUCCEEDED"), {"QueryExecutionId": "q1"})
    stub.add_response(
        "get_query_results", _page([header, *rows[:2]], "n1"), {"QueryExecutionId": "q1", "MaxResults": 1000}
    )
    stub.add_response(
        "get_query_results",
        _page(rows[2:]),
        {"QueryExecutionId": "q1", "MaxResults": 1000, "NextToken": "n1"},
    )
    with stub:
        events = list(src.events(QUERY))
    stub.assert_no_pending_responses()
    assert len(events) == len(rows) == 5  # the fixture's UpdateService records in the window
    assert sleeps == [0.5, 1.0]
    assert src.status().api_calls == 6 and src.status().complete


def test_stub_failed_query_and_access_denied() -> None:
    src, stub, _ = stubbed()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"}, None)
    stub.add_response(
        "get_query_execution",
        _execution(
            "FAILED",
            "TABLE_NOT_FOUND: line 28:6: Table 'awsdatacatalog.security.cloudtrail_logs' does not exist",
        ),
        None,
    )
    with stub:
        assert list(src.events(QUERY)) == []
    status = src.status()
    assert not status.complete and status.error is not None and "TABLE_NOT_FOUND" in status.error

    src, stub, _ = stubbed()
    stub.add_client_error("start_query_execution", "AccessDeniedException", "not authorized", 400)
    with stub:
        assert list(src.events(QUERY)) == []
    status = src.status()
    assert not status.complete and status.error is not None and "athena:StartQueryExecution" in status.error


def test_stub_answers_that_are_not_athena() -> None:
    src, stub, _ = stubbed()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"}, None)
    stub.add_response("get_query_execution", {}, None)
    with stub:
        assert list(src.events(QUERY)) == []
    status = src.status()
    assert not status.complete and status.error is not None and "without a query state" in status.error


def test_stub_older_ddl_without_session_credential_column_is_queried_again(
    ct_records: list[dict[str, Any]],
) -> None:
    update = next(r for r in wanted(ct_records) if r["eventName"] == "UpdateService")
    reduced = [c for c in COLUMNS if c[0] != "sessioncredentialfromconsole"]
    row = [
        v
        for (alias, _), v in zip(COLUMNS, athena_row(update), strict=True)
        if alias != "sessioncredentialfromconsole"
    ]
    src, stub, _ = stubbed()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"}, None)
    stub.add_response(
        "get_query_execution",
        _execution(
            "FAILED", "COLUMN_NOT_FOUND: line 16:8: Column 'sessioncredentialfromconsole' cannot be resolved"
        ),
        None,
    )
    stub.add_response("start_query_execution", {"QueryExecutionId": "q2"}, None)
    stub.add_response("get_query_execution", _execution("SUCCEEDED"), None)
    stub.add_response("get_query_results", _page([[a for a, _ in reduced], row]), None)
    with stub:
        events = list(src.events(QUERY))
    stub.assert_no_pending_responses()
    assert [e.id for e in events] == [update["eventID"]]
    assert src.status().complete and src.sql is not None and "sessioncredentialfromconsole" not in src.sql


# --------------------------------------------------------------------------------------------------
# budgets


def _started(stub: Stubber) -> None:
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"}, None)


def test_stub_page_budget_stops_paging_and_says_so(ct_records: list[dict[str, Any]]) -> None:
    rows = [athena_row(r) for r in wanted(ct_records) if r["eventName"] == "UpdateService"]
    header = [alias for alias, _ in COLUMNS]
    src, stub, _ = stubbed()
    _started(stub)
    stub.add_response("get_query_execution", _execution("SUCCEEDED"), {"QueryExecutionId": "q1"})
    stub.add_response("get_query_results", _page([header, *rows[:2]], "n1"), None)
    with stub:
        events = list(src.events(replace(QUERY, budget=Budget(max_pages=1))))
    stub.assert_no_pending_responses()  # the second page was never asked for
    assert len(events) == 2
    status = src.status()
    assert not status.complete and status.error == (
        "stopped: page budget of 1 pages reached (--events-max-pages) after 1 result page(s) (2 rows) "
        "of query q1; the other rows were not read"
    )


def test_stub_time_budget_stops_polling_with_an_injected_clock() -> None:
    now = [0.0]
    client = boto3.client(
        "athena", region_name="us-east-1", aws_access_key_id="AKIAFAKE", aws_secret_access_key="fake"
    )

    def sleep(seconds: float) -> None:
        now[0] += seconds

    src = AthenaSource(None, SPEC, client=client, sleep=sleep)
    stub = Stubber(client)
    _started(stub)
    for _ in range(4):
        stub.add_response("get_query_execution", _execution("RUNNING"), {"QueryExecutionId": "q1"})
    with stub:
        assert list(src.events(replace(QUERY, budget=Budget(timeout=3, clock=lambda: now[0])))) == []
    stub.assert_no_pending_responses()  # polls at 0, 0.5, 1.5 and 3.5 s: the last one finds the budget spent
    status = src.status()
    assert not status.complete and status.error == (
        "stopped: time budget of 3s reached (--events-timeout) while Athena query q1 was RUNNING "
        "(not cancelled)"
    )


def test_moto_within_budget_is_complete(moto: MotoServer, ct_records: list[dict[str, Any]]) -> None:
    moto.seed_athena_results([athena_row(r) for r in wanted(ct_records)], [alias for alias, _ in COLUMNS])
    src = AthenaSource(open_session(None, None), SPEC)
    assert list(src.events(replace(QUERY, budget=Budget(timeout=60, max_pages=1))))
    assert src.status().complete
