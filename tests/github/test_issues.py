"""The issues client (tfdrift_ci/github/issues.py) against the fake GitHub: paging, labels, pull
requests skipped, no duplicate after a 5xx, spaced writes, request bodies as GitHub documents them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from fakegithub import TOKEN, FakeGitHub, Scripted

from tfdrift_ci.errors import GitHubError
from tfdrift_ci.github import comments
from tfdrift_ci.github.comments import Client, GitHubApiError
from tfdrift_ci.github.context import Context
from tfdrift_ci.github.issues import Issues
from tfdrift_ci.github.trust import Identity

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "github"
CREATE = json.loads((SCHEMAS / "issues-create.request.json").read_text(encoding="utf-8"))
UPDATE = json.loads((SCHEMAS / "issues-update.request.json").read_text(encoding="utf-8"))
COMMENT = json.loads((SCHEMAS / "issues-create-comment.request.json").read_text(encoding="utf-8"))
MARK = "<!-- tfdrift-ci:sweep=0123456789abcdef0123 -->"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def issues(gh: FakeGitHub, sleeps: list[float], clock: Clock) -> Issues:
    ctx = Context(repository=gh.repo, api_url=gh.url, token=TOKEN, pr_number=None)
    return Issues(Client(ctx, now=clock))


def check_writes(gh: FakeGitHub) -> None:
    for req in gh.writes():
        if req.path.endswith("/comments"):
            jsonschema.validate(req.body, COMMENT)
        elif req.method == "POST":
            jsonschema.validate(req.body, CREATE)
        else:
            jsonschema.validate(req.body, UPDATE)
    for req in gh.requests:
        assert req.headers["authorization"] == f"Bearer {TOKEN}"


def test_lists_every_page_of_labelled_issues_oldest_first_without_pull_requests(
    gh: FakeGitHub, issues: Issues
) -> None:
    for i in range(230):
        gh.add_issue(f"issue {i}", f"body {i}", ("tfdrift",) if i % 2 == 0 else ("other",))
    gh.add_issue("a PR", "pr", ("tfdrift",), pull_request=True)
    found = issues.labelled("tfdrift")
    assert [i.title for i in found] == [f"issue {i}" for i in range(0, 230, 2)]
    assert all(i.trusted for i in found)
    gets = [r for r in gh.api() if r.method == "GET"]
    assert len(gets) == 2  # 116 items, 100 a page
    assert gets[0].query == {
        "labels": ["tfdrift"], "state": ["all"], "sort": ["created"], "direction": ["asc"],
        "per_page": ["100"],
    }  # fmt: skip


def test_closed_issues_are_listed_and_states_are_read(gh: FakeGitHub, issues: Issues) -> None:
    gh.add_issue("open", "a")
    closed = gh.add_issue("closed", "b", state="closed")
    closed["state_reason"] = "completed"
    got = issues.labelled("tfdrift")
    assert [(i.title, i.state, i.state_reason) for i in got] == [
        ("open", "open", None),
        ("closed", "closed", "completed"),
    ]


def test_find_skips_issues_from_untrusted_authors(gh: FakeGitHub, issues: Issues) -> None:
    gh.token_login = "maria"  # a personal token: GET /user names its owner
    gh.add_issue("spoof", f"{MARK}\nfake", login="mallory", association="NONE")
    gh.add_issue("other bot", f"{MARK}\nfake", login="github-actions[bot]")
    assert issues.find("tfdrift", MARK) is None
    member = gh.add_issue("member", f"{MARK}\nreal", login="maria", association="MEMBER")
    found = issues.find("tfdrift", MARK)
    assert found is not None and found.number == member["number"]
    assert [r.path for r in gh.requests].count("/user") == 1  # asked once per client


def test_create_edit_close_reopen_comment(
    gh: FakeGitHub, issues: Issues, sleeps: list[float], clock: Clock
) -> None:
    issue = issues.create("Drift: x", f"{MARK}\nbody", ("tfdrift",), marker=MARK)
    assert issue.number == gh.ours()[0]["number"] and issue.trusted
    issues.update(issue.number, body=f"{MARK}\nnew")
    issues.update(issue.number, state="closed", state_reason="completed")
    issues.comment(issue.number, "a comment")
    issues.update(issue.number, state="open", state_reason="reopened")
    stored = gh.issue(issue.number)
    assert (stored["body"], stored["state"], stored["state_reason"]) == (f"{MARK}\nnew", "open", "reopened")
    assert [c["body"] for c in gh.issue_comments[issue.number]] == ["a comment"]
    assert issues.writes == 5
    # GitHub asks content creators to leave a second between writes; the clock did not move here.
    assert sleeps == [1.0, 1.0, 1.0, 1.0]
    check_writes(gh)


def test_writes_far_enough_apart_do_not_wait(
    gh: FakeGitHub, issues: Issues, sleeps: list[float], clock: Clock
) -> None:
    issue = issues.create("Drift: x", f"{MARK}\nbody", ("tfdrift",), marker=MARK)
    clock.t += 5
    issues.comment(issue.number, "later")
    assert sleeps == []


def test_a_create_answered_with_502_but_stored_is_not_repeated(gh: FakeGitHub, issues: Issues) -> None:
    gh.store_issue_then_fail = 502
    issue = issues.create("Drift: x", f"{MARK}\nbody", ("tfdrift",), marker=MARK)
    assert len(gh.ours()) == 1 and issue.number == gh.ours()[0]["number"]
    assert [r.method for r in gh.api()] == ["POST", "GET"]


def test_a_create_that_failed_is_tried_again(gh: FakeGitHub, issues: Issues) -> None:
    gh.script = [Scripted("POST", 502, {}, {"message": "Bad Gateway"})]
    issues.create("Drift: x", f"{MARK}\nbody", ("tfdrift",), marker=MARK)
    assert len(gh.ours()) == 1
    assert [r.method for r in gh.api()] == ["POST", "GET", "POST"]


def test_a_comment_answered_with_502_but_stored_is_not_repeated(gh: FakeGitHub, issues: Issues) -> None:
    number = gh.add_issue("x", "y")["number"]
    gh.store_then_fail = 502
    issues.comment(number, "once")
    assert [c["body"] for c in gh.issue_comments[number]] == ["once"]


def test_a_forbidden_write_raises_with_the_status(gh: FakeGitHub, issues: Issues) -> None:
    gh.script = [Scripted("POST", 403, {}, {"message": "Resource not accessible by integration"})]
    with pytest.raises(GitHubApiError) as err:
        issues.create("Drift: x", f"{MARK}\nbody", ("tfdrift",), marker=MARK)
    assert err.value.status == 403
    assert str(err.value) == "POST create issue: HTTP 403: Resource not accessible by integration"


def test_a_body_must_start_with_its_marker(issues: Issues) -> None:
    with pytest.raises(ValueError):
        issues.create("t", "no marker", ("tfdrift",), marker=MARK)


def test_a_link_to_another_host_is_refused(gh: FakeGitHub, issues: Issues) -> None:
    for i in range(120):
        gh.add_issue(f"i{i}", "b")
    gh.link_override = "https://evil.example/steal"
    with pytest.raises(GitHubError, match="another host"):
        issues.labelled("tfdrift")
    assert all("evil" not in r.path for r in gh.requests)


def test_sticky_comment_and_issues_share_one_trust_rule(gh: FakeGitHub, issues: Issues) -> None:
    assert issues.identity() is comments.identity(issues.client)
    bot = Identity("github-actions[bot]", "assumed")
    assert bot.owns({"user": {"login": "GitHub-Actions[bot]", "type": "Bot"}})
    assert not bot.owns({"user": {"login": "codecov[bot]", "type": "Bot"}})
    assert not bot.owns({"user": {"login": "maria"}, "author_association": "OWNER"})
    assert not bot.owns({"user": "not a mapping"})
    maria = Identity("maria", "GET /user", user_id=7)
    assert maria.owns({"user": {"login": "maria", "id": 7}})
    assert not maria.owns({"user": {"login": "maria", "id": 8}}), "a renamed account took the login"
    assert maria.owns({"author": {"username": "x", "id": 7}}, author_key="author")  # a GitLab note
