"""Collection functions (Terraform's "Collection Functions": lists, maps and sets).
https://developer.hashicorp.com/terraform/language/functions

Sets are lists here (``_args.as_set``: strings sorted, other values in first-seen order); size limits
(``range``, ``setproduct``) keep hostile configuration from allocating without bound."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tfdrift_ci.inventory.expr.convert import EvalError, equal, num, to_bool, to_number, to_str, type_name
from tfdrift_ci.inventory.expr.functions._args import NeedKnown, as_list, as_map, as_set, known, strs
from tfdrift_ci.models import Unknown


def _lookup(m: Any, key: Any, *default: Any) -> Any:
    m = as_map(m)
    skey = to_str(known(key))
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
        out.update(as_map(m))
    return out


def _coalesce(*args: Any) -> Any:
    for a in args:
        if isinstance(a, Unknown):
            raise NeedKnown
        if a is not None and a != "":
            return a
    raise EvalError("coalesce: no non-null, non-empty argument")


def _coalescelist(*args: Any) -> Any:
    for a in args:
        lst = as_list(a)
        if lst:
            return lst
    return []


def _flatten(v: Any) -> list[Any]:
    out: list[Any] = []
    for x in as_list(v):
        if isinstance(x, list):
            out.extend(_flatten(x))
        else:
            out.append(known(x) if isinstance(x, Unknown) else x)
    return out


def _element(lst: Any, idx: Any) -> Any:
    items = as_list(lst)
    if not items:
        raise EvalError("element() of an empty list")
    return items[int(to_number(known(idx))) % len(items)]


def _length(v: Any) -> int:
    v = known(v)
    if isinstance(v, str):
        return len(v)
    if isinstance(v, (list, dict)):
        return len(v)
    raise EvalError(f"length() of {type_name(v)}")


def _keys(v: Any) -> list[str]:
    return sorted(as_map(v))


def _values(v: Any) -> list[Any]:
    m = as_map(v)
    return [m[k] for k in sorted(m)]


def _contains(lst: Any, value: Any) -> bool:
    known(value)
    items = as_list(lst)
    if any(isinstance(x, Unknown) for x in items):
        if any(equal(x, value) for x in items if not isinstance(x, Unknown)):
            return True
        raise NeedKnown
    return any(equal(x, value) for x in items)


def _concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for lst in lists:
        out.extend(as_list(lst))
    return out


def _distinct(lst: Any) -> list[Any]:
    out: list[Any] = []
    for x in as_list(lst):
        if x not in out:
            out.append(x)
    return out


def _compact(lst: Any) -> list[Any]:
    return [x for x in as_list(lst) if known(x) not in (None, "")]


def _zipmap(keys: Any, values: Any) -> dict[str, Any]:
    return dict(zip(strs(keys), as_list(values), strict=True))


def _range(*args: Any) -> list[Any]:
    nums: list[int | float] = [to_number(known(a)) for a in args]
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
        out.append(num(x))
        x += step
    return out


def _one(lst: Any) -> Any:
    items = as_list(lst)
    if len(items) > 1:
        raise EvalError("one() of more than one element")
    return items[0] if items else None


def _slice(lst: Any, start: Any, end: Any) -> list[Any]:
    return as_list(lst)[int(to_number(known(start))) : int(to_number(known(end)))]


def _index(lst: Any, value: Any) -> int:
    items = as_list(lst)
    for k, x in enumerate(items):
        if equal(known(x), known(value)):
            return k
    raise EvalError("index(): value not in list")


def _setunion(*sets: Any) -> list[Any]:
    return as_set(_concat(*sets))


def _setintersection(first: Any, *rest: Any) -> list[Any]:
    base = as_set(first)
    for other in rest:
        items = as_set(other)
        base = [x for x in base if x in items]
    return base


def _setsubtract(a: Any, b: Any) -> list[Any]:
    other = as_set(b)
    return [x for x in as_set(a) if x not in other]


def _setproduct(*sets: Any) -> list[list[Any]]:
    out: list[list[Any]] = [[]]
    for s in sets:
        items = as_list(s)
        if len(out) * max(1, len(items)) > 10_000:
            raise EvalError("setproduct too large")
        out = [[*prefix, x] for prefix in out for x in items]
    return out


def _sort(lst: Any) -> list[str]:
    return sorted(strs(lst))


def _alltrue(lst: Any) -> bool:
    return all(to_bool(known(x)) for x in as_list(lst))


def _anytrue(lst: Any) -> bool:
    return any(to_bool(known(x)) for x in as_list(lst))


def _chunklist(lst: Any, size: Any) -> list[list[Any]]:
    items, n = as_list(lst), int(to_number(known(size)))
    if n <= 0:
        return [items]
    return [items[k : k + n] for k in range(0, len(items), n)]


def _reverse(lst: Any) -> list[Any]:
    return list(reversed(as_list(lst)))


def _sum(lst: Any) -> Any:
    return num(sum(to_number(known(x)) for x in as_list(lst)))


def _transpose(m: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k in sorted(as_map(m)):
        for v in strs(as_map(m)[k]):
            out.setdefault(v, []).append(k)
    return {k: sorted(v) for k, v in out.items()}


def _matchkeys(values: Any, keys: Any, search: Any) -> list[Any]:
    wanted = as_list(search)
    return [v for v, k in zip(as_list(values), as_list(keys), strict=True) if known(k) in wanted]


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "alltrue": _alltrue,
    "anytrue": _anytrue,
    "chunklist": _chunklist,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "compact": _compact,
    "concat": _concat,
    "contains": _contains,
    "distinct": _distinct,
    "element": _element,
    "flatten": _flatten,
    "index": _index,
    "keys": _keys,
    "length": _length,
    "lookup": _lookup,
    "matchkeys": _matchkeys,
    "merge": _merge,
    "one": _one,
    "range": _range,
    "reverse": _reverse,
    "setintersection": _setintersection,
    "setproduct": _setproduct,
    "setsubtract": _setsubtract,
    "setunion": _setunion,
    "slice": _slice,
    "sort": _sort,
    "sum": _sum,
    "transpose": _transpose,
    "values": _values,
    "zipmap": _zipmap,
}
