"""GitLab delivery: the sticky merge request note (``check --comment`` when ``GITLAB_CI`` is set).

The same note as the GitHub sticky comment — one per Terraform root, the same hidden marker, the
same rendered body and escaping (``github.comments.comment_body``) — made safe for GitLab's own
Markdown extensions (``report.escape.gitlab_markdown``: no quick action, no GitLab-only reference).
``deliver`` never raises for GitLab problems: a token without access (401/403), a merge request that
is gone (404) or an outage become warnings; the exit code stays the one the findings decided. The
Code Quality report is a separate output (``--format gitlab``).
"""

from __future__ import annotations

from collections.abc import Mapping

from tfdrift_ci.errors import GitHubError, GitLabError
from tfdrift_ci.github import comment_parts, comment_root
from tfdrift_ci.github.comments import GitHubApiError, comment_body
from tfdrift_ci.gitlab import context, notes
from tfdrift_ci.models import Report
from tfdrift_ci.report.escape import gitlab_markdown, one_line

# GitLab accepts notes up to 1,000,000 characters
# (https://docs.gitlab.com/administration/instance_limits/#size-of-comments-and-descriptions-of-issues-merge-requests-and-epics):
# the body is trimmed (details first, the verdict never) only beyond that.
NOTE_LIMIT = 1_000_000


def _hint(status: int) -> str:
    if status == 401:
        return " (GITLAB_TOKEN is invalid or expired)"
    if status == 403:
        return " (the token needs the api scope and at least the Reporter role on the project)"
    if status == 404:
        return " (the merge request no longer exists, or the token cannot see the project)"
    return ""


def note_root(report: Report, env: Mapping[str, str]) -> str:
    """The note's key: the root's path relative to the project directory, like the GitHub comment's."""
    return comment_root(report, {"GITHUB_WORKSPACE": env.get("CI_PROJECT_DIR", "")})


def post_notes(report: Report, env: Mapping[str, str], template_dir: str | None) -> list[str]:
    """Upsert one note per Terraform root (one for the whole run above ``MAX_ROOT_COMMENTS``
    roots); returns warnings; raises for API failures."""
    ctx = context.from_env(env)
    if ctx.mr_iid is None:
        return [
            "--comment: this GitLab pipeline is not for a merge request (no CI_MERGE_REQUEST_IID); "
            "note skipped"
        ]
    client = notes.Client(ctx)
    identity = notes.own_identity(client)
    for part in comment_parts(report):
        root = note_root(part, env)
        body = gitlab_markdown(comment_body(part, root=root, template_dir=template_dir, limit=NOTE_LIMIT))
        clean = part.exit_code == 0 and part.summary()["total"] == 0
        notes.upsert(client, root, body, clean=clean, identity=identity)
    return []


def deliver(report: Report, *, env: Mapping[str, str], template_dir: str | None) -> list[str]:
    """The merge request note; returns warnings, never raises for GitLab problems."""
    try:
        return post_notes(report, env, template_dir)
    except GitHubApiError as err:
        return [f"merge request note skipped: {one_line(str(err), 400)}{_hint(err.status)}"]
    except (GitLabError, GitHubError) as err:
        return [f"merge request note skipped: {one_line(str(err), 400)}"]
