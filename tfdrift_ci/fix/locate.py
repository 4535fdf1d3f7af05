"""Exact source spans of what declares a value, and the edit that makes it declare another one.

The parsed model (``inventory/parsed.py``) keeps each attribute's expression text *exactly as
written* and its first line, whichever front end read the file (tree-sitter or python-hcl2). That is
enough to find the expression's characters in the file again: on the attribute's line, the text
after ``NAME =`` must start with the expression text, or nothing is edited. Inside an expression
the spans come from the expression parser (``inventory/expr/syntax.py``), whose nodes carry their
offsets. So an edit replaces only the characters of one literal and every other byte of the file
(comments, blank lines, alignment, line endings, a byte-order mark) stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from tfdrift_ci.fix import render as R
from tfdrift_ci.frozen import frozen
from tfdrift_ci.inventory.expr import syntax as S
from tfdrift_ci.inventory.parsed import Attribute, Block

_STEP = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]")
_JSON_FUNCS = ("jsonencode",)


@frozen
class Edit:
    """Replace ``text[start:end]`` of ``file`` (relative to the scanned PATH) by ``new``."""

    file: str
    start: int
    end: int
    new: str


class Manual(Exception):
    """The value cannot be adopted by replacing one literal: the reason, for "adopt by hand"."""


class Indirect(Manual):
    """The attribute's expression is a reference (``var.x``, ``local.x``): the value is set where
    the reference leads (``inventory/origin.py``). ``path`` is the attribute's path in the resource
    in the form origins are keyed by (``b.c``, ``b.1.c`` for the second ``b`` block), ``rest`` the
    steps inside the value."""

    def __init__(self, message: str, path: str, rest: Sequence[str]) -> None:
        super().__init__(message)
        self.path = path
        self.rest = list(rest)


@frozen
class Source:
    """One file's text, read as bytes so that a byte-order mark and line endings survive."""

    file: str
    text: str
    bom: bool = False

    def line_start(self, line: int) -> int:
        """Offset of the first character of 1-based ``line`` (lines end at ``\\n`` only, as the
        parsers count them)."""
        pos = 0
        for _ in range(line - 1):
            nl = self.text.find("\n", pos)
            if nl < 0:
                return len(self.text)
            pos = nl + 1
        return pos

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def indent_of_line(self, line: int) -> str:
        start = self.line_start(line)
        m = re.compile(r"[ \t]*").match(self.text, start)
        return m.group(0) if m else ""

    def indent_at(self, offset: int) -> str:
        start = self.text.rfind("\n", 0, offset) + 1
        line = self.text[start:offset]
        return line[: len(line) - len(line.lstrip(" \t"))]


def steps(path: str) -> list[str]:
    """``container_definitions[api].image`` → ``["container_definitions", "[api]", "image"]``."""
    return [m.group(0) for m in _STEP.finditer(path)]


def attribute_span(src: Source, attr: Attribute) -> int:
    """Offset where ``attr``'s expression starts in the file; Manual when the text is not where
    the parser put it (the file changed since it was read)."""
    line_start = src.line_start(attr.line)
    line_end = src.text.find("\n", line_start)
    scan_end = len(src.text) if line_end < 0 else line_end
    pattern = re.compile(r"(?<![\w-])" + re.escape(attr.name) + r"[ \t]*=[ \t]*")
    for m in pattern.finditer(src.text, line_start, scan_end):
        if src.text.startswith(attr.expr, m.end()):
            return m.end()
    raise Manual(f"{src.file}:{attr.line}: the expression of {attr.name} is not where the parser read it")


def parse_expr(attr: Attribute) -> S.Node:
    try:
        return S.parse(attr.expr)
    except S.ExprSyntaxError as err:
        raise Manual(f"the expression of {attr.name} could not be read ({err})") from None


# --------------------------------------------------------------------------------------------------
# Blocks

# Attributes that are actions, not settings: there is nothing to declare.
_ACTIONS = frozenset({"force_new_deployment"})
# Map attributes that may be added whole when a key is drifted and the map is not declared yet.
_MAPS = frozenset({"tags"})


def block_edits(
    src: Source, block: Block, path: Sequence[str], value: Any, *, at: tuple[str, ...] = ()
) -> list[Edit]:
    """The edits that make ``block`` declare ``value`` at ``path`` (attribute, nested block, named
    block such as ``setting.containerInsights``, or a key inside an attribute's literal). ``at``:
    the blocks entered so far (for ``Indirect``)."""
    head, rest = path[0], list(path[1:])
    if head in _ACTIONS:
        raise Manual(f"{head} is an action, not a setting: there is nothing to declare")
    attr = block.attribute(head)
    if attr is not None:
        node = _unwrap(parse_expr(attr))
        if isinstance(node, S.GetAttr) and isinstance(node.obj, S.Var) and node.obj.name in ("var", "local"):
            raise Indirect(f"{head} is not a literal: {_short(node)}", ".".join((*at, head)), rest)
        return expr_edits(src, attr, rest, value)
    if any(d.labels[:1] == (head,) for d in block.children("dynamic")):
        raise Manual(f"{head} is generated by a dynamic block")
    kids = block.children(head)
    if kids and rest:
        named = [k for k in kids if _literal_text(k.attribute("name")) == rest[0]]
        if len(named) == 1 and named[0].attribute(rest[0]) is None and not named[0].children(rest[0]):
            index = kids.index(named[0])
            step = (head,) if index == 0 else (head, str(index))
            return block_edits(src, named[0], rest[1:] or ["value"], value, at=(*at, *step))
        if len(kids) == 1:
            return block_edits(src, kids[0], rest, value, at=(*at, head))
    if kids:
        raise Manual(f"{head} is declared as nested blocks, not one literal")
    if rest and head in _MAPS and value is not None:
        return [insert_attribute(src, block, head, {".".join(rest): value})]
    if rest:
        raise Manual(f"no {head} block is declared to hold {'.'.join(rest)}")
    if value is None:
        raise Manual(f"{head} is not declared; nothing to remove")
    if isinstance(value, list) and any(isinstance(v, Mapping) for v in value):
        raise Manual(f"{head} would be new nested blocks: write them by hand")
    return [insert_attribute(src, block, head, value)]


def _literal_text(attr: Attribute | None) -> str | None:
    if attr is None:
        return None
    try:
        node = S.parse(attr.expr)
    except S.ExprSyntaxError:
        return None
    value = literal_value(node)
    return value if isinstance(value, str) else None


def insert_attribute(src: Source, block: Block, name: str, value: Any) -> Edit:
    """``name = value`` as a new line after the block's last attribute (or its opening line)."""
    label = name
    if block.attributes:
        last = max(block.attributes, key=lambda a: (a.line, a.end_line))
        indent = src.indent_of_line(last.line)
        start = attribute_span(src, last)
        after = start + len(last.expr)
        # line up with the = of the attribute above when it is padded (terraform fmt's alignment)
        head = src.text[src.line_start(last.line) : start]
        width = len(head.rstrip().rstrip("=").rstrip()) - len(indent)
        padded = len(head.rstrip().rstrip("=")) - len(indent)
        if padded > width and len(name) < padded:
            label = name.ljust(padded - 1)
    else:
        if block.end_line == block.line:
            raise Manual(f"the block on line {block.line} is written on one line")
        indent = src.indent_of_line(block.line) + "  "
        after = src.line_start(block.line)
    at = src.text.find("\n", after)
    if at < 0:
        raise Manual("no line end to insert after")
    nl = "\n"
    if src.text[at - 1 : at] == "\r":
        at, nl = at - 1, "\r\n"
    try:
        text = R.literal(value, None, indent)
    except R.NotRendered as err:
        raise Manual(str(err)) from None
    return Edit(src.file, at, at, f"{nl}{indent}{label} = {text}")


# --------------------------------------------------------------------------------------------------
# Expressions


def expr_edits(src: Source, attr: Attribute, path: Sequence[str], value: Any) -> list[Edit]:
    base = attribute_span(src, attr)
    node = parse_expr(attr)
    if not path and value is None:
        if not is_literal(_unwrap(node)):
            raise Manual(f"{attr.name} is not a literal: {_short(node)}")
        start = src.line_start(attr.line) + len(src.indent_of_line(attr.line))
        return [_remove_lines(src, start, base + len(attr.expr), attr.name)]
    return node_edits(src, base, node, list(path), value, what=attr.name)


def node_edits(src: Source, base: int, node: S.Node, path: list[str], value: Any, *, what: str) -> list[Edit]:
    """Descend ``path`` inside ``node`` (offsets relative to ``base``) and change what is there."""
    node = _unwrap(node)
    if not path:
        return diff_edits(src, base, node, value, what)
    if _is_heredoc(node):
        document = _heredoc_json(node)
        return replace_node(src, base, node, set_path(document, path, value), what)
    if isinstance(node, S.ObjectNode):
        return _object_edits(src, base, node, path, value, what=what)
    if isinstance(node, S.TupleNode) and path[0].startswith("["):
        wanted = path[0][1:-1]
        for item in node.items:
            if isinstance(item, S.ObjectNode) and _item_named(item) == wanted:
                return node_edits(src, base, item, path[1:], value, what=f"{what}{path[0]}")
        raise Manual(f"no {wanted!r} item in the literal of {what}")
    raise Manual(f"{what} is not a literal: {_short(node)}")


def _unwrap(node: S.Node) -> S.Node:
    """``jsonencode(X)`` → X: a policy's literal is the argument."""
    if isinstance(node, S.Call) and node.name in _JSON_FUNCS and len(node.args) == 1 and not node.expand:
        return node.args[0]
    return node


def _object_edits(
    src: Source, base: int, node: S.ObjectNode, path: list[str], value: Any, *, what: str
) -> list[Edit]:
    # a map key may hold dots (tags.app.kubernetes.io/name): the longest key that matches wins
    for cut in range(len(path), 0, -1):
        name = ".".join(path[:cut])
        for k, v in node.items:
            if literal_value(k) == name:
                if cut == len(path) and value is None:
                    return [_remove_item(src, base, node, k, v)]
                return node_edits(src, base, v, path[cut:], value, what=f"{what}.{name}")
    name = ".".join(path)
    if value is None:
        raise Manual(f"{what} has no key {name!r}; nothing to remove")
    return [_insert_item(src, base, node, name, value, what=what)]


def diff_edits(src: Source, base: int, node: S.Node, value: Any, what: str) -> list[Edit]:
    """The smallest edits turning the literal ``node`` into ``value``: objects and lists of the same
    length are entered, so an unchanged member keeps its bytes (a policy whose one Action changed
    gets one changed line)."""
    if not is_literal(node):
        raise Manual(f"{what} is not a literal: {_short(node)}")
    old = literal_value(node)
    if isinstance(node, S.TupleNode) and isinstance(value, Mapping) and _named_list(old):
        value = _as_named_list(old, value)
    if R.coerce(value, node) == old and type(R.coerce(value, node)) is type(old):
        return []
    if isinstance(node, S.ObjectNode) and isinstance(value, Mapping) and not _is_heredoc(node):
        return _object_diff(src, base, node, value, what)
    if (
        isinstance(node, S.TupleNode)
        and isinstance(value, list)
        and len(value) == len(node.items)
        and all(isinstance(v, Mapping | list) for v in value)
    ):
        out: list[Edit] = []
        for item, v in zip(node.items, value, strict=True):
            out += diff_edits(src, base, item, v, what)
        return out
    return replace_node(src, base, node, value, what)


def _object_diff(
    src: Source, base: int, node: S.ObjectNode, value: Mapping[str, Any], what: str
) -> list[Edit]:
    out: list[Edit] = []
    present: set[str] = set()
    for k, v in node.items:
        name = str(literal_value(k))
        present.add(name)
        if name not in value or value[name] is None:
            out.append(_remove_item(src, base, node, k, v))
        else:
            out += diff_edits(src, base, v, value[name], f"{what}.{name}")
    for name, v in value.items():
        if name not in present and v is not None:
            out.append(_insert_item(src, base, node, name, v, what=what))
    return out


def _item_named(node: S.ObjectNode) -> str | None:
    for k, v in node.items:
        if literal_value(k) == "name":
            found = literal_value(v)
            return found if isinstance(found, str) else None
    return None


def _insert_item(src: Source, base: int, node: S.ObjectNode, name: str, value: Any, *, what: str) -> Edit:
    if not is_literal(node):
        raise Manual(f"{what} is not a literal: {_short(node)}")
    text = src.text
    close = base + node.end - 1  # the closing brace
    try:
        if not node.items:
            return Edit(
                src.file,
                base + node.start,
                base + node.end,
                R.literal({name: value}, node, src.indent_at(base + node.start)),
            )
        if "\n" not in text[base + node.start : close + 1]:
            last = base + node.items[-1][1].end
            return Edit(src.file, last, last, f", {R.key(name)} = {R.literal(value, None, '')}")
        line_start = text.rfind("\n", 0, close) + 1
        if text[line_start:close].strip():
            raise Manual(f"the closing brace of {what} shares its line with an item")
        first = base + node.items[0][0].start
        if src.line_of(first) != src.line_of(base + node.start):
            indent = src.indent_at(first)
        else:
            indent = src.indent_at(close) + "  "
        nl = "\r\n" if text[line_start - 2 : line_start] == "\r\n" else "\n"
        return Edit(
            src.file, line_start, line_start, f"{indent}{R.key(name)} = {R.literal(value, None, indent)}{nl}"
        )
    except R.NotRendered as err:
        raise Manual(str(err)) from None


def _remove_item(src: Source, base: int, node: S.ObjectNode, k: S.Node, v: S.Node) -> Edit:
    text = src.text
    start, end = base + k.start, base + v.end
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end + 1
    before, after = text[line_start:start], text[end:line_end].strip().lstrip(",").strip()
    if not before.strip() and (not after or after.startswith(("#", "//"))):
        return Edit(src.file, line_start, line_end, "")  # the item's line, with its comment
    # one-line object: the item and the comma after it (or before it, for the last item)
    m = re.compile(r"[ \t]*,[ \t]*").match(text, end)
    if m is not None:
        return Edit(src.file, start, m.end(), "")
    m2 = re.compile(r"[ \t]*,[ \t]*\Z").search(text, base + node.start, start)
    if m2 is not None:
        return Edit(src.file, m2.start(), end, "")
    return Edit(src.file, start, end, "")


def _remove_lines(src: Source, start: int, end: int, what: str) -> Edit:
    """Delete an attribute that occupies whole lines (value removed in the account)."""
    text = src.text
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end + 1
    if text[line_start:start].strip() or text[end:line_end].strip():
        raise Manual(f"{what} shares its line with other code: remove it by hand")
    return Edit(src.file, line_start, line_end, "")


def replace_node(src: Source, base: int, node: S.Node, value: Any, what: str) -> list[Edit]:
    if not is_literal(node):
        raise Manual(f"{what} is not a literal: {_short(node)}")
    start, end = base + node.start, base + node.end
    old = literal_value(node)
    if isinstance(node, S.TupleNode) and isinstance(value, Mapping) and _named_list(old):
        value = _as_named_list(old, value)
    try:
        text = R.literal(value, node, src.indent_at(start))
    except R.NotRendered as err:
        raise Manual(str(err)) from None
    return [Edit(src.file, start, end, text)]


def _named_list(old: Any) -> bool:
    """``[{name = "A", value = "1"}, …]`` (container environment, ECS settings)."""
    return isinstance(old, list) and bool(old) and all(isinstance(i, Mapping) and "name" in i for i in old)


def _as_named_list(old: list[Any], new: Mapping[str, Any]) -> list[Any]:
    """A ``{name: value}`` reading of a named list back in list form: old items first, in order."""
    out: list[Any] = []
    for item in old:
        if item["name"] in new:
            out.append({**item, "value": new[item["name"]]})
    seen = {item["name"] for item in old}
    out += [{"name": k, "value": v} for k, v in new.items() if k not in seen]
    return out


def _is_heredoc(node: S.Node) -> bool:
    return isinstance(node, S.Template) and node.src[node.start : node.start + 2] == "<<"


def _heredoc_json(node: S.Node) -> Any:
    import json

    value = literal_value(node)
    if not isinstance(value, str):
        raise Manual("the heredoc is a template with interpolations")
    try:
        return json.loads(value)
    except ValueError:
        raise Manual("the heredoc is not a JSON document") from None


def set_path(document: Any, path: Sequence[str], value: Any) -> Any:
    """A copy of a JSON document with ``value`` at ``path`` (``[name]`` steps select the list item
    whose ``name`` is that; a ``{name: value}`` value for a named list is written back as a list)."""
    if not path:
        if isinstance(document, list) and isinstance(value, Mapping) and _named_list(document):
            return _as_named_list(document, value)
        return value
    step, rest = path[0], path[1:]
    if step.startswith("[") and isinstance(document, list):
        wanted = step[1:-1]
        for i, item in enumerate(document):
            if isinstance(item, Mapping) and item.get("name") == wanted:
                return [*document[:i], set_path(item, rest, value), *document[i + 1 :]]
        raise Manual(f"no {wanted!r} item in the document")
    if isinstance(document, Mapping):
        out = dict(document)
        if value is None and not rest:
            out.pop(step, None)
        else:
            out[step] = set_path(document.get(step), rest, value)
        return out
    raise Manual(f"no {step!r} in the document")


# --------------------------------------------------------------------------------------------------
# Literals


def is_literal(node: S.Node) -> bool:
    """A literal: constants, quoted strings and heredocs without interpolation, lists and objects of
    literals with literal keys."""
    if isinstance(node, S.Lit):
        return True
    if isinstance(node, S.Template):
        return all(isinstance(p, str) for p in node.parts)
    if isinstance(node, S.TupleNode):
        return all(is_literal(i) for i in node.items)
    if isinstance(node, S.ObjectNode):
        return all(is_literal(k) and is_literal(v) for k, v in node.items)
    return isinstance(node, S.Unary) and node.op == "-" and isinstance(node.x, S.Lit)


def literal_value(node: S.Node) -> Any:
    """The value of a literal node (None for anything else)."""
    if isinstance(node, S.Lit):
        return node.value
    if isinstance(node, S.Template):
        if all(isinstance(p, str) for p in node.parts):
            return "".join(node.parts)
        return None
    if isinstance(node, S.TupleNode):
        return [literal_value(i) for i in node.items]
    if isinstance(node, S.ObjectNode):
        return {str(literal_value(k)): literal_value(v) for k, v in node.items}
    if isinstance(node, S.Unary) and node.op == "-" and isinstance(node.x, S.Lit):
        return -node.x.value
    return None


def _short(node: S.Node) -> str:
    text = " ".join(node.text.split())
    return f"`{text[:60]}…`" if len(text) > 60 else f"`{text}`"
