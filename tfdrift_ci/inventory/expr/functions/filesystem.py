"""Filesystem functions (https://developer.hashicorp.com/terraform/language/functions, "Filesystem
Functions"): ``file()``, ``fileexists()``, ``filebase64()`` read files of the project through the
context (:class:`~tfdrift_ci.inventory.expr.context.Ctx`: working directory, the directories that may
be read, the record of files read); ``basename()``/``dirname()`` are plain path arithmetic.

``templatefile()`` reads its file through :func:`read_file` and is evaluated in ``evaluate.py``
(rendering a template is evaluation).
"""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Callable
from typing import Any

from tfdrift_ci.inventory.expr.context import Ctx
from tfdrift_ci.inventory.expr.convert import EvalError, to_str
from tfdrift_ci.inventory.expr.functions._args import NeedKnown, known
from tfdrift_ci.paths import is_inside

_MAX_FILE = 2 * 1024 * 1024  # a bigger file is not configuration: its content stays unknown


def read_file(ctx: Ctx, path: Any) -> str:
    """``file(path)``: relative to the working directory; outside the allowed directories, not a
    regular file or too large → unknown (never read); unreadable → an error (as in Terraform)."""
    rel = to_str(known(path))
    full = rel if os.path.isabs(rel) else os.path.join(ctx.cwd, rel)
    real = os.path.realpath(full)
    # file() may only read inside the scanned project and the modules it reads: configuration
    # from a pull request must not make us print arbitrary files of the CI machine.
    if ctx.allowed_dirs and not is_inside(real, ctx.allowed_dirs):
        raise NeedKnown
    if ctx.reads is not None:
        ctx.reads.add(os.path.abspath(full))
    try:
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_FILE:
            raise NeedKnown
        with open(real, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError):
        raise EvalError(f"file {rel!r} cannot be read") from None


def _fileexists(ctx: Ctx, path: Any) -> bool:
    rel = to_str(known(path))
    full = rel if os.path.isabs(rel) else os.path.join(ctx.cwd, rel)
    return os.path.isfile(full)


def _filebase64(ctx: Ctx, path: Any) -> str:
    return base64.b64encode(read_file(ctx, path).encode()).decode()


def _basename(s: Any) -> str:
    return os.path.basename(to_str(known(s)))


def _dirname(s: Any) -> str:
    return os.path.dirname(to_str(known(s)))


# Pure functions: called with the evaluated arguments.
FUNCTIONS: dict[str, Callable[..., Any]] = {"basename": _basename, "dirname": _dirname}

# Functions that read files: called with the evaluation context first.
FILE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "file": read_file,
    "filebase64": _filebase64,
    "fileexists": _fileexists,
}
