"""A local CloudTrail ``LookupEvents`` endpoint (moto does not implement LookupEvents).

Speaks the real wire protocol botocore uses (JSON 1.1, ``X-Amz-Target:
com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents``), so the real CLI and the
real boto3 client run against it through ``AWS_ENDPOINT_URL_CLOUDTRAIL`` / ``AWS_ENDPOINT_URL``.
Behaviour follows the API reference
(https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html):
one lookup attribute per call, 1-50 results a page (default 50), newest first, ``StartTime`` and
``EndTime`` inclusive, ``NextToken`` paging with the same parameters, a per-region rate limit
(2 calls/s by default; the region comes from the SigV4 credential scope) answered with a
``ThrottlingException`` 400, and optional faults.

Usable from tests and ``bench/``::

    with LookupServer(rate=2.0) as server:
        server.add(records)               # CloudTrail records (dicts); region = awsRegion
        env = server.env()                # AWS_ENDPOINT_URL_CLOUDTRAIL + fake credentials
        ...
        server.calls                      # LookupEvents calls received (throttled ones included)
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TARGET_SUFFIX = "CloudTrail_20131101.LookupEvents"
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/cloudtrail/aws4_request")
_ATTRIBUTE_KEYS = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)


@dataclass
class Faults:
    """Fault injection, changeable while the server runs."""

    throttle_every_other: bool = False  # every second call per region is throttled
    server_errors: int = 0  # the next N calls answer 500 InternalFailure
    expire_after: int | None = None  # after N answered calls, ExpiredTokenException for every call
    bad_next_token: int = 0  # the next N calls that carry a NextToken answer InvalidNextTokenException
    access_denied: bool = False  # every call answers AccessDeniedException


@dataclass
class _Stored:
    epoch: float
    record: Mapping[str, Any]
    summary: dict[str, str] | None = None
    resources: list[dict[str, str]] = field(default_factory=list)
    text: str | None = None


@dataclass
class _Region:
    items: list[_Stored] = field(default_factory=list)
    sorted: bool = True
    tokens: float = 0.0
    last: float = 0.0
    parity: int = 0


class LookupServer:
    def __init__(self, *, rate: float | None = 2.0, burst: float = 2.0, host: str = "127.0.0.1") -> None:
        self.rate = rate
        self.burst = burst
        self.faults = Faults()
        self.calls = 0
        self.calls_by_region: Counter[str] = Counter()
        self.throttled = 0
        self.answered = 0
        self.requests: list[dict[str, Any]] = []  # every request body received (for assertions)
        self.operations: Counter[str] = Counter()  # X-Amz-Target operation names seen
        self._regions: dict[str, _Region] = {}
        self._cache: dict[tuple[Any, ...], list[_Stored]] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------------------------------------
    # lifecycle

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LookupServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="lookup-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LookupServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self) -> dict[str, str]:
        """Environment pointing boto3's CloudTrail client here, with recognisable fake credentials."""
        return {
            "AWS_ENDPOINT_URL_CLOUDTRAIL": self.url,
            "AWS_ACCESS_KEY_ID": "AKIAFAKEFORTESTS0001",
            "AWS_SECRET_ACCESS_KEY": "fake-secret-key-for-tests-only",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    # -------------------------------------------------------------------------------------------
    # data

    def add(self, records: Iterable[Mapping[str, Any]], *, region: str | None = None) -> int:
        """Store CloudTrail records (in ``region``, else each record's ``awsRegion``)."""
        n = 0
        with self._lock:
            for record in records:
                where = region or str(record.get("awsRegion") or "us-east-1")
                bucket = self._regions.setdefault(where, _Region(tokens=self.burst))
                bucket.items.append(_store(record))
                bucket.sorted = False
                n += 1
            self._cache.clear()
        return n

    def clear(self) -> None:
        with self._lock:
            self._regions.clear()
            self._cache.clear()

    def reset_counters(self) -> None:
        with self._lock:
            self.calls = self.throttled = self.answered = 0
            self.calls_by_region.clear()
            self.requests.clear()
            self.operations.clear()

    # -------------------------------------------------------------------------------------------
    # protocol

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b"{}"
                target = self.headers.get("X-Amz-Target", "")
                auth = self.headers.get("Authorization", "")
                m = _SCOPE.search(auth)
                region = m.group(1) if m else "us-east-1"
                status, payload = server._dispatch(target, region, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _dispatch(self, target: str, region: str, body: bytes) -> tuple[int, dict[str, Any]]:
        operation = target.rsplit(".", 1)[-1]
        with self._lock:
            self.operations[operation] += 1
        if not target.endswith(TARGET_SUFFIX):
            return 400, _error("UnknownOperationException", f"{operation} is not implemented here")
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            return 400, _error("SerializationException", "body is not JSON")
        with self._lock:
            self.calls += 1
            self.calls_by_region[region] += 1
            self.requests.append(params)
            bucket = self._regions.setdefault(region, _Region(tokens=self.burst))
            f = self.faults
            if f.access_denied:
                return 400, _error(
                    "AccessDeniedException",
                    "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
                    "cloudtrail:LookupEvents because no identity-based policy allows the "
                    "cloudtrail:LookupEvents action",
                )
            if f.expire_after is not None and self.answered >= f.expire_after:
                return 400, _error(
                    "ExpiredTokenException", "The security token included in the request is expired"
                )
            if f.server_errors > 0:
                f.server_errors -= 1
                return 500, _error("InternalFailure", "internal failure (injected)")
            if not self._allow(bucket):
                self.throttled += 1
                return 400, _error("ThrottlingException", "Rate exceeded")
            if params.get("NextToken") and f.bad_next_token > 0:
                f.bad_next_token -= 1
                return 400, _error("InvalidNextTokenException", "Invalid NextToken (injected)")
            try:
                result = self._lookup(region, bucket, params)
            except _ClientError as err:
                return 400, _error(err.code, err.message)
            self.answered += 1
            return 200, result

    def _allow(self, bucket: _Region) -> bool:
        if self.faults.throttle_every_other:
            bucket.parity ^= 1
            if bucket.parity == 0:
                return False
        if self.rate is None:
            return True
        now = time.monotonic()
        if bucket.last:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.last) * self.rate)
        bucket.last = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True
        return False

    def _lookup(self, region: str, bucket: _Region, params: Mapping[str, Any]) -> dict[str, Any]:
        attrs = params.get("LookupAttributes") or []
        if len(attrs) > 1:
            raise _ClientError(
                "InvalidLookupAttributesException", "LookupAttributes can contain only one item"
            )
        attr: tuple[str, str] | None = None
        if attrs:
            key, value = attrs[0].get("AttributeKey"), attrs[0].get("AttributeValue")
            if key not in _ATTRIBUTE_KEYS or not isinstance(value, str):
                raise _ClientError("InvalidLookupAttributesException", f"bad lookup attribute {key!r}")
            attr = (key, value)
        max_results = int(params.get("MaxResults") or 50)
        if not 1 <= max_results <= 50:
            raise _ClientError("InvalidMaxResultsException", "MaxResults must be 1-50")
        start = _epoch(params.get("StartTime"), default=float("-inf"))
        end = _epoch(params.get("EndTime"), default=float("inf"))
        if start > end:
            raise _ClientError("InvalidTimeRangeException", "StartTime is after EndTime")
        key_ = (region, attr, start, end)
        matches = self._cache.get(key_)
        if matches is None:
            if not bucket.sorted:
                bucket.items.sort(key=lambda s: s.epoch, reverse=True)
                bucket.sorted = True
            matches = [s for s in bucket.items if start <= s.epoch <= end and _matches(s, attr)]
            self._cache[key_] = matches
        offset = 0
        token = params.get("NextToken")
        if token:
            try:
                decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
                if decoded["k"] != _key_text(key_):
                    raise ValueError("parameters changed")
                offset = int(decoded["o"])
            except (ValueError, KeyError, TypeError):
                raise _ClientError("InvalidNextTokenException", "Invalid NextToken") from None
        page = matches[offset : offset + max_results]
        out: dict[str, Any] = {"Events": [_item(s) for s in page]}
        if offset + max_results < len(matches):
            out["NextToken"] = base64.urlsafe_b64encode(
                json.dumps({"k": _key_text(key_), "o": offset + max_results}).encode()
            ).decode()
        return out


class _ClientError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _error(code: str, message: str) -> dict[str, Any]:
    return {"__type": code, "message": message}


def _key_text(key: tuple[Any, ...]) -> str:
    return repr(key)


def _epoch(value: Any, *, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, (int, float)):
        return float(value)
    t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp()


def _store(record: Mapping[str, Any]) -> _Stored:
    text = str(record["eventTime"])
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return _Stored(t.timestamp(), record)


def _summary(s: _Stored) -> dict[str, str]:
    """The LookupEvents summary fields, computed when first needed (seeding stays cheap)."""
    if s.summary is None:
        record = s.record
        ident = record.get("userIdentity") or {}
        arn = str(ident.get("arn", "") or "")
        username = ident.get("userName") or (arn.rsplit("/", 1)[-1] if arn else "")
        s.summary = {
            "EventId": str(record.get("eventID", "")),
            "EventName": str(record.get("eventName", "")),
            "ReadOnly": "true" if record.get("readOnly") in (True, "true") else "false",
            "EventSource": str(record.get("eventSource", "")),
            "Username": str(username),
            "AccessKeyId": str(ident.get("accessKeyId", "") or ""),
        }
        s.resources = [
            {"ResourceType": str(r.get("type", "")), "ResourceName": str(r.get("ARN", ""))}
            for r in record.get("resources") or []
            if isinstance(r, Mapping)
        ]
    return s.summary


_RECORD_KEYS = {"EventName": "eventName", "EventSource": "eventSource", "EventId": "eventID"}


def _matches(s: _Stored, attr: tuple[str, str] | None) -> bool:
    if attr is None:
        return True
    key, value = attr
    direct = _RECORD_KEYS.get(key)
    if direct is not None:
        return s.record.get(direct) == value
    summary = _summary(s)
    if key == "ResourceName":
        return any(r["ResourceName"] == value for r in s.resources)
    if key == "ResourceType":
        return any(r["ResourceType"] == value for r in s.resources)
    if key == "ReadOnly":
        return summary["ReadOnly"] == value.lower()
    return summary.get(key) == value


def _item(s: _Stored) -> dict[str, Any]:
    _summary(s)
    assert s.summary is not None
    if s.text is None:
        s.text = json.dumps(s.record, separators=(",", ":"))
    item: dict[str, Any] = {
        "EventId": s.summary["EventId"],
        "EventName": s.summary["EventName"],
        "ReadOnly": s.summary["ReadOnly"],
        "EventTime": s.epoch,
        "EventSource": s.summary["EventSource"],
        "Resources": s.resources,
        "CloudTrailEvent": s.text,
    }
    if s.summary["Username"]:
        item["Username"] = s.summary["Username"]
    if s.summary["AccessKeyId"]:
        item["AccessKeyId"] = s.summary["AccessKeyId"]
    return item
