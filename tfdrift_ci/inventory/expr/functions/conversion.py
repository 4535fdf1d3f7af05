"""Type conversion functions (Terraform's "Type Conversion Functions": ``tostring``, ``tolist``…).
https://developer.hashicorp.com/terraform/language/functions

``try`` and ``can`` belong to this family in Terraform's reference but evaluate their arguments
themselves: they live in ``evaluate.py``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tfdrift_ci.inventory.expr.convert import to_bool, to_number, to_str
from tfdrift_ci.inventory.expr.functions._args import as_list, as_map, as_set, known


def _tostring(v: Any) -> Any:
    v = known(v)
    if v is None:
        return None
    return to_str(v)


def _tonumber(v: Any) -> Any:
    v = known(v)
    return None if v is None else to_number(v)


def _tobool(v: Any) -> Any:
    v = known(v)
    return None if v is None else to_bool(v)


def _tomap(v: Any) -> dict[str, Any]:
    return dict(as_map(v))


def _tolist(v: Any) -> list[Any]:
    return list(as_list(v))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "nonsensitive": lambda v: v,  # sensitivity does not change the value
    "sensitive": lambda v: v,
    "tobool": _tobool,
    "tolist": _tolist,
    "tomap": _tomap,
    "tonumber": _tonumber,
    "toset": as_set,
    "tostring": _tostring,
}
