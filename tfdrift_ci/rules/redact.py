"""Values no report shows: container environment values and log-driver options.

A task definition revision registered by hand arrives in CloudTrail with its containers'
``environment`` (``{name, value}`` pairs) and ``logConfiguration.options`` (a Splunk token, a
Datadog API key …) in clear. Whatever a variable or option is called, its value is replaced by a
marker before it becomes a finding's value, so the message, the expected/actual values, the diff and
every format built from them show only:

- the names, and whether each value was added, removed or changed: ``(hidden)`` for a value that is
  the same on both sides (or has no counterpart), ``(hidden, changed)`` for one that differs;
- the kind of credential a value looks like, when it looks like one (the patterns of the plaintext
  secrets rule, TFD-ECS-007): ``(hidden, changed: looks like a Stripe live key)``.

Items of ``command`` and ``entryPoint`` are shown, except those that look like a credential
(``--token=ghp_…``), which get the same markers.

The markers are the only strings :func:`is_marker` accepts, so ``report/diff.py`` can mask every
other value it finds in the same places and still show these.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tfdrift_ci.rules.config.ecs_plaintext_secrets import secret_value_kind

HIDDEN = "(hidden)"
_MARKER = re.compile(r"^\(hidden(?:, changed)?(?:: looks like [a-zA-Z ]{1,40})?\)$")

# Container definition members whose values are hidden whatever their names: ``environment``
# entries' ``value``; every option of ``logConfiguration.options`` (``secretOptions`` are
# ``{name, valueFrom}`` references to Secrets Manager / SSM and stay visible).
ENVIRONMENT = "environment"
LOG_CONFIGURATION = "logConfiguration"
LOG_OPTIONS = "options"


def is_marker(value: object) -> bool:
    """A marker this module wrote (``(hidden)``, ``(hidden, changed: looks like …)``)."""
    return isinstance(value, str) and _MARKER.match(value) is not None


def hidden(value: Any, name: str = "", *, changed: bool = False) -> Any:
    """The marker shown instead of ``value``; None, ``""`` and markers stay as they are (they
    reveal nothing), and so do unknown declared values (their text is the declaration)."""
    if value is None or value == "" or is_marker(value) or not isinstance(value, str | int | float | bool):
        return value if not isinstance(value, Mapping | list) else HIDDEN
    text = "(hidden, changed" if changed else "(hidden"
    kind = secret_value_kind(name, value) if isinstance(value, str) else None
    return f"{text}: looks like {kind})" if kind else f"{text})"


def hidden_pair(old: Any, new: Any) -> tuple[Any, Any]:
    """Two ``{name: value}`` maps with every value hidden; a name whose value differs reads
    ``(hidden, changed…)`` on the new side, so the two sides still differ where the values did."""
    old_map = old if isinstance(old, Mapping) else {}
    new_map = new if isinstance(new, Mapping) else {}
    shown_old = {str(k): hidden(v, str(k)) for k, v in old_map.items()} if isinstance(old, Mapping) else old
    shown_new = (
        {str(k): hidden(v, str(k), changed=k in old_map and old_map[k] != v) for k, v in new_map.items()}
        if isinstance(new, Mapping)
        else new
    )
    return _unless_scalar(old, shown_old), _unless_scalar(new, shown_new)


def _unless_scalar(raw: Any, shown: Any) -> Any:
    # Not a map (a malformed request): a scalar or list value is hidden whole.
    if isinstance(raw, Mapping) or raw is None:
        return shown
    return hidden(raw)


def credentials_pair(old: Any, new: Any) -> tuple[Any, Any]:
    """Two lists of strings (``command``, ``entryPoint``) with every item that looks like a
    credential hidden; a hidden item that differs from the one at its place on the old side reads
    ``(hidden, changed…)``."""
    return _items(old, None), _items(new, old)


def _items(items: Any, old: Any) -> Any:
    if not isinstance(items, list):
        return items
    out: list[Any] = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or secret_value_kind("", item) is None:
            out.append(item)
            continue
        before = old[i] if isinstance(old, list) and i < len(old) else None
        out.append(hidden(item, changed=isinstance(old, list) and before != item))
    return out


def log_configuration_pair(old: Any, new: Any) -> tuple[Any, Any]:
    """Two ``logConfiguration`` values with their ``options`` hidden (driver and secret references
    visible)."""
    old_opts = old.get(LOG_OPTIONS) if isinstance(old, Mapping) else None
    new_opts = new.get(LOG_OPTIONS) if isinstance(new, Mapping) else None
    shown_old_opts, shown_new_opts = hidden_pair(old_opts, new_opts)
    return _with_options(old, shown_old_opts), _with_options(new, shown_new_opts)


def _with_options(value: Any, options: Any) -> Any:
    if not isinstance(value, Mapping):
        return _unless_scalar(value, value)
    if LOG_OPTIONS not in value:
        return dict(value)
    return {**value, LOG_OPTIONS: options}
