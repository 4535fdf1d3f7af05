"""tfdrift_ci/inventory/cache.py: the content-hash parse cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfdrift_ci.inventory import cache, hcl

TEXT = 'resource "aws_ecs_cluster" "c" {\n  name = "x"\n  setting {\n    name = "a"\n  }\n}\n'


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.json"))


@pytest.fixture(autouse=True)
def _reference_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache spares python-hcl2 only (tree-sitter parses faster than an entry is read)."""
    monkeypatch.setenv("TFDRIFT_PARSER", "hcl2")


def test_tree_sitter_results_are_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tfdrift_ci.inventory import ts_parse

    monkeypatch.delenv("TFDRIFT_PARSER")
    if not ts_parse.available():
        pytest.skip("tree-sitter is not installed")
    monkeypatch.setenv("TFDRIFT_CACHE_DIR", str(tmp_path / "c"))
    assert hcl.parse_text(TEXT, "a.tf").blocks
    assert _entries(tmp_path / "c") == []


def test_cache_round_trip_and_content_keying(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFDRIFT_CACHE_DIR", str(tmp_path / "c"))
    first = hcl.parse_text(TEXT, "a.tf")
    assert len(_entries(tmp_path / "c")) == 1
    hit = cache.get(TEXT, "b.tf")
    assert hit is not None
    assert hit.path == "b.tf"  # the entry is keyed by content, the path is the caller's
    assert hit.blocks == first.blocks
    assert hcl.parse_text(TEXT + "\n", "a.tf").blocks == first.blocks
    assert len(_entries(tmp_path / "c")) == 2


def test_corrupt_entry_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFDRIFT_CACHE_DIR", str(tmp_path / "c"))
    hcl.parse_text(TEXT, "a.tf")
    (entry,) = _entries(tmp_path / "c")
    entry.write_text('{"b": [["oops"]]}', encoding="utf-8")
    assert cache.get(TEXT, "a.tf") is None
    parsed = hcl.parse_text(TEXT, "a.tf")
    assert parsed.blocks[0].labels == ("aws_ecs_cluster", "c")


def test_disabled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFDRIFT_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("TFDRIFT_NO_CACHE", "1")
    hcl.parse_text(TEXT, "a.tf")
    assert not (tmp_path / "c").exists()


def test_failures_are_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFDRIFT_CACHE_DIR", str(tmp_path / "c"))
    parsed = hcl.parse_text('resource "x" {', "bad.tf")
    assert parsed.problem is not None
    assert _entries(tmp_path / "c") == []
