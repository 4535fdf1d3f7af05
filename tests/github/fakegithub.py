"""A local stand-in for GitHub's issue and issue-comment REST endpoints (stdlib http.server in a thread).

- ``GET /repos/{o}/{r}/issues/{n}/comments?per_page=&page=`` with RFC 8288 ``Link`` paging
- ``POST`` the same path to create, ``PATCH /repos/{o}/{r}/issues/comments/{id}`` to update
- issues (the sweep): ``GET /repos/{o}/{r}/issues?labels=&state=&sort=&direction=&per_page=&page=``
  (label filter, open/closed/all, paging; pull requests listed too, as GitHub does),
  ``POST /repos/{o}/{r}/issues``, ``PATCH /repos/{o}/{r}/issues/{n}`` (body, title, state,
  state_reason), comments on any issue number
- pull request reviews (suggestions): ``GET /repos/{o}/{r}/pulls/{n}/files`` (``pr_files``: filename
  and patch), ``GET``/``POST /repos/{o}/{r}/pulls/{n}/reviews`` (a 422 for the whole review when one
  comment's lines are not lines of the diff, on the new side and in one hunk, as GitHub answers),
  ``GET …/reviews/{id}/comments``, ``PUT …/reviews/{id}`` (body), ``PUT …/reviews/{id}/dismissals``
  (422 for a COMMENT review: GitHub cannot dismiss those), ``DELETE /repos/{o}/{r}/pulls/comments/{id}``
- ``GET /user``: the token's own user (``token_login``) for a personal or OAuth token; ``None`` (the
  default) answers 403 ``Resource not accessible by integration`` as GitHub does for the Actions
  token and GitHub App installation tokens. What the token creates is authored by ``author``
  (``github-actions[bot]`` by default; an App writes as ``<slug>[bot]``, a person as their login)
- ``GET /repos/{o}/{r}/pulls?head=owner:branch``: the pull requests in ``pulls`` (a fork's PR for a
  ``workflow_run`` job)
- bodies longer than ``max_body`` get GitHub's 422 ``body is too long``
- ``script``: responses served instead of the real one for the next matching requests
  (403 fork token, 404, 5xx, secondary rate limits with ``retry-after`` …)
Every request is recorded (method, path, headers, JSON body) for the tests to check.
"""

from __future__ import annotations

import json
import re
import threading
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

TOKEN = "ghs_FAKEtokenFAKEtokenFAKEtokenFAKE0000"


@dataclass
class Scripted:
    method: str  # GET / POST / PATCH / * (any)
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class FakeGitHub:
    def __init__(self, repo: str = "octo/infra", pr: int = 7, max_body: int = 65_536) -> None:
        self.repo = repo
        self.pr = pr
        self.pulls: list[dict[str, Any]] = []  # GET /repos/{o}/{r}/pulls?state=open&head=owner:branch
        self.token_login: str | None = None  # GET /user's login; None: 403, an installation token
        self.author = "github-actions[bot]"  # who the token's comments and issues are written by
        self.max_body = max_body
        self.comments: list[dict[str, Any]] = []  # on the pull request ``pr``
        self.issues: list[dict[str, Any]] = []
        self.issue_comments: dict[int, list[dict[str, Any]]] = {}
        self.store_issue_then_fail: int | None = None  # next issue POST is stored, then answered so
        self._next_number = 100
        self.script: list[Scripted] = []
        self.requests: list[Recorded] = []
        self.link_override: str | None = None  # a hostile Link header for the next page
        self.store_then_fail: int | None = None  # next POST is stored, then answered with this status
        self._next_id = 1000
        self.pr_files: list[dict[str, Any]] = []  # {"filename": …, "patch": "@@ -1,2 +1,3 @@\n…"}
        self.reviews: list[dict[str, Any]] = []
        self.review_comments: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def add_comment(self, body: str, login: str = "someone") -> dict[str, Any]:
        self._next_id += 1
        c = {
            "id": self._next_id,
            "body": body,
            "user": user(login),
            "html_url": f"https://github.com/{self.repo}/pull/{self.pr}#issuecomment-{self._next_id}",
        }
        self.comments.append(c)
        return c

    def add_issue(
        self,
        title: str,
        body: str,
        labels: tuple[str, ...] = ("tfdrift",),
        *,
        login: str = "github-actions[bot]",
        association: str = "NONE",
        state: str = "open",
        pull_request: bool = False,
    ) -> dict[str, Any]:
        self._next_number += 1
        n = self._next_number
        issue: dict[str, Any] = {
            "number": n,
            "title": title,
            "body": body,
            "state": state,
            "state_reason": None,
            "labels": [{"name": name} for name in labels],
            "user": user(login),
            "author_association": association,
            "html_url": f"https://github.com/{self.repo}/{'pull' if pull_request else 'issues'}/{n}",
        }
        if pull_request:
            issue["pull_request"] = {"url": f"https://api.github.com/repos/{self.repo}/pulls/{n}"}
        self.issues.append(issue)
        return issue

    def issue(self, number: int) -> dict[str, Any]:
        return next(i for i in self.issues if i["number"] == number)

    def ours(self, label: str = "tfdrift") -> list[dict[str, Any]]:
        """Issues carrying ``label`` (not pull requests), oldest first."""
        return [
            i
            for i in self.issues
            if "pull_request" not in i and any(lb["name"] == label for lb in i["labels"])
        ]

    def add_issue_comment(self, number: int, body: str, login: str = "github-actions[bot]") -> dict[str, Any]:
        self._next_id += 1
        c = {
            "id": self._next_id,
            "body": body,
            "user": user(login),
            "html_url": f"https://github.com/{self.repo}/issues/{number}#issuecomment-{self._next_id}",
        }
        self.issue_comments.setdefault(number, []).append(c)
        return c

    def api(self) -> list[Recorded]:
        """Requests except ``GET /user`` (the token's identity, asked at most once per client)."""
        return [r for r in self.requests if r.path != "/user"]

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in ("POST", "PATCH", "PUT", "DELETE")]

    def add_review(
        self,
        body: str,
        *,
        login: str = "github-actions[bot]",
        association: str = "NONE",
        state: str = "COMMENTED",
    ) -> dict[str, Any]:
        self._next_id += 1
        review = {
            "id": self._next_id,
            "body": body,
            "state": state,
            "user": {"login": login, "type": "Bot" if login.endswith("[bot]") else "User"},
            "author_association": association,
        }
        self.reviews.append(review)
        return review

    def add_review_comment(self, review: dict[str, Any], path: str, line: int, body: str) -> dict[str, Any]:
        self._next_id += 1
        comment = {
            "id": self._next_id,
            "pull_request_review_id": review["id"],
            "path": path,
            "line": line,
            "start_line": None,
            "side": "RIGHT",
            "body": body,
            "user": dict(review["user"]),
            "author_association": review["author_association"],
        }
        self.review_comments.append(comment)
        return comment

    def diff_hunks(self, path: str) -> dict[int, int]:
        """{new-side line: hunk} of ``path`` in ``pr_files`` (what GitHub lets a comment sit on)."""
        patch = next((f.get("patch") or "" for f in self.pr_files if f["filename"] == path), "")
        out: dict[int, int] = {}
        hunk, line = -1, 0
        for text in patch.split("\n"):
            head = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@", text)
            if head:
                hunk, line = hunk + 1, int(head.group(1))
            elif hunk >= 0 and not text.startswith(("-", "\\")):
                out[line] = hunk
                line += 1
        return out

    def live_suggestions(self) -> list[dict[str, Any]]:
        return list(self.review_comments)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                with fake._lock:
                    fake.requests.append(
                        Recorded(
                            method,
                            parts.path,
                            parse_qs(parts.query),
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                        )
                    )
                    scripted = next((s for s in fake.script if s.method in (method, "*")), None)
                    if scripted is not None:
                        fake.script.remove(scripted)
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._send(401, {"message": "Bad credentials"})
                    return
                if scripted is not None:
                    self._send(scripted.status, scripted.body, scripted.headers)
                    return
                with fake._lock:
                    self._route(method, parts.path, parse_qs(parts.query), body)

            def _page(self, items: list[dict[str, Any]], path: str, query: dict[str, list[str]]) -> None:
                per_page = int(query.get("per_page", ["30"])[0])
                page = int(query.get("page", ["1"])[0])
                headers = {}
                if page * per_page < len(items):
                    rest = {k: v[0] for k, v in query.items() if k != "page"}
                    qs = "&".join(f"{k}={quote(v)}" for k, v in rest.items())
                    nxt = fake.link_override or f"{fake.url}{path}?{qs}&page={page + 1}"
                    headers["Link"] = f'<{nxt}>; rel="next", <{fake.url}{path}?page=1>; rel="first"'
                self._send(200, items[(page - 1) * per_page : page * per_page], headers)

            def _issues(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> bool:
                """The issue routes; False when ``path`` is not one of them."""
                base = f"/repos/{fake.repo}/issues"
                one = re.fullmatch(rf"{re.escape(base)}/(\d+)", path)
                comments = re.fullmatch(rf"{re.escape(base)}/(\d+)/comments", path)
                if path == base and method == "GET":
                    state = query.get("state", ["open"])[0]
                    wanted = [lb for lb in query.get("labels", [""])[0].split(",") if lb]
                    items = [
                        i
                        for i in fake.issues
                        if (state == "all" or i["state"] == state)
                        and all(any(lb["name"] == w for lb in i["labels"]) for w in wanted)
                    ]
                    if query.get("direction", ["desc"])[0] == "desc":
                        items = items[::-1]
                    self._page(items, path, query)
                elif path == base and method == "POST":
                    if len(body.get("body") or "") > fake.max_body:
                        self._send(422, _too_long(fake.max_body, "Issue"))
                        return True
                    issue = fake.add_issue(
                        body["title"],
                        body.get("body") or "",
                        tuple(body.get("labels") or ()),
                        login=fake.author,
                    )
                    if fake.store_issue_then_fail is not None:
                        status, fake.store_issue_then_fail = fake.store_issue_then_fail, None
                        self._send(status, {"message": "Bad Gateway"})
                        return True
                    self._send(201, issue)
                elif one and method == "PATCH":
                    found = next((i for i in fake.issues if i["number"] == int(one.group(1))), None)
                    if found is None:
                        self._send(404, {"message": "Not Found"})
                        return True
                    if len(body.get("body") or "") > fake.max_body:
                        self._send(422, _too_long(fake.max_body, "Issue"))
                        return True
                    for key in ("title", "body", "state", "state_reason"):
                        if key in body:
                            found[key] = body[key]
                    if body.get("state") == "open" and "state_reason" not in body:
                        found["state_reason"] = "reopened"
                    self._send(200, found)
                elif comments and int(comments.group(1)) != fake.pr:
                    number = int(comments.group(1))
                    if not any(i["number"] == number for i in fake.issues):
                        self._send(404, {"message": "Not Found"})
                    elif method == "GET":
                        self._page(fake.issue_comments.get(number, []), path, query)
                    elif method == "POST":
                        if len(body["body"]) > fake.max_body:
                            self._send(422, _too_long(fake.max_body))
                            return True
                        c = fake.add_issue_comment(number, body["body"], login=fake.author)
                        if fake.store_then_fail is not None:
                            status, fake.store_then_fail = fake.store_then_fail, None
                            self._send(status, {"message": "Bad Gateway"})
                            return True
                        self._send(201, c)
                    else:
                        return False
                else:
                    return False
                return True

            def _pulls(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> bool:
                """The pull request review routes; False when ``path`` is not one of them."""
                base = f"/repos/{fake.repo}/pulls/{fake.pr}"
                review = re.fullmatch(rf"{re.escape(base)}/reviews/(\d+)(/comments|/dismissals)?", path)
                comment = re.fullmatch(rf"/repos/{re.escape(fake.repo)}/pulls/comments/(\d+)", path)
                if path == f"{base}/files" and method == "GET":
                    self._page(fake.pr_files, path, query)
                elif path == f"{base}/reviews" and method == "GET":
                    self._page(fake.reviews, path, query)
                elif path == f"{base}/reviews" and method == "POST":
                    self._create_review(body)
                elif review and method in ("GET", "PUT"):
                    found = next((r for r in fake.reviews if r["id"] == int(review.group(1))), None)
                    if found is None:
                        self._send(404, {"message": "Not Found"})
                    elif review.group(2) == "/comments" and method == "GET":
                        mine = [c for c in fake.review_comments if c["pull_request_review_id"] == found["id"]]
                        self._page(mine, path, query)
                    elif review.group(2) == "/dismissals" and method == "PUT":
                        if found["state"] == "COMMENTED":
                            self._send(422, {"message": "Can not dismiss a commented pull request review"})
                        else:
                            found["state"] = "DISMISSED"
                            self._send(200, found)
                    elif review.group(2) is None and method == "PUT":
                        found["body"] = body["body"]
                        self._send(200, found)
                    else:
                        return False
                elif comment and method == "DELETE":
                    found = next((c for c in fake.review_comments if c["id"] == int(comment.group(1))), None)
                    if found is None:
                        self._send(404, {"message": "Not Found"})
                    else:
                        fake.review_comments.remove(found)
                        self._send(204, None)
                else:
                    return False
                return True

            def _create_review(self, body: Any) -> None:
                for c in body.get("comments") or []:
                    hunks = fake.diff_hunks(c["path"])
                    lines = range(c.get("start_line") or c["line"], c["line"] + 1)
                    if {hunks.get(n) for n in lines} - {None} != {hunks.get(c["line"])} or any(
                        n not in hunks for n in lines
                    ):
                        self._send(
                            422,
                            {
                                "message": "Unprocessable Entity",
                                "errors": ["Pull request review thread line must be part of the diff"],
                            },
                        )
                        return
                review = fake.add_review(body.get("body") or "")
                for c in body.get("comments") or []:
                    added = fake.add_review_comment(review, c["path"], c["line"], c["body"])
                    added["start_line"] = c.get("start_line")
                self._send(200, review)

            def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> None:
                if path == "/user" and method == "GET":
                    if fake.token_login is None:
                        self._send(403, {"message": "Resource not accessible by integration"})
                    else:
                        self._send(200, user(fake.token_login))
                    return
                if path == f"/repos/{fake.repo}/pulls" and method == "GET":
                    head = query.get("head", [""])[0]
                    self._send(200, [p for p in fake.pulls if not head or p["head"]["label"] == head])
                    return
                if self._issues(method, path, query, body) or self._pulls(method, path, query, body):
                    return
                list_path = f"/repos/{fake.repo}/issues/{fake.pr}/comments"
                m = re.fullmatch(rf"/repos/{re.escape(fake.repo)}/issues/comments/(\d+)", path)
                if path == list_path and method == "GET":
                    per_page = int(query.get("per_page", ["30"])[0])
                    page = int(query.get("page", ["1"])[0])
                    items = fake.comments[(page - 1) * per_page : page * per_page]
                    headers = {}
                    if page * per_page < len(fake.comments):
                        nxt = (
                            fake.link_override or f"{fake.url}{list_path}?per_page={per_page}&page={page + 1}"
                        )
                        headers["Link"] = f'<{nxt}>; rel="next", <{fake.url}{list_path}?page=1>; rel="first"'
                    self._send(200, items, headers)
                elif path == list_path and method == "POST":
                    if len(body["body"]) > fake.max_body:
                        self._send(422, _too_long(fake.max_body))
                        return
                    c = fake.add_comment(body["body"], login=fake.author)
                    if fake.store_then_fail is not None:
                        status, fake.store_then_fail = fake.store_then_fail, None
                        self._send(status, {"message": "Bad Gateway"})
                        return
                    self._send(201, c)
                elif m and method == "PATCH":
                    found = next((c for c in fake.comments if c["id"] == int(m.group(1))), None)
                    if found is None:
                        self._send(404, {"message": "Not Found"})
                        return
                    if len(body["body"]) > fake.max_body:
                        self._send(422, _too_long(fake.max_body))
                        return
                    found["body"] = body["body"]
                    self._send(200, found)
                else:
                    self._send(404, {"message": "Not Found"})

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PATCH(self) -> None:
                self._handle("PATCH")

            def do_PUT(self) -> None:
                self._handle("PUT")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

        return Handler


def user(login: str) -> dict[str, Any]:
    """A user object as GitHub embeds it (``id`` stable per login, ``type`` Bot for ``…[bot]``)."""
    kind = "Bot" if login.endswith("[bot]") else "User"
    return {"login": login, "id": zlib.crc32(login.encode()), "type": kind}


def _too_long(limit: int, resource: str = "IssueComment") -> dict[str, Any]:
    return {
        "message": "Validation Failed",
        "errors": [
            {
                "resource": resource,
                "code": "custom",
                "field": "body",
                "message": f"body is too long (maximum is {limit} characters)",
            }
        ],
        "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
    }
