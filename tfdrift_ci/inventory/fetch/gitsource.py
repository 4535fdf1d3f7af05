"""Git module sources through GitPython: resolve a ref with ``git ls-remote`` (a branch moves, so it is
asked again on every run that may use the network), then a shallow clone of exactly that commit,
stored without its ``.git`` (the commit id names the tree in the cache).

Safety: only the https, http, ssh, git and file transports (``GIT_ALLOW_PROTOCOL``: no ``ext::``
command transport, also for anything git might follow), never a terminal prompt for credentials
(``GIT_TERMINAL_PROMPT=0``, ssh in batch mode), bounded run times, and error text stripped of
credentials. Submodules are not fetched.
https://developer.hashicorp.com/terraform/language/modules/sources#generic-git-repository
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping

from tfdrift_ci.inventory.fetch.addresses import redact_url
from tfdrift_ci.textutil import one_line, redact_text

LS_REMOTE_TIMEOUT = 60.0
CLONE_TIMEOUT = 300.0
_SHA = re.compile(r"^[0-9a-f]{40}$")
_SHORT_SHA = re.compile(r"^[0-9a-f]{7,39}$")


class GitError(Exception):
    """``str()`` is one line, without credentials."""


class Git:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = {
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ALLOW_PROTOCOL": "https:http:ssh:git:file",
            "GIT_SSH_COMMAND": env.get("GIT_SSH_COMMAND") or "ssh -o BatchMode=yes",
            **{
                k: env[k]
                for k in (
                    "HOME",
                    "PATH",
                    "SSH_AUTH_SOCK",
                    "HTTPS_PROXY",
                    "HTTP_PROXY",
                    "NO_PROXY",
                    "https_proxy",
                    "http_proxy",
                    "no_proxy",
                )
                if k in env
            },
        }
        self.commands = 0  # run so far (tests count them)

    def _run(self, args: list[str], cwd: str | None, timeout: float, url: str) -> str:
        import git

        self.commands += 1
        try:
            out = git.Git(cwd).execute(
                ["git", *args], env=self.env, kill_after_timeout=timeout, stdout_as_string=True
            )
        except git.GitCommandNotFound:
            raise GitError("git is not installed (needed for git module sources)") from None
        except git.GitCommandError as err:
            stderr = err.stderr if isinstance(err.stderr, str) else ""
            lines = [
                ln.strip()
                for ln in stderr.splitlines()
                if ln.strip() and not ln.strip().startswith("stderr:")
            ]
            detail = redact_text(one_line(lines[-1].strip("' ")))[:200] if lines else f"exit {err.status}"
            raise GitError(f"git {args[0]} {redact_url(url)} failed: {detail}") from None
        return out if isinstance(out, str) else ""

    def resolve(self, url: str, ref: str | None) -> tuple[str, str | None]:
        """(commit id, the ref's kind "branch"/"tag"/"head"/"commit") for ``ref`` (None: the default
        branch). A full commit id is returned as is, without asking the remote."""
        if ref is not None and _SHA.match(ref):
            return ref, "commit"
        listing = self._run(["ls-remote", "--", url], None, LS_REMOTE_TIMEOUT, url)
        refs: dict[str, str] = {}
        for line in listing.splitlines():
            sha, _, name = line.partition("\t")
            if _SHA.match(sha.strip()):
                refs[name.strip()] = sha.strip()
        if ref is None:
            head = refs.get("HEAD")
            if head is None:
                raise GitError(f"{redact_url(url)} has no default branch (HEAD)")
            return head, "head"
        for name, kind in (
            (f"refs/tags/{ref}^{{}}", "tag"),
            (f"refs/tags/{ref}", "tag"),
            (f"refs/heads/{ref}", "branch"),
            (ref, "ref"),
        ):
            if name in refs:
                return refs[name], kind
        if _SHORT_SHA.match(ref):
            return ref, "commit"  # an abbreviated commit: resolved by the clone
        raise GitError(f"{redact_url(url)} has no branch or tag {ref!r}")

    def checkout(
        self, url: str, *, ref: str | None, commit: str, kind: str | None, depth: int | None, dest: str
    ) -> str:
        """Clone ``url`` at ``commit`` into ``dest`` (then drop ``.git``); returns the full commit id."""
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if kind in ("branch", "tag", "head"):
            args = ["clone", "--quiet", "--no-tags", "--single-branch", f"--depth={depth or 1}"]
            if ref is not None:
                args.append(f"--branch={ref}")
            self._run([*args, "--", url, dest], None, CLONE_TIMEOUT, url)
        else:
            # a commit: fetch it alone when the server allows it, else the whole history
            self._run(["init", "--quiet", dest], None, CLONE_TIMEOUT, url)
            self._run(["remote", "add", "origin", "--", url], dest, CLONE_TIMEOUT, url)
            try:
                self._run(["fetch", "--quiet", "--depth=1", "origin", commit], dest, CLONE_TIMEOUT, url)
                self._run(["checkout", "--quiet", "FETCH_HEAD"], dest, CLONE_TIMEOUT, url)
            except GitError:
                self._run(["fetch", "--quiet", "origin"], dest, CLONE_TIMEOUT, url)
                self._run(["checkout", "--quiet", commit], dest, CLONE_TIMEOUT, url)
        full = self._run(["rev-parse", "HEAD"], dest, CLONE_TIMEOUT, url).strip()
        shutil.rmtree(os.path.join(dest, ".git"), ignore_errors=True)
        return full
