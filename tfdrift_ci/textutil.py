"""Small text helpers shared by the CLI and the renderers."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str, limit: int = 500) -> str:
    """Collapse whitespace and strip control/bidi characters so one message is one line."""
    flat = _CONTROL.sub("", " ".join(str(text).split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
