"""Suggestions on the pull request: drift whose declaring line is in the PR's diff gets a review
comment with a ```suggestion block carrying the ``fix --adopt`` edit, so a reviewer accepts it with
one click; drift declared on lines outside the diff stays in the sticky comment only.

REST endpoints (https://docs.github.com/en/rest/pulls/reviews, /pulls/comments, /pulls/pulls):
``GET /repos/{o}/{r}/pulls/{n}/files`` (the diff's hunks, paged), ``GET …/pulls/{n}/reviews``,
``GET …/pulls/{n}/reviews/{id}/comments``, ``POST …/pulls/{n}/reviews`` (one review per run, event
``COMMENT``, every suggestion in it), ``DELETE …/pulls/comments/{id}``, ``PUT …/pulls/{n}/reviews/{id}``.

- One review per run, found again by the hidden marker ``<!-- tfdrift-ci:suggestions -->`` that
  starts its body, and only when its author is trusted (``github/trust.py``: the sticky comment's
  rule). A submitted COMMENT review cannot be deleted or dismissed on GitHub, so the previous one is
  replaced by deleting its suggestion comments and marking its body as superseded; when the new
  suggestions are the same as the old ones nothing is touched.
- GitHub accepts a review comment only on lines of the diff (422 otherwise, and then for the whole
  review): the lines are taken from the diff's hunks first, and a suggestion is offered only when
  every line it replaces is in one hunk on the new side.
- Text from CloudTrail, Terraform and git is escaped as in the sticky comment (``report/escape.py``):
  the suggestion's fence is longer than any backtick run in it, so no value can close it early.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tfdrift_ci.fix import adopt, apply_edits, safety
from tfdrift_ci.fix.locate import Edit, Source
from tfdrift_ci.frozen import frozen
from tfdrift_ci.github.comments import MAX_PAGES, Client, GitHubApiError, _next_link, identity, learn
from tfdrift_ci.github.context import Context, load_event
from tfdrift_ci.models import Finding, Report
from tfdrift_ci.report.escape import md, md_block

MARKER = "<!-- tfdrift-ci:suggestions -->"
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
MAX_SUGGESTIONS = 50  # one review; GitHub shows long reviews poorly, the sticky comment has the rest


@frozen
class Suggestion:
    path: str  # repository path (posix)
    start_line: int
    line: int
    body: str

    def as_comment(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "line": self.line, "side": "RIGHT", "body": self.body}
        if self.start_line != self.line:
            out.update(start_line=self.start_line, start_side="RIGHT")
        return out


# --------------------------------------------------------------------------------------------------
# The diff


def diff_lines(patch: str) -> dict[int, int]:
    """{new-side line number: hunk index} for every line a review comment may be placed on (added
    and context lines of the file's ``patch``)."""
    out: dict[int, int] = {}
    hunk, line = -1, 0
    for text in patch.splitlines():
        m = _HUNK.match(text)
        if m:
            hunk, line = hunk + 1, int(m.group(1))
            continue
        if hunk < 0 or text.startswith(("-", "\\")):
            continue
        out[line] = hunk
        line += 1
    return out


def pr_files(client: Client, number: int) -> dict[str, dict[int, int]]:
    """{repository path: diff_lines} of the pull request's changed files."""
    url: str | None = client.url(f"/repos/{client.ctx.repository}/pulls/{number}/files?per_page=100")
    out: dict[str, dict[int, int]] = {}
    pages = 0
    while url and pages < MAX_PAGES:
        resp = client.request("GET", url, what=f"PR #{number} files")
        pages += 1
        for item in resp.data if isinstance(resp.data, list) else []:
            if isinstance(item, dict) and isinstance(item.get("filename"), str):
                patch = item.get("patch")
                out[item["filename"]] = diff_lines(patch) if isinstance(patch, str) else {}
        url = _next_link(resp.headers.get("link"))
    return out


# --------------------------------------------------------------------------------------------------
# Suggestions from the adopt plan


def repo_path(report: Report, file: str, workspace: str | None) -> str | None:
    """``file`` (relative to the report's PATH) as a path in the repository, or None outside it."""
    base = report.path if os.path.isdir(report.path) else os.path.dirname(report.path) or "."
    if os.path.isabs(base):
        if not workspace:
            return None
        with contextlib.suppress(ValueError):
            base = os.path.relpath(base, workspace)
    path = posixpath.normpath(posixpath.join(base.replace(os.sep, "/"), file))
    return None if path.startswith("../") or path == ".." or posixpath.isabs(path) else path


def replaced_lines(src: Source, edits: Sequence[Edit]) -> tuple[int, int, str]:
    """(first line, last line, their new text) of the whole lines ``edits`` touch in ``src``."""
    start = min(e.start for e in edits)
    end = max(e.end for e in edits)
    first = src.line_of(start)
    last = src.line_of(max(end - 1, start)) if end > start else first
    a = src.line_start(first)
    b = src.text.find("\n", src.line_start(last))
    b = len(src.text) if b < 0 else b
    region = Source(src.file, src.text[a:b])
    shifted = [Edit(e.file, e.start - a, e.end - a, e.new) for e in edits]
    new = apply_edits(region, shifted)
    return first, last, new.replace("\r\n", "\n").rstrip("\r")


def _body(finding: Finding, unsafe: Sequence[Finding], new: str) -> str:
    head = f"**{md(finding.rule_id)}** {md(finding.message, 600)}"
    lines = [
        head,
        "",
        "Accept this suggestion to adopt the change: the code then declares what the account has "
        "(`tfdrift-ci fix --adopt`). To restore the declared value instead, run terraform apply.",
    ]
    for f in unsafe:
        lines.append(f"\n:warning: Adopting it makes **{md(f.rule_id)}** ({md(f.title)}) fire.")
    return "\n".join(lines) + "\n\n" + md_block(new, lang="suggestion")


def suggestions(
    report: Report,
    plan: adopt.Plan,
    files: Mapping[str, Mapping[int, int]],
    *,
    workspace: str | None,
    recheck: safety.Recheck | None = None,
) -> tuple[list[Suggestion], int]:
    """(the suggestions for ``plan``'s adoptions declared on lines of the diff, how many adoptions
    are outside it). With ``recheck``, an adoption that makes a config rule fire says so in its
    comment."""
    unsafe: dict[int, list[Finding]] = {}
    if recheck is not None and plan.adopted:
        from tfdrift_ci.fix import edited

        try:
            with safety.edited_copy(plan.base, edited(plan)) as copy:
                after = recheck(copy)
            unsafe = safety.unsafe(plan.adopted, safety.new_config_findings(report, after))
        except (OSError, ValueError):
            unsafe = {}  # the suggestions are still offered; the reviewer sees the sticky comment
    out: list[Suggestion] = []
    outside = 0
    taken: dict[str, set[int]] = {}
    for i, a in enumerate(plan.adopted):
        files_of = {e.file for e in a.edits}
        path = repo_path(report, next(iter(files_of)), workspace) if len(files_of) == 1 else None
        lines = files.get(path or "", {})
        first, last, new = replaced_lines(plan.sources[a.edits[0].file], a.edits)
        span = set(range(first, last + 1))
        hunks = {lines.get(n) for n in span}
        if path is None or None in hunks or len(hunks) != 1 or span & taken.get(path, set()):
            outside += 1
            continue
        taken.setdefault(path, set()).update(span)
        out.append(Suggestion(path, first, last, _body(a.finding, unsafe.get(i, []), new)))
    return out[:MAX_SUGGESTIONS], outside + max(len(out) - MAX_SUGGESTIONS, 0)


# --------------------------------------------------------------------------------------------------
# The review


@frozen
class Outcome:
    action: str  # created | replaced | unchanged | removed | skipped
    review_id: int | None = None
    suggestions: int = 0
    outside: int = 0


def _ours(client: Client, number: int) -> list[dict[str, Any]]:
    """Our earlier reviews (marker first, trusted author), oldest first."""
    url: str | None = client.url(f"/repos/{client.ctx.repository}/pulls/{number}/reviews?per_page=100")
    found: list[dict[str, Any]] = []
    pages = 0
    while url and pages < MAX_PAGES:
        resp = client.request("GET", url, what=f"PR #{number} reviews")
        pages += 1
        for item in resp.data if isinstance(resp.data, list) else []:
            body = item.get("body") if isinstance(item, dict) else None
            if isinstance(body, str) and body.startswith(MARKER) and identity(client).owns(item):
                found.append(item)
        url = _next_link(resp.headers.get("link"))
    return found


def _review_comments(client: Client, number: int, review_id: int) -> list[dict[str, Any]]:
    repo = client.ctx.repository
    url: str | None = client.url(f"/repos/{repo}/pulls/{number}/reviews/{review_id}/comments?per_page=100")
    out: list[dict[str, Any]] = []
    pages = 0
    while url and pages < MAX_PAGES:
        resp = client.request("GET", url, what=f"review {review_id} comments")
        pages += 1
        out += [c for c in (resp.data if isinstance(resp.data, list) else []) if isinstance(c, dict)]
        url = _next_link(resp.headers.get("link"))
    return out


def _same(comments: Sequence[Mapping[str, Any]], wanted: Sequence[Suggestion]) -> bool:
    def key(path: Any, start: Any, line: Any, body: Any) -> tuple[str, int, int, str]:
        return (str(path), int(start or line or 0), int(line or 0), str(body))

    have = sorted(key(c.get("path"), c.get("start_line"), c.get("line"), c.get("body")) for c in comments)
    return have == sorted(key(s.path, s.start_line, s.line, s.body) for s in wanted)


def _retire(
    client: Client, number: int, review: Mapping[str, Any], comments: Sequence[Mapping[str, Any]]
) -> None:
    """Delete our suggestion comments of an earlier review and mark its body superseded."""
    repo = client.ctx.repository
    for c in comments:
        if identity(client).owns(c) and isinstance(c.get("id"), int):
            try:
                client.request(
                    "DELETE", client.url(f"/repos/{repo}/pulls/comments/{c['id']}"), what="delete comment"
                )
            except GitHubApiError as err:
                if err.status != 404:  # already gone
                    raise
    client.request(
        "PUT",
        client.url(f"/repos/{repo}/pulls/{number}/reviews/{review['id']}"),
        {"body": f"{MARKER}\ntfdrift-ci: superseded by a later run's review."},
        what=f"update review {review['id']}",
    )


def _head_sha(env: Mapping[str, str]) -> str | None:
    pr = load_event(env).get("pull_request")
    head = pr.get("head") if isinstance(pr, dict) else None
    sha = head.get("sha") if isinstance(head, dict) else None
    return sha if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{40,64}", sha) else None


def post(
    report: Report,
    ctx: Context,
    env: Mapping[str, str],
    *,
    recheck: safety.Recheck | None = None,
    client_factory: Callable[[Context], Client] = Client,
) -> Outcome:
    """Replace tfdrift-ci's review on the pull request with one holding the current suggestions.
    Raises ``GitHubError`` for API failures (``github.deliver`` turns them into warnings)."""
    number = ctx.pr_number
    if number is None:
        return Outcome("skipped")
    client = client_factory(ctx)
    plan = adopt.plan(report)
    files = pr_files(client, number) if plan.adopted else {}
    workspace = env.get("GITHUB_WORKSPACE")
    wanted, outside = suggestions(report, plan, files, workspace=workspace, recheck=recheck)
    previous = _ours(client, number)
    live = [r for r in previous if "superseded" not in str(r.get("body"))]
    if live and len(live) == 1:
        comments = _review_comments(client, number, int(live[0]["id"]))
        if _same(comments, wanted):
            return Outcome("unchanged", int(live[0]["id"]), len(wanted), outside)
    for review in live:
        _retire(client, number, review, _review_comments(client, number, int(review["id"])))
    if not wanted:
        return Outcome("removed" if live else "skipped", None, 0, outside)
    body = (
        f"{MARKER}\n**tfdrift-ci**: {len(wanted)} suggestion(s) adopt drift declared on lines this pull "
        "request changes; accepting one makes the code declare what the account has. "
        + (
            f"{outside} more drifted value(s) are declared outside the diff: see the tfdrift-ci comment."
            if outside
            else ""
        )
    ).rstrip()
    payload: dict[str, Any] = {"event": "COMMENT", "body": body, "comments": [s.as_comment() for s in wanted]}
    sha = _head_sha(env)
    if sha:
        payload["commit_id"] = sha
    resp = client.request(
        "POST",
        client.url(f"/repos/{ctx.repository}/pulls/{number}/reviews"),
        payload,
        what=f"create review on PR #{number}",
        retry_server_errors=False,
    )
    learn(client, resp.data)  # its author is the token's identity (github.trust)
    data = resp.data if isinstance(resp.data, dict) else {}
    review_id = data.get("id") if isinstance(data.get("id"), int) else None
    return Outcome("replaced" if live else "created", review_id, len(wanted), outside)
