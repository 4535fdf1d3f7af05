"""``tfdrift-ci fix``: close the loop from a drift finding to the change the user makes.

``--adopt`` rewrites the Terraform code so that it declares what the account now has
(:func:`tfdrift_ci.fix.adopt.plan` → :func:`edited` → :func:`unified_diff` / :func:`write`), one
literal at a time and byte-exact elsewhere (``locate.py``), in the literal's own style
(``render.py``); ``--revert`` prints the ``terraform apply`` lines that restore the declared values
(``revert.py``); ``safety.py`` runs the config rules on the edited code so that an adoption that makes
the configuration unsafe is named (and refused without ``--allow-unsafe``). Like the other delivery
modules it takes a ``Report`` and never runs the pipeline itself: the CLI does, and hands a callback
for the re-check of the edited code. Docs: docs/fix.md.
"""

from __future__ import annotations

import contextlib
import difflib
import os
from collections.abc import Mapping, Sequence

from tfdrift_ci.errors import ConfigError
from tfdrift_ci.fix.adopt import Adoption, Plan
from tfdrift_ci.fix.locate import Edit, Source

__all__ = ["edited", "unified_diff", "write"]


def apply_edits(src: Source, edits: Sequence[Edit]) -> str:
    """``src``'s text with ``edits`` applied (from the end, so earlier offsets stay valid)."""
    text = src.text
    # from the end; insertions at one point keep their planned order
    ordered = sorted(enumerate(edits), key=lambda ie: (ie[1].start, ie[1].end, ie[0]), reverse=True)
    for _, edit in ordered:
        text = text[: edit.start] + edit.new + text[edit.end :]
    return text


def edited(plan: Plan, adoptions: Sequence[Adoption] | None = None) -> dict[str, str]:
    """{file relative to PATH: new text} for the files the adoptions (default: all) change."""
    chosen = plan.adopted if adoptions is None else adoptions
    by_file: dict[str, list[Edit]] = {}
    for a in chosen:
        for e in a.edits:
            by_file.setdefault(e.file, []).append(e)
    return {file: apply_edits(plan.sources[file], edits) for file, edits in sorted(by_file.items())}


def diff_path(plan: Plan, file: str) -> str:
    """A file's name in the diff: relative to the working directory when it is below it (so that
    ``fix --dry-run | git apply`` works from the repository's top), else relative to PATH."""
    path = os.path.normpath(os.path.join(plan.base, file))
    with contextlib.suppress(ValueError):
        rel = os.path.relpath(path)
        if not rel.startswith(os.pardir):
            return rel.replace(os.sep, "/")
    return file


def unified_diff(plan: Plan, texts: Mapping[str, str]) -> str:
    """``git diff``-style unified diff (``a/FILE`` → ``b/FILE``, see :func:`diff_path`)."""
    out: list[str] = []
    for file, new in sorted(texts.items()):
        old = plan.sources[file].text
        name = diff_path(plan, file)
        out.extend(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/{name}",
                tofile=f"b/{name}",
            )
        )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)


def write(plan: Plan, texts: Mapping[str, str]) -> None:
    """Write the edited files in place (same encoding, BOM kept), each through a temporary file
    renamed over the original so that a failure never leaves half a file."""
    for file, text in texts.items():
        path = os.path.join(plan.base, file)
        data = text.encode("utf-8")
        if plan.sources[file].bom:
            data = b"\xef\xbb\xbf" + data
        tmp = f"{path}.tfdrift-fix.tmp"
        try:
            mode = os.stat(path).st_mode & 0o7777
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except OSError as err:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise ConfigError(f"cannot write {file}: {err.strerror or err}") from err
