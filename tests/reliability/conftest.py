"""Fixtures for the reliability tests: the real CLI in-process with a clean environment."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from rel_support import GOOD_TF, CliRunner, Run, base_env


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No AWS/GitHub variables from the machine, caches in tmp, no colours."""
    for key in list(os.environ):
        if key.startswith(("AWS_", "GITHUB_", "TF_VAR_", "RUNNER_")) or key in ("CI", "NO_COLOR"):
            monkeypatch.delenv(key, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    for key, value in base_env(home).items():
        if key != "PATH":
            monkeypatch.setenv(key, value)
    return home


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> CliRunner:
    """``cli([...], env={...}, outputs=[paths])`` runs ``tfdrift_ci.cli.main`` in-process."""
    from tfdrift_ci.cli import main

    def run(args: Sequence[str], env: dict[str, str] | None = None, outputs: Sequence[Path] = ()) -> Run:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        rc = main(list(args))
        out, err = capsys.readouterr()
        files = {p.name: p.read_text(encoding="utf-8") for p in outputs if p.exists()}
        return Run(rc, out, err, files)

    return run


@pytest.fixture
def good_project(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/hostile/terraform/good to drop bad files next to."""
    dest = tmp_path / "proj"
    shutil.copytree(GOOD_TF, dest)
    return dest


@pytest.fixture
def gh(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The local GitHub stand-in (tests/github/fakegithub.py), no real sleeps between retries."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "github"))
    from fakegithub import FakeGitHub

    from tfdrift_ci.github import comments

    monkeypatch.setattr(comments, "_sleep", lambda s: None)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with FakeGitHub() as fake:
        yield fake
