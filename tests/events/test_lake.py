from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from tfdrift_ci.errors import SourceError
from tfdrift_ci.events.base import Query
from tfdrift_ci.events.budget import Budget
from tfdrift_ci.events.lake import COLUMNS, LakeSource, build_sql, parse_map_text, parse_spec
from tfdrift_ci.models import Window
from tfdrift_ci.rules.drift import WRITE_EVENTS

ALL = WRITE_EVENTS.all
WINDOW = Window(datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
QUERY = Query(WINDOW, ALL)
STORE = "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"
QID = "0123456789abcdef-0123-4567-89ab-cdef01234567"


def lake_row(r: dict[str, Any]) -> list[dict[str, str]]:
    """A record as GetQueryResults returns it: one {column: text} per selected column; the maps are
    rendered as Lake renders them ({key=value, …})."""
    ui = r.get("userIdentity") or {}
    issuer = (ui.get("sessionContext") or {}).get("sessionIssuer") or {}

    def map_text(v: Any) -> str | None:
        if v is None:
            return None
        return (
            "{"
            + ", ".join(f"{k}={json.dumps(x) if not isinstance(x, str) else x}" for k, x in v.items())
            + "}"
        )

    values: dict[str, Any] = {
        "eventID": r["eventID"],
        "eventTime": r["eventTime"].replace("T", " ").replace("Z", ".000"),
        "eventSource": r["eventSource"],
        "eventName": r["eventName"],
        "awsRegion": r["awsRegion"],
        "recipientAccountId": r.get("recipientAccountId"),
        "readOnly": "true" if r.get("readOnly") else "false",
        "eventType": r.get("eventType"),
        "errorCode": r.get("errorCode"),
        "errorMessage": r.get("errorMessage"),
        "sourceIPAddress": r.get("sourceIPAddress"),
        "userAgent": r.get("userAgent"),
        "requestParameters": map_text(r.get("requestParameters")),
        "responseElements": map_text(r.get("responseElements")),
        "sessionCredentialFromConsole": r.get("sessionCredentialFromConsole"),
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
    }
    return [{alias: values[alias]} for alias, _ in COLUMNS if values[alias] is not None]


def stubbed() -> tuple[LakeSource, Stubber, list[float]]:
    client = boto3.client(
        "cloudtrail", region_name="us-east-1", aws_access_key_id="AKIAFAKE", aws_secret_access_key="fake"
    )
    sleeps: list[float] = []
    return LakeSource(None, f"lake://{STORE}", client=client, sleep=sleeps.append), Stubber(client), sleeps


def test_parse_spec() -> None:
    assert parse_spec(f"lake://{STORE}") == (STORE, None)
    assert parse_spec(f"lake://arn:aws:cloudtrail:eu-west-1:123456789012:eventdatastore/{STORE}") == (
        STORE,
        "eu-west-1",
    )
    for bad in ("lake://", "lake://a b", "lake://x;drop table", "lake://arn:aws:s3:::bucket"):
        with pytest.raises(SourceError):
            parse_spec(bad)


def test_sql() -> None:
    sql = build_sql(Query(WINDOW, WRITE_EVENTS.for_types({"aws_ecr_repository"})), STORE)
    assert f"FROM {STORE}" in sql
    wanted = ", ".join(f"'{n}'" for n in sorted(n for _, n in WRITE_EVENTS.for_types({"aws_ecr_repository"})))
    assert f"(eventSource = 'ecr.amazonaws.com' AND eventName IN ({wanted}))" in sql
    assert "eventTime >= '2026-11-20 00:00:00'" in sql and "eventTime < '2026-11-23 00:00:00'" in sql
    assert "userIdentity.sessioncontext.sessionissuer.arn AS ui_issuer_arn" in sql


def test_polls_pages_and_normalises(ct_records: list[dict[str, Any]]) -> None:
    wanted = [r for r in ct_records if r["eventSource"] == "ecs.amazonaws.com" and not r["readOnly"]]
    rows = [lake_row(r) for r in wanted]
    src, stub, sleeps = stubbed()
    stub.add_response("start_query", {"QueryId": QID}, {"QueryStatement": src_sql()})
    stub.add_response("get_query_results", {"QueryStatus": "QUEUED"}, {"QueryId": QID})
    stub.add_response("get_query_results", {"QueryStatus": "RUNNING"}, {"QueryId": QID})
    stub.add_response(
        "get_query_results",
        {"QueryStatus": "FINISHED", "QueryResultRows": rows[:10], "NextToken": "page-2"},
        {"QueryId": QID},
    )
    stub.add_response(
        "get_query_results",
        {"QueryStatus": "FINISHED", "QueryResultRows": rows[10:]},
        {"QueryId": QID, "NextToken": "page-2"},
    )
    with stub:
        events = list(src.events(QUERY))
    stub.assert_no_pending_responses()
    assert {e.id for e in events} == {r["eventID"] for r in wanted}
    assert sleeps == [0.5, 1.0]
    status = src.status()
    assert status.complete and status.api_calls == 5
    update = next(e for e in events if e.name == "UpdateService")
    assert update.request == {
        "cluster": "prod",
        "service": "api",
        "enableExecuteCommand": True,
        "forceNewDeployment": True,
    }
    assert update.actor.display == "jane@example.com"
    assert update.time == datetime(2026, 11, 21, 13, 0, tzinfo=UTC)
    exec_ = next(e for e in events if e.name == "ExecuteCommand")
    assert "FAKE-EXEC-SESSION-TOKEN" not in json.dumps(dict(exec_.response))


def src_sql() -> str:
    return build_sql(QUERY, STORE)


def test_failed_query_and_access_denied() -> None:
    src, stub, _ = stubbed()
    stub.add_response("start_query", {"QueryId": QID}, None)
    stub.add_response(
        "get_query_results", {"QueryStatus": "FAILED", "ErrorMessage": "Query syntax error"}, None
    )
    with stub:
        assert list(src.events(QUERY)) == []
    status = src.status()
    assert not status.complete and status.error is not None and "FAILED: Query syntax error" in status.error

    src, stub, _ = stubbed()
    stub.add_client_error("start_query", "AccessDeniedException", "not authorized", 400)
    with stub:
        assert list(src.events(QUERY)) == []
    status = src.status()
    assert not status.complete and status.error is not None and "cloudtrail:StartQuery" in status.error


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        (
            "{cluster=prod, service=api, desiredCount=3}",
            {"cluster": "prod", "service": "api", "desiredCount": 3},
        ),
        (
            '{repositoryName=app/api, imageScanningConfiguration={"scanOnPush":false}}',
            {"repositoryName": "app/api", "imageScanningConfiguration": {"scanOnPush": False}},
        ),
        ("{a={b=c, d=e}, f=g}", {"a": {"b": "c", "d": "e"}, "f": "g"}),
        ("not a map", "not a map"),
        (None, None),
    ],
)
def test_parse_map_text(text: str | None, expected: Any) -> None:
    assert parse_map_text(text) == expected


# --------------------------------------------------------------------------------------------------
# budgets


def test_page_budget_stops_paging_and_says_so(ct_records: list[dict[str, Any]]) -> None:
    rows = [lake_row(r) for r in ct_records if r["eventSource"] == "ecs.amazonaws.com" and not r["readOnly"]]
    src, stub, _ = stubbed()
    stub.add_response("start_query", {"QueryId": QID}, None)
    stub.add_response(
        "get_query_results",
        {"QueryStatus": "FINISHED", "QueryResultRows": rows[:10], "NextToken": "page-2"},
        {"QueryId": QID},
    )
    with stub:
        events = list(src.events(replace(QUERY, budget=Budget(max_pages=1))))
    stub.assert_no_pending_responses()
    assert len(events) == 10
    status = src.status()
    assert not status.complete and status.error == (
        f"stopped: page budget of 1 pages reached (--events-max-pages) after 1 result page(s) (10 rows) "
        f"of query {QID}; the other rows were not read"
    )


def test_time_budget_stops_polling_with_an_injected_clock() -> None:
    now = [0.0]
    client = boto3.client(
        "cloudtrail", region_name="us-east-1", aws_access_key_id="AKIAFAKE", aws_secret_access_key="fake"
    )

    def sleep(seconds: float) -> None:
        now[0] += seconds

    src = LakeSource(None, f"lake://{STORE}", client=client, sleep=sleep)
    stub = Stubber(client)
    stub.add_response("start_query", {"QueryId": QID}, None)
    for _ in range(3):
        stub.add_response("get_query_results", {"QueryStatus": "RUNNING"}, {"QueryId": QID})
    with stub:
        assert list(src.events(replace(QUERY, budget=Budget(timeout=1.5, clock=lambda: now[0])))) == []
    stub.assert_no_pending_responses()
    status = src.status()
    assert not status.complete and status.error == (
        f"stopped: time budget of 1.5s reached (--events-timeout) while CloudTrail Lake query {QID} was "
        "RUNNING (not cancelled)"
    )
