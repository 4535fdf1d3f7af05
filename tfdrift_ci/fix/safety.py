"""Would the adopted code be unsafe? The config rules run on the edited code (a copy of PATH with
the edits applied; the repository is not touched before the user agrees), and every config finding
the edits add is named, with the adoption that causes it.

Adopting ``image_tag_mutability = "MUTABLE"`` or ``enable_execute_command = true`` turns a drift
into a declared weakness; ``fix --adopt`` refuses those adoptions unless ``--allow-unsafe`` is given.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from tfdrift_ci.fix.adopt import Adoption
from tfdrift_ci.models import Finding, Report

# Directories never copied: version control, Terraform's working directory (providers are hundreds
# of MB; modules it installed are read from the copy of the module cache path as configured).
_SKIP = shutil.ignore_patterns(".git", ".terraform", ".hg", ".svn", "node_modules", "__pycache__")

# Re-check the edited code: the copy's PATH → a report of config findings (the CLI runs the
# engine offline with the same settings and inputs).
Recheck = Callable[[str], Report]


def _key(f: Finding) -> tuple[str, str, str, str]:
    return (f.rule_id, f.address or "", f.attribute or "", f.file or "")


@contextmanager
def edited_copy(base: str, texts: Mapping[str, str]) -> Iterator[str]:
    """A temporary copy of ``base`` with ``texts`` (file relative to ``base`` → text) written in;
    yields the copy's path of ``base``, removed afterwards. When an edited file lies outside
    ``base`` (a local module in ``../modules``), the copy starts at the folder holding both, so that
    every edit lands inside the copy and the module is read from there."""
    top = os.path.abspath(base)
    files = {os.path.normpath(os.path.join(top, f)): text for f, text in texts.items()}
    root = os.path.commonpath([top, *files]) if files else top
    if os.path.isfile(root):
        root = os.path.dirname(root)
    if os.path.dirname(root) == root:
        raise ValueError("the edited files have no common folder below the file system's root")
    with tempfile.TemporaryDirectory(prefix="tfdrift-fix-") as tmp:
        copy = os.path.join(tmp, os.path.basename(root) or "root")
        shutil.copytree(root, copy, ignore=_SKIP, symlinks=True)
        for path, text in files.items():
            target = os.path.join(copy, os.path.relpath(path, root))
            if os.path.islink(target):
                os.unlink(target)
            with open(target, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        yield os.path.join(copy, os.path.relpath(top, root))


def new_config_findings(before: Report, after: Report) -> list[Finding]:
    """Config findings of ``after`` that ``before`` did not have (suppressed ones do not count)."""
    seen = {_key(f) for f in before.findings if f.kind == "config"}
    return [f for f in after.findings if f.kind == "config" and not f.suppressed and _key(f) not in seen]


def unsafe(adopted: Sequence[Adoption], fired: Sequence[Finding]) -> dict[int, list[Finding]]:
    """{index in ``adopted``: the new config findings it causes}. A config finding is charged to the
    adoptions on its resource whose attribute it names (same top-level attribute), else to every
    adoption on that resource."""
    out: dict[int, list[Finding]] = {}
    for f in fired:
        on_resource = [i for i, a in enumerate(adopted) if a.finding.address == f.address]
        top = (f.attribute or "").split(".")[0]
        named = [i for i in on_resource if top and (adopted[i].finding.attribute or "").split(".")[0] == top]
        for i in named or on_resource:
            out.setdefault(i, []).append(f)
    return out
