"""A local stand-in for the GitLab REST API v4 endpoints the merge request note uses.

- ``GET /api/v4/user`` — the token's own user
- ``GET /api/v4/projects/:id/merge_requests/:iid/notes?per_page=&page=`` — paged, with RFC 8288
  ``Link`` headers (and ``X-Next-Page``) like GitLab's offset pagination
- ``POST`` the same path to create a note (201), ``PUT …/notes/:note_id`` to update it (200)

Every request must carry ``PRIVATE-TOKEN: <token>`` (else 401). ``script`` makes the next matching
requests answer with a given status (403 for a token without access, 5xx for an outage); every request
is recorded.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from support.local_http import LocalHTTPServer

TOKEN = "glpat-FAKE-token-never-printed"


@dataclass
class Scripted:
    method: str  # GET / POST / PUT, or * for any
    path_re: str
    status: int
    body: Any = field(default_factory=lambda: {"message": "scripted"})
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class FakeGitLab(LocalHTTPServer):
    def __init__(self, project_id: int = 42, mr_iid: int = 7, bot_id: int = 900) -> None:
        self.project_id = project_id
        self.mr_iid = mr_iid
        self.bot = {"id": bot_id, "username": f"project_{project_id}_bot_0123", "name": "tfdrift-ci"}
        self.notes: list[dict[str, Any]] = []
        self.script: list[Scripted] = []
        self.requests: list[Recorded] = []
        self.store_then_fail: int | None = None  # the next POST is stored, then answered with this
        self._next_id = 5000
        self._lock = threading.Lock()
        self._serve(self._handler())

    @property
    def url(self) -> str:
        return self.origin

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v4"

    def env(self, **extra: str) -> dict[str, str]:
        """The variables GitLab CI sets in a merge request pipeline, plus the token variable."""
        return {
            "GITLAB_CI": "true",
            "CI_API_V4_URL": self.api_url,
            "CI_PROJECT_ID": str(self.project_id),
            "CI_MERGE_REQUEST_IID": str(self.mr_iid),
            "GITLAB_TOKEN": TOKEN,
            **extra,
        }

    def add_note(self, body: str, author_id: int = 1, *, system: bool = False) -> dict[str, Any]:
        with self._lock:
            self._next_id += 1
            note = {"id": self._next_id, "body": body, "system": system,
                    "author": {"id": author_id, "username": f"user{author_id}"}}  # fmt: skip
            self.notes.append(note)
            return note

    def ours(self) -> list[dict[str, Any]]:
        return [n for n in self.notes if n["author"]["id"] == self.bot["id"]]

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in ("POST", "PUT")]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self, method: str) -> None:
                parts = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(parts.query)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                with fake._lock:
                    fake.requests.append(Recorded(method, parts.path, query, dict(self.headers), body))
                    matching = (
                        s
                        for s in fake.script
                        if s.method in ("*", method) and re.fullmatch(s.path_re, parts.path) and s.times > 0
                    )
                    scripted = next(matching, None)
                    if scripted is not None:
                        scripted.times -= 1
                if self.headers.get("PRIVATE-TOKEN") != TOKEN:
                    self._send(401, {"message": "401 Unauthorized"})
                    return
                if scripted is not None:
                    self._send(scripted.status, scripted.body, scripted.headers)
                    return
                self._route(method, parts.path, query, body)

            def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> None:
                notes = f"/api/v4/projects/{fake.project_id}/merge_requests/{fake.mr_iid}/notes"
                one = re.fullmatch(re.escape(notes) + r"/(\d+)", path)
                if method == "GET" and path == "/api/v4/user":
                    self._send(200, fake.bot)
                elif method == "GET" and path == notes:
                    per_page = int(query.get("per_page", ["20"])[0])
                    page = int(query.get("page", ["1"])[0])
                    items = fake.notes[(page - 1) * per_page : page * per_page]
                    headers = {}
                    if page * per_page < len(fake.notes):
                        nxt = f"{fake.api_url}{path[len('/api/v4') :]}?per_page={per_page}&page={page + 1}"
                        headers = {"Link": f'<{nxt}>; rel="next"', "X-Next-Page": str(page + 1)}
                    self._send(200, items, headers)
                elif method == "POST" and path == notes:
                    note = fake.add_note(str(body.get("body", "")), fake.bot["id"])
                    if fake.store_then_fail is not None:
                        status, fake.store_then_fail = fake.store_then_fail, None
                        self._send(status, {"message": "502 Bad Gateway"})
                        return
                    self._send(201, note)
                elif method == "PUT" and one:
                    note = next((n for n in fake.notes if n["id"] == int(one.group(1))), None)
                    if note is None:
                        self._send(404, {"message": "404 Not found"})
                        return
                    if note["author"]["id"] != fake.bot["id"]:
                        self._send(403, {"message": "403 Forbidden"})  # GitLab: only the author edits
                        return
                    note["body"] = str(body.get("body", ""))
                    self._send(200, note)
                else:
                    self._send(404, {"message": "404 Not found"})

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PUT(self) -> None:
                self._handle("PUT")

        return Handler
