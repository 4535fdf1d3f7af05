"""Edits to a JSON file (``.tfvars.json``) that make one of its values another, byte-exact.

The spans come from ``inventory/jsonspans.py``. As for HCL (``locate.py``), only what changes is
rewritten: a scalar's characters, a member added after the last one or removed with its comma, and
objects and same-length arrays are entered so that unchanged members keep their bytes. A value
written on one line is rewritten on one line; a multi-line one with the indentation of the line it
starts on and the file's line endings. Values come from CloudTrail, so every character outside ASCII
is written as a ``\\uXXXX`` escape (as in the heredocs of ``render.py``): a control, bidi or
invisible character never lands in the file as itself. Terraform reads a ``.tfvars.json`` string as
it is, with no ``${`` interpolation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from tfdrift_ci.fix.locate import Edit, Manual, Source
from tfdrift_ci.inventory import jsonspans


def tfvars_edits(src: Source, name: str, path: Sequence[str], value: Any) -> list[Edit]:
    """The edits that make the JSON tfvars file ``src`` set ``name`` (then ``path`` inside its value:
    object keys, ``[NAME]`` for the item of a list of objects whose ``name`` is NAME) to ``value``."""
    try:
        member = jsonspans.top_level(src.text, name)
    except ValueError as err:
        raise Manual(f"{src.file} is not one JSON object ({err})") from None
    if member is None:
        raise Manual(f"{src.file} does not set {name} any more")
    try:
        return _edits(src, (member.start, member.end), list(path), value, name)
    except ValueError as err:
        raise Manual(f"{src.file}: {err}") from None


def _edits(src: Source, at: tuple[int, int], path: list[str], value: Any, what: str) -> list[Edit]:
    text = src.text
    start, end = at
    if not path:
        return _diff(src, start, end, value, what)
    opener = text[start]
    if opener == "{":
        found = jsonspans.members(text, start)
        # a map key may hold dots (tags.app.kubernetes.io/name): the longest key that matches wins
        for cut in range(len(path), 0, -1):
            key = ".".join(path[:cut])
            for i, m in enumerate(found):
                if m.key == key:
                    if cut == len(path) and value is None:
                        return [_remove(src, start, end, found, i)]
                    return _edits(src, (m.start, m.end), path[cut:], value, f"{what}.{key}")
        key = ".".join(path)
        if value is None:
            raise Manual(f"{what} has no key {key!r}; nothing to remove")
        return [_insert(src, (start, end), found, key, value)]
    if opener == "[" and path[0].startswith("["):
        wanted = path[0][1:-1]
        for item in jsonspans.items(text, start):
            if text[item.start] == "{" and _named(text, item.start) == wanted:
                return _edits(src, (item.start, item.end), path[1:], value, f"{what}{path[0]}")
        raise Manual(f"no {wanted!r} item in {what}")
    raise Manual(f"{what} has no {path[0]!r}: its value is {text[start:end][:40]!r}")


def _named(text: str, start: int) -> str | None:
    for m in jsonspans.members(text, start):
        if m.key == "name":
            found = json.loads(text[m.start : m.end])
            return found if isinstance(found, str) else None
    return None


def _diff(src: Source, start: int, end: int, value: Any, what: str) -> list[Edit]:
    """The smallest edits turning the JSON value at ``[start, end)`` into ``value``."""
    text = src.text
    old = json.loads(text[start:end])
    if old == value and type(old) is type(value):
        return []
    if isinstance(old, dict) and isinstance(value, Mapping):
        found = jsonspans.members(text, start)
        out: list[Edit] = []
        kept = [m for m in found if m.key in value and value[m.key] is not None]
        if not kept:
            return [_replace(src, start, end, value)]
        for m in found:
            assert m.key is not None
            if m in kept:
                out += _diff(src, m.start, m.end, value[m.key], f"{what}.{m.key}")
        gone = [i for i, m in enumerate(found) if m not in kept]
        out += _remove_many(src, start, end, found, gone)
        present = {m.key for m in found}
        added = {k: v for k, v in value.items() if k not in present and v is not None}
        for k, v in added.items():
            out.append(_insert(src, (start, end), kept, k, v))
        return out
    if isinstance(old, list) and isinstance(value, list) and len(old) == len(value) and old:
        out = []
        for item, new in zip(jsonspans.items(text, start), value, strict=True):
            out += _diff(src, item.start, item.end, new, what)
        return out
    return [_replace(src, start, end, value)]


def _replace(src: Source, start: int, end: int, value: Any) -> Edit:
    multiline = "\n" in src.text[start:end]
    return Edit(src.file, start, end, _render(src, value, src.indent_at(start), multiline=multiline))


def _newline(src: Source) -> str:
    return "\r\n" if "\r\n" in src.text else "\n"


def _render(src: Source, value: Any, indent: str, *, multiline: bool) -> str:
    if not multiline or not isinstance(value, Mapping | list) or not value:
        return json.dumps(value, ensure_ascii=True, separators=(", ", ": "))
    nl = _newline(src)
    lines = json.dumps(value, ensure_ascii=True, indent=2).split("\n")
    return nl.join([lines[0], *(indent + line for line in lines[1:])])


def _insert(src: Source, at: tuple[int, int], found: Sequence[jsonspans.Span], key: str, value: Any) -> Edit:
    """``"key": value`` after the object's last member ``found[-1]``, in the object's layout."""
    text = src.text
    start, end = at
    if not found:
        return Edit(src.file, start, end, _render(src, {key: value}, src.indent_at(start), multiline=False))
    last = found[-1]
    head = json.dumps(key, ensure_ascii=True)
    if "\n" in text[start:end]:
        indent = src.indent_at(last.first)
        body = _render(src, value, indent, multiline=True)
        return Edit(src.file, last.end, last.end, f",{_newline(src)}{indent}{head}: {body}")
    written = text[start:end]
    gap = " " if ", " in written or (len(found) == 1 and ": " in written) else ""
    return Edit(src.file, last.end, last.end, f",{gap}{head}: {_render(src, value, '', multiline=False)}")


def _remove(src: Source, start: int, end: int, found: Sequence[jsonspans.Span], index: int) -> Edit:
    [edit] = _remove_many(src, start, end, found, [index])
    return edit


def _remove_many(
    src: Source, start: int, end: int, found: Sequence[jsonspans.Span], gone: Sequence[int]
) -> list[Edit]:
    """Remove the members at ``gone`` with their separating commas (one edit per run of removed
    members), leaving the others' bytes as they are; all of them: an empty object."""
    if not gone:
        return []
    if len(gone) == len(found):
        return [Edit(src.file, start, end, "{}")]
    out: list[Edit] = []
    runs: list[list[int]] = []
    for i in gone:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        first, last = run[0], run[-1]
        if first > 0:  # from the end of the member before: its comma goes with the run
            out.append(Edit(src.file, found[first - 1].end, found[last].end, ""))
        else:  # the run opens the object: up to the next member's key
            out.append(Edit(src.file, found[first].first, found[last + 1].first, ""))
    return out
