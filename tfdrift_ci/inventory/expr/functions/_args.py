"""Argument helpers shared by the function families: insisting on known values, reading lists, maps
and sets the way Terraform's automatic conversions do."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.inventory.expr.convert import MAX_STRING, EvalError, has_unknown, to_str, type_name
from tfdrift_ci.models import Unknown

MAX_PAD = 10_000  # format widths / indent: hostile configuration must not allocate gigabytes


class NeedKnown(Exception):
    """A function met an Unknown where it needs a value: the call is Unknown."""


class TooLong(Exception):
    """A function's result would exceed ``convert.MAX_STRING``: the call is unknown (with a notice)."""


def cap(length: int) -> None:
    """Raise TooLong when a string of ``length`` characters is over the cap (before building it)."""
    if length > MAX_STRING:
        raise TooLong


def known(v: Any) -> Any:
    if isinstance(v, Unknown):
        raise NeedKnown
    return v


def deep_known(v: Any) -> Any:
    if has_unknown(v):
        raise NeedKnown
    return v


def strs(items: Any) -> list[str]:
    return [to_str(known(x)) for x in as_list(items)]


def as_list(v: Any) -> list[Any]:
    v = known(v)
    if isinstance(v, list):
        return v
    if isinstance(v, dict):
        return list(v.values())
    raise EvalError(f"a list is required, got {type_name(v)}")


def as_map(v: Any) -> dict[str, Any]:
    v = known(v)
    if isinstance(v, dict):
        return v
    raise EvalError(f"a map is required, got {type_name(v)}")


def as_set(items: Any) -> list[Any]:
    """Terraform sets of strings iterate in lexical order; other sets keep first-seen order."""
    out: list[Any] = []
    for x in as_list(items):
        deep_known(x)
        if x not in out:
            out.append(x)
    if all(isinstance(x, str) for x in out):
        out.sort()
    return out
