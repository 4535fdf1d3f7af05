"""GitHub delivery: the job summary and the sticky PR comment.

``deliver`` never raises for GitHub problems: a fork PR's read-only token (403), a deleted PR (404),
a body GitHub refuses (422) or an outage become warnings, the job summary and annotations are still
written, and the exit code stays the one the findings decided.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from tfdrift_ci.errors import GitHubError
from tfdrift_ci.models import Report
from tfdrift_ci.report import RenderOptions
from tfdrift_ci.report.escape import one_line

if TYPE_CHECKING:
    from tfdrift_ci.fix.safety import Recheck
    from tfdrift_ci.github.comments import Client
    from tfdrift_ci.github.context import Context


# Terraform roots that get a sticky comment each. A run over more roots writes one comment for all
# of them: a pull request that adds 40 broken roots must not make the run write 40 comments.
MAX_ROOT_COMMENTS = 5


def comment_parts(report: Report) -> list[Report]:
    """The reports that get a comment (or a GitLab note) each: one per Terraform root, or the whole
    report when it covers more than ``MAX_ROOT_COMMENTS`` roots."""
    parts = [part for _root, part in report.split_by_root()]
    return parts if len(parts) <= MAX_ROOT_COMMENTS else [report]


def comment_root(report: Report, env: Mapping[str, str]) -> str:
    """The key of a sticky comment: the (root's) path relative to the workspace (posix)."""
    path = report.path
    workspace = env.get("GITHUB_WORKSPACE")
    if os.path.isabs(path) and workspace:
        with contextlib.suppress(ValueError):  # another drive on Windows: keep it absolute
            path = os.path.relpath(path, workspace)
    norm = posixpath.normpath(path.replace(os.sep, "/"))
    return norm or "."


def _is_clean(report: Report) -> bool:
    return report.exit_code == 0 and report.summary()["total"] == 0


def _forbidden_hint(status: int) -> str:
    if status == 403:
        return (
            " (a pull request from a fork gets a read-only token; otherwise give the job "
            "`permissions: pull-requests: write`)"
        )
    if status == 404:
        return " (the pull request or comment no longer exists, or the token cannot see the repository)"
    if status == 422:
        return " (GitHub refused the comment body)"
    return ""


def post_comment(
    report: Report,
    env: Mapping[str, str],
    template_dir: str | None,
    *,
    found: list[bool] | None = None,
    pr_number: int | None = None,
) -> list[str]:
    """Upsert one sticky comment per Terraform root (one for the whole run above
    ``MAX_ROOT_COMMENTS`` roots); returns warnings. Raises ``GitHubError`` for API failures. A clean
    root only updates its earlier comment (never a new "all clear"). ``found`` collects, per
    comment, whether an earlier comment of ours was there; ``pr_number`` overrides the event's pull
    request (``tfdrift-ci render --pr``)."""
    from tfdrift_ci.github import comments, context

    ctx = context.from_env(env)
    if pr_number is not None:
        ctx = replace(ctx, pr_number=pr_number)
    client = comments.Client(ctx)
    if ctx.pr_number is None:
        run_pr = comments.workflow_run_pr(client, context.load_event(env))
        if run_pr is None:
            return [
                "--comment: this run is not for a pull request (no PR in GITHUB_EVENT_PATH); comment skipped"
            ]
        ctx = replace(ctx, pr_number=run_pr)
        client = comments.Client(ctx)
    warnings: list[str] = []
    for part in comment_parts(report):  # above the cap, one keyed by the scanned path
        warnings.extend(_upsert_one(client, ctx, part, comment_root(part, env), template_dir, found=found))
    return warnings + client.notes


def _upsert_one(
    client: Client,
    ctx: Context,
    report: Report,
    root: str,
    template_dir: str | None,
    *,
    found: list[bool] | None = None,
) -> list[str]:
    from tfdrift_ci.github import comments
    from tfdrift_ci.report.markdown import COMMENT_LIMIT

    run_url, pr_number = ctx.run_url, ctx.pr_number
    assert pr_number is not None  # checked by post_comment
    body = comments.comment_body(report, root=root, template_dir=template_dir, summary_url=run_url)

    def short() -> str:
        # GitHub counts the limit its own way (422 even under 65,536 characters with many
        # multi-byte characters): fall back to a quarter of the size.
        return comments.comment_body(
            report, root=root, template_dir=template_dir, summary_url=run_url, limit=COMMENT_LIMIT // 4
        )

    outcome = comments.upsert(client, pr_number, root, body, clean=_is_clean(report), fallback_body=short)
    if found is not None:
        found.append(outcome.action in ("updated", "unchanged"))
    if outcome.shortened:
        return [
            f"the PR comment for {root} was shortened to fit GitHub's limits; "
            "the job summary has the full report"
        ]
    return []


def post_suggestions(report: Report, env: Mapping[str, str], recheck: Recheck | None) -> list[str]:
    """Replace tfdrift-ci's review of suggestions on the pull request (``github/reviews.py``)."""
    from tfdrift_ci.github import context, reviews

    ctx = context.from_env(env)
    if ctx.pr_number is None:
        return []  # post_comment says so
    reviews.post(report, ctx, env, recheck=recheck)
    return []


def deliver(
    report: Report,
    *,
    comment: bool,
    env: Mapping[str, str],
    template_dir: str | None,
    recheck: Recheck | None = None,
    pr_number: int | None = None,
) -> list[str]:
    """Write the job summary (when ``GITHUB_STEP_SUMMARY`` is set), upsert the PR comment and
    replace the review of adopt suggestions (when ``comment``; ``recheck`` re-runs the config rules
    on edited code so that a suggestion says which rule adopting it makes fire; ``pr_number``: the
    pull request to comment on instead of the event's). Returns warnings; never raises for GitHub
    failures."""
    from tfdrift_ci.github import summary
    from tfdrift_ci.github.comments import GitHubApiError

    warnings: list[str] = []
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            summary.write(report, summary_path, RenderOptions(template_dir=template_dir))
        except OSError as err:
            warnings.append(f"cannot write the job summary to GITHUB_STEP_SUMMARY: {err.strerror or err}")
    if comment:
        found: list[bool] = []
        try:
            warnings.extend(post_comment(report, env, template_dir, found=found, pr_number=pr_number))
        except GitHubApiError as err:
            warnings.append(f"PR comment skipped: {one_line(str(err), 400)}{_forbidden_hint(err.status)}")
            return warnings  # the same token cannot post a review either: one warning
        except GitHubError as err:
            warnings.append(f"PR comment skipped: {one_line(str(err), 400)}")
            return warnings
        # Suggestions come with drift; without drift an earlier review is withdrawn, and there can
        # only be one where an earlier run left its sticky comment.
        if not any(found) and not any(f.kind == "drift" for f in report.findings):
            return warnings
        try:
            warnings.extend(post_suggestions(report, env, recheck))
        except GitHubApiError as err:
            warnings.append(
                f"review suggestions skipped: {one_line(str(err), 400)}{_forbidden_hint(err.status)}"
            )
        except GitHubError as err:
            warnings.append(f"review suggestions skipped: {one_line(str(err), 400)}")
    return warnings
