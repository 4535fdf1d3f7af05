"""Where we run on GitLab: the API, the project and the merge request, from the variables GitLab CI
sets (https://docs.gitlab.com/ci/variables/predefined_variables/), and the token from
``GITLAB_TOKEN``.

``CI_JOB_TOKEN`` cannot write merge request notes, so the note needs a project (or group) access
token with the ``api`` scope and at least the Reporter role, stored as a masked CI/CD variable named
``GITLAB_TOKEN``. The token is kept only in :class:`Context` (its repr hides it) and sent only in the
``PRIVATE-TOKEN`` header to ``CI_API_V4_URL``'s host.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import field

from tfdrift_ci.errors import GitLabError
from tfdrift_ci.frozen import frozen

TOKEN_VARIABLE = "GITLAB_TOKEN"
_PROJECT_ID = re.compile(r"^[0-9]+$")
_IID = re.compile(r"^[0-9]+$")


@frozen
class Context:
    api_url: str  # https://gitlab.com/api/v4
    project_id: str  # numeric
    mr_iid: int | None  # the merge request's number in its project (None: not a merge request pipeline)
    token: str = field(repr=False)
    project_dir: str | None = None  # CI_PROJECT_DIR: sticky-note roots are relative to it

    @property
    def notes_path(self) -> str:
        return f"/projects/{self.project_id}/merge_requests/{self.mr_iid}/notes"


def from_env(env: Mapping[str, str]) -> Context:
    """Everything the merge request note needs; ``GitLabError`` naming what is missing."""
    api_url = (env.get("CI_API_V4_URL") or "").rstrip("/")
    if not api_url.startswith(("https://", "http://")):
        raise GitLabError(
            "CI_API_V4_URL is not set (an http(s) URL): --comment on GitLab only works in GitLab CI"
        )
    project_id = env.get("CI_PROJECT_ID") or ""
    if not _PROJECT_ID.match(project_id):
        raise GitLabError("CI_PROJECT_ID is not set (a number): --comment on GitLab only works in GitLab CI")
    token = env.get(TOKEN_VARIABLE) or ""
    if not token:
        raise GitLabError(
            f"{TOKEN_VARIABLE} is not set: add a project access token with the api scope as a masked "
            f"CI/CD variable named {TOKEN_VARIABLE} (CI_JOB_TOKEN cannot write merge request notes)"
        )
    iid = env.get("CI_MERGE_REQUEST_IID") or ""
    return Context(
        api_url=api_url,
        project_id=project_id,
        mr_iid=int(iid) if _IID.match(iid) else None,
        token=token,
        project_dir=env.get("CI_PROJECT_DIR") or None,
    )
