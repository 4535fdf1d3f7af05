"""Drift findings → the edits that make the code declare what the account now has.

One edit per drifted attribute, from its latest change (an attribute changed twice is adopted at the
value it has now; one that was set back already needs nothing). An attribute is adopted when its
value is one literal in the repository: in the resource block itself, or (through
``inventory/origin.py``) at the module input on the calling ``module`` block, a variable's default or
a ``.tfvars`` entry or ``.tfvars.json`` member when that variable has no other use. Everything else
is listed "by hand" with the reason: an expression, a literal several instances share, nested
blocks, a value the reports hide (environment values), a whole-resource change (deleted,
registered, created by hand).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from tfdrift_ci.fix import locate as L
from tfdrift_ci.frozen import frozen
from tfdrift_ci.inventory import hcl
from tfdrift_ci.inventory.parsed import Attribute, Block
from tfdrift_ci.models import Finding, Report, Resource
from tfdrift_ci.rules.redact import is_marker

_TASK_DEF_ARN = re.compile(r"arn:aws[\w-]*:ecs:[^:]*:\d*:task-definition/([^:/]+):(\d+)\Z")


@frozen
class Adoption:
    """One finding adopted: the edit, and where it lands (file relative to PATH, 1-based line)."""

    finding: Finding
    edits: tuple[L.Edit, ...]  # one literal's edits (several for a policy whose members changed)
    line: int
    value: Any  # the value written


@frozen
class ByHand:
    finding: Finding
    reason: str


@frozen
class Plan:
    adopted: tuple[Adoption, ...]
    by_hand: tuple[ByHand, ...]
    sources: Mapping[str, L.Source]  # file (relative to PATH) -> its text before the edits
    base: str  # the directory the file names are relative to


def latest_drift(findings: Sequence[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(the latest drift finding of each drifted attribute that is still drifted, the whole-resource
    drift findings). Suppressed findings and attributes already set back are left out."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    whole: list[Finding] = []
    for f in findings:
        if f.kind != "drift" or f.suppressed or f.address is None:
            continue
        if f.attribute is None:
            whole.append(f)
            continue
        groups.setdefault((f.address, f.attribute), []).append(f)
    latest: list[Finding] = []
    for items in groups.values():
        items.sort(
            key=lambda f: (f.event.time.timestamp() if f.event else 0.0, f.event.id if f.event else "")
        )
        if items[-1].set_back is None:
            latest.append(items[-1])
    return sorted(latest, key=lambda f: (f.file or "", f.line or 0, f.attribute or "")), whole


def plan(report: Report) -> Plan:
    """The edits adopting every drift finding of ``report`` that maps to one literal."""
    base = report.path if os.path.isdir(report.path) else os.path.dirname(report.path) or "."
    resources = {r.address: r for r in report.resources}
    latest, whole = latest_drift(report.findings)
    sources: dict[str, L.Source] = {}
    adopted: list[Adoption] = []
    by_hand = [ByHand(f, _whole_reason(f)) for f in whole]
    taken: dict[tuple[str, int, int], Finding] = {}
    for finding in latest:
        gone = _later_whole(finding, whole)
        if gone is not None:
            by_hand.append(ByHand(finding, f"{gone} came later: the resource as a whole changed since"))
            continue
        try:
            adoption = _adopt(finding, resources.get(finding.address or ""), report, base, sources)
        except L.Manual as err:
            by_hand.append(ByHand(finding, str(err)))
            continue
        clash = _clash(adoption, taken)
        if clash is not None:
            by_hand.append(ByHand(finding, f"the same code also declares {clash.address}.{clash.attribute}"))
            continue
        for e in adoption.edits:
            taken[(e.file, e.start, e.end)] = finding
        adopted.append(adoption)
    return Plan(tuple(adopted), tuple(by_hand), sources, base)


def _clash(adoption: Adoption, taken: Mapping[tuple[str, int, int], Finding]) -> Finding | None:
    for e in adoption.edits:
        for (file, start, end), f in taken.items():
            if file == e.file and _overlap((start, end), (e.start, e.end)):
                return f
    return None


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Replaced spans overlap (two insertions at one point do not: both lines are added)."""
    return a[0] < b[1] and b[0] < a[1]


def _later_whole(finding: Finding, whole: Sequence[Finding]) -> str | None:
    """The event name of a later deletion of the finding's resource (the value adopted is gone with
    it). A task definition's revisions are deregistered and deleted one by one: not the resource."""
    if finding.event is None or finding.resource_type == "aws_ecs_task_definition":
        return None
    for w in whole:
        if (
            w.address == finding.address
            and w.event is not None
            and w.event.name.startswith("Delete")
            and w.event.time > finding.event.time
        ):
            return w.event.name
    return None


def _whole_reason(f: Finding) -> str:
    what = f.event.name if f.event else "a whole-resource change"
    return (
        f"{what} changed the resource as a whole: adopting it means changing or removing the resource block"
    )


def _adopt(
    finding: Finding, res: Resource | None, report: Report, base: str, sources: dict[str, L.Source]
) -> Adoption:
    if res is None or res.file is None or res.line is None:
        raise L.Manual("the resource's declaration was not found in the code")
    if _hidden(finding.actual):
        raise L.Manual(
            "the new value is hidden in reports (environment values, log-driver options): "
            "write it by hand, or better, move it to secrets"
        )
    assert finding.attribute is not None
    value = _value(finding)
    steps = L.steps(finding.attribute)
    if res.call_sites and any(c.fetched for c in res.call_sites):
        # the module's code is not the repository's: only a value passed in by the user's code
        edits, src = _at_origin(res, _fetched_origin(res, steps), value, base, sources)
        return _adoption(finding, edits, src, value)
    src = read_source(base, res.file, sources)
    block = find_block(src, res)
    try:
        edits = L.block_edits(src, block, steps, value)
    except L.Indirect as ind:
        edits, src = _at_origin(res, ind, value, base, sources)
        return _adoption(finding, edits, src, value)
    shared = [r for r in report.resources if r.file == res.file and r.line == res.line]
    if len(shared) > 1:
        raise L.Manual(
            f"the literal declares {len(shared)} instances (count/for_each or a module called more "
            "than once): adopting it would change every one"
        )
    return _adoption(finding, edits, src, value)


def _adoption(finding: Finding, edits: Sequence[L.Edit], src: L.Source, value: Any) -> Adoption:
    if not edits:
        raise L.Manual("the code already declares this value")
    return Adoption(finding, tuple(edits), src.line_of(min(e.start for e in edits)), value)


# Where a value can be written, in the words of the by-hand reasons (inventory/origin.py's kinds).
_WHERE = {
    "module_input": "the module input {name}",
    "variable_default": "the variable's default",
    "tfvars": "the .tfvars entry {name}",
    "local": "local.{name}",
    "variable": "a variable with no value in the code",
}


def _fetched_origin(res: Resource, steps: Sequence[str]) -> L.Indirect:
    """Where a resource in a fetched module gets the value from the user's code: the longest path
    with an origin of its own (``Resource.origins``), and the steps inside its value."""
    for cut in range(len(steps), 0, -1):
        path = ".".join(s for s in steps[:cut] if not s.startswith("["))
        origin = res.origins.get(path)
        if origin is not None and origin.kind in _WHERE:
            return L.Indirect(f"{path} is set in a fetched module", path, steps[cut:])
    raise L.Manual("the resource is in a fetched module and the repository's code does not pass this value")


def _at_origin(
    res: Resource, ind: L.Indirect, value: Any, base: str, sources: dict[str, L.Source]
) -> tuple[list[L.Edit], L.Source]:
    """The edits at the place ``inventory/origin.py`` says the attribute's value is set."""
    from tfdrift_ci.inventory.origin import origin_for

    o = origin_for(res, ind.path)
    if o.kind not in _WHERE or o.file is None or o.line is None:
        raise L.Manual(f"{ind}{': ' + o.reason if o.reason else ''}")
    where = f"{_WHERE[o.kind].format(name=o.name)} ({o.file}:{o.line})"
    if not o.in_repository:
        raise L.Manual(f"{ind}; it is set at {where}, outside the repository")
    if o.uses > 1:
        raise L.Manual(
            f"{ind}; it is set at {where}, which {o.uses} places read: changing it changes them all"
        )
    if not o.adoptable:
        raise L.Manual(f"{ind}; it is set at {where}: {o.reason or 'not one literal'}")
    src = read_source(base, o.file, sources)
    if o.kind == "tfvars" and src.file.endswith(".json"):
        from tfdrift_ci.fix import jsonedit

        return jsonedit.tfvars_edits(src, o.name, ind.rest, value), src
    attr = _attribute_at(src, o.name, o.line)
    return L.expr_edits(src, attr, ind.rest, value), src


def _attribute_at(src: L.Source, name: str, line: int) -> Attribute:
    """The attribute ``name`` written on ``line`` of the file (top level or in any block)."""
    if src.file.endswith(".json"):
        raise L.Manual(f"{src.file} is JSON syntax: edit it by hand")
    parsed = hcl.parse_text(src.text, src.file)
    if parsed.problem is not None:
        raise L.Manual(f"{src.file} does not parse: {parsed.problem.message}")
    todo: list[Block] = list(parsed.blocks)
    found = [a for a in parsed.attributes if a.name == name and a.line == line]
    while todo and not found:
        block = todo.pop()
        found = [a for a in block.attributes if a.name == name and a.line == line]
        todo.extend(block.blocks)
    if not found:
        raise L.Manual(f"{name} is not on {src.file}:{line} any more")
    return found[0]


def _hidden(value: Any) -> bool:
    """Does the value hold a marker the drift rules wrote instead of the real value
    (``rules/redact.py``)? Such a value is never written into code."""
    if isinstance(value, Mapping):
        return any(_hidden(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_hidden(v) for v in value)
    return is_marker(value)


def _value(finding: Finding) -> Any:
    """The value to write: the finding's new value, with a task definition ARN written as
    ``family:revision`` where the code names the family that way."""
    value = finding.actual
    if finding.attribute == "task_definition" and isinstance(value, str):
        m = _TASK_DEF_ARN.match(value)
        declared = finding.expected
        if m and isinstance(declared, str) and not declared.startswith("arn:"):
            value = f"{m.group(1)}:{m.group(2)}"
    return value


def read_source(base: str, file: str, sources: dict[str, L.Source]) -> L.Source:
    """The file's text (memoised per plan), kept as read: BOM and line endings included."""
    if file in sources:
        return sources[file]
    path = os.path.join(base, file)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as err:
        raise L.Manual(f"{file}: cannot read ({err.strerror or err})") from None
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data[3:].decode("utf-8") if bom else data.decode("utf-8")
    except UnicodeDecodeError:
        raise L.Manual(f"{file}: not UTF-8") from None
    src = L.Source(file, text, bom)
    sources[file] = src
    return src


def find_block(src: L.Source, res: Resource) -> Any:
    """The ``resource`` block declaring ``res`` in the file (by type and first line)."""
    if src.file.endswith(".json"):
        raise L.Manual(f"{src.file} is JSON syntax: edit it by hand")
    parsed = hcl.parse_text(src.text, src.file)
    if parsed.problem is not None:
        raise L.Manual(f"{src.file} does not parse: {parsed.problem.message}")
    for block in parsed.blocks:
        if block.type == "resource" and block.labels[:1] == (res.type,) and block.line == res.line:
            return block
    raise L.Manual(f"no resource block for {res.address} on {src.file}:{res.line}")
