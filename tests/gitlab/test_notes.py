"""`tfdrift-ci check --comment` in GitLab CI, through the real CLI against a local GitLab stand-in
(tests/support/gitlab_server.py): the sticky merge request note is created, then updated in place;
every page of notes is read; only the token's own note is ours; GitLab problems are warnings and the
exit code stays the one the findings decide; the token never shows."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.gitlab_server import TOKEN, FakeGitLab, Scripted

from tfdrift_ci import cli
from tfdrift_ci.github import comments
from tfdrift_ci.report.escape import ZWSP, gitlab_markdown

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PROJECT = FIXTURES / "report" / "action-project"  # one mutable-tags repository: a high finding


@pytest.fixture
def gl(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitLab]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setattr(comments, "_sleep", lambda _s: None)  # retries without waiting
    with FakeGitLab() as fake:
        yield fake


def _check(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], project: Path, *extra: str) -> int:
    for key in ("GITLAB_CI", "CI_API_V4_URL", "CI_PROJECT_ID", "CI_MERGE_REQUEST_IID", "GITLAB_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return cli.main(["check", str(project), "--offline", "--no-progress", "--comment", *extra])


def _root_marker(path: Path) -> str:
    return comments.marker(str(path))


def test_create_then_update_in_place(
    gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "infra"
    shutil.copytree(PROJECT, project)
    assert _check(monkeypatch, gl.env(), project) == 1
    assert len(gl.ours()) == 1
    first = gl.ours()[0]
    assert first["body"].startswith(_root_marker(project) + "\n")
    assert "mutable\\_bad" in first["body"]

    # A second push: another finding; the same note is edited, no second note.
    (project / "main.tf").write_text(
        (project / "main.tf")
        .read_text(encoding="utf-8")
        .replace('name                 = "api"', 'name = "api2"'),
        encoding="utf-8",
    )
    (project / "extra.tf").write_text('resource "aws_ecr_repository" "also_mutable_bad" {\n  name = "x"\n}\n')
    assert _check(monkeypatch, gl.env(), project) == 1
    assert len(gl.ours()) == 1 and gl.ours()[0]["id"] == first["id"]
    assert "also\\_mutable\\_bad" in gl.ours()[0]["body"]
    assert [r.method for r in gl.writes()] == ["POST", "PUT"]

    # Nothing changed: nothing written.
    assert _check(monkeypatch, gl.env(), project) == 1
    assert [r.method for r in gl.writes()] == ["POST", "PUT"]
    out = capsys.readouterr()
    assert TOKEN not in out.out + out.err and "warning" not in out.err


def test_the_token_goes_only_into_the_private_token_header(
    gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _check(monkeypatch, gl.env(), PROJECT) == 1
    assert gl.requests
    for r in gl.requests:
        headers = {k.lower(): v for k, v in r.headers.items()}
        assert headers.get("private-token") == TOKEN
        assert "authorization" not in headers and "x-github-api-version" not in headers
        assert TOKEN not in repr(r.body) and TOKEN not in r.path


def test_every_page_is_read_before_creating(gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(230):
        gl.add_note(f"review comment {i}", author_id=1)
    ours = gl.add_note(_root_marker(PROJECT) + "\nold result", author_id=gl.bot["id"])
    assert _check(monkeypatch, gl.env(), PROJECT) == 1
    pages = [
        r.query.get("page", ["1"])[0] for r in gl.requests if r.method == "GET" and r.path.endswith("/notes")
    ]
    assert pages == ["1", "2", "3"]
    assert [r.method for r in gl.writes()] == ["PUT"]
    assert ours["body"] != _root_marker(PROJECT) + "\nold result"


def test_a_note_by_someone_else_with_the_marker_is_not_ours(
    gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = gl.add_note(_root_marker(PROJECT) + "\n### ✅ tfdrift-ci: all clear", author_id=1)
    system = gl.add_note(_root_marker(PROJECT) + "\nsystem", author_id=gl.bot["id"], system=True)
    assert _check(monkeypatch, gl.env(), PROJECT) == 1
    assert fake["body"].endswith("all clear") and system["body"].endswith("system")  # untouched
    assert [r.method for r in gl.writes()] == ["POST"]
    mine = [n for n in gl.ours() if not n["system"]]
    assert len(mine) == 1 and "mutable\\_bad" in mine[0]["body"]


def test_clean_root_only_updates(gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    project = tmp_path / "infra"
    project.mkdir()
    (project / "main.tf").write_text('variable "x" {\n  default = 1\n}\n', encoding="utf-8")
    assert _check(monkeypatch, gl.env(), project) == 0
    assert gl.writes() == []  # clean, and no earlier note: nothing
    old = gl.add_note(comments.marker(str(project)) + "\n### ❌ old findings", author_id=gl.bot["id"])
    assert _check(monkeypatch, gl.env(), project) == 0
    assert [r.method for r in gl.writes()] == ["PUT"] and "old findings" not in old["body"]


@pytest.mark.parametrize(
    ("status", "hint"),
    [(403, "api scope"), (401, "invalid or expired"), (404, "no longer exists")],
)
def test_gitlab_refusals_are_warnings(
    gl: FakeGitLab,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    status: int,
    hint: str,
) -> None:
    gl.script = [Scripted("*", r".*", status, {"message": f"{status} refused"}, times=99)]
    assert _check(monkeypatch, gl.env(), PROJECT) == 1  # the findings decide
    err = capsys.readouterr().err
    assert (
        "tfdrift-ci: warning: merge request note skipped" in err and f"HTTP {status}" in err and hint in err
    )
    assert TOKEN not in err and "Traceback" not in err


def test_a_server_error_is_retried(gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch) -> None:
    gl.script = [Scripted("GET", r".*/notes", 502, times=2)]
    assert _check(monkeypatch, gl.env(), PROJECT) == 1
    assert len(gl.ours()) == 1


def test_a_create_stored_despite_a_5xx_is_not_duplicated(
    gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    gl.store_then_fail = 502
    assert _check(monkeypatch, gl.env(), PROJECT) == 1
    assert len(gl.ours()) == 1
    assert [r.method for r in gl.writes()] == ["POST"]  # found again after the 502: same body, no PUT


def test_one_note_per_root(gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for root in ("a", "b"):
        shutil.copytree(PROJECT, tmp_path / "infra" / root)
    assert _check(monkeypatch, gl.env(), tmp_path / "infra") == 1
    markers = sorted(n["body"].splitlines()[0] for n in gl.ours())
    assert markers == [comments.marker(str(tmp_path / "infra" / r)) for r in ("a", "b")]


def test_above_the_cap_roots_share_one_note(
    gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """More than MAX_ROOT_COMMENTS roots: one note for the whole run, keyed by the checked path."""
    from tfdrift_ci.github import MAX_ROOT_COMMENTS

    for i in range(MAX_ROOT_COMMENTS + 1):
        shutil.copytree(PROJECT, tmp_path / "infra" / f"r{i}")
    assert _check(monkeypatch, gl.env(), tmp_path / "infra") == 1
    [note] = gl.ours()
    assert note["body"].splitlines()[0] == comments.marker(str(tmp_path / "infra"))


@pytest.mark.parametrize(
    ("drop", "says"),
    [
        ("GITLAB_TOKEN", "GITLAB_TOKEN is not set"),
        ("CI_API_V4_URL", "CI_API_V4_URL is not set"),
        ("CI_MERGE_REQUEST_IID", "not for a merge request"),
    ],
)
def test_missing_gitlab_variables_are_one_warning(
    gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], drop: str, says: str
) -> None:
    env = gl.env()
    del env[drop]
    assert _check(monkeypatch, env, PROJECT) == 1
    err = capsys.readouterr().err
    assert says in err and err.count("warning") == 1
    assert gl.writes() == []


def test_without_gitlab_ci_the_github_comment_is_used(
    gl: FakeGitLab, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = gl.env()
    del env["GITLAB_CI"]
    assert _check(monkeypatch, env, PROJECT) == 1
    assert gl.requests == []
    assert "GITHUB_REPOSITORY is not set" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------
# GitLab-only Markdown: quick actions and references


def test_quick_actions_and_gitlab_references_are_broken() -> None:
    body = (
        "<!-- tfdrift-ci:root=infra%2Dx -->\n"
        '/close\n  /merge\nsee \\!12, &amp;3, $4, \\~bug, ~"needs review", %v1, %"Q3", \\*iteration:5\n'
        "a [link](https://console.aws.amazon.com/a%2Fb?x=1&y=2) stays\n"
        "```mermaid\naxisFormat %m-%d\n/close\n```\n"
    )
    out = gitlab_markdown(body)
    lines = out.splitlines()
    assert lines[0] == "<!-- tfdrift-ci:root=infra%2Dx -->"  # the marker is untouched
    assert lines[1] == ZWSP + "/close" and lines[2] == "  " + ZWSP + "/merge"
    for ref in ("\\!12", "&amp;3", "$4", "\\~bug", '~"needs', "%v1", '%"Q3', "\\*iteration:5"):
        assert ref not in lines[3], ref
    assert "(https://console.aws.amazon.com/a%2Fb?x=1&y=2)" in lines[4]
    assert lines[5:] == ["```mermaid", "axisFormat %m-%d", "/close", "```"]  # code is left alone
    assert out.replace(ZWSP, "") == body  # nothing but invisible breaks added
