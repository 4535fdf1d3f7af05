"""Fixtures for the sweep tests: a copy of the sweep project, the fake GitHub, and the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
# The Markdown checker and the injection corpus live with the report tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "report"))

from fakegithub import TOKEN, FakeGitHub
from sweep_support import Result, SweepRunner

from tfdrift_ci.github import comments
from tfdrift_ci.notify import base as notify_base

PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "sweep" / "infra"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The repository checkout: ``infra/`` (a copy of tests/fixtures/sweep/infra) and ``events/``."""
    repo = tmp_path / "repo"
    shutil.copytree(PROJECT, repo / "infra")
    (repo / "events").mkdir()
    return repo


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retry waits and write gaps, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(comments, "_sleep", waits.append)
    monkeypatch.setattr(notify_base, "_sleep", waits.append)
    return waits


@pytest.fixture
def gh(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    # urllib honours HTTP(S)_PROXY: a CI proxy must not see the local servers.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sleeps: list[float]) -> None:
    """No AWS/GitHub/alert variables from the machine; no real sleeps."""
    for key in list(os.environ):
        if key.startswith(("AWS_", "GITHUB_", "SLACK", "TEAMS", "HOOK", "TFDRIFT_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def sweep(
    workspace: Path,
    clean_env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> SweepRunner:
    """``sweep(until, *args, github=gh)`` runs ``tfdrift-ci sweep infra --events events`` in the
    workspace (the window capped at 30 days before ``until``; ``cwd``/``path``/``events``/``since``
    change that) and returns exit code, output and the JSON report."""
    from tfdrift_ci.cli import main

    def run(
        until: str,
        *args: str,
        github: FakeGitHub | None = None,
        env: dict[str, str] | None = None,
        cwd: Path = workspace,
        path: str = "infra",
        events: str = "events",
        since: str = "30d",
    ) -> Result:
        monkeypatch.chdir(cwd)
        monkeypatch.setenv("GITHUB_WORKSPACE", str(cwd))
        if github is not None:
            monkeypatch.setenv("GITHUB_REPOSITORY", github.repo)
            monkeypatch.setenv("GITHUB_API_URL", github.url)
            monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        report = tmp_path / "report.json"
        report.unlink(missing_ok=True)
        capsys.readouterr()
        code = main(
            ["sweep", path, "--events", events, "--since", since, "--until", until, "--no-progress",
             "--quiet", "--format", "json", "--output", str(report), *args]
        )  # fmt: skip
        out, err = capsys.readouterr()
        data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
        return Result(code, out, err, data)

    return run
