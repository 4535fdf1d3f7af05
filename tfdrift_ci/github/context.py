"""Where we run on GitHub: repository, pull request, API URL and token, from the environment the
runner sets (https://docs.github.com/en/actions/learn-github-actions/variables#default-environment-variables)
and the webhook payload in ``GITHUB_EVENT_PATH``.

The token is kept only in :class:`Context` and used only in the ``Authorization`` header; its repr
hides it so a debug print or a traceback cannot show it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from tfdrift_ci.errors import GitHubError
from tfdrift_ci.frozen import frozen

DEFAULT_API_URL = "https://api.github.com"
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$")


@frozen
class Context:
    repository: str  # owner/name
    api_url: str  # https://api.github.com or https://ghe.example.com/api/v3
    token: str = field(repr=False)
    pr_number: int | None
    server_url: str = "https://github.com"
    run_id: str | None = None
    # The token's identity when GET /user cannot tell it (a GitHub App's installation token writes
    # as "<slug>[bot]"): TFDRIFT_GITHUB_LOGIN. See github.trust.
    login: str | None = None

    @property
    def run_url(self) -> str | None:
        """The workflow run page (where the job summary is shown)."""
        if not self.run_id or not self.run_id.isdigit():
            return None
        return f"{self.server_url.rstrip('/')}/{self.repository}/actions/runs/{self.run_id}"


def load_event(env: Mapping[str, str]) -> dict[str, Any]:
    """The webhook payload of the triggering event ({} when absent or unreadable)."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as err:
        raise GitHubError(f"cannot read the GitHub event payload GITHUB_EVENT_PATH={path}: {err}") from err
    return data if isinstance(data, dict) else {}


def pr_number(event: Mapping[str, Any]) -> int | None:
    """The PR number for pull_request / pull_request_target / issue_comment-on-a-PR events."""
    pr = event.get("pull_request")
    if isinstance(pr, dict) and isinstance(pr.get("number"), int):
        return int(pr["number"])
    issue = event.get("issue")
    if isinstance(issue, dict) and "pull_request" in issue and isinstance(issue.get("number"), int):
        return int(issue["number"])
    return None


def pr_base(event: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(base sha, base ref) of the PR in the payload, or (None, None)."""
    pr = event.get("pull_request")
    if not isinstance(pr, dict):
        return None, None
    base = pr.get("base")
    if not isinstance(base, dict):
        return None, None
    sha = base.get("sha") if isinstance(base.get("sha"), str) else None
    ref = base.get("ref") if isinstance(base.get("ref"), str) else None
    return sha, ref


def from_env(env: Mapping[str, str]) -> Context:
    """Everything the PR comment needs; ``GitHubError`` naming what is missing."""
    repository = env.get("GITHUB_REPOSITORY", "")
    if not _REPO.match(repository):
        raise GitHubError("GITHUB_REPOSITORY is not set (owner/name): --comment only works in GitHub Actions")
    token = env.get("GITHUB_TOKEN") or ""
    if not token:
        raise GitHubError(
            "GITHUB_TOKEN is not set: pass it to the step (env: GITHUB_TOKEN: ${{ github.token }})"
        )
    api_url = (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    if not api_url.startswith(("https://", "http://")):
        raise GitHubError(f"GITHUB_API_URL must be an http(s) URL, got {api_url!r}")
    login = env.get("TFDRIFT_GITHUB_LOGIN", "").strip() or None
    if login is not None and not _LOGIN.match(login):
        raise GitHubError(
            "TFDRIFT_GITHUB_LOGIN must be a GitHub login such as my-app[bot] (the author of the "
            "comments and issues this token writes)"
        )
    event = load_event(env)
    return Context(
        repository=repository,
        api_url=api_url,
        token=token,
        pr_number=pr_number(event),
        server_url=env.get("GITHUB_SERVER_URL") or "https://github.com",
        run_id=env.get("GITHUB_RUN_ID"),
        login=login,
    )
