"""S3 trail-log faults through the real CLI and boto3, against moto in server mode behind a small
fault-injecting proxy (moto does not enforce IAM): AccessDenied on some keys, a truncated gzip, a
corrupt object, a missing bucket, a denied listing. The rest is read and the gap is reported."""

from __future__ import annotations

import gzip
import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import hostile_gen as gen
import pytest
from rel_support import GOOD_TF, TRACEBACK, CliRunner, Request, Run, aws_env, serve

BUCKET = "trail-bucket"
PREFIX = f"AWSLogs/{gen.ACCOUNT}/CloudTrail/{gen.REGION}"
DENIED_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>Access Denied</Message><RequestId>FAKE</RequestId><HostId>FAKE</HostId></Error>"
)


def _key(day: int, tag: str) -> str:
    name = f"{gen.ACCOUNT}_CloudTrail_{gen.REGION}_202611{day:02d}T1000Z_{tag:0<16}.json.gz"
    return f"{PREFIX}/2026/11/{day:02d}/{name}"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _s3(url: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIAFAKEFAKEFAKE0001",
        aws_secret_access_key="fake",
    )


@pytest.fixture
def bucket(moto_url: str) -> Iterator[dict[str, str]]:
    """A trail bucket: good, denied, truncated, corrupt and another good object; keys by role."""
    s3 = _s3(moto_url)
    s3.create_bucket(Bucket=BUCKET)
    good = gzip.compress(json.dumps({"Records": [gen.good_record()]}).encode())
    other = gzip.compress(
        json.dumps({"Records": [gen.record(eventID="other-0001", eventTime="2026-11-17T10:00:00Z")]}).encode()
    )
    hidden = gzip.compress(
        json.dumps(
            {"Records": [gen.record(eventID="denied-0001", eventTime="2026-11-19T10:00:00Z")]}
        ).encode()
    )
    cut = gzip.compress(
        json.dumps(
            {
                "Records": [
                    gen.record(eventID=f"cut-{i:04d}", eventTime="2026-11-18T10:00:00Z") for i in range(100)
                ]
            }
        ).encode()
    )
    keys = {
        "good": _key(20, "good"),
        "other": _key(17, "other"),
        "denied": _key(19, "denied"),
        "truncated": _key(18, "truncated"),
        "corrupt": _key(16, "corrupt"),
        "digest": f"AWSLogs/{gen.ACCOUNT}/CloudTrail-Digest/{gen.REGION}/2026/11/20/x_Digest_x.json.gz",
    }
    s3.put_object(Bucket=BUCKET, Key=keys["good"], Body=good)
    s3.put_object(Bucket=BUCKET, Key=keys["other"], Body=other)
    s3.put_object(Bucket=BUCKET, Key=keys["denied"], Body=hidden)
    s3.put_object(Bucket=BUCKET, Key=keys["truncated"], Body=cut[: len(cut) // 2])
    s3.put_object(Bucket=BUCKET, Key=keys["corrupt"], Body=b"\x1f\x8b\x08\x00garbage-not-deflate" * 10)
    s3.put_object(Bucket=BUCKET, Key=keys["digest"], Body=b"not json at all")
    try:
        yield keys
    finally:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            for obj in page.get("Contents", []):
                s3.delete_object(Bucket=BUCKET, Key=obj["Key"])
        s3.delete_bucket(Bucket=BUCKET)


def _proxy(moto_url: str, deny: Any) -> Any:
    """Forward to moto; answer 403 AccessDenied where ``deny(request)`` is true."""
    target = urlsplit(moto_url)
    seen: list[Request] = []

    def handler(req: Request) -> tuple[int, dict[str, str], bytes]:
        seen.append(req)
        if deny(req):
            return 403, {"Content-Type": "application/xml"}, DENIED_XML
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        query = "&".join(f"{k}={v}" for k, vs in req.query.items() for v in vs)
        path = req.path + (f"?{query}" if query else "")
        headers = {k: v for k, v in req.headers.items() if k not in ("content-length", "connection")}
        conn.request(req.method, path, body=req.body or None, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        out = {
            k: v
            for k, v in resp.getheaders()
            if k.lower() not in ("content-length", "transfer-encoding", "connection")
        }
        conn.close()
        return resp.status, out, body

    handler.seen = seen  # type: ignore[attr-defined]
    return handler


def _run(cli: CliRunner, tmp_path: Path, url: str, spec: str, *extra: str) -> tuple[Run, dict[str, Any]]:
    out = tmp_path / "report.json"
    run = cli(
        [
            "check",
            str(GOOD_TF),
            "--events",
            spec,
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
        env=aws_env(url, AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1"),
        outputs=[out],
    )
    assert TRACEBACK not in run.err, run.err[-3000:]
    assert run.rc in (0, 1, 2), run.err
    return run, (run.report() if "report.json" in run.files else {})


def _drift_ids(report: dict[str, Any]) -> set[str]:
    return {f["event"]["id"] for f in report["findings"] if f["kind"] == "drift" and f.get("event")}


def _s3_source(report: dict[str, Any]) -> dict[str, Any]:
    sources = [s for s in report["scanned"]["sources"] if s["name"].startswith("s3://")]
    assert len(sources) == 1, report["scanned"]["sources"]
    return sources[0]


def test_access_denied_on_some_keys_truncated_and_corrupt_objects(
    cli: CliRunner, tmp_path: Path, moto_url: str, bucket: dict[str, str]
) -> None:
    handler = _proxy(moto_url, lambda req: req.method == "GET" and "denied" in req.path)
    with serve(handler) as proxy:
        run, report = _run(cli, tmp_path, proxy.url, f"s3://{BUCKET}/")
    assert run.rc == 1, run.err
    ids = _drift_ids(report)
    assert {gen.GOOD_EVENT_ID, "other-0001"} <= ids, f"readable objects were not read: {ids}"
    assert "denied-0001" not in ids
    src = _s3_source(report)
    assert src["complete"] is False, f"gaps hidden: {src}"
    error = src.get("error") or ""
    assert "denied" in error.lower() or "s3:GetObject" in error, error
    assert "truncated" in error.lower() or "corrupt" in error.lower() or "3 of" in error, error
    assert "digest" not in error.lower(), "digest files must be skipped, not reported as broken"
    gets = [
        r.path
        for r in handler.seen
        if r.method == "GET" and "CloudTrail-Digest" in r.path and "list-type" not in str(r.query)
    ]
    assert not gets, "a digest object was downloaded"
    assert "incomplete" in run.out.lower() or error[:25].lower() in run.out.lower()


def test_clean_bucket_is_complete(
    cli: CliRunner, tmp_path: Path, moto_url: str, bucket: dict[str, str]
) -> None:
    s3 = _s3(moto_url)
    for role in ("denied", "truncated", "corrupt"):
        s3.delete_object(Bucket=BUCKET, Key=bucket[role])
    _, report = _run(cli, tmp_path, moto_url, f"s3://{BUCKET}/AWSLogs/")
    src = _s3_source(report)
    assert src["complete"], src
    assert src["events_read"] == 2
    assert {gen.GOOD_EVENT_ID, "other-0001"} <= _drift_ids(report)


def test_missing_bucket(cli: CliRunner, tmp_path: Path, moto_url: str) -> None:
    run, report = _run(cli, tmp_path, moto_url, "s3://no-such-trail-bucket/AWSLogs/")
    if run.rc == 2:
        assert "no-such-trail-bucket" in run.err
        return
    src = _s3_source(report)
    assert src["complete"] is False and src.get("error"), f"missing bucket read as an empty window: {src}"


def test_listing_denied(cli: CliRunner, tmp_path: Path, moto_url: str, bucket: dict[str, str]) -> None:
    handler = _proxy(
        moto_url, lambda req: req.method == "GET" and ("list-type" in req.query or "prefix" in req.query)
    )
    with serve(handler) as proxy:
        run, report = _run(cli, tmp_path, proxy.url, f"s3://{BUCKET}/")
    if run.rc == 2:
        assert "s3:ListBucket" in run.err or "denied" in run.err.lower()
        return
    src = _s3_source(report)
    assert src["complete"] is False, f"a denied listing read as an empty window: {src}"
    assert "ListBucket" in (src.get("error") or "") or "denied" in (src.get("error") or "").lower()


def test_s3_and_files_together_one_source_failing(cli: CliRunner, tmp_path: Path, moto_url: str) -> None:
    """One source failing entirely does not hide the events another source read."""
    events = gen.write_records(tmp_path / "local" / "good.json", [gen.good_record()])
    out = tmp_path / "report.json"
    run = cli(
        [
            "check",
            str(GOOD_TF),
            "--events",
            "s3://no-such-trail-bucket/",
            "--events",
            str(events),
            *gen.WINDOW,
            "--no-progress",
            "--format",
            "json",
            "--output",
            str(out),
        ],
        env=aws_env(moto_url, AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1"),
        outputs=[out],
    )
    assert TRACEBACK not in run.err
    if run.rc == 2:
        assert "no-such-trail-bucket" in run.err
        return
    report = run.report()
    assert gen.GOOD_EVENT_ID in _drift_ids(report)
    assert not all(s["complete"] for s in report["scanned"]["sources"])


def test_operations_called_are_in_the_iam_policy(
    cli: CliRunner, tmp_path: Path, moto_url: str, bucket: dict[str, str]
) -> None:
    from rel_support import policy_actions, s3_action

    handler = _proxy(moto_url, lambda req: False)
    with serve(handler) as proxy:
        _run(cli, tmp_path, proxy.url, f"s3://{BUCKET}/")
    actions = {s3_action(r) for r in handler.seen}
    assert actions
    missing = {a for a in actions if a.lower() not in policy_actions()}
    assert not missing, f"called but not in docs/iam-policy.json: {missing}"
