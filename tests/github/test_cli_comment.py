"""`tfdrift-ci check --comment` through the real CLI: GitHub failures are warnings and the exit code
stays the one the findings decide."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakegithub import TOKEN, FakeGitHub, Scripted

from tfdrift_ci import cli

PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "report" / "action-project"


@pytest.fixture
def github_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> dict[str, str]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return env


def _check(tmp_path: Path, *extra: str) -> int:
    return cli.main(
        ["check", str(PROJECT), "--offline", "--fail-on", "medium", "--no-progress", "--comment",
         "--format", "json", "--output", str(tmp_path / "report.json"), *extra]
    )  # fmt: skip


def test_403_is_a_warning_and_the_exit_code_comes_from_the_findings(
    gh: FakeGitHub, github_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gh.script = [Scripted("*", 403, {}, {"message": "Resource not accessible by integration"})]
    assert _check(tmp_path) == 1
    err = capsys.readouterr().err
    assert "tfdrift-ci: warning: PR comment skipped" in err and "HTTP 403" in err and "fork" in err
    assert TOKEN not in err
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["exit_code"] == 1
    # The job summary is still written.
    assert Path(github_env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8").startswith("### ❌ tfdrift-ci")


def test_comment_is_created_then_updated(gh: FakeGitHub, github_env: dict[str, str], tmp_path: Path) -> None:
    assert _check(tmp_path) == 1
    assert _check(tmp_path, "--fail-on", "never") == 0
    assert [r.method for r in gh.writes()] == ["POST", "PATCH"]
    assert len(gh.comments) == 1
    assert "not failing" in gh.comments[0]["body"]
