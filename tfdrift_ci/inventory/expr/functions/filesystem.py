"""Filesystem functions (https://developer.hashicorp.com/terraform/language/functions, "Filesystem
Functions"): ``file()``, ``fileexists()``, ``filebase64()`` read files of the project through the
context (:class:`~tfdrift_ci.inventory.expr.context.Ctx`: working directory, the directories that may
be read, the record of files read); ``basename()``/``dirname()`` are plain path arithmetic.

``templatefile()`` reads its file through :func:`read_file` and is evaluated in ``evaluate.py``
(rendering a template is evaluation). ``fileset()``, ``filemd5()`` and the ``filesha*()`` family are
not evaluated: their values are unknown.

The Terraform comes from a pull request and the values reach the PR comment, so these functions
touch only files of the repository (the allowed directories, symlinks resolved first), and never
what a checkout or ``terraform init`` keeps beside the configuration: ``.git/`` (actions/checkout
leaves the job's token in ``.git/config``), ``.terraform/`` (backend credentials; the modules
``terraform init`` installed under ``.terraform/modules/`` excepted), state (``*.tfstate*``), saved
plans (``*.tfplan``) and ``.env*`` files. Anything else is an unknown value, and a notice in the
report says what was not read.
"""

from __future__ import annotations

import base64
import fnmatch
import os
import stat
from collections.abc import Callable
from typing import Any

from tfdrift_ci.inventory.expr.context import Ctx
from tfdrift_ci.inventory.expr.convert import EvalError, to_str
from tfdrift_ci.inventory.expr.functions._args import NeedKnown, known
from tfdrift_ci.paths import is_inside

_MAX_FILE = 2 * 1024 * 1024  # a bigger file is not configuration: its content stays unknown
_MAX_NOTICE_PATH = 160  # characters of a refused path shown in the notice
_OUTSIDE = "outside the repository"  # the path itself is not shown: it may name the runner's files

# Directories and file names never touched, with what the notice calls them (names compared in
# lower case: a case-insensitive file system opens .GIT/config as .git/config).
_REFUSED_DIRS = {".git": "under .git/", ".terraform": "under .terraform/"}
_REFUSED_NAMES = (
    ("*.tfstate*", "a Terraform state file"),
    ("*.tfplan", "a saved Terraform plan"),
    (".env*", "an environment file"),
)


def _refused_part(parts: list[str]) -> str | None:
    for i, part in enumerate(parts):
        low = part.lower()
        if low == ".terraform" and i + 2 < len(parts) and parts[i + 1] == "modules":
            continue  # a module package terraform init installed: configuration like any other
        if low in _REFUSED_DIRS:
            return _REFUSED_DIRS[low]
    return None


def _shown(rel: str) -> str:
    shown = rel.replace(os.sep, "/")
    return shown if len(shown) <= _MAX_NOTICE_PATH else "…" + shown[-_MAX_NOTICE_PATH:]


def refusal(ctx: Ctx, full: str) -> tuple[str, str] | None:
    """(the path as the notice shows it, why) when the file functions must not touch ``full``;
    None when they may."""
    real = os.path.realpath(full)
    base = next((d for d in ctx.allowed_dirs if is_inside(real, (d,))), None)
    if ctx.allowed_dirs and base is None:
        return "a path outside the repository", _OUTSIDE
    rel = os.path.relpath(real, base) if base is not None else real
    shown = _shown(rel)
    written = os.path.abspath(full)
    if written != real and base is not None and is_inside(written, (base,)):
        shown = f"{_shown(os.path.relpath(written, base))} → {shown}"  # a symlink: both ends
    why = _refused_part(rel.split(os.sep))
    if why is not None:
        return shown, why
    for name in {os.path.basename(real).lower(), os.path.basename(full).lower()}:
        for pattern, what in _REFUSED_NAMES:
            if fnmatch.fnmatchcase(name, pattern):
                return shown, what
    return None


def _checked(ctx: Ctx, path: Any, function: str) -> str:
    """The full path of a file function's argument, or NeedKnown (and a notice) when refused."""
    rel = to_str(known(path))
    full = rel if os.path.isabs(rel) else os.path.join(ctx.cwd, rel)
    refused = refusal(ctx, full)
    if refused is not None:
        shown, why = refused
        if ctx.notices is not None:
            what = shown if why == _OUTSIDE else f"{shown} ({why})"
            verb = "did not look for" if function == "fileexists" else "did not read"
            ctx.notices[f"{function}() {verb} {what}: values built from it are unknown"] = None
        raise NeedKnown
    return full


def read_file(ctx: Ctx, path: Any, function: str = "file") -> str:
    """``file(path)``: relative to the working directory; refused (see the module docstring), not a
    regular file or too large → unknown (never read); unreadable → an error (as in Terraform)."""
    full = _checked(ctx, path, function)
    rel = to_str(known(path))
    real = os.path.realpath(full)
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
    """Answered for files of the repository only: whether a file exists elsewhere on the runner is
    not the configuration's business (and would be one bit of it per call)."""
    return os.path.isfile(_checked(ctx, path, "fileexists"))


def _filebase64(ctx: Ctx, path: Any) -> str:
    return base64.b64encode(read_file(ctx, path, "filebase64").encode()).decode()


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
