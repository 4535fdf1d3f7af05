"""Filesystem path questions asked in several layers: which repository a path belongs to, and whether
a path lies inside some directories.

No git involved: a repository is found by its ``.git`` entry (a directory, or the file a worktree or
submodule has), which is all ``git`` itself looks for when it walks up (``GIT_DIR`` aside). Callers
decide whether symlinks are resolved first (``os.path.realpath``) or not (``os.path.abspath``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

# Deeper than any real checkout; bounds the walk on a pathological path.
_MAX_DEPTH = 256


def repository_root(start: str) -> str | None:
    """The nearest directory at or above ``start`` holding a ``.git`` entry, else None. ``start`` is
    used as given (make it absolute first); a file's own directory is where the walk begins."""
    here = os.path.dirname(start) if os.path.isfile(start) else start
    for _ in range(_MAX_DEPTH):
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
    return None


def is_inside(path: str, directories: Iterable[str]) -> bool:
    """True when ``path`` is one of ``directories`` or below one of them (by path, not by prefix:
    ``/repo-other`` is not inside ``/repo``)."""
    return any(path == d or path.startswith(d.rstrip(os.sep) + os.sep) for d in directories)
