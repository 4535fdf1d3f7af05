"""Finding Terraform roots, the way ``checkov -d`` does: a directory holding ``.tf`` files that no
other directory under the scanned path calls as a local module.

:func:`roots_for_files` is on the pre-commit hook's path (budget 0.5 s for a 200-file repository,
interpreter start included): it never imports the HCL parser, a regex over ``source = "./…"`` is
enough to build the call graph.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence

SKIP_DIRS = frozenset({"node_modules", "__pycache__"})
TF_SUFFIXES = (".tf", ".tf.json")  # native and JSON syntax

# `source = "./modules/x"` inside a module block; comments and other attributes named source
# (rare) only add edges that make a directory look like a module, which errs toward checking more.
_LOCAL_SOURCE = re.compile(r'(?:^|[{,\s])"?source"?\s*[=:]\s*"(\.\.?(?:[/\\][^"]*)?)"', re.MULTILINE)


def walk_tf_dirs(base: str) -> Iterator[tuple[str, list[str]]]:
    """(directory, sorted .tf file names) for every directory under base holding .tf files;
    hidden directories (``.terraform``, ``.git`` …) are skipped."""
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
        names = sorted(f for f in filenames if f.endswith(TF_SUFFIXES))
        if names:
            yield dirpath, names


def local_calls(directory: str, names: Sequence[str]) -> set[str]:
    """Absolute directories called as local modules by the .tf files of one directory (regex scan)."""
    out: set[str] = set()
    for name in names:
        try:
            with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            continue
        if "source" not in text:
            continue
        for m in _LOCAL_SOURCE.finditer(text):
            out.add(os.path.normpath(os.path.join(directory, m.group(1))))
    return out


def roots_for_files(files: Sequence[str], repo_root: str) -> list[str]:
    """For each file's directory: the directory itself when it is a root, plus every root under
    repo_root that reaches it through local module calls. Paths relative to the current directory
    when repo_root is relative (usable as ``load()``'s PATH), sorted, de-duplicated."""
    base = os.path.abspath(repo_root)
    callers: dict[str, set[str]] = {}
    tf_dirs: set[str] = set()
    for directory, names in walk_tf_dirs(base):
        d = os.path.abspath(directory)
        tf_dirs.add(d)
        for target in local_calls(d, names):
            if target != d:
                callers.setdefault(target, set()).add(d)
    found: set[str] = set()
    for f in files:
        start = os.path.dirname(os.path.abspath(f if os.path.isabs(f) else os.path.join(base, f)))
        if not os.path.isabs(f) and not os.path.exists(os.path.join(base, f)) and os.path.exists(f):
            start = os.path.dirname(os.path.abspath(f))
        if start not in tf_dirs and not os.path.isdir(start):
            continue
        seen: set[str] = set()
        stack = [start]
        while stack:
            d = stack.pop()
            if d in seen:
                continue
            seen.add(d)
            parents = callers.get(d, set()) - seen
            if not callers.get(d) and d in tf_dirs:
                found.add(d)
            stack.extend(parents)
    out = []
    for d in found:
        rel = os.path.relpath(d, base)
        out.append(os.path.normpath(os.path.join(repo_root, rel)))
    return sorted(set(out))
