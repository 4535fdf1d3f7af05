"""Who may own what tfdrift-ci finds again: the sticky PR comment, the sweep's issues and their
comments on GitHub, and the merge request note on GitLab.

One rule for all of them: **only what the token's own identity wrote is ours.** Anyone can comment
on a pull request, anyone who can open issues can start one with our hidden marker, and any other
app or bot (``codecov[bot]``, ``renovate[bot]``) or repository member can post a comment that starts
with it: a fake "all clear", or an issue whose hidden state says "nothing to report". Such an item is
never edited (its author could rewrite our report) nor trusted as our state.

The identity (:func:`tfdrift_ci.github.comments.identity` finds it, once per client):

- a personal or OAuth token: ``GET /user``'s login and id;
- the Actions token, which ``GET /user`` refuses (403 "Resource not accessible by integration"):
  ``github-actions[bot]``, the author of everything ``GITHUB_TOKEN`` writes;
- a GitHub App's installation token, refused the same way: it writes as ``<slug>[bot]``. The slug is
  learnt from the first comment or issue this run creates (:meth:`Identity.learn`), and can be given
  as ``TFDRIFT_GITHUB_LOGIN`` so that later runs find the earlier comments from the start;
- GitLab: ``GET /user``'s id (``tfdrift_ci/gitlab/notes.py``).

When ``GET /user`` told the user's id, the id decides (logins can be renamed and reused); otherwise
the login, case-insensitively (GitHub logins are). ``author_association`` (OWNER, MEMBER …) is not a
reason to trust: a member's comment is still not the tool's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

from tfdrift_ci.frozen import frozen

ACTIONS_BOT = "github-actions[bot]"

Source = Literal["GET /user", "TFDRIFT_GITHUB_LOGIN", "assumed", "learnt"]


@frozen
class Identity:
    """The author of what this token writes."""

    login: str
    source: Source
    user_id: int | None = None

    @property
    def certain(self) -> bool:
        """False for the assumption made when ``GET /user`` was refused (``github-actions[bot]``)."""
        return self.source != "assumed"

    def owns(self, item: Mapping[str, Any], author_key: str = "user") -> bool:
        """True when ``item`` (a GitHub issue or comment: ``user``; a GitLab note: ``author``) was
        written by this identity."""
        author = item.get(author_key)
        if not isinstance(author, Mapping):
            return False
        if self.user_id is not None:  # known (GET /user): the id decides, logins can be renamed
            their_id = author.get("id")
            return type(their_id) is int and their_id == self.user_id
        login = author.get("login", author.get("username"))
        return isinstance(login, str) and login.casefold() == self.login.casefold()

    def learn(self, created: Any) -> tuple[Identity, str | None]:
        """After this run created ``created`` (a comment or issue as the API returned it), whose
        author is by definition the token's identity: the identity to use from now on, and a warning
        when it is not the one assumed (a GitHub App's installation token)."""
        author = created.get("user") if isinstance(created, Mapping) else None
        login = author.get("login") if isinstance(author, Mapping) else None
        if self.certain or not isinstance(login, str) or not login:
            return self, None
        if login.casefold() == self.login.casefold():
            return replace(self, source="learnt"), None
        their_id = author.get("id") if isinstance(author, Mapping) else None
        learnt = Identity(login, "learnt", their_id if isinstance(their_id, int) else None)
        return learnt, (
            f"this token writes as {login}, not {self.login} (GitHub does not tell an app token's "
            "identity in advance), so comments and issues it wrote in earlier runs were not "
            f"recognised as tfdrift-ci's: set TFDRIFT_GITHUB_LOGIN={login} on the step so that "
            "later runs find the ones written now instead of creating new ones"
        )
