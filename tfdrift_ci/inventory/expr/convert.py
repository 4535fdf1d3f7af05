"""Values of the expression language: the conversions Terraform applies between its types, and the
helpers that look into a value for unknowns.

Values are plain Python (None, bool, int, float, str, list, dict) plus
:class:`~tfdrift_ci.models.Unknown` for what cannot be determined statically.
https://developer.hashicorp.com/terraform/language/expressions/types#type-conversion
"""

from __future__ import annotations

import re
from typing import Any

from tfdrift_ci.models import Unknown


class EvalError(Exception):
    """The expression fails (Terraform would fail too): caught by try()/can(), else → Unknown."""


def type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def num(x: float | int) -> int | float:
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**63:
        return int(x)
    return x


def to_number(v: Any) -> int | float:
    if isinstance(v, bool) or v is None:
        raise EvalError(f"a number is required, got {type_name(v)}")
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        try:
            return num(float(v)) if any(c in v for c in ".eE") else int(v)
        except ValueError:
            raise EvalError(f"cannot convert {v!r} to number") from None
    raise EvalError(f"a number is required, got {type_name(v)}")


def to_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if v == "true":
        return True
    if v == "false":
        return False
    raise EvalError(f"a bool is required, got {type_name(v)}")


def to_str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(num(v)) if v.is_integer() else repr(v)
    if isinstance(v, str):
        return v
    if isinstance(v, Unknown):
        raise EvalError("unknown")
    raise EvalError(f"cannot convert {type_name(v)} to string")


def equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    if isinstance(a, str) != isinstance(b, str):
        return False
    return bool(a == b)


def has_unknown(v: Any) -> bool:
    if isinstance(v, Unknown):
        return True
    if isinstance(v, dict):
        return any(has_unknown(x) for x in v.values())
    if isinstance(v, list):
        return any(has_unknown(x) for x in v)
    return False


MAX_VALUE_NODES = 50_000
# Characters of one string evaluation may build (templates, function results). Real configuration
# stays far below (an ECS task definition is at most 64 KiB); 40 doubling locals would reach 2 TiB.
MAX_STRING = 1024 * 1024


def too_big(value: Any, budget: int = MAX_VALUE_NODES) -> bool:
    """True when walking ``value`` visits more than ``budget`` nodes (shared sub-values counted
    each time they are reached, which is what every later walk will pay)."""
    return _over(value, budget, None)


def chars_over(value: Any, budget: int) -> bool:
    """True when the strings inside ``value`` hold more than ``budget`` characters in all (or it
    has more than MAX_VALUE_NODES nodes): what a function given it could be asked to copy."""
    return _over(value, MAX_VALUE_NODES, budget)


def _over(value: Any, nodes: int, chars: int | None) -> bool:
    stack = [value]
    while stack:
        v = stack.pop()
        nodes -= 1
        if nodes < 0:
            return True
        if isinstance(v, str) and chars is not None:
            chars -= len(v)
            if chars < 0:
                return True
        elif isinstance(v, dict):
            stack.extend(v.values())
            if chars is not None:
                stack.extend(v.keys())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def unknown_paths(value: Any, prefix: str = "") -> list[str]:
    """Dotted paths of every Unknown inside a value (list indexes appear as ``.0``)."""
    if isinstance(value, Unknown):
        return [prefix] if prefix else ["."]
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(unknown_paths(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list):
        for k, v in enumerate(value):
            out.extend(unknown_paths(v, f"{prefix}.{k}" if prefix else str(k)))
    return out


def glob_escape(text: str) -> str:
    return re.sub(r"([\[*?])", r"[\1]", text)
