"""``--format text``: the terminal report. Grouped by resource, worst first; one line with
"attribute: old → new · who · when · event" per drift finding; a summary line and the exit reason.
Colours only when ``options.color`` (the CLI sets it on a TTY without NO_COLOR)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tfdrift_ci.models import Finding, Report, Severity
from tfdrift_ci.report import _common as c
from tfdrift_ci.report.escape import runner_inert
from tfdrift_ci.report.escape import terminal as t

if TYPE_CHECKING:
    from tfdrift_ci.report import RenderOptions

_RESET = "\x1b[0m"
_COLOURS = {
    Severity.CRITICAL: "\x1b[1;31m",  # bold red
    Severity.HIGH: "\x1b[31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
    Severity.INFO: "\x1b[2m",
}
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_GREEN = "\x1b[32m"
_STATUS_COLOURS = {"fail": "\x1b[1;31m", "error": "\x1b[1;31m", "pass": "\x1b[33m", "clean": _GREEN}


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.enabled and text else text


def _group_key(f: Finding) -> tuple[str, str]:
    if f.address:
        return (f.root or "", f.address)
    if f.file:
        return (f.root or "", f"file {f.file}")
    return (f.root or "", "not declared in Terraform" if f.kind == "unmanaged" else "(no resource)")


def _finding_lines(f: Finding, paint: _Paint, header_where: str | None = None) -> list[str]:
    sev = paint(_COLOURS[f.severity], f"{f.severity.value.upper():<8}")
    where = c.where_text(f)
    at = f"  ({t(where)})" if where and where != header_where else ""
    lines = [f"  {sev}  {t(f.rule_id)}  {t(f.title)}{at}"]
    pad = " " * 12
    if f.kind in c.DRIFT_KINDS and f.event is not None:
        parts = []
        if c.has_change(f):
            attr = f"{t(f.attribute)}: " if f.attribute else ""
            parts.append(f"{attr}{t(c.change_text(f))}")
        parts.append(t(c.actor_text(f.actor)))
        parts.append(c.when_text(f))
        parts.append(f"{t(f.event.name)} {t(f.event.id)}")
        lines.append(pad + " · ".join(parts))
        lines.extend(f"{pad}  ~ {t(line)}" for line in c.diff_lines(f))
        if f.reverted_by_plan:
            lines.append(pad + paint(_BOLD, t(c.reverted_text(f))))
    elif c.has_change(f) and f.attribute:
        lines.append(f"{pad}{t(f.attribute)}: {t(c.change_text(f))}")
        lines.extend(f"{pad}  ~ {t(line)}" for line in c.diff_lines(f))
    lines.append(pad + t(f.message, 400))
    if f.matched_by_pattern:
        lines.append(pad + f"({c.PATTERN_NOTE})")
    for note in f.notes:
        lines.append(pad + "note: " + t(note, 300))
    for loc in f.related:
        lines.append(pad + "related: " + t(c.related_text(loc), 300))
    if f.remediation:
        lines.append(pad + paint(_DIM, "fix: " + t(f.remediation, 400)))
    if f.suppressed:
        lines.append(pad + "suppressed: " + t(f.suppression_reason or "no reason given", 200))
    return lines


def _summary_line(report: Report, paint: _Paint) -> list[str]:
    v = c.verdict(report)
    word = {"fail": "FAIL", "pass": "PASS", "clean": "OK", "error": "ERROR"}[v.status]
    return [
        f"{paint(_STATUS_COLOURS[v.status], word)}: {t(v.headline)}",
        f"{t(c.scanned_text(report))} · {t(v.reason)}",
    ]


def render(report: Report, options: RenderOptions) -> str:
    """The text report; made :func:`~tfdrift_ci.report.escape.runner_inert` as a whole, since it
    is what GitHub Actions logs show (values can be cut and joined, so not value by value)."""
    return runner_inert(_render(report, options))


def _render(report: Report, options: RenderOptions) -> str:
    paint = _Paint(options.color)
    if options.quiet:
        return "\n".join(_summary_line(report, paint)) + "\n"

    out: list[str] = [f"tfdrift-ci {t(report.tool_version)} · {t(report.path)}"]
    if report.config_files:
        out.append(t(c.config_text(report), 400))
    out.append("")
    active = [f for f in c.sorted_findings(report.findings) if not f.suppressed]
    suppressed = [f for f in c.sorted_findings(report.findings) if f.suppressed]

    # Groups appear in the order of their worst finding (findings are sorted worst first).
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in active:
        groups.setdefault(_group_key(f), []).append(f)
    declared = {(r.root, r.address): r for r in report.resources}
    for (root, label), items in groups.items():
        first = items[0]
        # The header names where the resource block starts; each finding adds its own line when
        # it points elsewhere (the offending attribute).
        resource = declared.get((first.root or ".", first.address or ""))
        # (a resource inside a module: each finding shows where the user's code sets the value)
        inside = resource is not None and bool(resource.call_sites)
        where = f"{resource.file}:{resource.line}" if resource and resource.file and not inside else None
        header = paint(_BOLD, t(label))
        if root and root != ".":
            header += f"  [{t(root)}]"
        if where and first.address:
            header += f"  ({t(where)})"
        out.append(header)
        for f in items:
            out.extend(_finding_lines(f, paint, where if first.address else first.file))
        out.append("")

    if suppressed:
        out.append(paint(_BOLD, f"Suppressed ({len(suppressed)})"))
        for f in suppressed:
            reason = t(f.suppression_reason or "no reason given", 200)
            out.append(f"  {t(f.rule_id)}  {t(f.address or c.where_text(f) or '-')}: {reason}")
        out.append("")

    missing = c.not_checked(report)
    if missing:
        out.append(paint(_BOLD, "Not checked"))
        out.extend(f"  - {t(m, 400)}" for m in missing)
        out.append("")
    weak = c.weakened(report)
    if weak:
        out.append(paint(_BOLD, "Weakened by configuration"))
        out.extend(f"  - {t(w, 400)}" for w in weak)
        out.append("")
    if report.notices:
        out.append(paint(_BOLD, "Notices"))
        out.extend(f"  - {t(n, 400)}" for n in report.notices)
        out.append("")

    out.extend(_summary_line(report, paint))
    return "\n".join(out) + "\n"
