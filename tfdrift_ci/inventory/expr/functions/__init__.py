"""The Terraform functions the evaluator knows, one module per family of Terraform's function
reference (https://developer.hashicorp.com/terraform/language/functions): ``numeric``, ``strings``,
``collection``, ``encoding``, ``filesystem``, ``crypto`` (hash), ``conversion`` (type conversion).

A function receives evaluated arguments (possibly :class:`~tfdrift_ci.models.Unknown`) and raises
``NeedKnown`` (``_args.py``) when it needs a value it cannot see, which makes the call unknown, or
``EvalError`` when Terraform would fail too. ``try``, ``can`` and ``templatefile`` are evaluated in
``evaluate.py``: they evaluate their arguments themselves (or a template), they are not functions of
values.

Deliberately absent (a call is unknown): ``timestamp``, ``uuid``, ``bcrypt`` … (non-deterministic),
regular expressions (Terraform's RE2 is linear-time, Python's ``re`` is not: a pattern from untrusted
configuration could hang the run), and anything that reads the outside world besides the project's
own files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tfdrift_ci.inventory.expr.functions import (
    collection,
    conversion,
    crypto,
    encoding,
    filesystem,
    numeric,
    strings,
)

# name → function of the evaluated arguments
FUNCTIONS: dict[str, Callable[..., Any]] = {
    **numeric.FUNCTIONS,
    **strings.FUNCTIONS,
    **collection.FUNCTIONS,
    **encoding.FUNCTIONS,
    **filesystem.FUNCTIONS,
    **crypto.FUNCTIONS,
    **conversion.FUNCTIONS,
}

# name → function of (context, evaluated arguments…): the ones that read the project's files
FILE_FUNCTIONS: dict[str, Callable[..., Any]] = dict(filesystem.FILE_FUNCTIONS)
