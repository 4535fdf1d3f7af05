"""The sticky PR comment: one per scanned Terraform root, found again by a hidden marker.

REST endpoints (https://docs.github.com/en/rest/issues/comments):
``GET /repos/{owner}/{repo}/issues/{n}/comments`` (paged, ``Link: <…>; rel="next"``),
``POST`` the same URL to create, ``PATCH /repos/{owner}/{repo}/issues/comments/{id}`` to update.

- The marker ``<!-- tfdrift-ci:root=<root> -->`` is the first line of the body; every page is read
  until it is found (a busy PR has hundreds of comments).
- A clean result updates an existing comment to say so; it never creates a new "all clear" one.
- 5xx and secondary rate limits (403/429 with ``retry-after`` or ``x-ratelimit-remaining: 0``,
  https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit)
  are retried with bounded backoff; anything else becomes a :class:`GitHubApiError`, which
  ``github.deliver`` turns into a warning.
- The token goes only into the ``Authorization`` header, and only to ``GITHUB_API_URL``'s host (a
  ``Link`` header pointing elsewhere is refused).

stdlib ``urllib.request`` only: three endpoints do not justify another dependency.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from email.message import Message
from typing import Any

from tfdrift_ci import __version__
from tfdrift_ci.errors import GitHubError
from tfdrift_ci.frozen import frozen
from tfdrift_ci.github.context import Context
from tfdrift_ci.github.trust import ACTIONS_BOT, Identity
from tfdrift_ci.models import Report
from tfdrift_ci.report import RenderOptions
from tfdrift_ci.report.escape import comment_marker_value, one_line
from tfdrift_ci.report.markdown import COMMENT_LIMIT, render_comment

MARKER_PREFIX = "<!-- tfdrift-ci:root="
API_VERSION = "2022-11-28"
MAX_PAGES = 200  # 20,000 comments: far beyond any real PR, a guard against a Link loop
MAX_ATTEMPTS = 4
MAX_WAIT = 60.0  # seconds for one retry; a longer retry-after/reset is not waited for
MAX_TOTAL_WAIT = 120.0
TIMEOUT = 30.0


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


class GitHubApiError(GitHubError):
    def __init__(self, status: int, message: str, *, method: str, what: str) -> None:
        self.status = status
        super().__init__(f"{method} {what}: HTTP {status}: {message}")


@frozen
class Response:
    status: int
    headers: Message
    data: Any


def marker(root: str) -> str:
    return f"{MARKER_PREFIX}{comment_marker_value(root)} -->"


def comment_body(
    report: Report,
    *,
    root: str | None = None,
    template_dir: str | None = None,
    summary_url: str | None = None,
    limit: int = COMMENT_LIMIT,
) -> str:
    """The whole comment: the marker line, then the rendered ``comment.md.j2`` (≤ ``limit`` chars)."""
    mark = marker(report.path if root is None else root)
    options = RenderOptions(template_dir=template_dir)
    body = render_comment(report, options, summary_url=summary_url, limit=limit, reserve=len(mark) + 1)
    return f"{mark}\n{body}"


def _next_link(header: str | None) -> str | None:
    """The rel="next" URL of a Link header (RFC 8288), or None."""
    if not header:
        return None
    for part in header.split(","):
        section = part.split(";")
        if len(section) < 2:
            continue
        url = section[0].strip()
        if not (url.startswith("<") and url.endswith(">")):
            continue
        params = {p.strip().lower().replace('"', "") for p in section[1:]}
        if "rel=next" in params:
            return url[1:-1]
    return None


def _message(raw: bytes) -> str:
    try:
        data = json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        return one_line(raw.decode("utf-8", "replace"), 200) or "no message"
    if isinstance(data, dict):
        msg = str(data.get("message") or "")
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            details = [
                str(e.get("message") or e.get("code") or "") if isinstance(e, dict) else str(e)
                for e in errors
            ]
            msg += " (" + "; ".join(d for d in details if d) + ")"
        return one_line(msg, 300) or "no message"
    return "no message"


class Client:
    """A tiny GitHub REST client: JSON in and out, retries, same-host paging."""

    def __init__(
        self,
        ctx: Context,
        *,
        sleep: Callable[[float], None] | None = None,
        now: Callable[[], float] | None = None,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.ctx = ctx
        self.sleep = sleep  # None: the module-level _sleep, looked up at call time (tests replace it)
        self.now = now or time.time
        self.max_attempts = max_attempts
        base = urllib.parse.urlsplit(ctx.api_url)
        self._origin = (base.scheme, base.netloc)
        self.waited = 0.0
        self.whoami: Identity | None = None  # the token's identity (:func:`identity`), asked once
        self.notes: list[str] = []  # warnings for the run (an app token's identity learnt late)

    def url(self, path: str) -> str:
        return f"{self.ctx.api_url}{path}"

    def headers(self) -> dict[str, str]:
        """The headers of every request; the token goes only here. (tfdrift_ci/gitlab reuses this
        client for GitLab's API and replaces them.)"""
        return {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"tfdrift-ci/{__version__}",
            "Authorization": f"Bearer {self.ctx.token}",
        }

    def _check_origin(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin:
            # Never send the token to another host, whatever a Link header says.
            raise GitHubError(f"refusing to follow a GitHub API URL on another host: {parts.netloc!r}")

    def _retry_wait(self, status: int, headers: Message, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when this response is final."""
        retry_after = headers.get("retry-after")
        remaining = headers.get("x-ratelimit-remaining")
        if status in (403, 429) and (retry_after is not None or remaining == "0"):
            if retry_after is not None:
                try:
                    return max(float(retry_after), 0.0)
                except ValueError:
                    return float(2**attempt)
            reset = headers.get("x-ratelimit-reset")
            try:
                return max(float(reset or 0) - self.now(), 0.0) + 1.0 if reset else float(60 * (attempt + 1))
            except ValueError:
                return float(60 * (attempt + 1))
        if status >= 500:
            return float(2**attempt)  # 1, 2, 4 s
        return None

    def request(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None = None,
        *,
        what: str,
        retry_server_errors: bool = True,
    ) -> Response:
        """One API call, retried on 5xx (unless ``retry_server_errors`` is False: a create that
        failed with 502 may still have happened) and on rate limits (refused before processing)."""
        self._check_origin(url)
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = self.headers()
        if data is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        attempt = 0
        while True:
            req = urllib.request.Request(url, data=data, method=method, headers=headers)
            status: int
            raw: bytes
            try:
                with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
                    status, resp_headers, raw = resp.status, resp.headers, resp.read()
            except urllib.error.HTTPError as err:
                status, resp_headers, raw = err.code, err.headers, err.read()
            except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
                reason = getattr(err, "reason", err)
                if attempt + 1 >= self.max_attempts:
                    raise GitHubError(f"{method} {what}: cannot reach {self._origin[1]}: {reason}") from None
                self._pause(float(2**attempt))
                attempt += 1
                continue
            if 200 <= status < 300:
                try:
                    parsed = json.loads(raw.decode("utf-8")) if raw.strip() else None
                except ValueError:
                    raise GitHubApiError(status, "response is not JSON", method=method, what=what) from None
                return Response(status, resp_headers, parsed)
            wait = self._retry_wait(status, resp_headers, attempt)
            if status >= 500 and not retry_server_errors:
                wait = None
            if (
                wait is None
                or attempt + 1 >= self.max_attempts
                or wait > MAX_WAIT
                or self.waited + wait > MAX_TOTAL_WAIT
            ):
                raise GitHubApiError(status, _message(raw), method=method, what=what)
            self._pause(wait)
            attempt += 1

    def _pause(self, seconds: float) -> None:
        self.waited += seconds
        (self.sleep or _sleep)(seconds)


# --------------------------------------------------------------------------------------------------


def identity(client: Client) -> Identity:
    """The token's own identity (``github.trust``): TFDRIFT_GITHUB_LOGIN, else ``GET /user``, else
    (an installation token, which ``GET /user`` refuses) ``github-actions[bot]`` until a comment or
    issue this run creates tells otherwise. Asked once per client, and only when needed."""
    if client.whoami is None:
        client.whoami = _whoami(client)
    return client.whoami


def _whoami(client: Client) -> Identity:
    if client.ctx.login:
        return Identity(client.ctx.login, "TFDRIFT_GITHUB_LOGIN")
    what = "the token's user"
    try:
        resp = client.request("GET", client.url("/user"), what=what)
    except GitHubApiError as err:
        if err.status in (403, 404):  # "Resource not accessible by integration": an installation token
            return Identity(ACTIONS_BOT, "assumed")
        raise
    data = resp.data if isinstance(resp.data, dict) else {}
    login, user_id = data.get("login"), data.get("id")
    if not isinstance(login, str) or not login:
        raise GitHubApiError(resp.status, "unexpected response (no login)", method="GET", what=what)
    return Identity(login, "GET /user", user_id if type(user_id) is int else None)


def learn(client: Client, created: Any) -> None:
    """This run created ``created`` (the API's answer to a POST): its author is the token's identity.
    Settles an assumed identity (a warning in ``client.notes`` when the assumption was wrong); a
    comment by ``github-actions[bot]`` needs no ``GET /user`` to agree with the assumption."""
    author = created.get("user") if isinstance(created, dict) else None
    login = author.get("login") if isinstance(author, dict) else None
    if client.whoami is None and (not isinstance(login, str) or login.casefold() == ACTIONS_BOT):
        return
    client.whoami, warning = identity(client).learn(created)
    if warning and warning not in client.notes:
        client.notes.append(warning)


def find_comment(client: Client, number: int, mark: str) -> dict[str, Any] | None:
    """The first (oldest) comment whose body starts with ``mark`` and that the token's own identity
    wrote (``github.trust``), paging through all comments."""
    url: str | None = client.url(f"/repos/{client.ctx.repository}/issues/{number}/comments?per_page=100")
    pages = 0
    while url and pages < MAX_PAGES:
        resp = client.request("GET", url, what=f"PR #{number} comments")
        pages += 1
        if not isinstance(resp.data, list):
            raise GitHubApiError(
                resp.status, "unexpected response (not a list)", method="GET", what="comments"
            )
        for item in resp.data:
            body = item.get("body") if isinstance(item, dict) else None
            if isinstance(body, str) and body.lstrip().startswith(mark) and identity(client).owns(item):
                return dict(item)
        url = _next_link(resp.headers.get("link"))
    return None


_SHA = re.compile(r"^[0-9a-f]{40}$")


def workflow_run_pr(client: Client, event: dict[str, Any]) -> int | None:
    """The pull request a ``workflow_run`` event's run was for: the payload's ``pull_requests`` entry
    into this repository at the run's head commit; for a fork's pull request (GitHub leaves that list
    empty) the open pull request whose head is the fork's ``owner:branch`` at that commit
    (``GET /repos/{repo}/pulls?head=…``). None when the event is not a workflow_run or none matches."""
    run = event.get("workflow_run")
    sha = run.get("head_sha") if isinstance(run, dict) else None
    if not isinstance(run, dict) or not isinstance(sha, str) or not _SHA.match(sha):
        return None
    for pr in run.get("pull_requests") or ():
        base = _get(pr, "base", "repo", "url")
        if (
            _get(pr, "head", "sha") == sha
            and isinstance(base, str)
            and base.endswith(f"/repos/{client.ctx.repository}")
        ):
            return _number(pr)
    owner, branch = _get(run, "head_repository", "owner", "login"), run.get("head_branch")
    if not isinstance(owner, str) or not isinstance(branch, str) or not owner or not branch:
        return None
    query = urllib.parse.urlencode({"state": "open", "head": f"{owner}:{branch}", "per_page": 100})
    resp = client.request(
        "GET", client.url(f"/repos/{client.ctx.repository}/pulls?{query}"), what="the run's pull request"
    )
    for pr in resp.data if isinstance(resp.data, list) else ():
        if _get(pr, "head", "sha") == sha:
            return _number(pr)
    return None


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _number(pr: Any) -> int | None:
    number = _get(pr, "number")
    return number if type(number) is int and number > 0 else None


@frozen
class Outcome:
    action: str  # created | updated | unchanged | skipped
    comment_id: int | None = None
    url: str | None = None
    shortened: bool = False  # GitHub refused the full body (422) and the short one was sent


def upsert(
    client: Client,
    number: int,
    root: str,
    body: str,
    *,
    clean: bool,
    fallback_body: Callable[[], str] | None = None,
) -> Outcome:
    """Create or update the sticky comment for ``root``; ``body`` and ``fallback_body()`` are whole
    comments from :func:`comment_body` (marker first). ``clean`` results only update an existing
    comment. On 422 (GitHub's own size/validation limits) retries once with ``fallback_body()``."""
    mark = marker(root)
    if not body.startswith(mark + "\n"):
        raise ValueError("comment body does not start with its root's marker")
    existing = find_comment(client, number, mark)
    if existing is None and clean:
        return Outcome("skipped")
    if existing is None:
        created = _create_or_find(client, number, mark, body, fallback_body)
        if isinstance(created, Outcome):
            return created
        existing = created
    if existing.get("body") == body:
        return Outcome("unchanged", existing.get("id"), existing.get("html_url"))
    comment_id = int(existing["id"])
    try:
        return _outcome("updated", _update(client, comment_id, body))
    except GitHubApiError as err:
        if err.status != 422 or fallback_body is None:
            raise
        return _outcome("updated", _update(client, comment_id, fallback_body()), shortened=True)


def _create_or_find(
    client: Client, number: int, mark: str, body: str, fallback_body: Callable[[], str] | None
) -> Outcome | dict[str, Any]:
    """POST the comment. A create answered with 5xx may have been stored all the same, so before
    trying again look for it: returns the comment found then (to be updated) instead of a duplicate."""
    attempt = 0
    while True:
        try:
            return _outcome("created", _create(client, number, body))
        except GitHubApiError as err:
            if err.status == 422 and fallback_body is not None:
                return _outcome("created", _create(client, number, fallback_body()), shortened=True)
            if err.status < 500 or attempt + 1 >= client.max_attempts:
                raise
        client._pause(float(2**attempt))
        attempt += 1
        found = find_comment(client, number, mark)
        if found is not None:
            return found


def _outcome(action: str, resp: Response, *, shortened: bool = False) -> Outcome:
    data = resp.data if isinstance(resp.data, dict) else {}
    return Outcome(action, data.get("id"), data.get("html_url"), shortened)


def _create(client: Client, number: int, body: str) -> Response:
    resp = client.request(
        "POST",
        client.url(f"/repos/{client.ctx.repository}/issues/{number}/comments"),
        {"body": body},
        what=f"create comment on PR #{number}",
        retry_server_errors=False,
    )
    learn(client, resp.data)
    return resp


def _update(client: Client, comment_id: int, body: str) -> Response:
    return client.request(
        "PATCH",
        client.url(f"/repos/{client.ctx.repository}/issues/comments/{comment_id}"),
        {"body": body},
        what=f"update comment {comment_id}",
    )
