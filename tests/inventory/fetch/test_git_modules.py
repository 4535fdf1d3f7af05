"""git:: sources against a real git repository in a tmp dir (a bare repository over file://):
refs resolved with ls-remote, shallow clones, the cache keyed by commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tfdrift_ci.inventory.fetch import gitsource

from .conftest import load

SERVICE = "module.api.aws_ecs_service.this"


def _git(cwd: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "HOME": str(cwd),
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, mods: Path) -> tuple[Path, Path]:
    """(work tree, bare repository) holding the fixture package, tagged v1.0.0, branch main."""
    work = tmp_path / "work"
    subprocess.run(["cp", "-r", str(mods / "ecs_package"), str(work)], check=True)
    _git(work, "init", "-q", "-b", "main")
    _git(work, "add", ".")
    _git(work, "commit", "-q", "-m", "v1")
    _git(work, "tag", "-a", "v1.0.0", "-m", "v1.0.0")
    bare = tmp_path / "modules.git"
    _git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    return work, bare


def _root(tmp_path: Path, source: str) -> Path:
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    (root / "main.tf").write_text(
        f'module "api" {{\n  source = "{source}"\n\n  name = "api"\n  cluster_arn = "shop"\n'
        "  enable_execute_command = true\n}\n",
        encoding="utf-8",
    )
    return root


def _env(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []
    original = gitsource.Git._run

    def run(self: gitsource.Git, args: list[str], cwd: str | None, timeout: float, url: str) -> str:
        calls.append(args)
        return original(self, args, cwd, timeout, url)

    monkeypatch.setattr(gitsource.Git, "_run", run)
    return calls


def test_a_tag_is_cloned_and_its_subdir_followed(
    tmp_path: Path, repo: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    work, bare = repo
    calls = _counting(monkeypatch)
    root = _root(tmp_path, f"git::file://{bare}//modules/service?ref=v1.0.0")
    inv = load(root, _env(tmp_path), tmp_path / "cache")
    (svc,) = inv.resources
    assert svc.address == SERVICE and svc.attributes["enable_execute_command"] is True
    assert svc.file == f"git::file://{bare}@v1.0.0//modules/service/main.tf"
    assert svc.call_sites[0].package == f"git::file://{bare}?ref=v1.0.0"
    assert [c[0] for c in calls] == ["ls-remote", "clone", "rev-parse"]
    assert "--depth=1" in calls[1]  # shallow
    commit = _git(work, "rev-parse", "HEAD")
    stored = tmp_path / "cache" / "modules" / "store" / f"git-{commit}" / "pkg"
    assert (stored / "modules" / "service" / "main.tf").is_file()
    assert not (stored / ".git").exists()


def test_a_moving_branch_is_resolved_again_a_commit_is_not(
    tmp_path: Path, repo: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    work, bare = repo
    cache = tmp_path / "cache"
    root = _root(tmp_path, f"git::file://{bare}//modules/service?ref=main")
    load(root, _env(tmp_path), cache)
    # the branch moves: ECS Exec is now off by default in the module … and the call does not set it
    svc = work / "modules" / "service" / "main.tf"
    svc.write_text(svc.read_text().replace("var.enable_execute_command", "false"))
    _git(work, "commit", "-qam", "v2")
    _git(work, "push", "-q", str(bare), "main")
    calls = _counting(monkeypatch)
    inv = load(root, _env(tmp_path), cache)
    assert inv.resources[0].attributes["enable_execute_command"] is False  # the new commit
    assert [c[0] for c in calls] == ["ls-remote", "clone", "rev-parse"]

    # pinned to a commit: served from the cache with no git command at all
    commit = _git(work, "rev-parse", "HEAD")
    calls.clear()
    inv = load(_root(tmp_path, f"git::file://{bare}//modules/service?ref={commit}"), _env(tmp_path), cache)
    assert inv.resources[0].attributes["enable_execute_command"] is False
    assert calls == []

    # offline: the branch is the commit it last resolved to, from the cache
    inv = load(root, _env(tmp_path), cache, fetch=False)
    assert inv.resources[0].attributes["enable_execute_command"] is False
    assert calls == []


def test_a_commit_not_yet_cached_is_fetched(tmp_path: Path, repo: tuple[Path, Path]) -> None:
    work, bare = repo
    first = _git(work, "rev-parse", "HEAD")
    (work / "extra.tf").write_text("# later\n")
    _git(work, "add", ".")
    _git(work, "commit", "-qm", "later")
    _git(work, "push", "-q", str(bare), "main")
    inv = load(
        _root(tmp_path, f"git::file://{bare}//modules/service?ref={first}"), _env(tmp_path), tmp_path / "c"
    )
    assert [r.address for r in inv.resources] == [SERVICE]
    assert (tmp_path / "c" / "modules" / "store" / f"git-{first}" / "pkg").is_dir()


def test_missing_ref_and_missing_repository_are_named(tmp_path: Path, repo: tuple[Path, Path]) -> None:
    _, bare = repo
    inv = load(_root(tmp_path, f"git::file://{bare}?ref=v9.9.9"), _env(tmp_path), tmp_path / "c")
    assert "has no branch or tag 'v9.9.9'" in inv.unfollowed_modules[0].reason
    inv = load(_root(tmp_path, f"git::file://{tmp_path}/nothing.git"), _env(tmp_path), tmp_path / "c")
    assert "git ls-remote" in inv.unfollowed_modules[0].reason


def test_offline_with_a_cold_cache_runs_no_git(
    tmp_path: Path, repo: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, bare = repo
    calls = _counting(monkeypatch)
    inv = load(_root(tmp_path, f"git::file://{bare}?ref=v1.0.0"), _env(tmp_path), tmp_path / "c", fetch=False)
    assert "module fetching is off" in inv.unfollowed_modules[0].reason
    assert calls == []


def test_credentials_in_a_git_url_are_never_shown(tmp_path: Path) -> None:
    root = _root(tmp_path, "git::https://bot:ghp_T0KEN@127.0.0.1:9/acme/m.git?ref=v1")
    inv = load(root, _env(tmp_path), tmp_path / "c")
    (call,) = inv.unfollowed_modules
    assert "ghp_T0KEN" not in repr(inv.unfollowed_modules)  # the code itself holds it, the report does not
    assert call.source == "git::https://127.0.0.1:9/acme/m.git?ref=v1"
