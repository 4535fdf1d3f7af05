"""Suggestions on the pull request (``github/reviews.py``) against the local GitHub stand-in: a
suggestion for drift declared on a line of the diff and none for a line outside it, one review per
run replaced on the next, trust and escaping as the sticky comment."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fakegithub import TOKEN, FakeGitHub

from tfdrift_ci import cli
from tfdrift_ci.github import reviews
from tfdrift_ci.github.comments import Client, GitHubApiError
from tfdrift_ci.github.context import from_env

SCENARIO = Path(__file__).resolve().parents[1] / "fixtures" / "scenarios" / "ecs_update_service"
WINDOW = ["--since", "2026-11-19T00:00:00Z", "--until", "2026-11-22T09:30:00Z", "--no-progress"]


def _patch(text: str, first: int, last: int) -> str:
    """A diff hunk whose new side holds lines ``first``..``last`` of ``text`` as context."""
    lines = text.splitlines()[first - 1 : last]
    n = last - first + 1
    return f"@@ -{first},{n} +{first},{n} @@\n" + "\n".join(f" {line}" for line in lines)


@pytest.fixture
def project(tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "repo"
    shutil.copytree(SCENARIO, work / "infra")
    for key, value in {**env, "GITHUB_WORKSPACE": str(work)}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.chdir(work)
    return work


def _check(project: Path) -> int:
    infra = project / "infra"
    return cli.main(
        ["check", "infra", "--events", str(infra / "events.json"), *WINDOW, "--comment", "--fail-on", "never"]
    )


def test_a_suggestion_for_a_line_in_the_diff_and_none_outside(
    gh: FakeGitHub, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (project / "infra" / "main.tf").read_text(encoding="utf-8")
    # the PR touches the service's first lines (desired_count on 42, enable_execute_command on 43),
    # not network_configuration (assign_public_ip on 53)
    gh.pr_files = [{"filename": "infra/main.tf", "patch": _patch(text, 38, 44)}]
    assert _check(project) == 0
    assert "warning" not in capsys.readouterr().err
    assert len(gh.reviews) == 1
    review = gh.reviews[0]
    assert review["body"].startswith(reviews.MARKER + "\n")
    assert "more drifted value(s) are declared outside the diff" in review["body"]
    by_line = {c["line"]: c for c in gh.review_comments}
    assert sorted(by_line) == [42, 43]
    assert all(c["path"] == "infra/main.tf" for c in gh.review_comments)
    assert by_line[42]["body"].endswith("```suggestion\n  desired_count          = 6\n```")
    assert "TFD-DRIFT-010" in by_line[42]["body"]
    # the unsafe adoption is offered with the config rule it makes fire
    assert "```suggestion\n  enable_execute_command = true\n```" in by_line[43]["body"]
    assert "TFD-ECS-001" in by_line[43]["body"]
    request = next(r for r in gh.requests if r.method == "POST" and r.path.endswith("/reviews"))
    assert request.body["event"] == "COMMENT"


def test_one_review_per_run_replaced_on_the_next(gh: FakeGitHub, project: Path) -> None:
    text = (project / "infra" / "main.tf").read_text(encoding="utf-8")
    gh.pr_files = [{"filename": "infra/main.tf", "patch": _patch(text, 38, 44)}]
    _check(project)
    first = gh.reviews[0]
    writes = len(gh.writes())
    _check(project)  # the same suggestions: nothing written
    assert len(gh.writes()) == writes and len(gh.reviews) == 1
    gh.pr_files = [{"filename": "infra/main.tf", "patch": _patch(text, 50, 54)}]
    _check(project)  # now only assign_public_ip is in the diff
    assert len(gh.reviews) == 2
    assert "superseded" in first["body"]
    assert [c["line"] for c in gh.review_comments] == [53]
    assert [c["pull_request_review_id"] for c in gh.review_comments] == [gh.reviews[1]["id"]]
    gh.pr_files = []
    _check(project)  # nothing in the diff: the suggestions are withdrawn, no new review
    assert gh.review_comments == [] and len(gh.reviews) == 2


def test_a_review_that_only_looks_like_ours_is_never_touched(gh: FakeGitHub, project: Path) -> None:
    fake = gh.add_review(f"{reviews.MARKER}\nlooks like tfdrift-ci", login="mallory", association="NONE")
    gh.add_review_comment(fake, "infra/main.tf", 42, "not ours")
    gh.pr_files = []
    _check(project)
    assert fake["body"].endswith("looks like tfdrift-ci")
    assert [c["body"] for c in gh.review_comments] == ["not ours"]
    assert not [r for r in gh.requests if r.method in ("PUT", "DELETE")]


def test_github_answers_422_for_a_line_outside_the_diff(gh: FakeGitHub, env: dict[str, str]) -> None:
    gh.pr_files = [{"filename": "main.tf", "patch": "@@ -1,2 +1,3 @@\n a\n+b\n c"}]
    client = Client(from_env(env))
    url = client.url(f"/repos/{gh.repo}/pulls/{gh.pr}/reviews")
    outside = {"path": "main.tf", "line": 9, "side": "RIGHT", "body": "x"}
    with pytest.raises(GitHubApiError) as err:
        client.request("POST", url, {"event": "COMMENT", "body": "b", "comments": [outside]}, what="review")
    assert err.value.status == 422 and gh.reviews == []
    inside = {**outside, "line": 2}
    client.request("POST", url, {"event": "COMMENT", "body": "b", "comments": [inside]}, what="review")
    assert [c["line"] for c in gh.review_comments] == [2]


def test_a_refused_review_is_a_warning(
    gh: FakeGitHub, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (project / "infra" / "main.tf").read_text(encoding="utf-8")
    # the files API says line 42 is in the diff; GitHub then refuses the review all the same
    gh.pr_files = [{"filename": "infra/main.tf", "patch": _patch(text, 42, 42)}]
    original = gh.diff_hunks
    gh.diff_hunks = lambda path: {}  # type: ignore[method-assign]
    assert _check(project) == 0
    gh.diff_hunks = original  # type: ignore[method-assign]
    err = capsys.readouterr().err
    assert "tfdrift-ci: warning: review suggestions skipped" in err and "HTTP 422" in err
    assert TOKEN not in err


def test_diff_lines_reads_the_new_side_of_each_hunk() -> None:
    patch = "@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n c\n\\ No newline at end of file\n@@ -10,1 +11,1 @@\n-x\n+y"
    assert reviews.diff_lines(patch) == {1: 0, 2: 0, 3: 0, 4: 0, 11: 1}


def test_a_value_cannot_close_the_suggestion_fence() -> None:
    from tfdrift_ci.models import Finding, Severity

    finding = Finding("TFD-DRIFT-010", "drift", Severity.LOW, "t", "@team see [x](javascript:alert(1))")
    body = reviews._body(finding, [], '  name = "````\\n```"')
    fence = body.rsplit("\n", 1)[-1]
    assert fence == "`````" and body.count(fence) == 2
    assert "@\u200bteam" in body and "javascript:alert" not in body
