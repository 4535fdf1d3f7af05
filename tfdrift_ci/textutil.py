"""Small text helpers shared by the CLI, the event sources and the renderers: the one place that
strips what must never reach a terminal or a log line from untrusted text."""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI (ESC [ … final), OSC (ESC ] … BEL/ST, used for hyperlinks and window
# titles), other two-byte escapes; and the single-byte C1 CSI (0x9b) some terminals honour.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC … BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS / SOS / PM / APC … ST
    r"|\x1b[@-Z\\-_]"  # other Fe escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# C0 controls except TAB/LF/CR (handled by callers), DEL, C1 controls, bidi embeddings/overrides/
# isolates and marks (Trojan Source), zero-width joiners/line separators that can hide text.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: object) -> str:
    """Drop escape sequences and invisible/bidi controls; keep TAB, CR and LF for the caller.
    Lone surrogates (JSON allows ``"\\ud800"``; UTF-8 cannot encode it) become U+FFFD."""
    s = text if isinstance(text, str) else str(text)
    s = _SURROGATE.sub("\ufffd", s)
    s = _ANSI.sub("", s)
    return _CONTROLS.sub("", s)


def one_line(text: object, limit: int | None = 500) -> str:
    """``clean`` text with whitespace collapsed, so one message is one line (shortened with …
    beyond ``limit`` characters; ``None``: never)."""
    flat = " ".join(clean(text).split())
    if limit is not None and len(flat) > limit:
        flat = flat[: max(limit - 1, 0)] + "…"
    return flat
