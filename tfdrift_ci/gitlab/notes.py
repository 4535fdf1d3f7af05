"""The sticky merge request note on GitLab: one per Terraform root, found again by the same hidden
marker as the GitHub comment (``github.comments.marker``), with the same body (``comment_body``).

REST endpoints (https://docs.gitlab.com/api/notes/#merge-requests):
``GET /projects/:id/merge_requests/:iid/notes`` (paged, ``Link: <…>; rel="next"``), ``POST`` the same
path to create, ``PUT …/notes/:note_id`` to update; ``GET /user`` for the token's own identity.

- Trust: only a note written by the token's own user (``author.id`` equals ``GET /user``'s id) is
  ours, the rule of the GitHub comment and issues (``github.trust.Identity``): anyone who can
  comment on the merge request can start a note with our marker (a fake "all clear"), and such a
  note is never edited nor taken for the result. System notes are skipped.
- The HTTP client is the GitHub one (``github.comments.Client``: JSON, bounded retries on 5xx and on
  429 with ``Retry-After``, paging, the token never sent to another host) with GitLab's headers.
- A create answered with 5xx may have been stored: it is not retried blindly; the notes are read
  again first.
"""

from __future__ import annotations

from typing import Any

from tfdrift_ci import __version__
from tfdrift_ci.errors import GitLabError
from tfdrift_ci.frozen import frozen
from tfdrift_ci.github import comments
from tfdrift_ci.github import context as github_context
from tfdrift_ci.github.trust import Identity
from tfdrift_ci.gitlab.context import Context

MAX_PAGES = 200  # 20,000 notes: far beyond any real merge request, a guard against a Link loop


class Client(comments.Client):
    """``github.comments.Client`` speaking to GitLab's REST API v4."""

    def __init__(self, ctx: Context, **kwargs: Any) -> None:
        self.gitlab = ctx
        super().__init__(
            github_context.Context(
                repository=f"project {ctx.project_id}",
                api_url=ctx.api_url,
                token=ctx.token,
                pr_number=ctx.mr_iid,
            ),
            **kwargs,
        )

    def headers(self) -> dict[str, str]:
        return {
            "Accept": "application/json",
            "User-Agent": f"tfdrift-ci/{__version__}",
            "PRIVATE-TOKEN": self.gitlab.token,
        }


@frozen
class Outcome:
    action: str  # created | updated | unchanged | skipped
    note_id: int | None = None


def own_identity(client: Client) -> Identity:
    """The token's own user (``GET /user``): its notes, and only those, are ours."""
    resp = client.request("GET", client.url("/user"), what="the token's user")
    data = resp.data if isinstance(resp.data, dict) else {}
    user_id, username = data.get("id"), data.get("username")
    if type(user_id) is not int:
        raise GitLabError("GET /user: unexpected response (no user id)")
    return Identity(str(username or user_id), "GET /user", user_id=user_id)


def _ours(note: Any, mark: str, identity: Identity) -> bool:
    if not isinstance(note, dict) or note.get("system"):
        return False
    body = note.get("body")
    return isinstance(body, str) and body.lstrip().startswith(mark) and identity.owns(note, "author")


def find_note(client: Client, mark: str, identity: Identity) -> dict[str, Any] | None:
    """The oldest note of ours that starts with ``mark``, reading every page."""
    url: str | None = client.url(f"{client.gitlab.notes_path}?per_page=100&sort=asc&order_by=created_at")
    pages = 0
    while url and pages < MAX_PAGES:
        resp = client.request("GET", url, what=f"merge request !{client.gitlab.mr_iid} notes")
        pages += 1
        if not isinstance(resp.data, list):
            raise GitLabError("GET notes: unexpected response (not a list)")
        for note in resp.data:
            if _ours(note, mark, identity):
                return dict(note)
        url = comments._next_link(resp.headers.get("link"))
    return None


def upsert(
    client: Client,
    root: str,
    body: str,
    *,
    clean: bool,
    identity: Identity,
) -> Outcome:
    """Create or update the note for ``root``; ``body`` starts with its marker. A clean result only
    updates an existing note (never a new "all clear")."""
    mark = comments.marker(root)
    if not body.startswith(mark + "\n"):
        raise ValueError("note body does not start with its root's marker")
    existing = find_note(client, mark, identity)
    if existing is None and clean:
        return Outcome("skipped")
    if existing is None:
        try:
            resp = client.request(
                "POST", client.url(client.gitlab.notes_path), {"body": body},
                what=f"create a note on merge request !{client.gitlab.mr_iid}", retry_server_errors=False,
            )  # fmt: skip
        except comments.GitHubApiError as err:
            if err.status < 500:
                raise
            # It may have been stored all the same: look before writing again.
            client._pause(1.0)
            existing = find_note(client, mark, identity)
            if existing is None:
                raise
        else:
            data = resp.data if isinstance(resp.data, dict) else {}
            return Outcome("created", data.get("id"))
    if existing.get("body") == body:
        return Outcome("unchanged", existing.get("id"))
    note_id = int(existing["id"])
    url = client.url(f"{client.gitlab.notes_path}/{note_id}")
    client.request("PUT", url, {"body": body}, what=f"update note {note_id}")
    return Outcome("updated", note_id)
