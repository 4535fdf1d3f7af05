"""What differs between a declared and an observed value, in one place for every format.

- Long strings (image URIs, ARNs): the part that differs with a little context on each side
  (``…/shop-prod-api:1.4.2`` → ``…/shop-prod-api:latest``), never two identical truncations.
- JSON documents (repository and registry policies, lifecycle policies, container definitions):
  compared structurally. Each change names its path (``Statement[0].Principal.AWS``); list items are
  paired by ``Sid`` (policy statements) or ``name`` (containers, environment variables) before
  falling back to their position, so a statement added in the middle reads as one added statement,
  not as every later statement changed. A unified diff of the pretty-printed documents goes with it.

Values are read from a finding's ``expected``/``actual``, which the drift rules have already masked
where they hold secrets (tfdrift_ci/rules/redact.py); on top of that, any value under a
secret-looking key, any container environment value and any log-driver option (whatever its name)
is masked here again, so a diff never shows more than the finding's message does. The markers the
rules wrote (``(hidden, changed)``) pass, so the diff still says which value changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import CHANGE_KINDS, Finding
from tfdrift_ci.rules.redact import is_marker

LONG = 40  # strings longer than this get an excerpt instead of being shown whole
CONTEXT = 16  # characters of common text kept on each side of the difference
MIDDLE = 48  # characters of the differing part itself shown before it is shortened
MASK = "****"
MAX_DOCUMENT = 1_000_000  # characters of a JSON text parsed for a structural diff (CloudTrail caps at 100 KB)
ABSENT: Any = object()  # a side of a structural change that does not exist (added / removed)

# Key names whose values are never shown (same spirit as the drift rules' environment masking).
_SECRET_KEY = re.compile(r"(?i)(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential)")
# ...except references to secrets, which are ARNs and names, not values (task definition ``secrets``
# and ``secretOptions`` hold ``{name, valueFrom}`` pairs pointing at Secrets Manager / SSM).
_REFERENCE_KEYS = frozenset({"secrets", "secretOptions", "valueFrom"})


def _secret_key(key: str) -> bool:
    if key in _REFERENCE_KEYS or key.lower().endswith("arn"):
        return False
    return _SECRET_KEY.search(key) is not None


# Container environment values and log-driver options are hidden whatever their names: every member
# of an ``environment`` map (``{NAME: value}``, as the task definition drift rule reports it) or of a
# ``logConfiguration.options`` object, and the ``value`` of each ``environment`` list entry.
_HIDDEN_MEMBERS = re.compile(r"(?:^|[.\]])(?:environment|logConfiguration\.options)$")
_ENVIRONMENT_ENTRY = re.compile(r"(?:^|[.\]])environment\[\d+\]$")


def _hidden_member(parent: str, key: str) -> bool:
    """``key`` of the object at path ``parent`` (from the finding's attribute) is never shown."""
    if _HIDDEN_MEMBERS.search(parent):
        return True
    return key == "value" and _ENVIRONMENT_ENTRY.search(parent) is not None


def _below(root: str, path: str) -> str:
    """``path`` inside a value that sits at ``root`` (the finding's attribute)."""
    if not root or not path:
        return root or path
    return root + path if path.startswith("[") else f"{root}.{path}"


_BOUNDARIES = ("/:", "/:= ,;|@", "/:= ,;|@.-_")  # cumulative, strongest first

Op = Literal["changed", "added", "removed"]


@frozen
class PathChange:
    """One difference inside a document: ``path`` (``Statement[0].Principal.AWS``; ``""`` for the
    whole value), what happened, and the values (``ABSENT`` on the side that has none)."""

    path: str
    op: Op
    old: Any
    new: Any
    masked: bool = False  # the values are hidden (a secret-looking key): only the fact is shown


@frozen
class ValueDiff:
    kind: Literal["text", "structure"]
    old_excerpt: str = ""  # text: the differing part of the old value, with context
    new_excerpt: str = ""
    changes: tuple[PathChange, ...] = ()  # structure: every changed path, in document order
    unified: str = ""  # structure: unified diff of the pretty-printed documents

    def as_dict(self) -> dict[str, Any]:
        """The JSON report's ``diff`` object."""
        if self.kind == "text":
            return {"kind": "text", "old_excerpt": self.old_excerpt, "new_excerpt": self.new_excerpt}
        return {
            "kind": "structure",
            "changes": [
                {
                    "path": c.path,
                    "op": c.op,
                    **({"old": c.old} if c.old is not ABSENT else {}),
                    **({"new": c.new} if c.new is not ABSENT else {}),
                    **({"masked": True} if c.masked else {}),
                }
                for c in self.changes
            ],
            "unified": self.unified,
        }


# --------------------------------------------------------------------------------------------------
# Entry points


def finding_diff(f: Finding) -> ValueDiff | None:
    """The diff of a drift finding's declared → observed value, or None when there is nothing more
    to show than the two values themselves (short scalars, a missing side, config findings)."""
    if f.kind not in CHANGE_KINDS:
        return None
    return value_diff(f.expected, f.actual, f.attribute or "")


def value_diff(old: Any, new: Any, root: str = "") -> ValueDiff | None:
    """``root`` is where the values sit (the finding's attribute, ``container_definitions[app].
    environment``): it decides which members are hidden whatever their names."""
    try:
        return _value_diff(old, new, root)
    except RecursionError:
        # Documents nested deeper than Python recurses (hostile or broken input): no diff; the
        # renderers still show both values, shortened.
        return None


def _value_diff(old: Any, new: Any, root: str) -> ValueDiff | None:
    old, new = _decoded(old), _decoded(new)
    if old is None or new is None:
        return None
    if isinstance(old, Mapping | list) or isinstance(new, Mapping | list):
        old_m, new_m = mask(old, where=root), mask(new, where=root)
        changes = tuple(structural(old, new, root=root))
        if not changes:
            return None
        return ValueDiff(kind="structure", changes=changes, unified=unified(old_m, new_m))
    old_s, new_s = _scalar_text(old), _scalar_text(new)
    if old_s == new_s or (len(old_s) <= LONG and len(new_s) <= LONG):
        return None
    a, b = excerpt(old_s, new_s)
    return ValueDiff(kind="text", old_excerpt=a, new_excerpt=b)


# --------------------------------------------------------------------------------------------------
# Strings


def excerpt(old: str, new: str, context: int = CONTEXT, middle: int = MIDDLE) -> tuple[str, str]:
    """The differing middle of two strings with up to ``context`` characters of common text on each
    side, cut at a separator (``/ : . -``) where one is near, ``…`` marking what was left out. A
    differing middle longer than ``middle`` characters is itself shortened."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    start = _start(old, prefix, context)
    keep = _end_keep(old, suffix, context)
    return _cut(old, start, suffix, keep, middle), _cut(new, start, suffix, keep, middle)


def _start(s: str, prefix: int, context: int) -> int:
    """Where the excerpt starts: ``context`` characters before the first difference, moved forward
    to the first separator inside that context when there is one (``…/shop-prod-api:``)."""
    if prefix <= context:
        return 0
    start = prefix - context
    for boundaries in _BOUNDARIES:  # the strongest separator in reach wins (a path's "/")
        for i in range(start, prefix):
            if s[i] in boundaries:
                return i
    return start


def _end_keep(s: str, suffix: int, context: int) -> int:
    """How many of the common trailing characters to keep: all when few, else up to ``context``,
    ending just before a separator when there is one."""
    if suffix <= context:
        return suffix
    tail = s[len(s) - suffix : len(s) - suffix + context]
    for i in range(len(tail) - 1, 0, -1):
        if tail[i] in _BOUNDARIES[-1]:
            return i
    return context


def _cut(s: str, start: int, suffix: int, keep: int, middle: int) -> str:
    diff_end = len(s) - suffix  # the differing part is s[prefix:diff_end]
    head = s[start:diff_end]
    if len(head) > middle + CONTEXT:
        # A long differing part: its beginning says enough; the JSON report has all of it.
        head = head[: middle + CONTEXT - 1] + "…"
        keep = 0
    body = head + s[diff_end : diff_end + keep]
    return ("…" if start > 0 else "") + body + ("…" if keep < suffix else "")


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


# --------------------------------------------------------------------------------------------------
# Documents


def _decoded(value: Any) -> Any:
    """A JSON document given as text (a policy string) as its parsed value; anything else as is."""
    if isinstance(value, str) and value[:1] in ("{", "[") and 1 < len(value) <= MAX_DOCUMENT:
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            return value
        if isinstance(parsed, dict | list):
            return parsed
    return value


def mask(value: Any, secret: bool = False, where: str = "") -> Any:
    """``value`` with every value under a secret-looking key (or in an environment entry with a
    secret-looking ``name``), every environment value and every log-driver option replaced by
    ``****``; ``where`` is the value's path (from the finding's attribute)."""
    if secret:
        return _m(value)
    if isinstance(value, Mapping):
        name_secret = isinstance(value.get("name"), str) and bool(_SECRET_KEY.search(value["name"]))
        return {
            str(k): mask(v, _secret_member(where, str(k), name_secret), _join(where, str(k)))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask(v, where=f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def _secret_member(where: str, key: str, name_secret: bool) -> bool:
    return _secret_key(key) or (name_secret and key == "value") or _hidden_member(where, key)


def _key(item: Any) -> str | None:
    if isinstance(item, Mapping):
        for k in ("Sid", "name", "rulePriority"):
            v = item.get(k)
            if isinstance(v, str | int) and not isinstance(v, bool) and v != "":
                return f"{k}={v}"
    return None


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _join(path: str, key: str) -> str:
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def structural(old: Any, new: Any, path: str = "", secret: bool = False, root: str = "") -> list[PathChange]:
    """Every path at which ``old`` and ``new`` differ, in document order; ``root`` is where the two
    values sit (the finding's attribute), for the members hidden whatever their names."""
    if secret:
        if old == new:
            return []
        return [PathChange(path, "changed", _m(old), _m(new), masked=True)]
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        out: list[PathChange] = []
        name_secret = any(
            isinstance(d.get("name"), str) and _SECRET_KEY.search(d["name"]) for d in (old, new)
        )
        where = _below(root, path)
        for k in list(old) + [k for k in new if k not in old]:
            ks = str(k)
            sub, inside = _join(path, ks), _join(where, ks)
            is_secret = _secret_member(where, ks, name_secret)
            if k not in new:
                removed = mask(old[k], is_secret, inside)
                out.append(PathChange(sub, "removed", removed, ABSENT, masked=is_secret))
            elif k not in old:
                out.append(
                    PathChange(sub, "added", ABSENT, mask(new[k], is_secret, inside), masked=is_secret)
                )
            else:
                out.extend(structural(old[k], new[k], sub, is_secret, root))
        return out
    if isinstance(old, list) and isinstance(new, list):
        return _list_changes(old, new, path, root)
    if old == new and type(old) is type(new):
        return []
    where = _below(root, path)
    return [PathChange(path, "changed", mask(old, where=where), mask(new, where=where))]


def _m(value: Any) -> Any:
    """A hidden value: ``****``, unless it is empty or already a marker the rules wrote."""
    return value if value in (None, "", MASK) or is_marker(value) else MASK


def _masked_at(value: Any, root: str, path: str) -> Any:
    return mask(value, where=_below(root, path))


def _list_changes(old: list[Any], new: list[Any], path: str, root: str = "") -> list[PathChange]:
    old_keys = [_key(i) for i in old]
    new_keys = [_key(i) for i in new]
    keyed = (
        all(old_keys) and all(new_keys) and len(set(old_keys)) == len(old) and len(set(new_keys)) == len(new)
    )
    out: list[PathChange] = []
    if keyed:
        by_key = {k: i for i, k in enumerate(old_keys)}
        matched: set[int] = set()
        for j, k in enumerate(new_keys):
            i = by_key.get(k)
            if i is None:
                out.append(
                    PathChange(f"{path}[{j}]", "added", ABSENT, _masked_at(new[j], root, f"{path}[{j}]"))
                )
            else:
                matched.add(i)
                # Name the item where it is now (its new index): that is what the reader finds.
                out.extend(structural(old[i], new[j], f"{path}[{j}]", root=root))
        for i in range(len(old)):
            if i not in matched:
                out.append(
                    PathChange(f"{path}[{i}]", "removed", _masked_at(old[i], root, f"{path}[{i}]"), ABSENT)
                )
        return out
    if all(not isinstance(v, Mapping | list) for v in old + new):
        # Lists of scalars (subnets, actions): report what was added and removed, order aside,
        # when only the membership changed.
        if sorted(map(json.dumps, old)) == sorted(map(json.dumps, new)):
            return [] if old == new else [PathChange(path, "changed", old, new)]
        removed = [v for v in old if v not in new]
        added = [v for v in new if v not in old]
        return [
            *(PathChange(f"{path}[{old.index(v)}]", "removed", v, ABSENT) for v in removed),
            *(PathChange(f"{path}[{new.index(v)}]", "added", ABSENT, v) for v in added),
        ]
    for i in range(max(len(old), len(new))):
        if i >= len(new):
            out.append(
                PathChange(f"{path}[{i}]", "removed", _masked_at(old[i], root, f"{path}[{i}]"), ABSENT)
            )
        elif i >= len(old):
            out.append(PathChange(f"{path}[{i}]", "added", ABSENT, _masked_at(new[i], root, f"{path}[{i}]")))
        else:
            out.extend(structural(old[i], new[i], f"{path}[{i}]", root=root))
    return out


def _pretty(value: Any) -> list[str]:
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return text.splitlines()


def unified(old: Any, new: Any) -> str:
    """Unified diff (3 lines of context) of the two documents pretty-printed with sorted keys."""
    import difflib  # only for a policy / container definitions diff (not on the hook's path)

    lines = difflib.unified_diff(_pretty(old), _pretty(new), "declared", "observed", lineterm="", n=3)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Phrasing (plain text; each renderer escapes)


def show(value: Any, limit: int = 80) -> str:
    """A value inside a change line: JSON (strings quoted), shortened to ``limit``."""
    if value is ABSENT:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "), default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def change_line(c: PathChange, limit: int = 80) -> str:
    """``Statement[0].Principal.AWS: "arn:aws:iam::111122223333:root" → "*"`` and the like."""
    where = c.path or "(whole value)"
    if c.op == "added":
        return f"{where}: added {show(c.new, limit)}"
    if c.op == "removed":
        return f"{where}: removed {show(c.old, limit)}"
    if isinstance(c.old, str) and isinstance(c.new, str) and max(len(c.old), len(c.new)) > LONG:
        a, b = excerpt(c.old, c.new)
        return f"{where}: {show(a, limit)} → {show(b, limit)}"
    return f"{where}: {show(c.old, limit)} → {show(c.new, limit)}"


def summary_lines(d: ValueDiff, limit: int = 80) -> list[str]:
    if d.kind == "text":
        return [f"{d.old_excerpt} → {d.new_excerpt}"]
    return [change_line(c, limit) for c in d.changes]
