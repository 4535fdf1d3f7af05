"""tfdrift_ci/paths.py: the repository a path belongs to; containment."""

from __future__ import annotations

import os
from pathlib import Path

from tfdrift_ci.paths import is_inside, repository_root


def test_repository_root_walks_up_to_the_git_entry(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    deep = tmp_path / "repo" / "infra" / "live"
    deep.mkdir(parents=True)
    (deep / "main.tf").write_text("", encoding="utf-8")
    assert repository_root(str(deep)) == str(tmp_path / "repo")
    assert repository_root(str(deep / "main.tf")) == str(tmp_path / "repo")
    assert repository_root(str(tmp_path / "repo")) == str(tmp_path / "repo")


def test_a_git_file_counts_worktrees_and_submodules(tmp_path: Path) -> None:
    (tmp_path / "wt").mkdir()
    (tmp_path / "wt" / ".git").write_text("gitdir: /elsewhere\n", encoding="utf-8")
    assert repository_root(str(tmp_path / "wt")) == str(tmp_path / "wt")


def test_no_repository(tmp_path: Path) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    # tmp dirs are not inside a repository on the machines the tests run on; guard anyway
    expected = None
    for parent in [outside, *outside.parents]:
        if (parent / ".git").exists():
            expected = str(parent)
            break
    assert repository_root(str(outside)) == expected


def test_is_inside_is_by_path_not_by_prefix() -> None:
    root = os.sep + os.path.join("work", "repo")
    assert is_inside(root, [root])
    assert is_inside(os.path.join(root, "a", "b"), [root])
    assert is_inside(os.path.join(root, "a"), [root + os.sep])
    assert not is_inside(root + "-other", [root])
    assert not is_inside(os.sep + "work", [root])
    assert not is_inside(root, [])
