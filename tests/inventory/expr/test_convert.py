"""tfdrift_ci/inventory/expr/convert.py: conversions between the language's types, unknown helpers."""

from __future__ import annotations

from typing import Any

import pytest

from tfdrift_ci.inventory.expr.convert import (
    EvalError,
    equal,
    glob_escape,
    has_unknown,
    to_bool,
    to_number,
    to_str,
    too_big,
    unknown_paths,
)
from tfdrift_ci.models import Unknown


@pytest.mark.parametrize(
    ("value", "expected"), [(True, "true"), (3, "3"), (3.0, "3"), (2.5, "2.5"), ("s", "s")]
)
def test_to_str(value: Any, expected: str) -> None:
    assert to_str(value) == expected


@pytest.mark.parametrize("value", [None, [1], {"a": 1}, Unknown("x")])
def test_to_str_refuses_what_terraform_refuses(value: Any) -> None:
    with pytest.raises(EvalError):
        to_str(value)


def test_numbers_and_bools() -> None:
    assert to_number("12") == 12
    assert to_number("1.5e1") == 15
    assert to_bool("true") is True
    for bad in ("x", None, True):
        with pytest.raises(EvalError):
            to_number(bad)
    with pytest.raises(EvalError):
        to_bool("yes")


def test_equality_does_not_convert() -> None:
    assert equal(1, 1.0)
    assert not equal("1", 1)
    assert not equal(True, 1)


def test_unknown_helpers() -> None:
    value = {"a": [1, Unknown("x")], "b": {"c": Unknown("y")}, "d": 2}
    assert unknown_paths(value) == ["a.1", "b.c"]
    assert has_unknown(value)
    assert not has_unknown({"a": [1, {"b": 2}]})


def test_too_big_counts_shared_sub_values() -> None:
    inner: list[Any] = list(range(10))
    for _ in range(6):
        inner = [inner] * 10  # 10**7 nodes when walked, a few hundred objects in memory
    assert too_big(inner)
    assert not too_big([1, 2, 3])


def test_glob_escape() -> None:
    assert glob_escape("a*b?[c]") == "a[*]b[?][[]c]"
