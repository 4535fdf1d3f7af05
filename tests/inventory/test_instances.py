"""tfdrift_ci/inventory/instances.py: count / for_each instance keys."""

from __future__ import annotations

from typing import Any

import pytest

from tfdrift_ci.inventory.instances import UNKNOWN_KEY, key_text, same_key, unknown_bindings
from tfdrift_ci.models import Unknown


@pytest.mark.parametrize(
    ("instance_key", "key", "same"),
    [
        (0, 0, True),
        (0, "0", True),  # this["0"] names count instance 0
        (1, 1.0, True),
        (1, True, False),
        ("web", "web", True),
        ("1", 1, True),  # for_each keys are strings
        ("web", ["web"], False),
    ],
)
def test_same_key(instance_key: Any, key: Any, same: bool) -> None:
    assert same_key(instance_key, key) is same


def test_key_text_as_in_addresses() -> None:
    assert key_text(3) == "3"
    assert key_text("web") == '"web"'
    assert key_text(UNKNOWN_KEY) == "*"


def test_unknown_bindings_are_fresh_each_time() -> None:
    first = unknown_bindings()
    assert first["each"]["value"] == Unknown("each.value")
    first["each"]["value"] = 1
    assert unknown_bindings()["each"]["value"] == Unknown("each.value")
