"""Harness for the reliability tests: run the real CLI (in-process or as a bounded subprocess) and
small local HTTP servers with fault injection (CloudTrail LookupEvents + STS, GitHub REST, an S3
proxy in front of moto). Everything listens on 127.0.0.1 only and stops with its fixture."""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parents[2]
HOSTILE = REPO / "tests" / "fixtures" / "hostile"
GOOD_TF = HOSTILE / "terraform" / "good"

# A guard against hangs and runaway memory, not a speed assertion.
HANG_GUARD_S = 300
# RLIMIT_AS for CLI subprocesses: address space, not RSS (thread stacks and malloc arenas of the
# parallel readers reserve far more than they touch), so it is generous; it still stops a runaway.
MEMORY_GUARD = 4 * 1024**3

TRACEBACK = "Traceback (most recent call last)"


@dataclass
class Run:
    rc: int
    out: str
    err: str
    files: dict[str, str] = field(default_factory=dict)  # --output files read back

    def report(self, name: str = "report.json") -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.files[name])
        return data


def base_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no AWS credentials (so auto mode never reaches the network), no
    instance metadata lookups, no colours, caches under ``home``."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(home / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
        "NO_COLOR": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def _limit_memory() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_GUARD, MEMORY_GUARD))


def run_cli(
    args: Sequence[str],
    *,
    home: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = HANG_GUARD_S,
    outputs: Sequence[Path] = (),
) -> Run:
    """``python -m tfdrift_ci ARGS`` with a memory limit and a generous hang guard."""
    full_env = base_env(home)
    if env:
        full_env.update(env)
    proc = subprocess.run(
        [sys.executable, "-m", "tfdrift_ci", *args],
        capture_output=True,
        env=full_env,
        cwd=str(cwd or home),
        timeout=timeout,
        preexec_fn=_limit_memory,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    files = {p.name: p.read_text(encoding="utf-8") for p in outputs if p.exists()}
    return Run(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        files,
    )


def assert_clean_failure(run: Run) -> None:
    """Never a traceback, never exit 3, and an error is one ``tfdrift-ci: …`` line."""
    assert TRACEBACK not in run.err, run.err[-3000:]
    assert run.rc in (0, 1, 2), f"rc={run.rc}\n{run.err[-3000:]}"
    if run.rc == 2:
        lines = [ln for ln in run.err.splitlines() if ln.strip()]
        assert lines and lines[-1].startswith("tfdrift-ci: error: "), run.err[-3000:]
        assert len(lines[-1]) < 1200


def findings(report: dict[str, Any], *, kind: str | None = None, address: str | None = None) -> list[Any]:
    out = []
    for f in report["findings"]:
        if kind is not None and f["kind"] != kind:
            continue
        if address is not None and f.get("address") != address:
            continue
        out.append(f)
    return out


# --------------------------------------------------------------------------------------------------
# A tiny threaded HTTP server


Handler = Callable[["Request"], tuple[int, dict[str, str], bytes]]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class _Server:
    def __init__(self, handler: Handler) -> None:
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        outer = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                return

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                req = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                with outer._lock:
                    outer.requests.append(req)
                try:
                    status, headers, payload = handler(req)
                except Exception as err:  # noqa: BLE001 - a bug in a fake must be visible, not a hang
                    status, headers, payload = 599, {}, repr(err).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> _Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def serve(handler: Handler) -> Iterator[_Server]:
    server = _Server(handler).start()
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------------
# CloudTrail LookupEvents (JSON 1.1) + STS GetCallerIdentity, with fault injection

LOOKUP_TARGET = "CloudTrail_20131101.LookupEvents"
Fault = tuple[int, str, str]  # (HTTP status, __type, message)


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp()


class LookupEvents:
    """State of a fake CloudTrail endpoint. ``fault(n, body)`` is asked before answering the n-th
    (0-based) LookupEvents call and may return a Fault to send instead."""

    PAGE = 50

    def __init__(
        self,
        records: list[dict[str, Any]],
        fault: Callable[[int, dict[str, Any]], Fault | None] | None = None,
        page_size: int = 50,
    ) -> None:
        self.records = sorted(records, key=lambda r: r["eventTime"], reverse=True)
        self.fault = fault
        self.page_size = page_size
        self.calls: list[dict[str, Any]] = []  # every LookupEvents body
        self.served: list[str] = []  # event ids returned in successful pages
        self.operations: list[str] = []  # "cloudtrail:LookupEvents", "sts:GetCallerIdentity" …
        self._lock = threading.Lock()

    def _match(self, rec: dict[str, Any], body: dict[str, Any]) -> bool:
        t = _epoch(rec["eventTime"])
        if "StartTime" in body and t < float(body["StartTime"]):
            return False
        if "EndTime" in body and t > float(body["EndTime"]):
            return False
        for attr in body.get("LookupAttributes") or []:
            key, value = attr.get("AttributeKey"), attr.get("AttributeValue")
            if key == "EventName" and rec.get("eventName") != value:
                return False
            if key == "EventSource" and rec.get("eventSource") != value:
                return False
            if key == "EventId" and rec.get("eventID") != value:
                return False
            if key == "ReadOnly" and str(rec.get("readOnly")).lower() != str(value).lower():
                return False
        return True

    @staticmethod
    def _params_key(body: dict[str, Any]) -> str:
        same = {k: v for k, v in body.items() if k not in ("NextToken", "MaxResults")}
        return hashlib.sha256(json.dumps(same, sort_keys=True).encode()).hexdigest()[:12]

    def handle(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        target = req.headers.get("x-amz-target", "")
        ctype = {"Content-Type": "application/x-amz-json-1.1"}
        if not target:
            form = parse_qs(req.body.decode("utf-8", "replace"))
            action = (form.get("Action") or [""])[0]
            with self._lock:
                self.operations.append(f"sts:{action}")
            if action == "GetCallerIdentity":
                xml = (
                    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                    "<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/ci</Arn>"
                    "<UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account>"
                    "</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId>"
                    "</ResponseMetadata></GetCallerIdentityResponse>"
                )
                return 200, {"Content-Type": "text/xml"}, xml.encode()
            return (
                400,
                {"Content-Type": "text/xml"},
                b"<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>",
            )
        op = target.split(".")[-1]
        with self._lock:
            self.operations.append(f"cloudtrail:{op}")
        if not target.endswith(LOOKUP_TARGET):
            return 400, ctype, json.dumps({"__type": "UnknownOperationException"}).encode()
        body = req.json() or {}
        with self._lock:
            n = len(self.calls)
            self.calls.append(body)
        if self.fault is not None:
            fault = self.fault(n, body)
            if fault is not None:
                status, kind, message = fault
                return status, ctype, json.dumps({"__type": kind, "message": message}).encode()
        key = self._params_key(body)
        start = 0
        token = body.get("NextToken")
        if token:
            m = re.fullmatch(r"tok-([0-9a-f]+)-(\d+)", str(token))
            if not m or m.group(1) != key:
                return (
                    400,
                    ctype,
                    json.dumps(
                        {"__type": "InvalidNextTokenException", "message": "Invalid NextToken"}
                    ).encode(),
                )
            start = int(m.group(2))
        size = min(int(body.get("MaxResults") or self.page_size), self.page_size)
        matching = [r for r in self.records if self._match(r, body)]
        page = matching[start : start + size]
        out: dict[str, Any] = {"Events": [self._result(r) for r in page]}
        if start + size < len(matching):
            out["NextToken"] = f"tok-{key}-{start + size}"
        with self._lock:
            self.served.extend(r["eventID"] for r in page)
        return 200, ctype, json.dumps(out).encode()

    @staticmethod
    def _result(rec: dict[str, Any]) -> dict[str, Any]:
        return {
            "EventId": rec["eventID"],
            "EventName": rec["eventName"],
            "ReadOnly": str(rec.get("readOnly", False)).lower(),
            "AccessKeyId": (rec.get("userIdentity") or {}).get("accessKeyId"),
            "EventTime": _epoch(rec["eventTime"]),
            "EventSource": rec["eventSource"],
            "Username": "alice",
            "Resources": [],
            # a test may serve a hand-made (hostile) CloudTrailEvent string
            "CloudTrailEvent": rec.get("__raw__") or json.dumps(rec),
        }


def aws_env(url: str, **extra: str) -> dict[str, str]:
    """Fake credentials and endpoints pointing every AWS client at ``url``."""
    env = {
        "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE0001",
        "AWS_SECRET_ACCESS_KEY": "fake-secret-not-used-anywhere-0001",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": url,
    }
    env.update(extra)
    return env


# --------------------------------------------------------------------------------------------------
# GitHub REST (issue comments) with fault injection


class GitHub:
    """Issue comments of one PR. ``fault(method, path, n)`` may return (status, body, headers) to
    answer the n-th request of that method instead."""

    def __init__(
        self,
        existing: list[dict[str, Any]] | None = None,
        fault: Callable[[str, str, int], tuple[int, dict[str, Any], dict[str, str]] | None] | None = None,
        login: str | None = None,
    ) -> None:
        # login: a personal token's user (GET /user answers it, and the token's comments are written
        # by it); None: the Actions token (GET /user 403, comments by github-actions[bot]).
        self.login = login
        self.comments: list[dict[str, Any]] = list(existing or [])
        self.fault = fault
        self.counts: dict[str, int] = {}
        self.bodies: list[str] = []  # every request body sent (POST/PATCH)
        self._lock = threading.Lock()

    def handle(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            n = self.counts.get(req.method, 0)
            self.counts[req.method] = n + 1
            if req.body:
                self.bodies.append(req.body.decode("utf-8", "replace"))
        hdr = {"Content-Type": "application/json"}
        if self.fault is not None:
            answer = self.fault(req.method, req.path, n)
            if answer is not None:
                status, body, extra = answer
                return status, {**hdr, **extra}, json.dumps(body).encode()
        if req.path == "/user" and req.method == "GET":
            if self.login is None:
                return 403, hdr, json.dumps({"message": "Resource not accessible by integration"}).encode()
            return 200, hdr, json.dumps({"login": self.login, "type": "User"}).encode()
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/(\d+)/comments", req.path)
        if m and req.method == "GET":
            per_page = int((req.query.get("per_page") or ["30"])[0])
            page = int((req.query.get("page") or ["1"])[0])
            chunk = self.comments[(page - 1) * per_page : page * per_page]
            extra = {}
            if page * per_page < len(self.comments):
                nxt = f"{req.path}?per_page={per_page}&page={page + 1}"
                extra["Link"] = f'<{self._base}{nxt}>; rel="next"'
            return 200, {**hdr, **extra}, json.dumps(chunk).encode()
        if m and req.method == "POST":
            body = req.json()
            with self._lock:
                cid = 1000 + len(self.comments)
                comment = {
                    "id": cid,
                    "body": body.get("body", ""),
                    "user": {"login": self.login, "type": "User"}
                    if self.login
                    else {"login": "github-actions[bot]", "type": "Bot"},
                    "html_url": f"https://github.invalid/c/{cid}",
                }
                self.comments.append(comment)
            return 201, hdr, json.dumps(comment).encode()
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/comments/(\d+)", req.path)
        if m and req.method == "PATCH":
            cid = int(m.group(3))
            for comment in self.comments:
                if comment["id"] == cid:
                    comment["body"] = req.json().get("body", "")
                    return 200, hdr, json.dumps(comment).encode()
            return 404, hdr, json.dumps({"message": "Not Found"}).encode()
        return 404, hdr, json.dumps({"message": "Not Found", "path": req.path}).encode()

    _base = ""


@contextmanager
def github_server(state: GitHub) -> Iterator[_Server]:
    with serve(state.handle) as server:
        state._base = server.url
        yield server


def github_env(
    url: str, tmp: Path, pr: int = 7, token: str = "ghs_fakeGithubTokenForTests000001"
) -> dict[str, str]:
    event = tmp / "event.json"
    event.write_text(
        json.dumps(
            {
                "number": pr,
                "pull_request": {
                    "number": pr,
                    "base": {"ref": "main", "sha": "0" * 40},
                    "head": {"ref": "feature", "sha": "1" * 40},
                },
            }
        ),
        encoding="utf-8",
    )
    summary = tmp / "step_summary.md"
    summary.touch()
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "acme/infra",
        "GITHUB_API_URL": url,
        "GITHUB_TOKEN": token,
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_SERVER_URL": "https://github.invalid",
        "GITHUB_RUN_ID": "42",
        "GITHUB_SHA": "1" * 40,
    }


def policy_actions() -> set[str]:
    """Every action ``docs/iam-policy.json`` allows (lower-case ``service:Action``)."""
    doc = json.loads((REPO / "docs" / "iam-policy.json").read_text(encoding="utf-8"))
    out: set[str] = set()
    for statement in doc["Statement"]:
        actions = statement["Action"]
        out.update(a.lower() for a in ([actions] if isinstance(actions, str) else actions))
    return out


def s3_action(req: Request) -> str:
    """The IAM action an S3 REST request needs (the few the trail reader may send)."""
    key = req.path.lstrip("/").partition("/")[2]
    if req.method in ("GET", "HEAD") and not key:
        return "s3:GetBucketLocation" if "location" in req.query else "s3:ListBucket"
    if req.method in ("GET", "HEAD"):
        return "s3:GetObject"
    return f"s3:{req.method}?"


# The ``cli`` fixture (conftest.py): runs the real CLI in-process and returns a Run.
CliRunner = Callable[..., Run]
