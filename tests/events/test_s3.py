from __future__ import annotations

import gzip
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from support.moto_server import MotoServer

from tfdrift_ci.errors import SourceError
from tfdrift_ci.events.base import Query
from tfdrift_ci.events.budget import Budget
from tfdrift_ci.events.s3 import S3Source, parse_spec
from tfdrift_ci.events.session import open_session
from tfdrift_ci.models import Window
from tfdrift_ci.rules.drift import WRITE_EVENTS

CT = Path(__file__).parents[1] / "fixtures" / "cloudtrail"
ALL = WRITE_EVENTS.all
WINDOW = Window(datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
QUERY = Query(WINDOW, ALL)
ACCT = "123456789012"


def s3() -> Any:
    return boto3.client("s3", region_name="us-east-1")


def upload_tree(bucket: str, prefix: str = "trail/") -> list[str]:
    client = s3()
    client.create_bucket(Bucket=bucket)
    keys = []
    for path in sorted((CT / "awslogs").rglob("*")):
        if path.is_file():
            key = prefix + path.relative_to(CT / "awslogs").as_posix()
            client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
            keys.append(key)
    return keys


def expected_ids() -> set[str]:
    ids = set()
    for path in (CT / "awslogs" / "AWSLogs").rglob("*.json.gz"):
        if "Digest" in str(path) or "Insight" in str(path):
            continue
        for r in json.loads(gzip.decompress(path.read_bytes()))["Records"]:
            t = datetime.fromisoformat(r["eventTime"])
            wanted = (r["eventSource"], r["eventName"]) in ALL and r.get("eventType") != "AwsServiceEvent"
            if wanted and not r["readOnly"] and WINDOW.contains(t):
                ids.add(r["eventID"])
    return ids


def read(spec: str, query: Query = QUERY, **kw: Any) -> tuple[list[Any], Any, S3Source]:
    src = S3Source(open_session(None, None), spec, **kw)
    events = list(src.events(query))
    return events, src.status(), src


def test_parse_spec() -> None:
    assert parse_spec("s3://b") == ("b", "")
    assert parse_spec("s3://b/x/y/") == ("b", "x/y/")
    with pytest.raises(SourceError):
        parse_spec("s3:///x")


@pytest.mark.parametrize(
    "spec",
    [
        "s3://trail-bucket",
        "s3://trail-bucket/trail",
        "s3://trail-bucket/trail/AWSLogs/",
        f"s3://trail-bucket/trail/AWSLogs/{ACCT}/CloudTrail/",
    ],
)
def test_prefix_may_stop_anywhere_above_the_dates(moto: MotoServer, spec: str) -> None:
    upload_tree("trail-bucket")
    events, status, _ = read(spec)
    ids = {e.id for e in events}
    want = (
        expected_ids()
        if "CloudTrail/" not in spec
        else {i for i in expected_ids() if not i.startswith("org-")}
    )
    assert ids == want
    assert "insight-should-be-skipped" not in ids
    assert status.complete, status.error
    assert status.api_calls and status.api_calls > 0
    assert status.name == spec


def test_only_the_window_days_are_listed(moto: MotoServer) -> None:
    upload_tree("trail-bucket")
    window = Window(datetime(2026, 11, 21, 9, tzinfo=UTC), datetime(2026, 11, 21, 10, tzinfo=UTC))
    _, status, src = read("s3://trail-bucket/trail", Query(window, ALL))
    dated = sorted({p.split("CloudTrail/", 1)[1].split("/", 1)[1] for p in src.listed_prefixes})
    assert dated == ["2026/11/21/", "2026/11/22/"]  # the window's day plus one day of delivery lag
    assert status.complete


def test_access_denied_on_some_keys_truncated_gzip_and_the_rest_read(moto: MotoServer) -> None:
    keys = upload_tree("trail-bucket")
    client = s3()
    day = f"trail/AWSLogs/{ACCT}/CloudTrail/eu-west-1/2026/11/21/"
    broken_key = f"{day}{ACCT}_CloudTrail_eu-west-1_20261121T2000Z_broken.json.gz"
    data = (CT / "records.json.gz").read_bytes()
    client.put_object(Bucket="trail-bucket", Key=broken_key, Body=data[: len(data) // 2])
    denied = next(k for k in keys if "o-a1b2c3d4e5" in k)
    real_get = client.get_object

    def get_object(**kw: Any) -> Any:
        if kw["Key"] == denied:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "GetObject")
        return real_get(**kw)

    client.get_object = get_object
    src = S3Source(None, "s3://trail-bucket/trail", client=client)
    ids = {e.id for e in src.events(QUERY)}
    status = src.status()
    assert ids == {i for i in expected_ids() if not i.startswith("org-")}
    assert not status.complete
    assert status.error is not None
    assert "2 of 4 objects could not be read" in status.error
    assert "AccessDenied: grant s3:GetObject" in status.error
    assert "truncated gzip" in status.error


def test_missing_bucket(moto: MotoServer) -> None:
    events, status, _ = read("s3://no-such-bucket/trail")
    assert events == []
    assert not status.complete
    assert status.error is not None and "NoSuchBucket" in status.error
    assert (
        src_unusable("s3://no-such-bucket/trail") == "bucket 'no-such-bucket' does not exist (NoSuchBucket)"
    )


def src_unusable(spec: str) -> str | None:
    src = S3Source(open_session(None, None), spec)
    list(src.events(QUERY))
    return src.unusable()


def test_duplicates_across_files_are_read_once(moto: MotoServer) -> None:
    upload_tree("trail-bucket")
    day = f"trail/AWSLogs/{ACCT}/CloudTrail/eu-west-1/2026/11/22/"
    s3().put_object(
        Bucket="trail-bucket", Key=day + "copy.json.gz", Body=(CT / "records.json.gz").read_bytes()
    )
    events, status, _ = read("s3://trail-bucket/trail")
    assert len(events) == len({e.id for e in events}) == status.events_read
    assert status.complete


def test_flat_folder_of_exports(moto: MotoServer) -> None:
    client = s3()
    client.create_bucket(Bucket="exports")
    client.put_object(Bucket="exports", Key="ct/records.json", Body=(CT / "records.json").read_bytes())
    client.put_object(
        Bucket="exports", Key="ct/lookup.json", Body=(CT / "lookup-events-v2.json").read_bytes()
    )
    events, status, _ = read("s3://exports/ct")
    assert len(events) > 30 and status.complete


def test_files_beside_awslogs_do_not_turn_off_date_pruning(moto: MotoServer) -> None:
    upload_tree("trail-bucket", prefix="")
    s3().put_object(Bucket="trail-bucket", Key="README.txt", Body=b"trail bucket of the audit account")
    events, status, src = read("s3://trail-bucket")
    assert {e.id for e in events} == expected_ids()
    assert status.complete
    assert all("/CloudTrail/" in p for p in src.listed_prefixes)  # only dated trail folders listed


def test_worker_processes_give_the_same_events_order_and_counts(
    moto: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tfdrift_ci.events import workers

    monkeypatch.setattr(workers, "MIN_POOL_BYTES", 0)  # the fixture tree is tiny
    upload_tree("trail-bucket")
    one, status_one, src_one = read("s3://trail-bucket/trail", jobs=1)
    two, status_two, src_two = read("s3://trail-bucket/trail", jobs=2)
    assert not src_one.pooled and src_two.pooled
    assert [e.id for e in one] == [e.id for e in two] and {e.id for e in one} == expected_ids()
    assert status_one == status_two and status_one.complete
    assert status_one.records and status_one.records_skipped is not None
    assert 0 < status_one.records_skipped < status_one.records


# --------------------------------------------------------------------------------------------------
# budgets


@pytest.mark.parametrize("workers", [1, 8])
def test_record_budget_stops_at_the_same_object_and_says_what_was_not_read(
    moto: MotoServer, workers: int
) -> None:
    keys = [k for k in upload_tree("trail-bucket") if "Digest" not in k and "Insight" not in k]
    # Objects are taken in key order and the budget is checked before each one, so however many
    # downloads run ahead, the first object's 25 records spend the budget of 1 and nothing else
    # is taken.
    src = S3Source(open_session(None, None), "s3://trail-bucket/trail", workers=workers)
    list(src.events(replace(QUERY, budget=Budget(max_records=1))))
    status = src.status()
    assert not status.complete and status.error is not None
    assert status.error.startswith(
        f"stopped: record budget of 1 records reached (--events-max-records) after 1 of {len(keys)} objects"
    )
    assert "not read: trail/AWSLogs/" in status.error
    assert status.events_read > 0  # what was read is kept
    assert src.unusable() is None


def test_time_budget_stops_the_listing_with_an_injected_clock(moto: MotoServer) -> None:
    upload_tree("trail-bucket")
    ticks = iter(range(0, 10_000, 100))  # every reading of the clock is 100 s later
    src = S3Source(open_session(None, None), "s3://trail-bucket/trail")
    events = list(src.events(replace(QUERY, budget=Budget(timeout=150, clock=lambda: float(next(ticks))))))
    status = src.status()
    assert events == [] and not status.complete and status.error is not None
    assert status.error.startswith(
        "stopped: time budget of 2m30s reached (--events-timeout) while listing s3://"
    )
    assert src.unusable() is None


def test_within_budget_is_complete(moto: MotoServer) -> None:
    upload_tree("trail-bucket")
    events, status, _ = read("s3://trail-bucket/trail", replace(QUERY, budget=Budget(max_records=10_000)))
    assert {e.id for e in events} == expected_ids() and status.complete
