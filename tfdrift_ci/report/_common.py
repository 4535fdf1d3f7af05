"""What every renderer says the same way: value formatting, the verdict, the exit reason, what was not
checked. Returns plain (unescaped) text; each renderer escapes for its own format."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import (
    CHANGE_KINDS,
    GAP_KINDS,
    SEVERITIES,
    Actor,
    Finding,
    Location,
    Report,
    UnfollowedSource,
    Unknown,
    iso,
)

if TYPE_CHECKING:
    from tfdrift_ci.report.diff import PathChange, ValueDiff

VALUE_LIMIT = 120  # characters of one value shown inline; the JSON report always has all of it

DRIFT_KINDS = CHANGE_KINDS


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Worst first, then file/line/address: the same order in every format, whatever the input order."""
    return sorted(findings, key=lambda f: f.sort_key)


def _json_default(value: object) -> object:
    if isinstance(value, Unknown):
        return str(value)
    return str(value)


def value_text(value: Any, limit: int | None = VALUE_LIMIT) -> str:
    """One declared/observed value as short text: ``true``, ``MUTABLE``, ``{"a": 1}``, ``(not set)``."""
    if value is None:
        out = "(not set)"
    elif isinstance(value, bool):
        out = "true" if value else "false"
    elif isinstance(value, Unknown):
        out = str(value)
    elif isinstance(value, str):
        out = value
    elif isinstance(value, int | float):
        out = repr(value)
    else:
        out = json.dumps(
            value, sort_keys=True, separators=(", ", ": "), default=_json_default, ensure_ascii=False
        )
    out = " ".join(out.split())
    if limit is not None and len(out) > limit:
        out = out[: limit - 1] + "…"
    return out


def has_change(f: Finding) -> bool:
    return f.attribute is not None or f.expected is not None or f.actual is not None


DIFF_LINES = 10  # changed paths listed in text, SARIF and the comment's details before "… N more"


def deletion_text(f: Finding) -> str | None:
    """``deleted`` / ``deregistered`` for a drift finding that removed the resource itself (no
    attribute, nothing observed), else None."""
    if f.kind != "drift" or f.event is None or f.attribute is not None or f.actual is not None:
        return None
    name = f.event.name
    if name.startswith("Deregister"):
        return "deregistered"
    if name.startswith("Delete"):
        return "deleted"
    return None


def _finding_diff(f: Finding) -> ValueDiff | None:
    """``diff.finding_diff``, imported for the first finding with a before and an after: a report of
    configuration findings only (the pre-commit hook's usual one) never loads the differ."""
    if f.kind not in CHANGE_KINDS:
        return None
    from tfdrift_ci.report import diff

    return diff.finding_diff(f)


def change_text(f: Finding, limit: int | None = VALUE_LIMIT) -> str:
    """Drift: ``old → new`` (declared → observed), long strings as their differing parts, documents
    as a count of changed paths (``diff_lines`` lists them). Config findings have no "before": they
    show the offending declared value and the safe one, so that they never read like a change."""
    if f.kind == "config":
        return f"{value_text(f.actual, limit)} (safe: {value_text(f.expected, limit)})"
    gone = deletion_text(f)
    if gone is not None:
        return gone
    vd = _finding_diff(f)
    if vd is not None and vd.kind == "text":
        return f"{vd.old_excerpt} → {vd.new_excerpt}"
    if vd is not None:
        if len(vd.changes) == 1:
            return _change_line(vd.changes[0], 60)
        return f"{count_text(len(vd.changes), 'change')} in the document"
    return f"{value_text(f.expected, limit)} → {value_text(f.actual, limit)}"


def _change_line(change: PathChange, limit: int = 80) -> str:
    from tfdrift_ci.report import diff

    return diff.change_line(change, limit)


def diff_lines(f: Finding, limit: int = DIFF_LINES) -> list[str]:
    """The changed paths of a document diff (``Statement[0].Principal.AWS: "…" → "*"``), at most
    ``limit`` and then ``… and N more``; empty when the value is not a document or changed as one."""
    vd = _finding_diff(f)
    if vd is None or vd.kind != "structure" or len(vd.changes) < 2:
        return []
    lines = [_change_line(c) for c in vd.changes[:limit]]
    if len(vd.changes) > limit:
        lines.append(f"… and {len(vd.changes) - limit} more (the JSON report has the full diff)")
    return lines


def actor_text(actor: Actor | None) -> str:
    """``alice@example.com (console)``; the service for service actions."""
    if actor is None:
        return "unknown"
    via = actor.via
    if actor.service and via == "service":
        return f"{actor.display} (service: {actor.service})"
    return f"{actor.display} ({via})"


def ago_text(then: datetime, now: datetime | None) -> str:
    """``2 days ago`` relative to ``now`` (the end of the event window: the time of the run unless
    --until was given); the exact time when there is no reference."""
    if now is None:
        return iso(then)
    seconds = (now - then).total_seconds()
    if seconds < 0:
        return iso(then)
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            return f"{count_text(int(seconds // size), unit)} ago"
    return "just now"


def report_now(report: Report) -> datetime | None:
    """The reference time for relative times: the end of the event window."""
    return report.window.until if report.window is not None else None


PATTERN_NOTE = "resource name partly unknown: matched by pattern"


def finding_notes(f: Finding) -> tuple[str, ...]:
    """Every note a finding carries, in the words of the text output (its related locations too:
    the resource inside its module)."""
    related = tuple(f"related: {related_text(loc)}" for loc in f.related)
    return ((PATTERN_NOTE,) if f.matched_by_pattern else ()) + tuple(f.notes) + related


def related_text(loc: Location) -> str:
    """``../modules/app/main.tf:11: the resource in module module.app (./modules/app)``."""
    return f"{loc.file}:{loc.line}: {loc.note}" if loc.line else f"{loc.file}: {loc.note}"


def when_text(f: Finding) -> str:
    return iso(f.event.time) if f.event is not None else ""


def where_text(f: Finding) -> str:
    if not f.file:
        return ""
    return f"{f.file}:{f.line}" if f.line else f.file


def count_text(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def severity_counts(report: Report) -> str:
    """``2 critical, 1 high`` (only non-zero), or ``none``."""
    summary = report.summary()
    parts = [f"{summary[s.value]} {s.value}" for s in SEVERITIES if summary[s.value]]
    return ", ".join(parts) or "none"


@frozen
class Verdict:
    status: str  # "fail" | "pass" | "clean" | "error"
    headline: str  # one line, no markup
    reason: str  # the exit reason


def gap_phrases(report: Report, *, failing_only: bool = False) -> list[tuple[str, str]]:
    """(long, short) phrases for the gaps of ``report``, one per kind: ``the CloudTrail history is
    incomplete`` / ``event history incomplete``, ``2 modules not followed``, ``1 resource not
    identified``, ``weakened by configuration (1 setting)``."""
    gaps = [g for g in report.gaps if g.fails or not failing_only]
    count = {k: sum(1 for g in gaps if g.kind == k) for k in GAP_KINDS}
    out: list[tuple[str, str]] = []
    if count["source"] and not report.sources:  # no source ran at all (auto mode, no credentials)
        out.append(("drift was not checked (no CloudTrail source)", "drift not checked"))
    elif count["source"]:
        out.append(("the CloudTrail history is incomplete", "event history incomplete"))
    if count["module"]:
        modules = f"{count_text(count['module'], 'module')} not followed"
        out.append((modules, modules))
    if count["identity"]:
        unknown = f"{count_text(count['identity'], 'resource')} not identified"
        out.append((f"{unknown} (drift not checked)", unknown))
    if count["values"]:
        alone = f"{count_text(count['values'], 'file')} read alone: values not resolved"
        out.append((alone, alone))
    if count["config"]:
        weak = f"weakened by configuration ({count_text(count['config'], 'setting')})"
        out.append((f"the gate is {weak}", weak))
    return out


def verdict(report: Report) -> Verdict:
    active = report.active
    summary = report.summary()
    suppressed = len(report.findings) - len(active)
    threshold = next((s.rank for s in SEVERITIES if s.value == report.fail_on), None)
    at_or_above = [f for f in active if threshold is not None and f.severity.rank >= threshold]
    if report.exit_code >= 2:
        status = "error"
        headline = f"tfdrift-ci could not complete the check (exit {report.exit_code})"
        reason = f"exit {report.exit_code}: error"
    elif report.exit_code == 1:
        status = "fail"
        if at_or_above:
            headline = f"{count_text(len(at_or_above), 'finding')} at or above {report.fail_on}"
            if summary["total"] > len(at_or_above):
                headline += f" ({summary['total']} in total: {severity_counts(report)})"
            else:
                headline += f" ({severity_counts(report)})"
            reason = (
                f"exit 1: {count_text(len(at_or_above), 'finding')} at or above --fail-on {report.fail_on}"
            )
        else:
            failing = gap_phrases(report, failing_only=True)
            headline = " and ".join([g[0] for g in failing] or ["the check is incomplete"])
            headline += " and --fail-on-incomplete is set"
            what = ", ".join(("incomplete event history" if g[1] == "event history incomplete" else g[1])
                             for g in failing)  # fmt: skip
            reason = f"exit 1: {what or 'incomplete check'} (--fail-on-incomplete)"
    elif summary["total"]:
        status = "pass"
        if report.fail_on == "never":
            headline = f"{count_text(summary['total'], 'finding')} ({severity_counts(report)}), not failing"
            reason = "exit 0: --fail-on never"
        else:
            headline = (
                f"{count_text(summary['total'], 'finding')} below the {report.fail_on} threshold "
                f"({severity_counts(report)})"
            )
            reason = f"exit 0: no finding at or above --fail-on {report.fail_on}"
    elif any(g.kind == "values" for g in report.gaps):
        # nothing found, but in a file whose values could not be resolved: not a clean bill
        status = "pass"
        headline = "no drift and no unsafe configuration found in what could be resolved"
        reason = "exit 0: no findings"
    else:
        status = "clean"
        headline = "no drift and no unsafe configuration found"
        reason = "exit 0: no findings"
    if suppressed:
        headline += f"; {count_text(suppressed, 'finding')} suppressed"
    if status != "error":
        for long, short in gap_phrases(report):
            if long not in headline:
                headline += f"; {short}"
    return Verdict(status=status, headline=headline, reason=reason)


def not_checked(report: Report) -> list[str]:
    """What the report could not look at: every incomplete source, malformed records, modules not
    followed, resources whose identity is unknown, and the offline case."""
    out: list[str] = []
    if report.window is None:
        out.append("CloudTrail events: not read (offline or no credentials), so drift was not checked")
    for s in sorted(report.sources, key=lambda s: s.name):
        if not s.complete:
            out.append(f"event source {s.name} is incomplete: {s.error or 'reason unknown'}")
        if s.malformed:
            out.append(f"event source {s.name}: {count_text(s.malformed, 'malformed record')} skipped")
    out.extend(module_text(u) for u in report.modules_not_followed)
    for g in report.gaps:
        if g.kind == "identity":
            where = f" ({g.file}:{g.line})" if g.file and g.line else ""
            out.append(f"{g.subject}{where}: drift not checked: {g.reason}")
        elif g.kind == "values":
            out.append(f"{g.subject}: {g.reason}")
    return out


def weakened(report: Report) -> list[str]:
    """The settings that weaken the gate, one line each (``rules.TFD-ECR-001: …``)."""
    return [f"{g.subject}: {g.reason}" for g in report.gaps if g.kind == "config"]


def config_text(report: Report) -> str:
    """``configuration .tfdrift.yml`` (the file(s) the run used), or empty."""
    return f"configuration {', '.join(report.config_files)}" if report.config_files else ""


CALLS_SHOWN = 3  # calls listed per unfollowed module source before "and N more"


def module_text(u: UnfollowedSource) -> str:
    """One line per module source that was not followed, naming the calls that use it."""
    kind = "ECR/ECS module" if u.relevance == 0 else "module"
    versions = f" ({', '.join(u.versions)})" if u.versions else ""
    calls = []
    for m in u.calls[:CALLS_SHOWN]:
        where = f" ({m.file}:{m.line})" if m.file and m.line else (f" ({m.file})" if m.file else "")
        calls.append(f"{m.address}{where}")
    more = f" and {len(u.calls) - CALLS_SHOWN} more" if len(u.calls) > CALLS_SHOWN else ""
    return f"{kind} {u.source}{versions} was not followed: {u.reason}; used by {', '.join(calls)}{more}"


def window_text(report: Report) -> str:
    if report.window is None:
        return "offline (no events read)"
    return f"{iso(report.window.since)} → {iso(report.window.until)}"


def events_read(report: Report) -> int:
    return sum(s.events_read for s in report.sources)


def scanned_text(report: Report) -> str:
    head = f"{count_text(report.files, 'file')}, {count_text(len(report.resources), 'resource')}"
    if report.window is None:
        return f"{head}, offline: no CloudTrail events read"
    return f"{head}, {count_text(events_read(report), 'event')} read, window {window_text(report)}"


def reverted_text(f: Finding) -> str:
    """The sentence a reviewer must not miss: merging this PR undoes someone's manual change."""
    who = f.actor.display if f.actor else "someone"
    attr = f" {f.attribute}" if f.attribute else ""
    when = f" on {iso(f.event.time)}" if f.event else ""
    return (
        f"applying this PR reverts a manual change by {who}{when}: {f.address or '?'}{attr} "
        f"{value_text(f.actual)} → {value_text(f.expected)}"
    )
