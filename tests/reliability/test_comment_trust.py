"""The sticky comment trusts only itself (issue 13 §6): a comment or issue that starts with our
hidden marker is ours only when the token's own identity wrote it. Any bot used to be trusted, so
another app's comment starting with the marker (``codecov[bot]``) was edited, and any repository
member's fake "all clear" too.

The identity: ``GET /user`` for a personal or OAuth token; the Actions token (and a GitHub App's
installation token), which ``GET /user`` refuses with 403, writes as ``github-actions[bot]``; a
GitHub App writes as ``<slug>[bot]``, learnt from the first comment this run creates (or given as
``TFDRIFT_GITHUB_LOGIN``). Tested against the local GitHub stand-in (tests/github/fakegithub.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "github"))

from fakegithub import TOKEN, FakeGitHub

from tfdrift_ci.github import comments, issues
from tfdrift_ci.github.context import Context

ROOT = "infra"
MARK = comments.marker(ROOT)
BODY = f"{MARK}\nthe real report"
FAKE = f"{MARK}\n✅ all clear (not written by tfdrift-ci)"


def _client(gh: FakeGitHub, login: str | None = None) -> comments.Client:
    ctx = Context(repository=gh.repo, api_url=gh.url, token=TOKEN, pr_number=gh.pr, login=login)
    return comments.Client(ctx)


def _upsert(client: comments.Client, gh: FakeGitHub) -> comments.Outcome:
    return comments.upsert(client, gh.pr, ROOT, BODY, clean=False)


@pytest.mark.parametrize(
    ("login", "association"),
    [("codecov[bot]", "NONE"), ("renovate[bot]", "NONE"), ("maria", "MEMBER"), ("octo", "OWNER")],
)
def test_actions_token_never_edits_another_authors_comment(
    gh: FakeGitHub, login: str, association: str
) -> None:
    other = gh.add_comment(FAKE, login=login)
    other["author_association"] = association
    outcome = _upsert(_client(gh), gh)
    assert other["body"] == FAKE, f"{login}'s comment was edited"
    assert outcome.action == "created"
    assert [c["user"]["login"] for c in gh.comments if c["body"] == BODY] == ["github-actions[bot]"]
    assert any(r.path == "/user" for r in gh.requests), "the token's identity was never asked for"


def test_actions_token_updates_its_own_comment(gh: FakeGitHub) -> None:
    gh.add_comment(FAKE, login="codecov[bot]")
    ours = gh.add_comment(f"{MARK}\nold", login="github-actions[bot]")
    assert _upsert(_client(gh), gh).action == "updated"
    assert ours["body"] == BODY and gh.comments[0]["body"] == FAKE


def test_personal_token_trusts_only_its_own_login(gh: FakeGitHub) -> None:
    gh.token_login = gh.author = "maria"
    bot = gh.add_comment(FAKE, login="github-actions[bot]")
    mallory = gh.add_comment(FAKE, login="mallory")
    mallory["author_association"] = "COLLABORATOR"
    ours = gh.add_comment(f"{MARK}\nold", login="maria")
    assert _upsert(_client(gh), gh).action == "updated"
    assert ours["body"] == BODY
    assert bot["body"] == FAKE and mallory["body"] == FAKE


def test_app_token_is_learnt_from_the_comment_it_creates(gh: FakeGitHub) -> None:
    """An App's installation token: GET /user is refused and the App writes as <slug>[bot]. Its
    earlier comment cannot be told from another App's without knowing the slug: a new one is
    created, the run learns the slug from it and says how to make later runs find it."""
    gh.author = "tfdrift-app[bot]"
    earlier = gh.add_comment(f"{MARK}\nold", login="tfdrift-app[bot]")
    client = _client(gh)
    assert _upsert(client, gh).action == "created"
    assert earlier["body"].endswith("old")
    assert any("TFDRIFT_GITHUB_LOGIN=tfdrift-app[bot]" in n for n in client.notes), client.notes
    # the rest of this run (another root, the sweep) trusts what it learnt
    assert comments.identity(client).login == "tfdrift-app[bot]"
    # a later run with the login configured updates the App's oldest comment
    assert _upsert(_client(gh, login="tfdrift-app[bot]"), gh).action == "updated"
    assert earlier["body"] == BODY


def test_sweep_issues_trust_only_the_token_identity(gh: FakeGitHub) -> None:
    marker = "<!-- tfdrift-ci:sweep=0123456789abcdef0123 -->"
    gh.add_issue("Drift", f"{marker}\nfake", login="dependabot[bot]")
    gh.add_issue("Drift", f"{marker}\nfake", login="maria", association="MEMBER")
    store = issues.Issues(_client(gh), write_gap=0)
    assert store.find("tfdrift", marker) is None
    ours = gh.add_issue("Drift", f"{marker}\nours", login="github-actions[bot]")
    found = store.find("tfdrift", marker)
    assert found is not None and found.number == ours["number"]


def test_review_of_suggestions_trusts_only_the_token_identity(gh: FakeGitHub) -> None:
    from tfdrift_ci.github import reviews

    gh.add_review(f"{reviews.MARKER}\nanother app's review", login="codecov[bot]")
    gh.add_review(f"{reviews.MARKER}\na member's review", login="maria", association="MEMBER")
    ours = gh.add_review(f"{reviews.MARKER}\nours", login="github-actions[bot]")
    assert [r["id"] for r in reviews._ours(_client(gh), gh.pr)] == [ours["id"]]
