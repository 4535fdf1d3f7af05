"""Inventory tests never touch the user's real parse cache (the CLI reads TFDRIFT_CACHE_DIR; a direct
inventory.load() call caches nothing unless given a cache_dir)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_parse_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFDRIFT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "parse-cache"))
    monkeypatch.delenv("TFDRIFT_NO_CACHE", raising=False)


@pytest.fixture
def tf(fixtures: Path) -> Path:
    """tests/fixtures/terraform"""
    return fixtures / "terraform"
