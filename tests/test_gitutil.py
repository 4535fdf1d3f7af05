"""--changed-only: files changed since the merge base, against real git repositories in tmp dirs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tfdrift_ci.errors import GitError
from tfdrift_ci.gitutil import changed_files, repo_root

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent", "PATH": "/usr/bin:/bin:/usr/local/bin",
}  # fmt: skip


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True, text=True
    ).stdout.strip()


def write(path: Path, text: str = "x\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """origin (bare) <- work: main has infra/{main,ecs,gone}.tf and modules/app/main.tf; the work tree
    is on branch feature with one commit, a staged, an unstaged, a deleted and an untracked change."""
    origin = tmp_path / "origin.git"
    work = tmp_path / "work"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(tmp_path, "init", "-q", "-b", "main", str(work))
    for name in (
        "infra/main.tf",
        "infra/ecs.tf",
        "infra/gone.tf",
        "infra/staged.tf",
        "modules/app/main.tf",
        "README.md",
    ):
        write(work / name)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "base")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    git(work, "remote", "set-head", "origin", "main")
    # main moves on after the branch point: its changes must NOT count (merge base, not tip).
    git(work, "checkout", "-q", "-b", "feature")
    git(work, "checkout", "-q", "main")
    write(work / "infra/only_on_main.tf")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "main moves")
    git(work, "push", "-q", "origin", "main")
    git(work, "checkout", "-q", "feature")
    write(work / "modules/app/main.tf", "changed\n")
    git(work, "commit", "-q", "-am", "feature commit")
    write(work / "infra/staged.tf", "staged\n")
    git(work, "add", "infra/staged.tf")
    write(work / "infra/ecs.tf", "unstaged\n")
    (work / "infra/gone.tf").unlink()
    write(work / "infra/new.tf")
    return work


def test_changed_since_merge_base_plus_uncommitted_relative_to_path(repo: Path) -> None:
    files = changed_files(str(repo / "infra"), "origin/main", {})
    assert files == ["../modules/app/main.tf", "ecs.tf", "gone.tf", "new.tf", "staged.tf"]
    assert changed_files(str(repo), "origin/main", {}) == [
        "infra/ecs.tf", "infra/gone.tf", "infra/new.tf", "infra/staged.tf", "modules/app/main.tf",
    ]  # fmt: skip


def test_default_base_is_origin_head(repo: Path) -> None:
    assert "infra/only_on_main.tf" not in changed_files(str(repo), None, {})
    assert len(changed_files(str(repo), None, {})) == 5


def test_default_base_from_the_pull_request_payload(repo: Path, tmp_path: Path) -> None:
    base_sha = git(repo, "rev-parse", "main~1")
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps({"pull_request": {"base": {"sha": base_sha, "ref": "main"}}}), encoding="utf-8"
    )
    env = {"GITHUB_EVENT_PATH": str(event)}
    assert len(changed_files(str(repo), None, env)) == 5
    # A base sha that is not in the clone falls back to origin/<base.ref>.
    event.write_text(
        json.dumps({"pull_request": {"base": {"sha": "f" * 40, "ref": "main"}}}), encoding="utf-8"
    )
    assert len(changed_files(str(repo), None, env)) == 5
    event.write_text(
        json.dumps({"pull_request": {"base": {"sha": "f" * 40, "ref": "release"}}}), encoding="utf-8"
    )
    with pytest.raises(GitError, match=r"origin/release.*base branch"):
        changed_files(str(repo), None, env)


def test_explicit_base_commit(repo: Path) -> None:
    # Against the feature commit itself only the uncommitted changes remain.
    assert changed_files(str(repo), "HEAD", {}) == [
        "infra/ecs.tf",
        "infra/gone.tf",
        "infra/new.tf",
        "infra/staged.tf",
    ]


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not inside a git repository") as err:
        changed_files(str(tmp_path), None, {})
    assert err.value.exit_code == 2
    with pytest.raises(GitError):
        repo_root(str(tmp_path))


def test_unknown_ref(repo: Path) -> None:
    with pytest.raises(GitError, match="unknown git ref 'nope'"):
        changed_files(str(repo), "nope", {})


def test_no_common_history_says_to_fetch_more(repo: Path) -> None:
    git(repo, "stash", "-q", "-u")
    git(repo, "checkout", "-q", "--orphan", "lonely")
    git(repo, "commit", "-q", "--allow-empty", "-m", "root")
    git(repo, "checkout", "-q", "feature")
    with pytest.raises(GitError, match="fetch-depth: 0"):
        changed_files(str(repo), "lonely", {})


def test_repo_root(repo: Path) -> None:
    assert Path(repo_root(str(repo / "infra"))).resolve() == repo.resolve()
