"""The expression syntax: source text → a small AST.

The front ends (``hcl.py``, ``ts_parse.py``, ``tfjson.py``) hand over each attribute's *source text*;
this module parses it with a recursive-descent parser following the HCL native syntax spec
(https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md): literals, references, operators,
conditionals, function calls, splats, ``for`` expressions, templates with ``${…}`` interpolations and
``%{if}``/``%{for}`` directives, and heredocs. Evaluation is ``evaluate.py``'s business.
"""

from __future__ import annotations

import re
from typing import Any

from tfdrift_ci.inventory.expr.convert import num


class ExprSyntaxError(Exception):
    """Our expression parser could not read the text (python-hcl2 accepted it): → Unknown."""


class Node:
    __slots__ = ("end", "src", "start")

    def __init__(self) -> None:
        self.src = ""
        self.start = 0
        self.end = 0

    @property
    def text(self) -> str:
        return self.src[self.start : self.end].strip()


class Lit(Node):
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


class Var(Node):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class GetAttr(Node):
    __slots__ = ("name", "obj")

    def __init__(self, obj: Node, name: str) -> None:
        super().__init__()
        self.obj = obj
        self.name = name


class Index(Node):
    __slots__ = ("key", "obj")

    def __init__(self, obj: Node, key: Node) -> None:
        super().__init__()
        self.obj = obj
        self.key = key


class Splat(Node):
    __slots__ = ("obj", "steps")

    def __init__(self, obj: Node, steps: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.obj = obj
        self.steps = steps


class Call(Node):
    __slots__ = ("args", "expand", "name")

    def __init__(self, name: str, args: list[Node], expand: bool) -> None:
        super().__init__()
        self.name = name
        self.args = args
        self.expand = expand


class TupleNode(Node):
    __slots__ = ("items",)

    def __init__(self, items: list[Node]) -> None:
        super().__init__()
        self.items = items


class ObjectNode(Node):
    __slots__ = ("items",)

    def __init__(self, items: list[tuple[Node, Node]]) -> None:
        super().__init__()
        self.items = items


class ForNode(Node):
    __slots__ = ("coll", "cond", "group", "is_obj", "key", "kvar", "value", "vvar")

    def __init__(  # noqa: PLR0917 - one field per part of the for expression
        self,
        kvar: str | None,
        vvar: str,
        coll: Node,
        key: Node | None,
        value: Node,
        cond: Node | None,
        is_obj: bool,
        group: bool,
    ) -> None:
        super().__init__()
        self.kvar, self.vvar, self.coll = kvar, vvar, coll
        self.key, self.value, self.cond = key, value, cond
        self.is_obj, self.group = is_obj, group


class Unary(Node):
    __slots__ = ("op", "x")

    def __init__(self, op: str, x: Node) -> None:
        super().__init__()
        self.op = op
        self.x = x


class Binary(Node):
    __slots__ = ("left", "op", "right")

    def __init__(self, op: str, left: Node, right: Node) -> None:
        super().__init__()
        self.op, self.left, self.right = op, left, right


class Cond(Node):
    __slots__ = ("cond", "no", "yes")

    def __init__(self, cond: Node, yes: Node, no: Node) -> None:
        super().__init__()
        self.cond, self.yes, self.no = cond, yes, no


class Template(Node):
    """Parts: str | Node (interpolation) | TIf | TFor."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[Any]) -> None:
        super().__init__()
        self.parts = parts


class TIf:
    __slots__ = ("cond", "no", "yes")

    def __init__(self, cond: Node, yes: list[Any], no: list[Any]) -> None:
        self.cond, self.yes, self.no = cond, yes, no


class TFor:
    __slots__ = ("body", "coll", "kvar", "vvar")

    def __init__(self, kvar: str | None, vvar: str, coll: Node, body: list[Any]) -> None:
        self.kvar, self.vvar, self.coll, self.body = kvar, vvar, coll, body


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")

_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")

_BINARY_PREC = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    ">": 4,
    "<=": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}

_LITERAL_RUN = re.compile(r'[^"\\$%]+')

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}

_MAX_DEPTH = 200


class _Parser:
    def __init__(self, src: str) -> None:
        self.s = src
        self.i = 0
        self.n = len(src)
        self.depth = 0

    # -- scanning --------------------------------------------------------------------------------
    def skip(self) -> None:
        s, n = self.s, self.n
        while self.i < n:
            c = s[self.i]
            if c in " \t\r\n":
                self.i += 1
            elif c == "#" or (c == "/" and s.startswith("//", self.i)):
                j = s.find("\n", self.i)
                self.i = n if j < 0 else j + 1
            elif c == "/" and s.startswith("/*", self.i):
                j = s.find("*/", self.i + 2)
                self.i = n if j < 0 else j + 2
            else:
                break

    def peek(self, tok: str) -> bool:
        self.skip()
        return self.s.startswith(tok, self.i)

    def accept(self, tok: str) -> bool:
        if self.peek(tok):
            self.i += len(tok)
            return True
        return False

    def expect(self, tok: str) -> None:
        if not self.accept(tok):
            raise ExprSyntaxError(f"expected {tok!r} at offset {self.i}")

    def ident(self) -> str | None:
        self.skip()
        m = _IDENT.match(self.s, self.i)
        if not m:
            return None
        self.i = m.end()
        return m.group(0)

    def peek_ident(self) -> str | None:
        self.skip()
        m = _IDENT.match(self.s, self.i)
        return m.group(0) if m else None

    def mark(self, node: Node, start: int) -> Node:
        node.src, node.start, node.end = self.s, start, self.i
        return node

    # -- expressions -----------------------------------------------------------------------------
    def expression(self) -> Node:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise ExprSyntaxError("expression nested too deeply")
        try:
            self.skip()
            start = self.i
            cond = self.binary(0)
            if self.peek("?"):
                self.i += 1
                yes = self.expression()
                self.expect(":")
                no = self.expression()
                return self.mark(Cond(cond, yes, no), start)
            return cond
        finally:
            self.depth -= 1

    def _binary_op(self) -> str | None:
        self.skip()
        s, i = self.s, self.i
        two = s[i : i + 2]
        if two in ("||", "&&", "==", "!=", "<=", ">="):
            return two
        one = s[i : i + 1]
        if one in ("<", ">", "+", "-", "*", "/", "%"):
            if one == "/" and two in ("//", "/*"):
                return None
            return one
        return None

    def binary(self, min_prec: int) -> Node:
        self.skip()
        start = self.i
        left = self.unary()
        while True:
            op = self._binary_op()
            if op is None or _BINARY_PREC[op] <= min_prec:
                return left
            self.i += len(op)
            right = self.binary(_BINARY_PREC[op])
            left = self.mark(Binary(op, left, right), start)

    def unary(self) -> Node:
        self.skip()
        start = self.i
        if self.s.startswith("!", self.i) and not self.s.startswith("!=", self.i):
            self.i += 1
            return self.mark(Unary("!", self.unary()), start)
        if self.s.startswith("-", self.i):
            self.i += 1
            return self.mark(Unary("-", self.unary()), start)
        return self.postfix(self.primary(), start)

    def postfix(self, node: Node, start: int) -> Node:
        while True:
            self.skip()
            s, i = self.s, self.i
            if s.startswith("...", i):
                return node
            if s.startswith(".*", i):
                self.i += 2
                node = self.mark(Splat(node, self.splat_steps(attr_only=True)), start)
            elif s.startswith("[*]", i) or re.match(r"\[\s*\*\s*\]", s[i : i + 8]):
                self.i = s.index("]", i) + 1
                node = self.mark(Splat(node, self.splat_steps(attr_only=False)), start)
            elif s.startswith(".", i):
                self.i += 1
                self.skip()
                m = _NUMBER.match(s, self.i)
                if m and m.group(1) is None and m.group(2) is None:  # legacy index: list.0
                    self.i = m.end()
                    node = self.mark(Index(node, Lit(int(m.group(0)))), start)
                    continue
                name = self.ident()
                if name is None:
                    raise ExprSyntaxError(f"expected attribute name at offset {self.i}")
                node = self.mark(GetAttr(node, name), start)
            elif s.startswith("[", i):
                self.i += 1
                key = self.expression()
                self.expect("]")
                node = self.mark(Index(node, key), start)
            else:
                return node

    def splat_steps(self, attr_only: bool) -> list[tuple[str, Any]]:
        steps: list[tuple[str, Any]] = []
        while True:
            self.skip()
            s, i = self.s, self.i
            if s.startswith(".", i) and not s.startswith("...", i):
                save = self.i
                self.i += 1
                name = self.ident()
                if name is None:
                    self.i = save
                    return steps
                steps.append(("attr", name))
            elif not attr_only and s.startswith("[", i) and not s.startswith("[*", i):
                self.i += 1
                steps.append(("index", self.expression()))
                self.expect("]")
            else:
                return steps

    def primary(self) -> Node:
        self.skip()
        s, i, start = self.s, self.i, self.i
        if i >= self.n:
            raise ExprSyntaxError("unexpected end of expression")
        c = s[i]
        if c == "(":
            self.i += 1
            inner = self.expression()
            self.expect(")")
            return inner
        if c == "[":
            return self.tuple_or_for(start)
        if c == "{":
            return self.object_or_for(start)
        if c == '"':
            self.i += 1
            parts = self.template_parts(quoted=True)
            return self.mark(Template(parts), start)
        if s.startswith("<<", i):
            return self.heredoc(start)
        m = _NUMBER.match(s, i)
        if m:
            self.i = m.end()
            text = m.group(0)
            value: Any = int(text) if m.group(1) is None and m.group(2) is None else num(float(text))
            return self.mark(Lit(value), start)
        name = self.ident()
        if name is None:
            raise ExprSyntaxError(f"unexpected character {c!r} at offset {i}")
        if name in ("true", "false", "null"):
            return self.mark(Lit({"true": True, "false": False, "null": None}[name]), start)
        # provider-defined functions: provider::aws::arn_parse(...)
        while s.startswith("::", self.i):
            self.i += 2
            more = self.ident()
            if more is None:
                raise ExprSyntaxError("bad provider function name")
            name = f"{name}::{more}"
        if self.peek("("):
            self.i += 1
            args: list[Node] = []
            expand = False
            while not self.accept(")"):
                args.append(self.expression())
                if self.accept("..."):
                    expand = True
                if not self.accept(","):
                    self.expect(")")
                    break
            return self.mark(Call(name, args, expand), start)
        return self.mark(Var(name), start)

    def _is_for(self) -> bool:
        self.skip()
        m = re.compile(r"for\s+[A-Za-z_]").match(self.s, self.i)
        return m is not None

    def for_intro(self) -> tuple[str | None, str, Node]:
        self.expect("for")
        first = self.ident()
        if first is None:
            raise ExprSyntaxError("expected a for variable")
        second = None
        if self.accept(","):
            second = self.ident()
        if self.ident() != "in":
            raise ExprSyntaxError("expected 'in'")
        coll = self.expression()
        self.expect(":")
        if second is not None:
            return first, second, coll
        return None, first, coll

    def _for_cond(self) -> Node | None:
        if self.peek_ident() == "if":
            self.ident()
            return self.expression()
        return None

    def tuple_or_for(self, start: int) -> Node:
        self.i += 1
        if self._is_for():
            kvar, vvar, coll = self.for_intro()
            value = self.expression()
            cond = self._for_cond()
            self.expect("]")
            return self.mark(ForNode(kvar, vvar, coll, None, value, cond, False, False), start)
        items: list[Node] = []
        while not self.accept("]"):
            items.append(self.expression())
            if not self.accept(","):
                self.expect("]")
                break
        return self.mark(TupleNode(items), start)

    def object_or_for(self, start: int) -> Node:
        self.i += 1
        if self._is_for():
            kvar, vvar, coll = self.for_intro()
            kexpr = self.expression()
            self.expect("=>")
            value = self.expression()
            group = self.accept("...")
            cond = self._for_cond()
            self.expect("}")
            return self.mark(ForNode(kvar, vvar, coll, kexpr, value, cond, True, group), start)
        items: list[tuple[Node, Node]] = []
        while not self.accept("}"):
            self.skip()
            kstart = self.i
            key: Node
            name = self.peek_ident()
            if name is not None:
                save = self.i
                self.ident()
                if (self.peek("=") and not self.peek("==") and not self.peek("=>")) or self.peek(":"):
                    key = self.mark(Lit(name), kstart)
                else:
                    self.i = save
                    key = self.expression()
            else:
                key = self.expression()
            if not self.accept(":"):
                self.expect("=")
            value = self.expression()
            items.append((key, value))
            self.accept(",")
        return self.mark(ObjectNode(items), start)

    # -- templates -------------------------------------------------------------------------------
    def heredoc(self, start: int) -> Node:
        m = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)[ \t]*\r?\n").match(self.s, self.i)
        if not m:
            raise ExprSyntaxError("bad heredoc")
        indent, marker = m.group(1) == "-", m.group(2)
        pos = m.end()
        body_lines: list[str] = []
        while True:
            if pos >= self.n:
                raise ExprSyntaxError(f"heredoc {marker} not terminated")
            nl = self.s.find("\n", pos)
            line_end = self.n if nl < 0 else nl + 1
            line = self.s[pos:line_end]
            if line.strip() == marker:
                pos = line_end
                break
            body_lines.append(line)
            pos = line_end
        if indent:
            widths = [len(ln) - len(ln.lstrip(" \t")) for ln in body_lines if ln.strip()]
            cut = min(widths) if widths else 0
            body_lines = [ln[cut:] if ln.strip() else ln.lstrip(" \t") for ln in body_lines]
        body = "".join(body_lines).replace("\r\n", "\n")
        self.i = pos
        sub = _Parser(body)
        parts = sub.template_parts(quoted=False)
        node = Template(parts)
        node.src, node.start, node.end = self.s, start, pos
        return node

    def template_parts(self, quoted: bool) -> list[Any]:
        """Flat scan with strip markers applied, then nested into TIf / TFor."""
        flat: list[Any] = []  # str | ("interp", node, lstrip, rstrip) | ("dir", kw, payload, l, r)
        buf: list[str] = []
        s, n = self.s, self.n

        def flush() -> None:
            if buf:
                flat.append("".join(buf))
                buf.clear()

        while True:
            if self.i >= n:
                if quoted:
                    raise ExprSyntaxError("unterminated string")
                break
            c = s[self.i]
            if quoted and c == '"':
                self.i += 1
                break
            if quoted and c == "\\":
                buf.append(self.escape())
            elif s.startswith(("$${", "%%{"), self.i):
                buf.append(s[self.i + 1 : self.i + 3])
                self.i += 3
            elif s.startswith("${", self.i):
                flush()
                flat.append(self.interpolation())
            elif s.startswith("%{", self.i):
                flush()
                flat.append(self.directive())
            elif (m := _LITERAL_RUN.match(s, self.i)) and m.end() > self.i:
                # a run of plain characters at once (a character at a time is slow on big heredocs)
                buf.append(m.group(0))
                self.i = m.end()
            else:
                buf.append(c)
                self.i += 1
        flush()
        _apply_strip_markers(flat)
        parts, rest = _nest(flat, 0, ())
        if rest != len(flat):
            raise ExprSyntaxError("unbalanced template directives")
        return parts

    def escape(self) -> str:
        """The character of the escape sequence at the cursor (quoted templates only)."""
        s, i = self.s, self.i
        nxt = s[i + 1 : i + 2]
        if nxt in _ESCAPES:
            self.i += 2
            return _ESCAPES[nxt]
        if nxt == "u":
            self.i += 6
            return chr(int(s[i + 2 : i + 6], 16))
        if nxt == "U":
            self.i += 10
            return chr(int(s[i + 2 : i + 10], 16))
        raise ExprSyntaxError(f"bad escape \\{nxt}")

    def interpolation(self) -> tuple[str, Node, bool, bool]:
        """``${ expr }`` (with ``~`` strip markers) at the cursor."""
        self.i += 2
        lstrip = self.accept("~")
        expr = self.expression()
        rstrip = self.accept("~")
        self.expect("}")
        return ("interp", expr, lstrip, rstrip)

    def directive(self) -> tuple[str, str | None, Any, bool, bool]:
        """``%{ if … }`` / ``%{ for … in … }`` / ``%{ else }`` / ``%{ endif }`` / ``%{ endfor }``."""
        self.i += 2
        lstrip = self.accept("~")
        kw = self.ident()
        payload: Any = None
        if kw == "if":
            payload = self.expression()
        elif kw == "for":
            first = self.ident()
            second = self.ident() if self.accept(",") else None
            if first is None or self.ident() != "in":
                raise ExprSyntaxError("bad %{for} directive")
            coll = self.expression()
            payload = (None, first, coll) if second is None else (first, second, coll)
        elif kw not in ("else", "endif", "endfor"):
            raise ExprSyntaxError(f"unknown template directive {kw!r}")
        rstrip = self.accept("~")
        self.expect("}")
        return ("dir", kw, payload, lstrip, rstrip)


def _apply_strip_markers(flat: list[Any]) -> None:
    """``~`` trims the whitespace of the adjacent literal (in place)."""
    for k, part in enumerate(flat):
        if isinstance(part, tuple):
            lstrip, rstrip = part[-2], part[-1]
            if lstrip and k > 0 and isinstance(flat[k - 1], str):
                flat[k - 1] = flat[k - 1].rstrip()
            if rstrip and k + 1 < len(flat) and isinstance(flat[k + 1], str):
                flat[k + 1] = flat[k + 1].lstrip()


def _nest(flat: list[Any], k: int, stop: tuple[str, ...]) -> tuple[list[Any], int]:
    out: list[Any] = []
    while k < len(flat):
        part = flat[k]
        if isinstance(part, str):
            if part:
                out.append(part)
            k += 1
        elif part[0] == "interp":
            out.append(part[1])
            k += 1
        else:
            kw = part[1]
            if kw in stop:
                return out, k
            if kw == "if":
                yes, k = _nest(flat, k + 1, ("else", "endif"))
                no: list[Any] = []
                if k < len(flat) and flat[k][1] == "else":
                    no, k = _nest(flat, k + 1, ("endif",))
                if k >= len(flat) or flat[k][1] != "endif":
                    raise ExprSyntaxError("%{if} without %{endif}")
                out.append(TIf(part[2], yes, no))
                k += 1
            elif kw == "for":
                body, k = _nest(flat, k + 1, ("endfor",))
                if k >= len(flat) or flat[k][1] != "endfor":
                    raise ExprSyntaxError("%{for} without %{endfor}")
                kvar, vvar, coll = part[2]
                out.append(TFor(kvar, vvar, coll, body))
                k += 1
            else:
                raise ExprSyntaxError(f"unexpected %{{{kw}}}")
    return out, k


_PARSE_CACHE: dict[str, Node] = {}


def parse(text: str) -> Node:
    """Parse one expression (raises ExprSyntaxError). Cached by text: modules repeat expressions."""
    node = _PARSE_CACHE.get(text)
    if node is None:
        p = _Parser(text)
        node = p.expression()
        p.skip()
        if p.i != p.n:
            raise ExprSyntaxError(f"unexpected text after expression at offset {p.i}")
        if len(_PARSE_CACHE) > 50_000:
            _PARSE_CACHE.clear()
        _PARSE_CACHE[text] = node
    return node


def parse_template(text: str) -> Template:
    """A template file's content (templatefile())."""
    p = _Parser(text)
    node = Template(p.template_parts(quoted=False))
    node.src, node.start, node.end = text, 0, len(text)
    return node
