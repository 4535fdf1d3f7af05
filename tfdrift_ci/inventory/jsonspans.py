"""Where the members and items of a JSON document are, as character offsets.

``json.JSONDecoder.raw_decode`` reads one value from a given offset and says where it ends, so
walking an object or an array with it gives the exact span of every key and value: enough to name
the line a ``.tfvars.json`` entry is on (``inventory/origin.py``) and to replace the characters of
one value while every other byte of the file stays as written (``fix/jsonedit.py``).
"""

from __future__ import annotations

import json
import re

from tfdrift_ci.frozen import frozen

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@frozen
class Span:
    """One object member (``key`` set) or array item (``key`` None): the key's first character
    (the value's for an item) and the value's ``[start, end)``."""

    key: str | None
    first: int
    start: int
    end: int


def skip(text: str, at: int) -> int:
    """The offset of the first non-whitespace character from ``at``."""
    m = _WS.match(text, at)
    return m.end() if m else at


def value_end(text: str, start: int) -> int:
    """Where the JSON value starting at ``start`` ends (ValueError when there is none)."""
    try:
        return _DECODER.raw_decode(text, start)[1]
    except json.JSONDecodeError as err:
        raise ValueError(str(err)) from None


def members(text: str, start: int) -> list[Span]:
    """The members of the object whose ``{`` is at ``start``, in order (ValueError when the text
    there is not a JSON object)."""
    return _walk(text, start, "{", "}")


def items(text: str, start: int) -> list[Span]:
    """The items of the array whose ``[`` is at ``start``, in order."""
    return _walk(text, start, "[", "]")


def top_level(text: str, name: str) -> Span | None:
    """The document's member ``name`` (the last one when it repeats, as a JSON decoder keeps it), or
    None; ValueError when the document is not one JSON object."""
    start = skip(text, 0)
    found = [m for m in members(text, start) if m.key == name]
    if skip(text, value_end(text, start)) != len(text):
        raise ValueError("text after the JSON document")
    return found[-1] if found else None


def _walk(text: str, start: int, open_: str, close: str) -> list[Span]:
    if text[start : start + 1] != open_:
        raise ValueError(f"expected {open_!r} at offset {start}")
    out: list[Span] = []
    at = skip(text, start + 1)
    if text[at : at + 1] == close:
        return out
    while True:
        key: str | None = None
        first = at
        if open_ == "{":
            if text[at : at + 1] != '"':
                raise ValueError(f"expected a key at offset {at}")
            key_end = value_end(text, at)
            key = json.loads(text[at:key_end])
            colon = skip(text, key_end)
            if text[colon : colon + 1] != ":":
                raise ValueError(f"expected ':' at offset {colon}")
            at = skip(text, colon + 1)
        end = value_end(text, at)
        out.append(Span(key, first, at, end))
        at = skip(text, end)
        mark = text[at : at + 1]
        if mark == close:
            return out
        if mark != ",":
            raise ValueError(f"expected ',' or {close!r} at offset {at}")
        at = skip(text, at + 1)
