"""New values as HCL literals, written in the style of the literal they replace.

A string stays a quoted string (``${`` and ``%{`` escaped so a value never becomes an interpolation),
a number a number (``"2048"`` from an API becomes ``2048`` where ``1024`` was written), a bool a bool,
a list or map one line when the old one was on one line and one item a line otherwise (``=`` aligned
the way ``terraform fmt`` aligns them), and a heredoc stays a heredoc (JSON documents re-indented
inside it). Policies and container definitions inside ``jsonencode(…)`` are rendered in HCL object
syntax, the form they were written in.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from tfdrift_ci.inventory.expr import syntax as S
from tfdrift_ci.report import escape
from tfdrift_ci.textutil import clean

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)[ \t]*\r?\n")
_INDENT = "  "


class NotRendered(Exception):
    """The value has no HCL literal form here (a float NaN, a type the old literal cannot take)."""


def quote(text: str) -> str:
    """A quoted HCL string whose value is ``text`` (``report/escape.py`` makes it inert)."""
    try:
        return escape.hcl_string(text)
    except ValueError as err:
        raise NotRendered(str(err)) from None


def key(name: str) -> str:
    """An object key: bare when it is an identifier (``team``), else quoted (``"cost-center"``)."""
    if _IDENT.match(name) and name not in ("true", "false", "null", "for", "in", "if"):
        return name
    return quote(name)


def coerce(value: Any, old: S.Node | None) -> Any:
    """``value`` in the type of the literal it replaces: API strings ``"2048"`` / ``"true"`` become
    a number / bool where one was written."""
    if isinstance(old, S.Lit) and isinstance(value, str):
        text = value.strip()
        if isinstance(old.value, bool) and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if isinstance(old.value, int | float) and not isinstance(old.value, bool):
            if re.fullmatch(r"-?\d+", text):
                return int(text)
            if re.fullmatch(r"-?\d+\.\d+", text):
                return float(text)
    return value


def literal(value: Any, old: S.Node | None, indent: str) -> str:
    """``value`` as an HCL expression replacing ``old`` (None: no old literal, one-line style unless
    the value is big). ``indent`` is the indentation of the line the expression starts on."""
    value = coerce(value, old)
    if isinstance(old, S.Template) and old.src[old.start : old.start + 2] == "<<":
        return heredoc(value, old, indent)
    multiline = _multiline(value, old)
    return _render(value, indent, multiline)


def _multiline(value: Any, old: S.Node | None) -> bool:
    if old is not None and isinstance(old, S.TupleNode | S.ObjectNode):
        return "\n" in old.src[old.start : old.end]
    one = _render(value, "", False)
    return len(one) > 80 or (
        isinstance(value, Mapping) and any(isinstance(v, Mapping | list) for v in value.values())
    )


def _render(value: Any, indent: str, multiline: bool) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise NotRendered(f"{value!r} has no HCL literal")
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, Mapping):
        return _object(value, indent, multiline)
    if isinstance(value, list | tuple):
        return _tuple(list(value), indent, multiline)
    raise NotRendered(f"a {type(value).__name__} has no HCL literal")


def _tuple(items: list[Any], indent: str, multiline: bool) -> str:
    if not items:
        return "[]"
    inner = indent + _INDENT
    if not multiline:
        return "[" + ", ".join(_render(v, inner, False) for v in items) + "]"
    body = "".join(f"{inner}{_render(v, inner, _nested(v))},\n" for v in items)
    return "[\n" + body + indent + "]"


def _object(items: Mapping[str, Any], indent: str, multiline: bool) -> str:
    if not items:
        return "{}"
    inner = indent + _INDENT
    if not multiline:
        return (
            "{ " + ", ".join(f"{key(str(k))} = {_render(v, inner, False)}" for k, v in items.items()) + " }"
        )
    keys = [key(str(k)) for k in items]
    rendered = [_render(v, inner, _nested(v)) for v in items.values()]
    # terraform fmt aligns the = of consecutive one-line items
    width = max((len(k) for k, r in zip(keys, rendered, strict=True) if "\n" not in r), default=0)
    lines = []
    for k, r in zip(keys, rendered, strict=True):
        pad = " " * (width - len(k)) if "\n" not in r else ""
        lines.append(f"{inner}{k}{pad} = {r}\n")
    return "{\n" + "".join(lines) + indent + "}"


def _nested(value: Any) -> bool:
    """Items of a multi-line collection: objects and lists of objects spread out, scalars stay flat."""
    if isinstance(value, Mapping):
        return bool(value) and (len(value) > 2 or any(isinstance(v, Mapping | list) for v in value.values()))
    if isinstance(value, list | tuple):
        return any(isinstance(v, Mapping) for v in value) or len(_render(value, "", False)) > 60
    return False


def heredoc(value: Any, old: S.Template, indent: str) -> str:
    """A heredoc replacing ``old`` (same marker and ``<<-`` flag): a JSON document pretty-printed
    (two spaces, as ``jsonencode`` users and the AWS console write them), a string as its lines."""
    head = _HEREDOC.match(old.src, old.start)
    if head is None:
        raise NotRendered("not a heredoc")
    dash, marker = head.group(1), head.group(2)
    # ensure_ascii: controls, bidi and invisible characters become \uXXXX escapes in the document
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=True)
    if clean(text) != text:
        raise NotRendered("the value holds control or invisible characters, which a heredoc cannot escape")
    if "${" in text or "%{" in text:
        text = text.replace("${", "$${").replace("%{", "%%{")
    lines = text.split("\n")
    if any(line.strip() == marker for line in lines):
        raise NotRendered(f"the value has a line that is the heredoc marker {marker}")
    body_indent = _body_indent(old) if dash else ""
    body = "".join(f"{body_indent}{line}\n" if line else "\n" for line in lines)
    last = old.src[old.start : old.end].rstrip("\r\n").rsplit("\n", 1)[-1]
    closing = last[: len(last) - len(last.lstrip(" \t"))]
    nl = "\r\n" if head.group(0).endswith("\r\n") else "\n"
    if nl != "\n":
        body = body.replace("\n", nl)
    # the old span may end with the newline after the closing marker (python-hcl2's span): keep it
    tail = nl if old.src[old.end - 1 : old.end] == "\n" else ""
    return f"<<{dash}{marker}{nl}{body}{closing}{marker}{tail}"


def _body_indent(old: S.Template) -> str:
    """The indentation of a ``<<-`` heredoc's body (its least indented non-blank line; the closing
    marker's line does not count)."""
    head = _HEREDOC.match(old.src, old.start)
    assert head is not None
    lines = old.src[head.end() : old.end].splitlines()[:-1]
    widths = [line[: len(line) - len(line.lstrip(" \t"))] for line in lines if line.strip()]
    return min(widths, key=len) if widths else ""
