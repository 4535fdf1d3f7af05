"""``--changed-only``: the files a change touches, from git (GitPython, imported lazily so that
``import tfdrift_ci`` and the pre-commit hook never pay for it).

Changed = everything that differs between the merge base of ``base`` and ``HEAD`` and the working
tree (committed on the branch, staged, or not yet staged), plus untracked files. Deleted and renamed
files are included (a deleted ``.tf`` still changes its root).

The default base is the pull request's base from the GitHub event payload (``pull_request.base.sha``
when that commit is present locally, else ``origin/<base.ref>``), else ``origin/HEAD``. A shallow
checkout (``actions/checkout`` defaults to ``fetch-depth: 1``) has no merge base: the error says to
fetch more history.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from tfdrift_ci.errors import GitError, GitHubError
from tfdrift_ci.paths import repository_root
from tfdrift_ci.textutil import one_line

_NOT_A_REPOSITORY = "not inside a git repository (--changed-only compares with a git base)"


def _default_base(repo: Any, env: Mapping[str, str]) -> tuple[str, str]:
    """(rev, how it was chosen)."""
    from tfdrift_ci.github.context import load_event, pr_base

    try:
        event = load_event(env)
    except GitHubError:
        event = {}
    sha, ref = pr_base(event)
    if sha and _resolves(repo, sha):
        return sha, "the pull request's base commit"
    if ref:
        return f"origin/{ref}", "the pull request's base branch"
    return "origin/HEAD", "origin/HEAD (the remote's default branch)"


def _resolves(repo: Any, rev: str) -> bool:
    import git

    try:
        repo.commit(rev)
    except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
        return False
    return True


def repo_root(path: str) -> str:
    """The work tree root of the repository holding ``path``; ``GitError`` outside one."""
    root = repository_root(os.path.abspath(path))
    if root is None:
        raise GitError(f"{path}: {_NOT_A_REPOSITORY}")
    return root


def _open(path: str) -> Any:
    import git

    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitError(f"{path}: {_NOT_A_REPOSITORY}") from None


def changed_files(path: str, base: str | None, env: Mapping[str, str]) -> list[str]:
    """Files changed since the merge base with ``base``, plus uncommitted and untracked ones, as
    posix paths relative to ``path`` (``../modules/x/main.tf`` for files outside it). Sorted."""
    import git

    repo = _open(path)
    if repo.working_tree_dir is None:
        raise GitError(f"{path}: is a bare git repository")
    root = os.path.realpath(str(repo.working_tree_dir))
    if base:
        rev, how = base, "--base"
    else:
        rev, how = _default_base(repo, env)
    if not _resolves(repo, rev):
        raise GitError(
            f"--changed-only: unknown git ref {rev!r} ({how}); fetch it (git fetch origin) or pass --base REF"
        )
    try:
        bases = repo.merge_base(rev, "HEAD")
    except git.GitCommandError as err:
        raise GitError(f"--changed-only: git merge-base {rev} HEAD failed: {_stderr(err)}") from None
    if not bases:
        raise GitError(
            f"--changed-only: {rev!r} and HEAD have no common history; with actions/checkout use "
            "fetch-depth: 0 (a shallow clone has no merge base)"
        )
    merge_base = bases[0].hexsha
    try:
        # Working tree vs the merge base: branch commits, staged and unstaged changes, in one diff.
        out = repo.git.diff("--name-only", "-z", "--no-renames", merge_base, "--")
    except git.GitCommandError as err:
        raise GitError(f"--changed-only: git diff failed: {_stderr(err)}") from None
    names = {n for n in out.split("\0") if n}
    names.update(repo.untracked_files)

    target = os.path.realpath(path)
    if os.path.isfile(target):
        target = os.path.dirname(target)
    files = []
    for name in names:
        absolute = os.path.join(root, name)
        rel = os.path.relpath(absolute, target).replace(os.sep, "/")
        files.append(rel)
    return sorted(files)


def _stderr(err: Any) -> str:
    return one_line(getattr(err, "stderr", "") or str(err), 300)
