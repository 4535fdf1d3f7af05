"""Numeric functions (Terraform's "Numeric Functions").
https://developer.hashicorp.com/terraform/language/functions"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from tfdrift_ci.inventory.expr.convert import num, to_number, to_str
from tfdrift_ci.inventory.expr.functions._args import known


def _min(*args: Any) -> Any:
    return num(min(to_number(known(a)) for a in args))


def _max(*args: Any) -> Any:
    return num(max(to_number(known(a)) for a in args))


def _parseint(s: Any, base: Any) -> int:
    return int(to_str(known(s)), int(to_number(known(base))))


def _signum(x: Any) -> int:
    n = to_number(known(x))
    return (n > 0) - (n < 0)


def _abs(x: Any) -> Any:
    return abs(to_number(known(x)))


def _pow(a: Any, b: Any) -> Any:
    return num(float(to_number(known(a))) ** float(to_number(known(b))))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": _abs,
    "ceil": lambda x: math.ceil(to_number(known(x))),
    "floor": lambda x: math.floor(to_number(known(x))),
    "max": _max,
    "min": _min,
    "parseint": _parseint,
    "pow": _pow,
    "signum": _signum,
}
