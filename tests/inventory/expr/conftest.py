"""A context with a few variables (one unknown) for the expression tests."""

from __future__ import annotations

from typing import Any

import pytest

from tfdrift_ci.inventory.expr.context import Ctx
from tfdrift_ci.inventory.expr.convert import EvalError
from tfdrift_ci.models import Unknown

VARS: dict[str, Any] = {
    "env": Unknown("var.env"),
    "names": ["b", "a"],
    "m": {"x": 1, "y": ""},
    "obj": {"inner": {"port": 8080}},
}


def resolve(name: str) -> Any:
    if name == "var":
        return VARS
    raise EvalError(name)


@pytest.fixture
def ctx() -> Ctx:
    return Ctx(resolve)
