"""Local stand-ins for the endpoints ``tfdrift-ci sweep --notify`` posts to (stdlib http.server in a
thread), each answering the way the real service does:

- ``kind="slack"`` — a Slack incoming webhook (https://api.slack.com/messaging/webhooks): ``200 ok``
  (text/plain); ``400 invalid_payload`` for a body that is not JSON or has neither ``text`` nor
  ``blocks``; ``400 invalid_blocks`` for more than 50 blocks or a section text over 3,000 characters.
- ``kind="teams"`` — a Teams Workflows webhook: ``202`` for ``{"type": "message", "attachments":
  [{"contentType": "application/vnd.microsoft.card.adaptive", "content": {…AdaptiveCard…}}]}``,
  ``400`` otherwise.
- ``kind="webhook"`` — a generic receiver: ``200``; with ``secret`` it checks
  ``X-Tfdrift-Signature-256: sha256=<HMAC-SHA256 of the body>`` and answers ``401`` when it is
  missing or wrong (recorded in ``bad_signatures``).

``script`` holds statuses served instead, one per request (5xx, 429 with Retry-After …). Every
request is recorded (path, headers, raw body, parsed JSON).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from support.local_http import LocalHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    raw: bytes
    json: Any
    status: int


@dataclass
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class WebhookReceiver(LocalHTTPServer):
    def __init__(self, kind: str = "webhook", *, secret: str | None = None) -> None:
        self.kind = kind
        self.secret = secret
        # An unguessable path, like a real webhook URL's secret part: tests check it is never printed.
        self.path = f"/hooks/{kind}/{secrets.token_hex(12)}"
        self.received: list[Received] = []
        self.bad_signatures = 0
        self.script: list[Reply] = []
        self._lock = threading.Lock()
        self._serve(self._handler())

    @property
    def url(self) -> str:
        return self.origin + self.path

    @property
    def delivered(self) -> list[Received]:
        """Requests that were accepted (2xx)."""
        return [r for r in self.received if 200 <= r.status < 300]

    def _answer(self, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        if path != self.path:
            return Reply(404, body=b"no_service")
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if self.kind == "slack":
            return self._slack(data)
        if self.kind == "teams":
            return self._teams(data)
        if self.secret is not None:
            expected = "sha256=" + hmac.new(self.secret.encode(), raw, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(headers.get("x-tfdrift-signature-256", ""), expected):
                self.bad_signatures += 1
                return Reply(401, body=b"bad signature")
        if not isinstance(data, dict):
            return Reply(400, body=b"not json")
        return Reply(200, body=b"{}")

    @staticmethod
    def _slack(data: Any) -> Reply:
        if not isinstance(data, dict) or not (data.get("text") or data.get("blocks")):
            return Reply(400, body=b"invalid_payload")
        blocks = data.get("blocks") or []
        if len(blocks) > 50:
            return Reply(400, body=b"invalid_blocks")
        for block in blocks:
            text = (block.get("text") or {}).get("text", "") if isinstance(block, dict) else ""
            if len(text) > 3000:
                return Reply(400, body=b"invalid_blocks")
        return Reply(200, {"Content-Type": "text/plain"}, b"ok")

    @staticmethod
    def _teams(data: Any) -> Reply:
        try:
            [attachment] = data["attachments"]
            ok = (
                data["type"] == "message"
                and attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
                and attachment["content"]["type"] == "AdaptiveCard"
                and isinstance(attachment["content"]["body"], list)
            )
        except (TypeError, KeyError, ValueError):
            ok = False
        return Reply(202) if ok else Reply(400, body=b"bad card")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    reply = (
                        receiver.script.pop(0)
                        if receiver.script
                        else receiver._answer(self.path, headers, raw)
                    )
                    try:
                        parsed = json.loads(raw)
                    except ValueError:
                        parsed = None
                    receiver.received.append(Received(self.path, headers, raw, parsed, reply.status))
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

        return Handler
