"""String functions (Terraform's "String Functions"), and the pattern ``format()`` leaves when some
of its arguments are unknown (``format("%s-api", var.env)`` → ``*-api``).
https://developer.hashicorp.com/terraform/language/functions

Regular expressions are not evaluated (see ``_replace``); widths and indents are capped
(``_args.MAX_PAD``), and so is every result (``convert.MAX_STRING``: checked before a result that
multiplies its input is built)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from tfdrift_ci.inventory.expr.convert import EvalError, glob_escape, to_bool, to_number, to_str
from tfdrift_ci.inventory.expr.functions._args import MAX_PAD, NeedKnown, as_list, cap, known, strs
from tfdrift_ci.models import Unknown


def _format(fmt: Any, *args: Any) -> str:
    fmt = to_str(known(fmt))
    out: list[str] = []
    length = 0
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
            arg = known(next(it))
        except StopIteration:
            raise EvalError("not enough arguments for format") from None
        if verb in "vs":
            text = to_str(arg) if not isinstance(arg, (list, dict)) else json.dumps(arg)
        elif verb == "q":
            text = json.dumps(to_str(arg))
        elif verb == "t":
            text = to_str(to_bool(arg))
        elif verb in "dxXob":
            num = int(to_number(arg))
            text = format(num, {"d": "d", "x": "x", "X": "X", "o": "o", "b": "b"}[verb])
        else:
            num_f = float(to_number(arg))
            text = format(num_f, f".{prec or 6}{verb}")
        if width:
            w = int(width)
            if w > MAX_PAD:
                raise EvalError("format width too large")
            fill = "0" if "0" in (flags or "") else " "
            text = text.ljust(w) if "-" in (flags or "") else text.rjust(w, fill)
        length += len(text)
        cap(length)
        out.append(text)
    return "".join(out)


_HOLE = "\x00hole\x00"


def format_pattern(args: list[Any]) -> str | None:
    """``format("%s-api", var.env)`` with env unknown → ``*-api`` (only %s/%v holes)."""
    if not args or not isinstance(args[0], str):
        return None
    filled = [_HOLE if isinstance(a, Unknown) and a.pattern is None else a for a in args[1:]]
    filled = [_HOLE if isinstance(a, Unknown) else a for a in filled]
    try:
        text = _format(args[0], *filled)
    except (EvalError, NeedKnown, ValueError, TypeError):
        return None
    if _HOLE not in text:
        return None
    pattern = "*".join(glob_escape(piece) for piece in text.split(_HOLE))
    pattern = re.sub(r"\*+", "*", pattern)
    return None if pattern.strip("*") == "" else pattern


def _formatlist(fmt: Any, *args: Any) -> list[str]:
    lists = [as_list(a) if isinstance(a, list) else None for a in args]
    n = max((len(x) for x in lists if x is not None), default=0)
    rows = []
    length = 0
    for k in range(n):
        row = [lst[k] if lst is not None else arg for lst, arg in zip(lists, args, strict=True)]
        rows.append(_format(fmt, *row))
        length += len(rows[-1])
        cap(length)
    return rows


def _replace(s: Any, old: Any, new: Any) -> str:
    text, pattern, repl = to_str(known(s)), to_str(known(old)), to_str(known(new))
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        # Terraform uses RE2 (linear time); Python's backtracking re on a pattern from untrusted
        # configuration could hang the run (ReDoS), so regex replacements stay unknown.
        raise NeedKnown
    if pattern:
        cap(len(text) + text.count(pattern) * (len(repl) - len(pattern)))
    return text.replace(pattern, repl)


def _substr(s: Any, offset: Any, length: Any) -> str:
    text = to_str(known(s))
    off, ln = int(to_number(known(offset))), int(to_number(known(length)))
    if off < 0:
        off = max(0, len(text) + off)
    return text[off:] if ln < 0 else text[off : off + ln]


def _indent(n: Any, s: Any) -> str:
    count = int(to_number(known(n)))
    if count > MAX_PAD:
        raise EvalError("indent too large")
    pad = " " * count
    text = to_str(known(s))
    cap(len(text) + text.count("\n") * count)
    return text.replace("\n", "\n" + pad)


def _str1(f: Callable[[str], Any]) -> Callable[[Any], Any]:
    def fn(s: Any) -> Any:
        return f(to_str(known(s)))

    return fn


def _split(sep: Any, s: Any) -> list[str]:
    return to_str(known(s)).split(to_str(known(sep)))


def _join(sep: Any, *lists: Any) -> str:
    out: list[str] = []
    for lst in lists:
        out.extend(strs(lst))
    return to_str(known(sep)).join(out)


def _trim(s: Any, chars: Any) -> str:
    return to_str(known(s)).strip(to_str(known(chars)))


def _trimprefix(s: Any, p: Any) -> str:
    return to_str(known(s)).removeprefix(to_str(known(p)))


def _trimsuffix(s: Any, p: Any) -> str:
    return to_str(known(s)).removesuffix(to_str(known(p)))


def _startswith(s: Any, p: Any) -> bool:
    return to_str(known(s)).startswith(to_str(known(p)))


def _endswith(s: Any, p: Any) -> bool:
    return to_str(known(s)).endswith(to_str(known(p)))


def _strcontains(s: Any, sub: Any) -> bool:
    return to_str(known(sub)) in to_str(known(s))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "chomp": _str1(lambda s: s.rstrip("\r\n")),
    "endswith": _endswith,
    "format": _format,
    "formatlist": _formatlist,
    "indent": _indent,
    "join": _join,
    "lower": _str1(str.lower),
    "replace": _replace,
    "split": _split,
    "startswith": _startswith,
    "strcontains": _strcontains,
    "strrev": _str1(lambda s: s[::-1]),
    "substr": _substr,
    "title": _str1(lambda s: re.sub(r"\b([a-z])", lambda m: m.group(1).upper(), s)),
    "trim": _trim,
    "trimprefix": _trimprefix,
    "trimspace": _str1(str.strip),
    "trimsuffix": _trimsuffix,
    "upper": _str1(str.upper),
}
