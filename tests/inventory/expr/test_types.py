"""tfdrift_ci/inventory/expr/types.py: type-constraint conversions (optional() defaults, object attrs)."""

from __future__ import annotations

from typing import Any

import pytest

from tfdrift_ci.inventory.expr.types import convert
from tfdrift_ci.models import Unknown


@pytest.mark.parametrize(
    ("value", "type_text", "expected"),
    [
        ("5", "number", 5),
        ("true", "bool", True),
        (5, "string", "5"),
        (["b", "a", "b"], "set(string)", ["a", "b"]),
        ({"a": "1"}, "map(number)", {"a": 1}),
        ({"x": {}}, "map(object({ on = optional(bool, true) }))", {"x": {"on": True}}),
        ({"on": False, "extra": 1}, "object({ on = optional(bool, true) })", {"on": False}),
        (
            {"on": None},
            "object({ on = optional(bool, true), n = optional(number) })",
            {"on": True, "n": None},
        ),
        ({"name": "x"}, "object({ name = string, size = number })", {"name": "x"}),  # invalid: unchanged
        (Unknown("var.x"), "list(string)", Unknown("var.x")),
        ("x", "not a ( type", "x"),
        (["1", "2"], "tuple([number, string])", [1, "2"]),
    ],
)
def test_convert(value: Any, type_text: str, expected: Any) -> None:
    assert convert(value, type_text) == expected
