"""GitHub issues for the scheduled sweep: list the labelled ones, create, edit, close/reopen, comment.

REST endpoints (https://docs.github.com/en/rest/issues/issues and
https://docs.github.com/en/rest/issues/comments):

- ``GET /repos/{owner}/{repo}/issues?labels=L&state=all&sort=created&direction=asc&per_page=100``,
  paged through ``Link: <…>; rel="next"``. The list also returns pull requests (they carry a
  ``pull_request`` key): those are skipped.
- ``POST /repos/{owner}/{repo}/issues`` with ``title``, ``body``, ``labels``.
- ``PATCH /repos/{owner}/{repo}/issues/{number}`` with ``body``, ``title``, ``state`` (open/closed)
  and ``state_reason`` (completed/not_planned/reopened).
- ``POST /repos/{owner}/{repo}/issues/{number}/comments`` with ``body``.

The list API is used rather than the search API on purpose: search is eventually consistent (an
issue created a minute ago may not be found yet, and a quick second sweep would open it twice) and
stops at 1,000 results; listing by label is exact.

The HTTP client (retries on 5xx and rate limits, same-host paging, the token only in the
``Authorization`` header) is the sticky comment's :class:`tfdrift_ci.github.comments.Client`.
A create answered with 5xx may have been stored all the same: before trying again the list is read
to find it (by its hidden marker), so a flaky GitHub never yields two issues for one resource.
Writes are spaced by :data:`WRITE_GAP` seconds, as GitHub asks of clients that create content
(https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any, Literal

from tfdrift_ci.frozen import frozen
from tfdrift_ci.github import comments
from tfdrift_ci.github.comments import Client, GitHubApiError, Response
from tfdrift_ci.github.trust import Identity

BODY_LIMIT = 65_536  # characters; GitHub answers 422 beyond it (issues and comments alike)
TITLE_LIMIT = 256
WRITE_GAP = 1.0  # seconds between two writes
MAX_PAGES = comments.MAX_PAGES

State = Literal["open", "closed"]


@frozen
class Issue:
    number: int
    title: str
    body: str
    state: State
    state_reason: str | None = None
    url: str | None = None
    trusted: bool = False  # written by the token's own identity (``github.trust``)
    labels: tuple[str, ...] = ()


def _issue(data: Any, owns: Callable[[dict[str, Any]], bool]) -> Issue | None:
    """An issue from the API's JSON, or None for pull requests and shapes we do not understand.
    ``owns`` tells whether the token's own identity wrote it."""
    if not isinstance(data, dict) or "pull_request" in data:
        return None
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    labels = tuple(
        str(label.get("name")) if isinstance(label, dict) else str(label)
        for label in data.get("labels") or ()
        if isinstance(label, dict | str)
    )
    body = data.get("body")
    return Issue(
        number=number,
        title=str(data.get("title") or ""),
        body=body if isinstance(body, str) else "",
        state="closed" if data.get("state") == "closed" else "open",
        state_reason=data.get("state_reason") if isinstance(data.get("state_reason"), str) else None,
        url=data.get("html_url") if isinstance(data.get("html_url"), str) else None,
        trusted=owns(data),
        labels=labels,
    )


class Issues:
    """The issue endpoints of one repository (``client.ctx.repository``)."""

    def __init__(self, client: Client, *, write_gap: float = WRITE_GAP) -> None:
        self.client = client
        self.write_gap = write_gap
        self._last_write: float | None = None
        self.writes = 0  # write requests sent (for the run's summary)

    def identity(self) -> Identity:
        """The token's own identity (``github.trust``): only what it wrote is ours."""
        return comments.identity(self.client)

    def _owns(self, item: dict[str, Any]) -> bool:
        return self.identity().owns(item)

    @property
    def _repo_url(self) -> str:
        return self.client.url(f"/repos/{self.client.ctx.repository}")

    # ----------------------------------------------------------------------------------------------
    # reading

    def _pages(self, url: str, what: str) -> Iterator[Any]:
        next_url: str | None = url
        pages = 0
        while next_url and pages < MAX_PAGES:
            resp = self.client.request("GET", next_url, what=what)
            pages += 1
            if not isinstance(resp.data, list):
                raise GitHubApiError(resp.status, "unexpected response (not a list)", method="GET", what=what)
            yield from resp.data
            next_url = comments._next_link(resp.headers.get("link"))

    def labelled(self, label: str) -> list[Issue]:
        """Every issue (open and closed) carrying ``label``, oldest first; pull requests skipped."""
        query = urllib.parse.urlencode(
            {"labels": label, "state": "all", "sort": "created", "direction": "asc", "per_page": 100}
        )
        out: list[Issue] = []
        for item in self._pages(f"{self._repo_url}/issues?{query}", f"issues labelled {label!r}"):
            issue = _issue(item, self._owns)
            if issue is not None:
                out.append(issue)
        return out

    def find(self, label: str, marker: str) -> Issue | None:
        """The oldest trusted issue labelled ``label`` whose body starts with ``marker``."""
        for issue in self.labelled(label):
            if issue.trusted and issue.body.lstrip().startswith(marker):
                return issue
        return None

    def comments_of(self, number: int) -> list[dict[str, Any]]:
        """The comments of issue ``number``, oldest first."""
        return [
            dict(c)
            for c in self._pages(
                f"{self._repo_url}/issues/{number}/comments?per_page=100", f"issue #{number} comments"
            )
            if isinstance(c, dict)
        ]

    # ----------------------------------------------------------------------------------------------
    # writing

    def _write(self, method: str, url: str, body: dict[str, Any], *, what: str, retry: bool) -> Response:
        if self._last_write is not None and self.write_gap > 0:
            wait = self.write_gap - (self.client.now() - self._last_write)
            if wait > 0:
                (self.client.sleep or comments._sleep)(wait)
        try:
            return self.client.request(method, url, body, what=what, retry_server_errors=retry)
        finally:
            self._last_write = self.client.now()
            self.writes += 1

    def _create_once(
        self, method: str, url: str, body: dict[str, Any], *, what: str, find: Callable[[], Any]
    ) -> Any:
        """POST something that must not be created twice: after a 5xx, look for it (``find``)
        before trying again; returns the response data or what ``find`` found."""
        attempt = 0
        while True:
            try:
                data = self._write(method, url, body, what=what, retry=False).data
            except GitHubApiError as err:
                if err.status < 500 or attempt + 1 >= self.client.max_attempts:
                    raise
            else:
                comments.learn(self.client, data)  # its author is the token's identity
                return data
            self.client._pause(float(2**attempt))
            attempt += 1
            found = find()
            if found is not None:
                return found

    def create(self, title: str, body: str, labels: tuple[str, ...], *, marker: str) -> Issue:
        """Open an issue whose body starts with ``marker`` (checked)."""
        if not body.startswith(marker):
            raise ValueError("issue body does not start with its marker")
        label = labels[0] if labels else ""

        def find() -> Issue | None:
            return self.find(label, marker) if label else None

        data = self._create_once(
            "POST",
            f"{self._repo_url}/issues",
            {"title": title[:TITLE_LIMIT], "body": body, "labels": list(labels)},
            what="create issue",
            find=find,
        )
        issue = data if isinstance(data, Issue) else _issue(data, self._owns)
        if issue is None:
            raise GitHubApiError(
                201, "unexpected response to an issue create", method="POST", what="create issue"
            )
        return issue

    def update(
        self,
        number: int,
        *,
        body: str | None = None,
        title: str | None = None,
        state: State | None = None,
        state_reason: str | None = None,
    ) -> Issue | None:
        """Edit an issue (PATCH is idempotent, so 5xx answers are retried)."""
        payload: dict[str, Any] = {}
        if body is not None:
            payload["body"] = body
        if title is not None:
            payload["title"] = title[:TITLE_LIMIT]
        if state is not None:
            payload["state"] = state
        if state_reason is not None:
            payload["state_reason"] = state_reason
        if not payload:
            return None
        resp = self._write(
            "PATCH", f"{self._repo_url}/issues/{number}", payload, what=f"update issue #{number}", retry=True
        )
        return _issue(resp.data, self._owns)

    def comment(self, number: int, body: str) -> str | None:
        """Add a comment to issue ``number``; returns its URL. After a 5xx the issue's comments are
        read first: a comment stored despite the error is not posted twice."""

        def find() -> dict[str, Any] | None:
            return next(
                (c for c in self.comments_of(number) if c.get("body") == body and self._owns(c)), None
            )

        data = self._create_once(
            "POST",
            f"{self._repo_url}/issues/{number}/comments",
            {"body": body},
            what=f"comment on issue #{number}",
            find=find,
        )
        return (
            data.get("html_url") if isinstance(data, dict) and isinstance(data.get("html_url"), str) else None
        )
