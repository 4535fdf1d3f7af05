"""HCL expression parsing and evaluation (the Terraform language's expression subset we need).

The front end (``hcl.py``) hands us the *source text* of each attribute expression; this module
parses it (a small recursive-descent parser following the HCL native syntax spec:
https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md) and evaluates it against a
:class:`Ctx` supplied by the loader (variables, locals, module outputs, resources, ``each``/``count``).

Values are plain Python: None, bool, int, float, str, list, dict, plus :class:`~tfdrift_ci.models.Unknown`
for anything that cannot be determined statically (data sources, unset variables, computed
attributes, functions we do not evaluate). An Unknown is never replaced by a guess; a template that
is partly known becomes ``Unknown(expr=<source>, pattern=<fnmatch glob>)``.

Two failure modes are kept apart on purpose: *unknown* (a value exists but we cannot see it) and
*error* (:class:`EvalError`: the expression would fail in Terraform too, e.g. a missing map key).
``try()`` / ``can()`` catch errors exactly like Terraform; anything else turns an error into an
Unknown of the whole attribute.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tfdrift_ci.models import Unknown

# --------------------------------------------------------------------------------------------------
# errors and lazy values


class EvalError(Exception):
    """The expression fails (Terraform would fail too): caught by try()/can(), else → Unknown."""


class ExprSyntaxError(Exception):
    """Our expression parser could not read the text (python-hcl2 accepted it): → Unknown."""


class Lazy:
    """A value resolved on access (``var``, ``module.x``, ``aws_ecs_cluster.main``…)."""

    def get_attr(self, name: str) -> Any:
        raise EvalError(f"unsupported attribute {name!r}")

    def get_index(self, key: Any) -> Any:
        raise EvalError("cannot index this value")

    def materialize(self, expr: str) -> Any:
        """The whole value, when it leaves a traversal (into a function, a collection …)."""
        return Unknown(expr)


# --------------------------------------------------------------------------------------------------
# AST


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


# --------------------------------------------------------------------------------------------------
# parser

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
            value: Any = int(text) if m.group(1) is None and m.group(2) is None else _num(float(text))
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
                nxt = s[self.i + 1 : self.i + 2]
                if nxt in _ESCAPES:
                    buf.append(_ESCAPES[nxt])
                    self.i += 2
                elif nxt == "u":
                    buf.append(chr(int(s[self.i + 2 : self.i + 6], 16)))
                    self.i += 6
                elif nxt == "U":
                    buf.append(chr(int(s[self.i + 2 : self.i + 10], 16)))
                    self.i += 10
                else:
                    raise ExprSyntaxError(f"bad escape \\{nxt}")
                continue
            if s.startswith("$${", self.i) or s.startswith("%%{", self.i):
                buf.append(s[self.i + 1 : self.i + 3])
                self.i += 3
                continue
            if s.startswith("${", self.i):
                flush()
                self.i += 2
                lstrip = self.accept("~")
                expr = self.expression()
                rstrip = self.accept("~")
                self.expect("}")
                flat.append(("interp", expr, lstrip, rstrip))
                continue
            if s.startswith("%{", self.i):
                flush()
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
                flat.append(("dir", kw, payload, lstrip, rstrip))
                continue
            m = _LITERAL_RUN.match(s, self.i)
            if m and m.end() > self.i:
                # a run of plain characters at once (a character at a time is slow on big heredocs)
                buf.append(m.group(0))
                self.i = m.end()
                continue
            buf.append(c)
            self.i += 1
        flush()
        # strip markers: ~ trims the whitespace of the adjacent literal
        for k, part in enumerate(flat):
            if isinstance(part, tuple):
                lstrip, rstrip = part[-2], part[-1]
                if lstrip and k > 0 and isinstance(flat[k - 1], str):
                    flat[k - 1] = flat[k - 1].rstrip()
                if rstrip and k + 1 < len(flat) and isinstance(flat[k + 1], str):
                    flat[k + 1] = flat[k + 1].lstrip()
        parts, rest = _nest(flat, 0, ())
        if rest != len(flat):
            raise ExprSyntaxError("unbalanced template directives")
        return parts


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


# --------------------------------------------------------------------------------------------------
# evaluation context


class Ctx:
    """Names visible to an expression. ``resolve(name)`` answers the root names the loader owns
    (var, local, module, data, path, terraform, count, each, resource types); ``bindings`` holds
    for-expression / iterator variables layered on top. ``reads`` collects the files file() and
    templatefile() read (a change to them selects the root in --changed-only / pre-commit)."""

    __slots__ = ("allowed_dirs", "bindings", "cwd", "reads", "resolve")

    def __init__(
        self,
        resolve: Callable[[str], Any],
        cwd: str = ".",
        bindings: Mapping[str, Any] | None = None,
        allowed_dirs: tuple[str, ...] = (),
        reads: set[str] | None = None,
    ) -> None:
        self.resolve = resolve
        self.cwd = cwd
        self.bindings: Mapping[str, Any] = bindings or {}
        self.allowed_dirs = allowed_dirs
        self.reads = reads

    def bind(self, names: Mapping[str, Any]) -> Ctx:
        merged = dict(self.bindings)
        merged.update(names)
        return Ctx(self.resolve, self.cwd, merged, self.allowed_dirs, self.reads)

    def lookup(self, name: str) -> Any:
        if name in self.bindings:
            return self.bindings[name]
        return self.resolve(name)


def _no_names(name: str) -> Any:
    raise EvalError(f"unknown name {name!r}")


EMPTY_CTX = Ctx(_no_names)


def evaluate_text(text: str, ctx: Ctx) -> Any:
    """Evaluate source text at the top level: syntax we cannot read and errors become Unknown."""
    try:
        node = parse(text)
    except (ExprSyntaxError, ValueError, IndexError, RecursionError):
        return Unknown(text.strip())
    return evaluate(node, ctx)


def evaluate(node: Node, ctx: Ctx) -> Any:
    try:
        return ev(node, ctx)
    except (EvalError, RecursionError):
        return Unknown(node.text)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError, ZeroDivisionError):
        # a value shape this evaluator did not anticipate: the expression is unknown, never a crash
        return Unknown(node.text)


def materialize(value: Any, expr: str) -> Any:
    if isinstance(value, Lazy):
        return value.materialize(expr)
    return value


def ev(node: Node, ctx: Ctx) -> Any:
    """Evaluate; raises EvalError. Never returns a Lazy."""
    if isinstance(node, Lit):
        return node.value
    if isinstance(node, (Var, GetAttr, Index, Splat)):
        value = ev_ref(node, ctx)
        if isinstance(value, Lazy):
            value = value.materialize(node.text)
        elif isinstance(value, dict) and any(isinstance(v, Lazy) for v in value.values()):
            # `each` whose value is a resource instance (for_each chaining), read as a whole
            value = {k: materialize(v, f"{node.text}.{k}") for k, v in value.items()}
        if isinstance(value, Unknown) and value.expr != node.text and _root_name(node) not in ctx.bindings:
            # name the unknown by what the expression reads (data.x.y.id), except for iteration
            # variables, whose unknown keeps the expression it came from
            return Unknown(node.text, value.pattern)
        return value
    if isinstance(node, Template):
        return _ev_template(node, ctx)
    if isinstance(node, TupleNode):
        return [ev(item, ctx) for item in node.items]
    if isinstance(node, ObjectNode):
        out: dict[str, Any] = {}
        for knode, vnode in node.items:
            key = ev(knode, ctx)
            if isinstance(key, Unknown):
                return Unknown(node.text)
            out[_to_str(key)] = ev(vnode, ctx)
        return out
    if isinstance(node, Call):
        return _ev_call(node, ctx)
    if isinstance(node, Cond):
        cond = ev(node.cond, ctx)
        if isinstance(cond, Unknown):
            yes, no = _try_ev(node.yes, ctx), _try_ev(node.no, ctx)
            if yes == no and not isinstance(yes, (Unknown, _Failed)) and not _has_unknown(yes):
                return yes
            return Unknown(node.text)
        return ev(node.yes if _to_bool(cond) else node.no, ctx)
    if isinstance(node, Binary):
        return _ev_binary(node, ctx)
    if isinstance(node, Unary):
        x = ev(node.x, ctx)
        if isinstance(x, Unknown):
            return Unknown(node.text)
        if node.op == "!":
            return not _to_bool(x)
        num = _to_number(x)
        return -num
    if isinstance(node, ForNode):
        return _ev_for(node, ctx)
    raise EvalError(f"cannot evaluate {type(node).__name__}")


def _root_name(node: Node) -> str | None:
    while isinstance(node, (GetAttr, Index, Splat)):
        node = node.obj
    return node.name if isinstance(node, Var) else None


class _Failed:
    pass


def _try_ev(node: Node, ctx: Ctx) -> Any:
    try:
        return ev(node, ctx)
    except EvalError:
        return _Failed()


def ev_ref(node: Node, ctx: Ctx) -> Any:
    """Traversals may pass Lazy values between steps."""
    if isinstance(node, Var):
        return ctx.lookup(node.name)
    if isinstance(node, GetAttr):
        obj = ev_ref(node.obj, ctx)
        return get_attr(obj, node.name)
    if isinstance(node, Index):
        obj = ev_ref(node.obj, ctx)
        key = ev(node.key, ctx)
        return get_index(obj, key)
    if isinstance(node, Splat):
        obj = ev_ref(node.obj, ctx)
        if isinstance(obj, Lazy):
            obj = obj.materialize(node.obj.text)
        if isinstance(obj, Unknown):
            return Unknown(node.text)
        if obj is None:
            return []
        items = list(obj.values()) if isinstance(obj, dict) else obj if isinstance(obj, list) else [obj]
        out = []
        for item in items:
            value = item
            for kind, arg in node.steps:
                value = get_attr(value, arg) if kind == "attr" else get_index(value, ev(arg, ctx))
            out.append(materialize(value, node.text))
        return out
    return ev(node, ctx)


def get_attr(obj: Any, name: str) -> Any:
    if isinstance(obj, Lazy):
        return obj.get_attr(name)
    if isinstance(obj, Unknown):
        return Unknown(obj.expr)
    if isinstance(obj, dict):
        if name in obj:
            return obj[name]
        raise EvalError(f"no attribute {name!r}")
    raise EvalError(f"cannot read attribute {name!r} of {_type_name(obj)}")


def get_index(obj: Any, key: Any) -> Any:
    if isinstance(key, Unknown):
        return Unknown(key.expr)
    if isinstance(obj, Lazy):
        return obj.get_index(key)
    if isinstance(obj, Unknown):
        return Unknown(obj.expr)
    if isinstance(obj, dict):
        skey = _to_str(key)
        if skey in obj:
            return obj[skey]
        raise EvalError(f"no key {skey!r}")
    if isinstance(obj, list):
        idx = int(_to_number(key))
        if 0 <= idx < len(obj):
            return obj[idx]
        raise EvalError(f"index {idx} out of range")
    raise EvalError(f"cannot index {_type_name(obj)}")


def _ev_template(node: Template, ctx: Ctx) -> Any:
    parts = node.parts
    # "${x}" alone yields x itself, unconverted (HCL spec: template with a single interpolation)
    if len(parts) == 1 and isinstance(parts[0], Node):
        value = ev(parts[0], ctx)
        if isinstance(value, Unknown):
            return Unknown(node.text, value.pattern)
        return value
    out: list[tuple[bool, str]] = []  # (known, text)
    _render(parts, ctx, out)
    if all(known for known, _ in out):
        return "".join(text for _, text in out)
    pattern = "".join(_glob_escape(text) if known else "*" for known, text in out)
    pattern = re.sub(r"\*+", "*", pattern)
    return Unknown(node.text, None if pattern.strip("*") == "" else pattern)


def _render(parts: list[Any], ctx: Ctx, out: list[tuple[bool, str]]) -> None:
    for part in parts:
        if isinstance(part, str):
            out.append((True, part))
        elif isinstance(part, TIf):
            cond = ev(part.cond, ctx)
            if isinstance(cond, Unknown):
                out.append((False, ""))
            else:
                _render(part.yes if _to_bool(cond) else part.no, ctx, out)
        elif isinstance(part, TFor):
            coll = ev(part.coll, ctx)
            if isinstance(coll, Unknown):
                out.append((False, ""))
                continue
            for k, v in _iterate(coll):
                names = {part.vvar: v}
                if part.kvar:
                    names[part.kvar] = k
                _render(part.body, ctx.bind(names), out)
        else:
            value = ev(part, ctx)
            if isinstance(value, Unknown):
                if value.pattern:
                    # keep what is known of a partly known piece
                    out.append((True, ""))
                    out.extend(_pattern_pieces(value.pattern))
                else:
                    out.append((False, ""))
            else:
                out.append((True, _to_str(value)))


def _pattern_pieces(pattern: str) -> list[tuple[bool, str]]:
    # inverse of _glob_escape for the simple patterns we build ourselves
    pieces: list[tuple[bool, str]] = []
    for k, chunk in enumerate(pattern.split("*")):
        if k:
            pieces.append((False, ""))
        if chunk:
            pieces.append((True, re.sub(r"\[([\[*?])\]", r"\1", chunk)))
    return pieces


def _glob_escape(text: str) -> str:
    return re.sub(r"([\[*?])", r"[\1]", text)


def _iterate(coll: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(coll, dict):
        for k in sorted(coll):
            yield k, coll[k]
    elif isinstance(coll, list):
        yield from enumerate(coll)
    else:
        raise EvalError(f"cannot iterate over {_type_name(coll)}")


def _ev_for(node: ForNode, ctx: Ctx) -> Any:
    coll = ev(node.coll, ctx)
    if isinstance(coll, Unknown):
        return Unknown(node.text)
    items: list[Any] = []
    obj: dict[str, Any] = {}
    for k, v in _iterate(coll):
        names = {node.vvar: v}
        if node.kvar:
            names[node.kvar] = k
        sub = ctx.bind(names)
        if node.cond is not None:
            cond = ev(node.cond, sub)
            if isinstance(cond, Unknown):
                return Unknown(node.text)
            if not _to_bool(cond):
                continue
        if node.is_obj and node.key is not None:
            key = ev(node.key, sub)
            if isinstance(key, Unknown):
                return Unknown(node.text)
            skey = _to_str(key)
            value = ev(node.value, sub)
            if node.group:
                obj.setdefault(skey, []).append(value)
            else:
                if skey in obj:
                    raise EvalError(f"duplicate key {skey!r} in for expression")
                obj[skey] = value
        else:
            items.append(ev(node.value, sub))
    return obj if node.is_obj else items


def _ev_binary(node: Binary, ctx: Ctx) -> Any:
    op = node.op
    left = ev(node.left, ctx)
    if op in ("&&", "||") and not isinstance(left, Unknown):
        lb = _to_bool(left)
        if op == "&&" and not lb:
            return False
        if op == "||" and lb:
            return True
    right = ev(node.right, ctx)
    if op in ("==", "!=") and (left is None) != (right is None):
        # `x != null` with x unknown: values we cannot see are taken as non-null (Terraform 1.6
        # refines most unknowns the same way), so modules that filter nulls out of an object
        # (`{ for k, v in local.definition : k => v if v != null }`) keep their known entries.
        return op == "!="
    if op == "&&" and right is False:
        return False
    if op == "||" and right is True:
        return True
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return Unknown(node.text)
    if op in ("&&", "||"):
        return _to_bool(right)
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    a, b = _to_number(left), _to_number(right)
    if op == "+":
        return _num(a + b)
    if op == "-":
        return _num(a - b)
    if op == "*":
        return _num(a * b)
    if op == "/":
        if b == 0:
            raise EvalError("division by zero")
        return _num(a / b)
    if op == "%":
        if b == 0:
            raise EvalError("division by zero")
        return _num(math.fmod(a, b))
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    if op == ">=":
        return a >= b
    raise EvalError(f"unknown operator {op}")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    if isinstance(a, str) != isinstance(b, str):
        return False
    return bool(a == b)


# --------------------------------------------------------------------------------------------------
# conversions


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def _num(x: float | int) -> int | float:
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**63:
        return int(x)
    return x


def _to_number(v: Any) -> int | float:
    if isinstance(v, bool) or v is None:
        raise EvalError(f"a number is required, got {_type_name(v)}")
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        try:
            return _num(float(v)) if any(c in v for c in ".eE") else int(v)
        except ValueError:
            raise EvalError(f"cannot convert {v!r} to number") from None
    raise EvalError(f"a number is required, got {_type_name(v)}")


def _to_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if v == "true":
        return True
    if v == "false":
        return False
    raise EvalError(f"a bool is required, got {_type_name(v)}")


def _to_str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(_num(v)) if v.is_integer() else repr(v)
    if isinstance(v, str):
        return v
    if isinstance(v, Unknown):
        raise EvalError("unknown")
    raise EvalError(f"cannot convert {_type_name(v)} to string")


def _has_unknown(v: Any) -> bool:
    if isinstance(v, Unknown):
        return True
    if isinstance(v, dict):
        return any(_has_unknown(x) for x in v.values())
    if isinstance(v, list):
        return any(_has_unknown(x) for x in v)
    return False


MAX_VALUE_NODES = 50_000


def too_big(value: Any, budget: int = MAX_VALUE_NODES) -> bool:
    """True when walking ``value`` visits more than ``budget`` nodes (shared sub-values counted
    each time they are reached, which is what every later walk will pay)."""
    remaining = budget
    stack = [value]
    while stack:
        v = stack.pop()
        remaining -= 1
        if remaining < 0:
            return True
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def has_unknown(v: Any) -> bool:
    return _has_unknown(v)


def unknown_paths(value: Any, prefix: str = "") -> list[str]:
    """Dotted paths of every Unknown inside a value (list indexes appear as ``.0``)."""
    if isinstance(value, Unknown):
        return [prefix] if prefix else ["."]
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(unknown_paths(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list):
        for k, v in enumerate(value):
            out.extend(unknown_paths(v, f"{prefix}.{k}" if prefix else str(k)))
    return out


# --------------------------------------------------------------------------------------------------
# functions (https://developer.hashicorp.com/terraform/language/functions)


class _NeedKnown(Exception):
    """A function met an Unknown where it needs a value: the call is Unknown."""


def _k(v: Any) -> Any:
    if isinstance(v, Unknown):
        raise _NeedKnown
    return v


def _deep_k(v: Any) -> Any:
    if _has_unknown(v):
        raise _NeedKnown
    return v


def _ev_call(node: Call, ctx: Ctx) -> Any:
    name = node.name
    if name == "try":
        for arg in node.args:
            try:
                value = ev(arg, ctx)
            except EvalError:
                continue
            if isinstance(value, Unknown):
                return Unknown(node.text, value.pattern)
            return value
        raise EvalError("no expression given to try() succeeded")
    if name == "can":
        if not node.args:
            raise EvalError("can() needs an argument")
        try:
            value = ev(node.args[0], ctx)
        except EvalError:
            return False
        return Unknown(node.text) if isinstance(value, Unknown) else True
    fn = FUNCTIONS.get(name)
    if fn is None:
        return Unknown(node.text)  # a function we do not evaluate: unknown, not an error
    args = [ev(a, ctx) for a in node.args]
    if node.expand and args:
        last = _k(args.pop()) if not isinstance(args[-1], Unknown) else None
        if last is None:
            return Unknown(node.text)
        args.extend(last if isinstance(last, list) else list(last.values()))
    try:
        if name in ("file", "templatefile", "fileexists", "filebase64"):
            return fn(ctx, *args)
        return fn(*args)
    except _NeedKnown:
        if name == "format":
            return Unknown(node.text, _format_pattern(args))
        return Unknown(node.text)
    except EvalError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as err:
        raise EvalError(f"{name}(): {err}") from None


def _strs(items: Any) -> list[str]:
    return [_to_str(_k(x)) for x in _list(items)]


def _list(v: Any) -> list[Any]:
    v = _k(v)
    if isinstance(v, list):
        return v
    if isinstance(v, dict):
        return list(v.values())
    raise EvalError(f"a list is required, got {_type_name(v)}")


def _map(v: Any) -> dict[str, Any]:
    v = _k(v)
    if isinstance(v, dict):
        return v
    raise EvalError(f"a map is required, got {_type_name(v)}")


def _set(items: Any) -> list[Any]:
    """Terraform sets of strings iterate in lexical order; other sets keep first-seen order."""
    out: list[Any] = []
    for x in _list(items):
        _deep_k(x)
        if x not in out:
            out.append(x)
    if all(isinstance(x, str) for x in out):
        out.sort()
    return out


def _format(fmt: Any, *args: Any) -> str:
    fmt = _to_str(_k(fmt))
    out: list[str] = []
    it = iter(args)
    k = 0
    while k < len(fmt):
        c = fmt[k]
        if c != "%":
            out.append(c)
            k += 1
            continue
        m = re.compile(r"%([-+ #0]*)(\d+)?(?:\.(\d+))?([%vsdqtbfeEgGxXo])").match(fmt, k)
        if not m:
            raise EvalError(f"bad format verb at {fmt[k:]!r}")
        k = m.end()
        flags, width, prec, verb = m.groups()
        if verb == "%":
            out.append("%")
            continue
        try:
            arg = _k(next(it))
        except StopIteration:
            raise EvalError("not enough arguments for format") from None
        if verb in "vs":
            text = _to_str(arg) if not isinstance(arg, (list, dict)) else json.dumps(arg)
        elif verb == "q":
            text = json.dumps(_to_str(arg))
        elif verb == "t":
            text = _to_str(_to_bool(arg))
        elif verb in "dxXob":
            num = int(_to_number(arg))
            text = format(num, {"d": "d", "x": "x", "X": "X", "o": "o", "b": "b"}[verb])
        else:
            num_f = float(_to_number(arg))
            text = format(num_f, f".{prec or 6}{verb}")
        if width:
            w = int(width)
            if w > _MAX_PAD:
                raise EvalError("format width too large")
            fill = "0" if "0" in (flags or "") else " "
            text = text.ljust(w) if "-" in (flags or "") else text.rjust(w, fill)
        out.append(text)
    return "".join(out)


_HOLE = "\x00hole\x00"
_MAX_PAD = 10_000  # format widths / indent: hostile configuration must not allocate gigabytes


def _format_pattern(args: list[Any]) -> str | None:
    """``format("%s-api", var.env)`` with env unknown → ``*-api`` (only %s/%v holes)."""
    if not args or not isinstance(args[0], str):
        return None
    filled = [_HOLE if isinstance(a, Unknown) and a.pattern is None else a for a in args[1:]]
    filled = [_HOLE if isinstance(a, Unknown) else a for a in filled]
    try:
        text = _format(args[0], *filled)
    except (EvalError, _NeedKnown, ValueError, TypeError):
        return None
    if _HOLE not in text:
        return None
    pattern = "*".join(_glob_escape(piece) for piece in text.split(_HOLE))
    pattern = re.sub(r"\*+", "*", pattern)
    return None if pattern.strip("*") == "" else pattern


def _replace(s: Any, old: Any, new: Any) -> str:
    text, pattern, repl = _to_str(_k(s)), _to_str(_k(old)), _to_str(_k(new))
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        # Terraform uses RE2 (linear time); Python's backtracking re on a pattern from untrusted
        # configuration could hang the run (ReDoS), so regex replacements stay unknown.
        raise _NeedKnown
    return text.replace(pattern, repl)


def _lookup(m: Any, key: Any, *default: Any) -> Any:
    m = _map(m)
    skey = _to_str(_k(key))
    if skey in m:
        return m[skey]
    if default:
        return default[0]
    raise EvalError(f"lookup: no key {skey!r}")


def _merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        if m is None:
            continue
        out.update(_map(m))
    return out


def _coalesce(*args: Any) -> Any:
    for a in args:
        if isinstance(a, Unknown):
            raise _NeedKnown
        if a is not None and a != "":
            return a
    raise EvalError("coalesce: no non-null, non-empty argument")


def _coalescelist(*args: Any) -> Any:
    for a in args:
        lst = _list(a)
        if lst:
            return lst
    return []


def _flatten(v: Any) -> list[Any]:
    out: list[Any] = []
    for x in _list(v):
        if isinstance(x, list):
            out.extend(_flatten(x))
        else:
            out.append(_k(x) if isinstance(x, Unknown) else x)
    return out


def _element(lst: Any, idx: Any) -> Any:
    items = _list(lst)
    if not items:
        raise EvalError("element() of an empty list")
    return items[int(_to_number(_k(idx))) % len(items)]


def _length(v: Any) -> int:
    v = _k(v)
    if isinstance(v, str):
        return len(v)
    if isinstance(v, (list, dict)):
        return len(v)
    raise EvalError(f"length() of {_type_name(v)}")


def _substr(s: Any, offset: Any, length: Any) -> str:
    text = _to_str(_k(s))
    off, ln = int(_to_number(_k(offset))), int(_to_number(_k(length)))
    if off < 0:
        off = max(0, len(text) + off)
    return text[off:] if ln < 0 else text[off : off + ln]


def _jsonencode(v: Any) -> str:
    _deep_k(v)
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def _jsondecode(s: Any) -> Any:
    try:
        return json.loads(_to_str(_k(s)))
    except json.JSONDecodeError as err:
        raise EvalError(f"jsondecode: {err}") from None


_MAX_FILE = 2 * 1024 * 1024


def _read_file(ctx: Ctx, path: Any) -> str:
    rel = _to_str(_k(path))
    full = rel if os.path.isabs(rel) else os.path.join(ctx.cwd, rel)
    real = os.path.realpath(full)
    # file() may only read inside the scanned project and the modules it reads: configuration
    # from a pull request must not make us print arbitrary files of the CI machine.
    if ctx.allowed_dirs and not any(
        real == d or real.startswith(d.rstrip(os.sep) + os.sep) for d in ctx.allowed_dirs
    ):
        raise _NeedKnown
    if ctx.reads is not None:
        ctx.reads.add(os.path.abspath(full))
    try:
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_FILE:
            raise _NeedKnown
        with open(real, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError):
        raise EvalError(f"file {rel!r} cannot be read") from None


def _fileexists(ctx: Ctx, path: Any) -> bool:
    rel = _to_str(_k(path))
    full = rel if os.path.isabs(rel) else os.path.join(ctx.cwd, rel)
    return os.path.isfile(full)


def _filebase64(ctx: Ctx, path: Any) -> str:
    return base64.b64encode(_read_file(ctx, path).encode()).decode()


_TEMPLATE_CACHE: dict[str, Template] = {}


def _templatefile(ctx: Ctx, path: Any, variables: Any = None) -> Any:
    text = _read_file(ctx, path)
    tmpl = _TEMPLATE_CACHE.get(text)
    if tmpl is None:
        try:
            tmpl = parse_template(text)
        except ExprSyntaxError as err:
            raise EvalError(f"templatefile: {err}") from None
        _TEMPLATE_CACHE[text] = tmpl
    names = dict(_map(variables)) if variables is not None else {}
    sub = Ctx(_no_names, ctx.cwd, names, ctx.allowed_dirs, ctx.reads)
    value = _ev_template(tmpl, sub)
    if isinstance(value, Unknown):
        raise _NeedKnown
    return _to_str(value) if not isinstance(value, str) else value


def _tostring(v: Any) -> Any:
    v = _k(v)
    if v is None:
        return None
    return _to_str(v)


def _tonumber(v: Any) -> Any:
    v = _k(v)
    return None if v is None else _to_number(v)


def _tobool(v: Any) -> Any:
    v = _k(v)
    return None if v is None else _to_bool(v)


def _tomap(v: Any) -> dict[str, Any]:
    return dict(_map(v))


def _keys(v: Any) -> list[str]:
    return sorted(_map(v))


def _values(v: Any) -> list[Any]:
    m = _map(v)
    return [m[k] for k in sorted(m)]


def _contains(lst: Any, value: Any) -> bool:
    _k(value)
    items = _list(lst)
    if any(isinstance(x, Unknown) for x in items):
        if any(_equal(x, value) for x in items if not isinstance(x, Unknown)):
            return True
        raise _NeedKnown
    return any(_equal(x, value) for x in items)


def _split(sep: Any, s: Any) -> list[str]:
    return _to_str(_k(s)).split(_to_str(_k(sep)))


def _join(sep: Any, *lists: Any) -> str:
    out: list[str] = []
    for lst in lists:
        out.extend(_strs(lst))
    return _to_str(_k(sep)).join(out)


def _concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for lst in lists:
        out.extend(_list(lst))
    return out


def _distinct(lst: Any) -> list[Any]:
    out: list[Any] = []
    for x in _list(lst):
        if x not in out:
            out.append(x)
    return out


def _compact(lst: Any) -> list[Any]:
    return [x for x in _list(lst) if _k(x) not in (None, "")]


def _zipmap(keys: Any, values: Any) -> dict[str, Any]:
    return dict(zip(_strs(keys), _list(values), strict=True))


def _range(*args: Any) -> list[Any]:
    nums: list[int | float] = [_to_number(_k(a)) for a in args]
    start: int | float
    stop: int | float
    step: int | float
    if len(nums) == 1:
        start, stop, step = 0, nums[0], 1
    elif len(nums) == 2:
        start, stop, step = nums[0], nums[1], 1
    else:
        start, stop, step = nums[0], nums[1], nums[2]
    if step == 0 or abs((stop - start) / step) > 10_000:
        raise EvalError("range() too large or zero step")
    out: list[Any] = []
    x = start
    while (step > 0 and x < stop) or (step < 0 and x > stop):
        out.append(_num(x))
        x += step
    return out


def _one(lst: Any) -> Any:
    items = _list(lst)
    if len(items) > 1:
        raise EvalError("one() of more than one element")
    return items[0] if items else None


def _min(*args: Any) -> Any:
    return _num(min(_to_number(_k(a)) for a in args))


def _max(*args: Any) -> Any:
    return _num(max(_to_number(_k(a)) for a in args))


def _slice(lst: Any, start: Any, end: Any) -> list[Any]:
    return _list(lst)[int(_to_number(_k(start))) : int(_to_number(_k(end)))]


def _index(lst: Any, value: Any) -> int:
    items = _list(lst)
    for k, x in enumerate(items):
        if _equal(_k(x), _k(value)):
            return k
    raise EvalError("index(): value not in list")


def _indent(n: Any, s: Any) -> str:
    count = int(_to_number(_k(n)))
    if count > _MAX_PAD:
        raise EvalError("indent too large")
    pad = " " * count
    return _to_str(_k(s)).replace("\n", "\n" + pad)


def _hash(algo: str) -> Callable[[Any], str]:
    def fn(s: Any) -> str:
        return hashlib.new(algo, _to_str(_k(s)).encode()).hexdigest()

    return fn


def _str1(f: Callable[[str], Any]) -> Callable[[Any], Any]:
    def fn(s: Any) -> Any:
        return f(_to_str(_k(s)))

    return fn


def _setunion(*sets: Any) -> list[Any]:
    return _set(_concat(*sets))


def _setintersection(first: Any, *rest: Any) -> list[Any]:
    base = _set(first)
    for other in rest:
        items = _set(other)
        base = [x for x in base if x in items]
    return base


def _sort(lst: Any) -> list[str]:
    return sorted(_strs(lst))


def _alltrue(lst: Any) -> bool:
    return all(_to_bool(_k(x)) for x in _list(lst))


def _anytrue(lst: Any) -> bool:
    return any(_to_bool(_k(x)) for x in _list(lst))


def _chunklist(lst: Any, size: Any) -> list[list[Any]]:
    items, n = _list(lst), int(_to_number(_k(size)))
    if n <= 0:
        return [items]
    return [items[k : k + n] for k in range(0, len(items), n)]


def _trim(s: Any, chars: Any) -> str:
    return _to_str(_k(s)).strip(_to_str(_k(chars)))


def _trimprefix(s: Any, p: Any) -> str:
    return _to_str(_k(s)).removeprefix(_to_str(_k(p)))


def _trimsuffix(s: Any, p: Any) -> str:
    return _to_str(_k(s)).removesuffix(_to_str(_k(p)))


def _startswith(s: Any, p: Any) -> bool:
    return _to_str(_k(s)).startswith(_to_str(_k(p)))


def _endswith(s: Any, p: Any) -> bool:
    return _to_str(_k(s)).endswith(_to_str(_k(p)))


def _reverse(lst: Any) -> list[Any]:
    return list(reversed(_list(lst)))


def _sum(lst: Any) -> Any:
    return _num(sum(_to_number(_k(x)) for x in _list(lst)))


def _parseint(s: Any, base: Any) -> int:
    return int(_to_str(_k(s)), int(_to_number(_k(base))))


def _signum(x: Any) -> int:
    n = _to_number(_k(x))
    return (n > 0) - (n < 0)


def _abs(x: Any) -> Any:
    return abs(_to_number(_k(x)))


def _pow(a: Any, b: Any) -> Any:
    return _num(float(_to_number(_k(a))) ** float(_to_number(_k(b))))


def _tolist(v: Any) -> list[Any]:
    return list(_list(v))


def _b64enc(s: Any) -> str:
    return base64.b64encode(_to_str(_k(s)).encode()).decode()


def _b64dec(s: Any) -> str:
    return base64.b64decode(_to_str(_k(s))).decode()


def _basename(s: Any) -> str:
    return os.path.basename(_to_str(_k(s)))


def _dirname(s: Any) -> str:
    return os.path.dirname(_to_str(_k(s)))


def _transpose(m: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k in sorted(_map(m)):
        for v in _strs(_map(m)[k]):
            out.setdefault(v, []).append(k)
    return {k: sorted(v) for k, v in out.items()}


def _setsubtract(a: Any, b: Any) -> list[Any]:
    other = _set(b)
    return [x for x in _set(a) if x not in other]


def _setproduct(*sets: Any) -> list[list[Any]]:
    out: list[list[Any]] = [[]]
    for s in sets:
        items = _list(s)
        if len(out) * max(1, len(items)) > 10_000:
            raise EvalError("setproduct too large")
        out = [[*prefix, x] for prefix in out for x in items]
    return out


def _strcontains(s: Any, sub: Any) -> bool:
    return _to_str(_k(sub)) in _to_str(_k(s))


def _urlencode(s: Any) -> str:
    from urllib.parse import quote

    return quote(_to_str(_k(s)), safe="")


def _yamldecode(s: Any) -> Any:
    import yaml

    try:
        value = yaml.safe_load(_to_str(_k(s)))
    except yaml.YAMLError as err:
        raise EvalError(f"yamldecode: {str(err).splitlines()[0]}") from None
    if too_big(value):  # YAML aliases share sub-values: a "billion laughs" document stays unknown
        raise _NeedKnown
    return _plain_yaml(value)


def _plain_yaml(value: Any) -> Any:
    """YAML scalars Terraform does not have (dates…) become strings."""
    if isinstance(value, dict):
        return {str(k): _plain_yaml(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_yaml(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _matchkeys(values: Any, keys: Any, search: Any) -> list[Any]:
    wanted = _list(search)
    return [v for v, k in zip(_list(values), _list(keys), strict=True) if _k(k) in wanted]


def _formatlist(fmt: Any, *args: Any) -> list[str]:
    lists = [_list(a) if isinstance(a, list) else None for a in args]
    n = max((len(x) for x in lists if x is not None), default=0)
    rows = []
    for k in range(n):
        row = [lst[k] if lst is not None else arg for lst, arg in zip(lists, args, strict=True)]
        rows.append(_format(fmt, *row))
    return rows


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": _abs,
    "nonsensitive": lambda v: v,  # sensitivity does not change the value
    "sensitive": lambda v: v,
    "alltrue": _alltrue,
    "anytrue": _anytrue,
    "base64decode": _b64dec,
    "base64encode": _b64enc,
    "basename": _basename,
    "ceil": lambda x: math.ceil(_to_number(_k(x))),
    "chomp": _str1(lambda s: s.rstrip("\r\n")),
    "chunklist": _chunklist,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "compact": _compact,
    "concat": _concat,
    "contains": _contains,
    "dirname": _dirname,
    "distinct": _distinct,
    "element": _element,
    "endswith": _endswith,
    "file": _read_file,
    "filebase64": _filebase64,
    "fileexists": _fileexists,
    "flatten": _flatten,
    "floor": lambda x: math.floor(_to_number(_k(x))),
    "format": _format,
    "formatlist": _formatlist,
    "indent": _indent,
    "index": _index,
    "join": _join,
    "jsondecode": _jsondecode,
    "jsonencode": _jsonencode,
    "keys": _keys,
    "length": _length,
    "lookup": _lookup,
    "lower": _str1(str.lower),
    "max": _max,
    "md5": _hash("md5"),
    "matchkeys": _matchkeys,
    "merge": _merge,
    "min": _min,
    "one": _one,
    "parseint": _parseint,
    "pow": _pow,
    "range": _range,
    "replace": _replace,
    "reverse": _reverse,
    "setintersection": _setintersection,
    "setproduct": _setproduct,
    "setsubtract": _setsubtract,
    "setunion": _setunion,
    "sha1": _hash("sha1"),
    "sha256": _hash("sha256"),
    "sha512": _hash("sha512"),
    "signum": _signum,
    "slice": _slice,
    "sort": _sort,
    "split": _split,
    "startswith": _startswith,
    "strcontains": _strcontains,
    "strrev": _str1(lambda s: s[::-1]),
    "substr": _substr,
    "sum": _sum,
    "templatefile": _templatefile,
    "title": _str1(lambda s: re.sub(r"\b([a-z])", lambda m: m.group(1).upper(), s)),
    "tobool": _tobool,
    "tolist": _tolist,
    "tomap": _tomap,
    "tonumber": _tonumber,
    "toset": _set,
    "tostring": _tostring,
    "transpose": _transpose,
    "trim": _trim,
    "trimprefix": _trimprefix,
    "trimspace": _str1(str.strip),
    "trimsuffix": _trimsuffix,
    "upper": _str1(str.upper),
    "urlencode": _urlencode,
    "values": _values,
    "yamldecode": _yamldecode,
    "zipmap": _zipmap,
}
# Deliberately absent (→ Unknown): timestamp, uuid, bcrypt, … (non-deterministic) and anything that
# reads the outside world besides file()/templatefile() inside the project.
