"""Evaluation: an AST from ``syntax.py`` and a :class:`~tfdrift_ci.inventory.expr.context.Ctx` → a value.

Values are plain Python: None, bool, int, float, str, list, dict, plus :class:`~tfdrift_ci.models.Unknown`
for anything that cannot be determined statically (data sources, unset variables, computed
attributes, functions we do not evaluate). An Unknown is never replaced by a guess; a template that
is partly known becomes ``Unknown(expr=<source>, pattern=<fnmatch glob>)``.

Two failure modes are kept apart on purpose: *unknown* (a value exists but we cannot see it) and
*error* (:class:`~tfdrift_ci.inventory.expr.convert.EvalError`: the expression would fail in
Terraform too, e.g. a missing map key). ``try()`` / ``can()`` catch errors exactly like Terraform;
anything else turns an error into an Unknown of the whole attribute.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from tfdrift_ci.inventory.expr.context import Ctx, Lazy, no_names
from tfdrift_ci.inventory.expr.convert import (
    MAX_STRING,
    EvalError,
    chars_over,
    equal,
    glob_escape,
    has_unknown,
    num,
    to_bool,
    to_number,
    to_str,
    type_name,
)
from tfdrift_ci.inventory.expr.functions import FILE_FUNCTIONS, FUNCTIONS
from tfdrift_ci.inventory.expr.functions._args import NeedKnown, TooLong, as_map, known
from tfdrift_ci.inventory.expr.functions.filesystem import read_file
from tfdrift_ci.inventory.expr.functions.strings import format_pattern
from tfdrift_ci.inventory.expr.syntax import (
    Binary,
    Call,
    Cond,
    ExprSyntaxError,
    ForNode,
    GetAttr,
    Index,
    Lit,
    Node,
    ObjectNode,
    Splat,
    Template,
    TFor,
    TIf,
    TupleNode,
    Unary,
    Var,
    parse,
    parse_template,
)
from tfdrift_ci.models import Unknown


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
            out[to_str(key)] = ev(vnode, ctx)
        return out
    if isinstance(node, Call):
        return _ev_call(node, ctx)
    if isinstance(node, Cond):
        cond = ev(node.cond, ctx)
        if isinstance(cond, Unknown):
            yes, no = _try_ev(node.yes, ctx), _try_ev(node.no, ctx)
            if yes == no and not isinstance(yes, (Unknown, _Failed)) and not has_unknown(yes):
                return yes
            return Unknown(node.text)
        return ev(node.yes if to_bool(cond) else node.no, ctx)
    if isinstance(node, Binary):
        return _ev_binary(node, ctx)
    if isinstance(node, Unary):
        x = ev(node.x, ctx)
        if isinstance(x, Unknown):
            return Unknown(node.text)
        if node.op == "!":
            return not to_bool(x)
        num = to_number(x)
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
    raise EvalError(f"cannot read attribute {name!r} of {type_name(obj)}")


def get_index(obj: Any, key: Any) -> Any:
    if isinstance(key, Unknown):
        return Unknown(key.expr)
    if isinstance(obj, Lazy):
        return obj.get_index(key)
    if isinstance(obj, Unknown):
        return Unknown(obj.expr)
    if isinstance(obj, dict):
        skey = to_str(key)
        if skey in obj:
            return obj[skey]
        raise EvalError(f"no key {skey!r}")
    if isinstance(obj, list):
        idx = int(to_number(key))
        if 0 <= idx < len(obj):
            return obj[idx]
        raise EvalError(f"index {idx} out of range")
    raise EvalError(f"cannot index {type_name(obj)}")


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
    if sum(len(text) for _, text in out) > MAX_STRING:
        return _too_long(node.text, ctx)
    if all(known for known, _ in out):
        return "".join(text for _, text in out)
    pattern = "".join(glob_escape(text) if known else "*" for known, text in out)
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
                _render(part.yes if to_bool(cond) else part.no, ctx, out)
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
                out.append((True, to_str(value)))


def _pattern_pieces(pattern: str) -> list[tuple[bool, str]]:
    # inverse of glob_escape for the simple patterns we build ourselves
    pieces: list[tuple[bool, str]] = []
    for k, chunk in enumerate(pattern.split("*")):
        if k:
            pieces.append((False, ""))
        if chunk:
            pieces.append((True, re.sub(r"\[([\[*?])\]", r"\1", chunk)))
    return pieces


def _iterate(coll: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(coll, dict):
        for k in sorted(coll):
            yield k, coll[k]
    elif isinstance(coll, list):
        yield from enumerate(coll)
    else:
        raise EvalError(f"cannot iterate over {type_name(coll)}")


def _ev_for(node: ForNode, ctx: Ctx) -> Any:
    coll = ev(node.coll, ctx)
    if isinstance(coll, Unknown):
        return Unknown(node.text)
    items: list[Any] = []
    obj: dict[str, Any] = {}
    built = 0  # characters of the strings the body produced: [for i in range(N) : "${big}${big}"]
    for k, v in _iterate(coll):
        names = {node.vvar: v}
        if node.kvar:
            names[node.kvar] = k
        sub = ctx.bind(names)
        if node.cond is not None:
            cond = ev(node.cond, sub)
            if isinstance(cond, Unknown):
                return Unknown(node.text)
            if not to_bool(cond):
                continue
        if node.is_obj and node.key is not None:
            key = ev(node.key, sub)
            if isinstance(key, Unknown):
                return Unknown(node.text)
            skey = to_str(key)
            value = ev(node.value, sub)
            built += len(skey) + (len(value) if isinstance(value, str) else 0)
            if node.group:
                obj.setdefault(skey, []).append(value)
            else:
                if skey in obj:
                    raise EvalError(f"duplicate key {skey!r} in for expression")
                obj[skey] = value
        else:
            items.append(ev(node.value, sub))
            built += len(items[-1]) if isinstance(items[-1], str) else 0
        if built > _MAX_ARGUMENTS:
            return _too_long(node.text, ctx)
    return obj if node.is_obj else items


def _ev_binary(node: Binary, ctx: Ctx) -> Any:
    op = node.op
    left = ev(node.left, ctx)
    if op in ("&&", "||") and not isinstance(left, Unknown):
        lb = to_bool(left)
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
        return to_bool(right)
    if op == "==":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    return _arithmetic(op, to_number(left), to_number(right))


def _arithmetic(op: str, a: int | float, b: int | float) -> Any:
    """The arithmetic and comparison operators, on numbers."""
    if op == "+":
        return num(a + b)
    if op == "-":
        return num(a - b)
    if op == "*":
        return num(a * b)
    if op == "/":
        if b == 0:
            raise EvalError("division by zero")
        return num(a / b)
    if op == "%":
        if b == 0:
            raise EvalError("division by zero")
        return num(math.fmod(a, b))
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    if op == ">=":
        return a >= b
    raise EvalError(f"unknown operator {op}")


def _ev_call(node: Call, ctx: Ctx) -> Any:
    name = node.name
    if name == "try":
        return _ev_try(node, ctx)
    if name == "can":
        return _ev_can(node, ctx)
    fn = FUNCTIONS.get(name)
    with_ctx = fn is None
    if fn is None:
        fn = _FILE_FUNCTIONS.get(name)
    if fn is None:
        return Unknown(node.text)  # a function we do not evaluate: unknown, not an error
    args = [ev(a, ctx) for a in node.args]
    if node.expand and args:
        last = known(args.pop()) if not isinstance(args[-1], Unknown) else None
        if last is None:
            return Unknown(node.text)
        args.extend(last if isinstance(last, list) else list(last.values()))
    if chars_over(args, _MAX_ARGUMENTS):
        return _too_long(node.text, ctx)  # join/format/jsonencode over it would copy it all
    try:
        result = fn(ctx, *args) if with_ctx else fn(*args)
    except NeedKnown:
        if name == "format":
            return Unknown(node.text, format_pattern(args))
        return Unknown(node.text)
    except EvalError:
        raise
    except (TooLong, MemoryError):
        return _too_long(node.text, ctx)  # a result over the cap, or too large to build at all
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as err:
        raise EvalError(f"{name}(): {err}") from None
    if isinstance(result, str) and len(result) > MAX_STRING:
        return _too_long(node.text, ctx)
    return result


# Characters a function's arguments may hold: a few strings at the cap (replace, format of two).
_MAX_ARGUMENTS = 4 * MAX_STRING
_NOTICE_EXPR = 80  # characters of the expression named in the notice


def _too_long(text: str, ctx: Ctx) -> Unknown:
    """A string over MAX_STRING (or arguments that would build one): unknown, with a notice."""
    expr = " ".join(text.split())
    if len(expr) > _NOTICE_EXPR:
        expr = expr[: _NOTICE_EXPR - 1] + "…"
    if ctx.notices is not None:
        ctx.notices[f"a string over 1 MiB was not built (unknown): {expr}"] = None
    return Unknown(expr)


def _ev_try(node: Call, ctx: Ctx) -> Any:
    """``try(a, b, …)``: the first argument that evaluates without an error (an unknown counts)."""
    for arg in node.args:
        try:
            value = ev(arg, ctx)
        except EvalError:
            continue
        if isinstance(value, Unknown):
            return Unknown(node.text, value.pattern)
        return value
    raise EvalError("no expression given to try() succeeded")


def _ev_can(node: Call, ctx: Ctx) -> Any:
    """``can(x)``: whether x evaluates without an error (unknown when x is unknown)."""
    if not node.args:
        raise EvalError("can() needs an argument")
    try:
        value = ev(node.args[0], ctx)
    except EvalError:
        return False
    return Unknown(node.text) if isinstance(value, Unknown) else True


_TEMPLATE_CACHE: dict[str, Template] = {}


def _templatefile(ctx: Ctx, path: Any, variables: Any = None) -> Any:
    """``templatefile(path, vars)``: the file read like file(), rendered with only ``vars`` in scope."""
    text = read_file(ctx, path, "templatefile")
    tmpl = _TEMPLATE_CACHE.get(text)
    if tmpl is None:
        try:
            tmpl = parse_template(text)
        except ExprSyntaxError as err:
            raise EvalError(f"templatefile: {err}") from None
        _TEMPLATE_CACHE[text] = tmpl
    names = dict(as_map(variables)) if variables is not None else {}
    sub = Ctx(no_names, ctx.cwd, names, ctx.allowed_dirs, ctx.reads, notices=ctx.notices)
    value = _ev_template(tmpl, sub)
    if isinstance(value, Unknown):
        raise NeedKnown
    return to_str(value) if not isinstance(value, str) else value


# file(), filebase64(), fileexists() and templatefile(): called with the context first
_FILE_FUNCTIONS: dict[str, Callable[..., Any]] = {**FILE_FUNCTIONS, "templatefile": _templatefile}
