"""Where a finding is shown in the formats a code host places on files (SARIF, GitHub annotations,
GitLab's code quality report): always a file of the repository.

A finding's own file when it is one (``rules/locate.py`` has already moved findings on resources in
fetched modules to the user's module block); else its resource's block; else its root's anchor
(``Report.anchors``: the provider block, or the first ``.tf`` file). A path of a fetched module
(``pkg//path``) or under ``.terraform/`` is never returned: code scanning would reject or drop it,
and the user cannot change that file anyway."""

from __future__ import annotations

import posixpath

from tfdrift_ci.models import Finding, Location, Report


def repository_file(file: str | None) -> bool:
    """``file`` (relative to PATH) can be shown as a file of the repository."""
    if not file or "//" in file or posixpath.isabs(file.replace("\\", "/")):
        return False
    return ".terraform" not in file.replace("\\", "/").split("/")


def position(report: Report, f: Finding) -> tuple[str, int | None] | None:
    """(file relative to PATH, line or None) where ``f`` is shown; None when the report has no file
    at all to place it on (no ``.tf`` file was read)."""
    if repository_file(f.file):
        return f.file or "", f.line
    if f.address:
        for r in report.resources:
            if r.address == f.address and (f.root is None or r.root == f.root) and repository_file(r.file):
                return r.file or "", r.line
    anchors = report.anchors
    anchor = anchors.get(f.root or ".") or (anchors[min(anchors)] if anchors else None)
    return anchor


def related(f: Finding) -> tuple[Location, ...]:
    """The related locations that are files of the repository."""
    return tuple(loc for loc in f.related if loc.in_repository and repository_file(loc.file))
