"""Instance keys of ``count`` / ``for_each`` blocks: how they are compared and written in addresses."""

from __future__ import annotations

import json
from typing import Any

from tfdrift_ci.inventory.expr.convert import to_str
from tfdrift_ci.models import Unknown

UNKNOWN_KEY = "*"  # instance key when count/for_each cannot be determined

# More instances than this for one block (count = 1e9 in a hostile change) are one unknown instance.
MAX_INSTANCES = 10_000


def same_key(instance_key: Any, key: Any) -> bool:
    """`this[0]` and `this["0"]`/`this[0.0]` name the same count instance; for_each keys are strings."""
    if isinstance(instance_key, int):
        if isinstance(key, bool):
            return False
        if isinstance(key, (int, float)):
            return instance_key == key
        return isinstance(key, str) and key.strip().isdigit() and instance_key == int(key)
    if isinstance(key, bool) or not isinstance(key, (str, int, float)):
        return False
    return bool(instance_key == to_str(key))


def key_text(key: Any) -> str:
    if key == UNKNOWN_KEY:
        return "*"
    if isinstance(key, int):
        return str(key)
    return json.dumps(str(key))


def unknown_bindings() -> dict[str, Any]:
    """``count.index`` / ``each.key`` / ``each.value`` all unknown: a block evaluated once for
    instances that cannot be listed (no instance at all, or keys that are not known)."""
    return {
        "count": {"index": Unknown("count.index")},
        "each": {"key": Unknown("each.key"), "value": Unknown("each.value")},
    }
