"""Who may own what tfdrift-ci finds again on GitHub: the sticky PR comment and the sweep's issues.

One function for both, so that tightening the rule (e.g. to "created by the token's own identity")
happens in one place. Anyone can comment on a pull request, and anyone who can open issues can open
one whose body starts with our hidden marker: a person's comment or issue that looks like ours (a
fake "all clear", an issue whose hidden state says "nothing to report") must not be taken for ours —
neither edited (its author could rewrite our report) nor trusted as our state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def trusted_author(item: Mapping[str, Any]) -> bool:
    """True when ``item`` (a GitHub issue or comment object) was written by a bot (the token we run
    with: ``github-actions[bot]`` or a GitHub App) or by a repository member (a personal token):
    ``author_association`` OWNER, MEMBER or COLLABORATOR."""
    user = item.get("user")
    if isinstance(user, Mapping) and (
        user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")
    ):
        return True
    return item.get("author_association") in ("OWNER", "MEMBER", "COLLABORATOR")
