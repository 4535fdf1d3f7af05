"""tfdrift_ci/inventory/cache.py: the content-hash parse cache (behind hcl.parse_text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfdrift_ci.inventory import cache, hcl, ts_parse

TEXT = 'resource "aws_ecs_cluster" "c" {\n  name = "x"\n  setting {\n    name = "a"\n  }\n}\n'


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.json"))


def _reference(tmp_path: Path) -> hcl.ParseOptions:
    """The cache spares python-hcl2 only (tree-sitter parses faster than an entry is read)."""
    return hcl.ParseOptions(parser="hcl2", cache_dir=str(tmp_path / "c"))


def test_tree_sitter_results_are_not_cached(tmp_path: Path) -> None:
    if not ts_parse.available():
        pytest.skip("tree-sitter is not installed")
    assert hcl.parse_text(TEXT, "a.tf", hcl.ParseOptions(cache_dir=str(tmp_path / "c"))).blocks
    assert _entries(tmp_path / "c") == []


def test_cache_round_trip_and_content_keying(tmp_path: Path) -> None:
    options = _reference(tmp_path)
    first = hcl.parse_text(TEXT, "a.tf", options)
    assert len(_entries(tmp_path / "c" / "parse")) == 1
    hit = cache.get(TEXT, "b.tf", cache.directory(options.cache_dir))
    assert hit is not None
    assert hit.path == "b.tf"  # the entry is keyed by content, the path is the caller's
    assert hit.blocks == first.blocks
    assert hcl.parse_text(TEXT + "\n", "a.tf", options).blocks == first.blocks
    assert len(_entries(tmp_path / "c")) == 2


def test_corrupt_entry_is_ignored(tmp_path: Path) -> None:
    options = _reference(tmp_path)
    hcl.parse_text(TEXT, "a.tf", options)
    (entry,) = _entries(tmp_path / "c")
    entry.write_text('{"b": [["oops"]]}', encoding="utf-8")
    assert cache.get(TEXT, "a.tf", cache.directory(options.cache_dir)) is None
    parsed = hcl.parse_text(TEXT, "a.tf", options)
    assert parsed.blocks[0].labels == ("aws_ecs_cluster", "c")


def test_no_cache_directory_means_no_cache(tmp_path: Path) -> None:
    hcl.parse_text(TEXT, "a.tf", hcl.ParseOptions(parser="hcl2", cache_dir=None))
    assert cache.directory(None) is None
    assert not (tmp_path / "c").exists()


def test_failures_are_not_cached(tmp_path: Path) -> None:
    parsed = hcl.parse_text('resource "x" {', "bad.tf", _reference(tmp_path))
    assert parsed.problem is not None
    assert _entries(tmp_path / "c") == []


def test_unwritable_cache_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "c").write_text("a file where the directory should be", encoding="utf-8")
    parsed = hcl.parse_text(TEXT, "a.tf", _reference(tmp_path))
    assert parsed.blocks[0].labels == ("aws_ecs_cluster", "c")
