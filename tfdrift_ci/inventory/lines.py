"""Attribute lines: how the inventory records them (``Resource.attribute_lines``) and how to read one
back (:func:`attribute_line`, for the rules).

Keys are dotted paths: top-level arguments and nested blocks (``image_scanning_configuration``,
``image_scanning_configuration.scan_on_push``), and the keys of a JSON document written in place
(``jsonencode({...})`` or a heredoc) as ``container_definitions.0.privileged``, so findings point at
the offending key rather than at the attribute."""

from __future__ import annotations

import json
import re
from typing import Any

from tfdrift_ci.inventory.expr.syntax import (
    Call,
    ExprSyntaxError,
    Lit,
    Node,
    ObjectNode,
    Template,
    TupleNode,
    parse,
)
from tfdrift_ci.inventory.parsed import Attribute
from tfdrift_ci.models import Resource

_INDEX = re.compile(r"\[(\d+)\]")
_FIRST_SEGMENT = re.compile(r"^[^.\[]+")


def attribute_line(resource: Resource, path: str | None, *, deepest: bool = True) -> int | None:
    """The line ``path`` is written on: the deepest recorded key along it
    (``container_definitions[0].privileged`` → the ``privileged`` key's line when the inventory knows
    it; ``[0]`` and ``.0`` alike), else its top-level argument or block, else the resource block's
    line. ``deepest=False`` looks at the top-level argument only."""
    if path:
        lines = resource.attribute_lines
        if deepest:
            parts = _INDEX.sub(r".\1", path).split(".")
            for n in range(len(parts), 0, -1):
                key = ".".join(parts[:n])
                if key in lines:
                    return lines[key]
        m = _FIRST_SEGMENT.match(path)
        if m and m.group(0) in lines:
            return lines[m.group(0)]
    return resource.line


def document_lines(attr: Attribute, name: str, lines: dict[str, int]) -> None:
    """Lines of the keys inside a JSON document written in place (``jsonencode({...})`` literals
    and heredoc JSON): ``container_definitions.0.privileged`` → its line, so findings point at the
    offending key rather than at the attribute."""
    try:
        node = parse(attr.expr)
    except ExprSyntaxError:
        return
    if isinstance(node, Call) and node.name == "jsonencode" and len(node.args) == 1:
        _ast_lines(node.args[0], name, attr.line, lines)
    elif isinstance(node, Template) and attr.expr.lstrip().startswith("<<"):
        body_start = attr.expr.find("\n") + 1
        if body_start > 0:
            _json_text_lines(attr.expr[body_start:], attr.line + 1, name, lines)


def _ast_lines(node: Node, prefix: str, base_line: int, lines: dict[str, int]) -> None:
    if isinstance(node, TupleNode):
        for i, item in enumerate(node.items):
            _ast_lines(item, f"{prefix}.{i}", base_line, lines)
    elif isinstance(node, ObjectNode):
        for knode, vnode in node.items:
            if not isinstance(knode, Lit):
                continue
            path = f"{prefix}.{knode.value}"
            lines.setdefault(path, base_line + knode.src.count("\n", 0, knode.start))
            _ast_lines(vnode, path, base_line, lines)


_JSON_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")\s*(:)?|([{}\[\],])|([^\s{}\[\],"]+))')


def _json_text_lines(text: str, first_line: int, prefix: str, lines: dict[str, int]) -> None:
    """A tolerant scan of JSON text (not a validator): the path and line of every object key."""
    stack: list[list[Any]] = []  # per open container: ["obj", current key] or ["arr", index]
    pos, line = 0, first_line
    while pos < len(text):
        m = _JSON_TOKEN.match(text, pos)
        if not m or m.end() == pos:
            return
        start = m.start(1) if m.group(1) else m.start(3) if m.group(3) else m.start(4)
        line += text.count("\n", pos, start)
        token_line = line
        line += text.count("\n", start, m.end())
        pos = m.end()
        string, colon, punct = m.group(1), m.group(2), m.group(3)
        if string is not None and colon and stack and stack[-1][0] == "obj":
            try:
                key = json.loads(string)
            except ValueError:
                return
            parent = prefix + "".join(f".{frame[1]}" for frame in stack[:-1])
            lines.setdefault(f"{parent}.{key}", token_line)
            stack[-1][1] = key
        elif punct in ("{", "["):
            stack.append(["obj", ""] if punct == "{" else ["arr", 0])
        elif punct in ("}", "]"):
            if not stack:
                return
            stack.pop()
        elif punct == "," and stack and stack[-1][0] == "arr":
            stack[-1][1] += 1
        if len(lines) > 10_000:
            return
