from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from support.lookup_server import LookupServer

from tfdrift_ci.events.base import Query
from tfdrift_ci.events.budget import Budget
from tfdrift_ci.events.lookup import PACE, PAGE, LookupSource, TokenBucket
from tfdrift_ci.events.session import open_session
from tfdrift_ci.models import Window
from tfdrift_ci.rules.drift import WRITE_EVENTS

NOW = datetime(2026, 11, 23, tzinfo=UTC)
WEEK = Window(NOW - timedelta(days=7), NOW)
ALL = WRITE_EVENTS.all
SERVICE = WRITE_EVENTS.for_types({"aws_ecs_service"})


def source(region: str = "eu-west-1", **kw: Any) -> LookupSource:
    """Against the local server; unpaced unless a test passes ``rate`` (the server is unthrottled)."""
    kw.setdefault("now", lambda: NOW)
    kw.setdefault("rate", 1000.0)
    return LookupSource(open_session(None, None), region, **kw)


def expected(records: list[dict[str, Any]], region: str, query: Query) -> set[str]:
    out = set()
    for r in records:
        t = datetime.fromisoformat(r["eventTime"])
        if (
            r["awsRegion"] == region
            and (r["eventSource"], r["eventName"]) in query.event_names
            and not r["readOnly"]
            and query.window.contains(t)
        ):
            out.add(r["eventID"])
    return out


def test_reads_the_fixture_records_per_region(
    lookup_server: LookupServer, ct_records: list[dict[str, Any]]
) -> None:
    lookup_server.add(ct_records)
    query = Query(WEEK, ALL)
    for region in ("eu-west-1", "us-east-1"):
        src = source(region)
        got = {e.id for e in src.events(query)}
        assert got == expected(ct_records, region, query)
        status = src.status()
        assert status.complete and status.error is None
        assert status.name == f"aws:lookup-events:{region}"
        assert status.events_read == len(got)
    assert len(expected(ct_records, "eu-west-1", query)) > 30
    # every call carried exactly one lookup attribute and a time range
    assert all(
        len(r["LookupAttributes"]) == 1 and "StartTime" in r and "EndTime" in r
        for r in lookup_server.requests
    )


# --------------------------------------------------------------------------------------------------
# planning: calls near the cheapest exact plan


def synthetic(
    *, noise: int, wanted: dict[str, int], days: float = 7.0, source_: str = "ecs.amazonaws.com"
) -> list[dict[str, Any]]:
    """``noise`` read-only Describe events plus ``wanted[name]`` write events, spread over ``days``."""
    rng = random.Random(42)  # fixed data: the same events every run
    out: list[dict[str, Any]] = []
    names_ = ["DescribeServices"] * noise + [n for n, k in wanted.items() for _ in range(k)]
    for i, name in enumerate(names_):
        t = NOW - timedelta(seconds=rng.uniform(1, days * 86400 - 1))
        out.append(
            {
                "eventVersion": "1.09",
                "eventID": f"syn-{i:07d}",
                "eventName": name,
                "eventSource": source_,
                "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "awsRegion": "eu-west-1",
                "readOnly": name.startswith("Describe"),
                "eventType": "AwsApiCall",
                "recipientAccountId": "123456789012",
                "userIdentity": {
                    "type": "IAMUser",
                    "userName": "bob",
                    "arn": "arn:aws:iam::123456789012:user/bob",
                },
                "userAgent": "aws-cli/2.15.0",
                "requestParameters": {"cluster": "prod", "service": "api"},
                "responseElements": None,
            }
        )
    return out


def floors(records: list[dict[str, Any]], query: Query) -> tuple[int, int]:
    """Page floors of the two exact plans: one query per event source, one per event name."""
    by_source: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for r in records:
        by_source[r["eventSource"]] = by_source.get(r["eventSource"], 0) + 1
        by_name[r["eventName"]] = by_name.get(r["eventName"], 0) + 1
    sources = {s for s, _ in query.event_names}
    wanted_names = {n for _, n in query.event_names}
    src = sum(max(1, math.ceil(by_source.get(s, 0) / PAGE)) for s in sources)
    name = sum(max(1, math.ceil(by_name.get(n, 0) / PAGE)) for n in wanted_names)
    return src, name


@pytest.mark.parametrize(
    ("noise", "wanted", "query_names"),
    [
        (5000, {"UpdateService": 120, "RegisterTaskDefinition": 30}, SERVICE),
        (20000, {"UpdateService": 3000, "RegisterTaskDefinition": 500}, SERVICE),
        (1000, {"UpdateService": 900}, SERVICE),
        (500, {"UpdateService": 400, "CreateService": 100, "TagResource": 100}, SERVICE),
        (5000, {"UpdateService": 120}, frozenset(p for p in ALL if p[0] == "ecs.amazonaws.com")),
    ],
)
def test_calls_stay_within_1_2x_of_the_cheapest_exact_plan(
    lookup_server: LookupServer, noise: int, wanted: dict[str, int], query_names: frozenset[tuple[str, str]]
) -> None:
    records = synthetic(noise=noise, wanted=wanted)
    lookup_server.add(records)
    query = Query(WEEK, query_names)
    src = source()
    got = {e.id for e in src.events(query)}
    assert got == expected(records, "eu-west-1", query)
    by_source, by_name = floors(records, query)
    assert lookup_server.calls <= 1.2 * min(by_source, by_name), src.plan
    assert src.status().api_calls == lookup_server.calls


def test_dense_source_switches_to_one_query_per_name(lookup_server: LookupServer) -> None:
    lookup_server.add(synthetic(noise=5000, wanted={"UpdateService": 120}))
    src = source()
    list(src.events(Query(WEEK, SERVICE)))
    assert any("switching to one query per name" in p for p in src.plan)
    queried = [r["LookupAttributes"][0]["AttributeKey"] for r in lookup_server.requests]
    assert queried[0] == "EventSource" and set(queried[1:]) == {"EventName"}


def test_sparse_source_is_read_in_one_call(lookup_server: LookupServer) -> None:
    records = synthetic(noise=20, wanted={"UpdateService": 10})
    lookup_server.add(records)
    query = Query(WEEK, SERVICE)
    src = source()
    assert {e.id for e in src.events(query)} == expected(records, "eu-west-1", query)
    assert lookup_server.calls == 1


def test_calls_do_not_depend_on_the_number_of_resources(lookup_server: LookupServer) -> None:
    from tfdrift_ci.events import build_query
    from tfdrift_ci.models import Identity, Inventory, Resource

    def inventory(n: int) -> Inventory:
        res = tuple(
            Resource(
                f"aws_ecs_service.s{i}",
                "aws_ecs_service",
                f"s{i}",
                identity=Identity("service", f"s{i}", "prod"),
            )
            for i in range(n)
        )
        return Inventory(path=".", roots=(".",), resources=res, files=1)

    lookup_server.add(synthetic(noise=3000, wanted={"UpdateService": 200}))
    calls = []
    for n in (1, 300):
        lookup_server.reset_counters()
        list(source().events(build_query(inventory(n), WEEK, WRITE_EVENTS)))
        calls.append(lookup_server.calls)
    assert calls[0] == calls[1]


def test_ninety_day_limit_is_reported(lookup_server: LookupServer, ct_records: list[dict[str, Any]]) -> None:
    lookup_server.add(ct_records)
    window = Window(NOW - timedelta(days=120), NOW)
    src = source()
    got = list(src.events(Query(window, ALL)))
    assert got  # what is inside the 90 days is still read
    status = src.status()
    assert not status.complete
    assert status.error is not None and "90 days" in status.error and "s3://" in status.error
    earliest = min(datetime.fromtimestamp(r["StartTime"], UTC) for r in lookup_server.requests)
    assert earliest >= NOW - timedelta(days=90)


# --------------------------------------------------------------------------------------------------
# faults through the real HTTP client and botocore's retries


def test_throttling_every_other_call_still_reads_everything_once(lookup_server: LookupServer) -> None:
    records = synthetic(noise=0, wanted={"UpdateService": 140})
    lookup_server.add(records)
    lookup_server.faults.throttle_every_other = True
    src = source()
    events = list(src.events(Query(WEEK, SERVICE)))
    assert len(events) == len({e.id for e in events}) == 140
    assert src.status().complete
    assert lookup_server.throttled >= 2
    assert src.status().api_calls == lookup_server.calls  # retries are counted


def test_server_error_burst_is_retried(lookup_server: LookupServer) -> None:
    lookup_server.add(synthetic(noise=0, wanted={"UpdateService": 60}))
    lookup_server.faults.server_errors = 2
    src = source()
    assert len(list(src.events(Query(WEEK, SERVICE)))) == 60
    assert src.status().complete


def test_invalid_next_token_restarts_from_the_oldest_event(lookup_server: LookupServer) -> None:
    lookup_server.add(synthetic(noise=0, wanted={"UpdateService": 160}))
    lookup_server.faults.bad_next_token = 1
    src = source()
    events = list(src.events(Query(WEEK, SERVICE)))
    assert len(events) == len({e.id for e in events}) == 160
    assert src.status().complete
    assert any("invalid NextToken" in p for p in src.plan)


def test_expired_token_mid_run_is_incomplete_with_the_reason(lookup_server: LookupServer) -> None:
    lookup_server.add(synthetic(noise=0, wanted={"UpdateService": 160}))
    lookup_server.faults.expire_after = 2
    src = source()
    events = list(src.events(Query(WEEK, SERVICE)))
    assert len(events) == 100  # two pages were read and are kept
    status = src.status()
    assert not status.complete
    assert status.error is not None and "ExpiredTokenException" in status.error


def test_access_denied_names_the_iam_action(lookup_server: LookupServer) -> None:
    lookup_server.add(synthetic(noise=0, wanted={"UpdateService": 5}))
    lookup_server.faults.access_denied = True
    src = source()
    assert list(src.events(Query(WEEK, SERVICE))) == []
    status = src.status()
    assert not status.complete
    assert status.error is not None and "cloudtrail:LookupEvents" in status.error
    assert lookup_server.calls == 1  # fatal: no other query is tried


def test_rate_limit_is_respected(no_aws: pytest.MonkeyPatch) -> None:
    """With the server's real 2 calls/s throttle, pacing means no call is throttled."""
    with LookupServer(rate=2.0, burst=1.0) as server:
        for k, v in server.env().items():
            no_aws.setenv(k, v)
        server.add(synthetic(noise=0, wanted={"UpdateService": 160}))
        src = source(rate=PACE)
        assert len(list(src.events(Query(WEEK, SERVICE)))) == 160
        assert server.calls == 4 and server.throttled == 0


# --------------------------------------------------------------------------------------------------
# botocore Stubber: exact calls, own backoff


def stubbed(**kw: Any) -> tuple[LookupSource, Stubber, list[float]]:
    client = boto3.client(
        "cloudtrail", region_name="eu-west-1", aws_access_key_id="AKIAFAKE", aws_secret_access_key="fake"
    )
    stub = Stubber(client)
    sleeps: list[float] = []
    src = LookupSource(
        None, "eu-west-1", client=client, sleep=sleeps.append, clock=_fake_clock(), now=lambda: NOW, **kw
    )
    return src, stub, sleeps


def _fake_clock() -> Callable[[], float]:
    t = [0.0]

    def clock() -> float:
        t[0] += 1.0  # every reading is one second later: the bucket never has to wait
        return t[0]

    return clock


def item(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "EventId": record["eventID"],
        "EventName": record["eventName"],
        "EventSource": record["eventSource"],
        "ReadOnly": "true" if record["readOnly"] else "false",
        "EventTime": datetime.fromisoformat(record["eventTime"]),
        "CloudTrailEvent": json.dumps(record),
    }


def params(name: str, token: str | None = None) -> dict[str, Any]:
    p: dict[str, Any] = {
        "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}],
        "StartTime": ANY,
        "EndTime": ANY,
        "MaxResults": 50,
    }
    if token:
        p["NextToken"] = token
    return p


ONE_NAME = frozenset({("ecs.amazonaws.com", "UpdateService")})


def test_stub_paging_and_filtering(ct_records: list[dict[str, Any]]) -> None:
    updates = [r for r in ct_records if r["eventName"] == "UpdateService"]
    other = dict(updates[0], eventID="codecommit-1", eventSource="codecommit.amazonaws.com")
    src, stub, _ = stubbed()
    stub.add_response(
        "lookup_events",
        {"Events": [item(updates[3]), item(other)], "NextToken": "t1"},
        params("UpdateService"),
    )
    stub.add_response(
        "lookup_events", {"Events": [item(r) for r in updates[:3]]}, params("UpdateService", "t1")
    )
    with stub:
        got = [e.id for e in src.events(Query(WEEK, ONE_NAME))]
    stub.assert_no_pending_responses()
    assert got == [updates[3]["eventID"]] + [r["eventID"] for r in updates[:3]]
    assert src.status().api_calls == 2 and src.status().complete


def test_stub_throttling_past_botocore_is_backed_off_then_reported(ct_records: list[dict[str, Any]]) -> None:
    update = next(r for r in ct_records if r["eventName"] == "UpdateService")
    src, stub, sleeps = stubbed()
    stub.add_client_error("lookup_events", "ThrottlingException", "Rate exceeded", 400)
    stub.add_response("lookup_events", {"Events": [item(update)]}, params("UpdateService"))
    with stub:
        assert [e.id for e in src.events(Query(WEEK, ONE_NAME))] == [update["eventID"]]
    assert sleeps == [1.0]
    assert src.status().complete

    src, stub, sleeps = stubbed()
    for _ in range(6):
        stub.add_client_error("lookup_events", "ThrottlingException", "Rate exceeded", 400)
    with stub:
        assert list(src.events(Query(WEEK, ONE_NAME))) == []
    assert sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]
    status = src.status()
    assert not status.complete and status.error is not None and "ThrottlingException" in status.error


def test_stub_access_denied(ct_records: list[dict[str, Any]]) -> None:
    src, stub, _ = stubbed()
    stub.add_client_error("lookup_events", "AccessDeniedException", "not authorized", 400)
    with stub:
        assert list(src.events(Query(WEEK, ONE_NAME))) == []
    status = src.status()
    assert not status.complete and status.error is not None
    assert "cloudtrail:LookupEvents" in status.error


def test_stub_bad_next_token_restarts_below_the_oldest(ct_records: list[dict[str, Any]]) -> None:
    updates = sorted(
        (r for r in ct_records if r["eventName"] == "UpdateService"),
        key=lambda r: r["eventTime"],
        reverse=True,
    )
    src, stub, _ = stubbed()
    stub.add_response(
        "lookup_events",
        {"Events": [item(updates[0]), item(updates[1])], "NextToken": "t1"},
        params("UpdateService"),
    )
    stub.add_client_error("lookup_events", "InvalidNextTokenException", "bad token", 400)
    restart = params("UpdateService")
    restart["EndTime"] = datetime.fromisoformat(updates[1]["eventTime"])
    stub.add_response("lookup_events", {"Events": [item(r) for r in updates[1:]]}, restart)
    with stub:
        got = [e.id for e in src.events(Query(WEEK, ONE_NAME))]
    assert got == [r["eventID"] for r in updates]  # each once, none lost
    assert src.status().complete


def test_stub_malformed_cloud_trail_event_is_counted(ct_records: list[dict[str, Any]]) -> None:
    update = next(r for r in ct_records if r["eventName"] == "UpdateService")
    broken = dict(item(update), EventId="x", CloudTrailEvent="{not json")
    src, stub, _ = stubbed()
    stub.add_response("lookup_events", {"Events": [broken, item(update)]}, params("UpdateService"))
    with stub:
        assert len(list(src.events(Query(WEEK, ONE_NAME)))) == 1
    status = src.status()
    assert status.malformed == 1 and status.complete


def test_token_bucket_paces_to_the_rate() -> None:
    now = [0.0]
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        sleeps.append(s)
        now[0] += s

    bucket = TokenBucket(2.0, 1.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        bucket.acquire()
    assert now[0] == pytest.approx(2.0)  # 5 calls at 2/s: the first is free, then 0.5 s apart


def test_stub_an_answer_without_events_is_not_an_empty_window() -> None:
    """A proxy page or a wrong endpoint parsed as {} must not read as 'no events, complete'."""
    src, stub, _ = stubbed()
    stub.add_response("lookup_events", {}, params("UpdateService"))
    with stub:
        assert list(src.events(Query(WEEK, ONE_NAME))) == []
    status = src.status()
    assert not status.complete and status.error is not None and "no Events list" in status.error


@pytest.mark.parametrize("code", ["UnrecognizedClientException", "OptInRequired"])
def test_stub_invalid_credentials_or_region_stop_the_region_once(code: str) -> None:
    src, stub, _ = stubbed()
    stub.add_client_error("lookup_events", code, "nope", 400)
    with stub:
        assert list(src.events(Query(WEEK, SERVICE))) == []
    stub.assert_no_pending_responses()
    status = src.status()
    assert not status.complete and status.error is not None and code in status.error
    assert status.api_calls == 1


# --------------------------------------------------------------------------------------------------
# budgets


def unread_ranges(error: str) -> list[tuple[str, datetime, datetime]]:
    """The ``not read: KEY=VALUE START – END; …`` ranges of a source stopped by its budget."""
    import re

    return [
        (m[1], datetime.fromisoformat(m[2]), datetime.fromisoformat(m[3]))
        for m in re.finditer(r"(\w+=\S+) (\S+Z) – (\S+Z)", error)
    ]


def assert_read_or_reported(records: list[dict[str, Any]], query: Query, got: set[str], error: str) -> None:
    """Every wanted event was read, or lies in a range the source reported as not read."""
    ranges = unread_ranges(error)
    assert ranges, error
    for r in records:
        if r["eventID"] in expected(records, "eu-west-1", query) and r["eventID"] not in got:
            t = datetime.fromisoformat(r["eventTime"])
            assert any(a <= t <= b for _, a, b in ranges), f"{r['eventID']} at {t} silently missing: {error}"


@pytest.mark.parametrize("pages", [1, 2, 3])
def test_page_budget_stops_and_says_what_was_not_read(lookup_server: LookupServer, pages: int) -> None:
    records = synthetic(noise=0, wanted={"UpdateService": 200})  # 4 pages
    lookup_server.add(records)
    src = source()
    query = Query(WEEK, ONE_NAME, budget=Budget(max_pages=pages))
    got = {e.id for e in src.events(query)}
    assert lookup_server.calls == pages and len(got) >= 50
    status = src.status()
    assert not status.complete and status.error is not None
    assert status.error.startswith(
        f"stopped: page budget of {pages} pages reached (--events-max-pages) after {pages} page(s)"
    )
    assert "not read: EventName=UpdateService " in status.error
    assert_read_or_reported(records, query, got, status.error)


def test_time_budget_with_a_clock_driven_by_the_calls(lookup_server: LookupServer) -> None:
    lookup_server.add(synthetic(noise=0, wanted={"UpdateService": 200, "CreateService": 10}))
    budget = Budget(timeout=2.5, clock=lambda: float(lookup_server.calls))  # each call "takes" 1 s
    src = source()
    events = list(src.events(Query(WEEK, SERVICE, budget=budget)))
    status = src.status()
    assert lookup_server.calls == 3 and len(events) > 0
    assert not status.complete and status.error is not None
    assert status.error.startswith("stopped: time budget of 2.5s reached (--events-timeout) after 3 page(s)")


def test_own_backoff_does_not_outlast_the_time_budget(ct_records: list[dict[str, Any]]) -> None:
    now = [0.0]
    src, stub, sleeps = stubbed()
    for _ in range(3):
        stub.add_client_error("lookup_events", "ThrottlingException", "Rate exceeded", 400)
    budget = Budget(timeout=5, clock=lambda: now[0])

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    src._sleep = sleep  # the backoff's sleep, advancing the budget's clock
    with stub:
        assert list(src.events(Query(WEEK, ONE_NAME, budget=budget))) == []
    assert sleeps == [1.0, 2.0]  # the next pause (4 s) would outlast the 2 s left
    status = src.status()
    assert not status.complete and status.error is not None
    assert (
        "time budget of 5s reached (--events-timeout) while LookupEvents was failing with ThrottlingException"
        in (status.error)
    )


def test_within_budget_the_plan_is_unchanged(lookup_server: LookupServer) -> None:
    """A budget the plan fits in changes nothing: the same calls, complete."""
    records = synthetic(noise=5000, wanted={"UpdateService": 120, "RegisterTaskDefinition": 30})
    lookup_server.add(records)
    calls = []
    for budget in (Budget(max_pages=None, timeout=None), Budget()):
        lookup_server.reset_counters()
        src = source()
        got = {e.id for e in src.events(Query(WEEK, SERVICE, budget=budget))}
        assert got == expected(records, "eu-west-1", Query(WEEK, SERVICE)) and src.status().complete
        calls.append(lookup_server.calls)
    assert calls[0] == calls[1]
