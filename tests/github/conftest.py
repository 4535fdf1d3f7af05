from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The report fixture loader and the Markdown checker live with the report tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "report"))

from fakegithub import TOKEN, FakeGitHub

from tfdrift_ci.github import comments


@pytest.fixture
def gh(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    # urllib honours HTTP(S)_PROXY from the environment: a CI proxy must not see the local server.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record retry waits instead of sleeping."""
    waits: list[float] = []
    monkeypatch.setattr(comments, "_sleep", waits.append)
    return waits


@pytest.fixture
def env(gh: FakeGitHub, tmp_path: Path) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps({"pull_request": {"number": gh.pr, "base": {"sha": "0" * 40, "ref": "main"}}}),
        encoding="utf-8",
    )
    return {
        "GITHUB_REPOSITORY": gh.repo,
        "GITHUB_API_URL": gh.url,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
    }
