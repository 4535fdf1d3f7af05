"""``--format markdown``, the job summary and the PR comment, from Jinja2 templates.

Templates come from ``--template-dir`` first (a user's copies, same file names), then from the
``tfdrift_ci.templates`` data package. Autoescape is off (this is Markdown, not HTML), but every
``{{ value }}`` passes through :func:`_finalize`, which escapes it with :func:`escape.md` unless it is
a ``Markup`` built here from already-escaped parts. A template author therefore cannot forget to
escape an actor name or a user agent: the raw value is never written.

Filters for templates: ``code`` (value in ``<code>``), ``short(n)`` (shorten before escaping),
``block`` (multi-line value in an unbreakable fence).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tfdrift_ci.errors import ConfigError
from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Event, Finding, Report, Severity, iso
from tfdrift_ci.report import _common as c
from tfdrift_ci.report import diff as d
from tfdrift_ci.report import escape, timeline

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

    from tfdrift_ci.report import RenderOptions

COMMENT_LIMIT = 65_536  # GitHub rejects issue comment bodies longer than this (422)
SUMMARY_LIMIT = 1_000_000  # GitHub truncates/refuses job summaries over 1 MiB per step
DEFAULT_ROWS = 50

SEVERITY_ICONS = {
    Severity.CRITICAL: "🟥",
    Severity.HIGH: "🟧",
    Severity.MEDIUM: "🟨",
    Severity.LOW: "🟦",
    Severity.INFO: "⬜",
}
STATUS_ICONS = {"fail": "❌", "error": "⚠️", "pass": "✅", "clean": "✅"}
_SAFE_URL = re.compile(r"^https?://[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+$")


# --------------------------------------------------------------------------------------------------
# Jinja environment


def _finalize(value: object) -> object:
    from markupsafe import Markup

    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    return escape.md(value)


def _code(value: object, limit: int | None = None) -> Markup:
    from markupsafe import Markup

    return Markup(escape.md_code(c.value_text(value, None) if not isinstance(value, str) else value, limit))


def _short(value: object, limit: int = 80) -> str:
    return escape.one_line(value if isinstance(value, str) else c.value_text(value, None), limit)


def _block(value: object, limit: int | None = 4000) -> Markup:
    from markupsafe import Markup

    return Markup(escape.md_block(value, limit))


def _wrap(value: object, limit: int | None = 200) -> Markup:
    """Inline text a narrow table cell can wrap (``<wbr>`` after separators)."""
    from markupsafe import Markup

    return Markup(escape.md_wrap(value if isinstance(value, str) else c.value_text(value, None), limit))


def _diffblock(value: object, limit: int | None = 6000) -> Markup:
    """A unified diff in a ```diff fence (GitHub colours the + and - lines)."""
    from markupsafe import Markup

    return Markup(escape.md_diff_block(value, limit))


def environment(template_dir: str | None) -> jinja2.Environment:
    """One environment per template directory (compiled templates are reused while trimming)."""
    if template_dir and not os.path.isdir(template_dir):
        raise ConfigError(f"--template-dir {template_dir}: not a directory")
    return _environment(template_dir)


def template_loaders(template_dir: str | None) -> list[jinja2.BaseLoader]:
    """The user's --template-dir first (same file names), then the templates shipped in the package."""
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if template_dir:
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders.append(jinja2.PackageLoader("tfdrift_ci.templates", ""))
    return loaders


@functools.lru_cache(maxsize=8)
def _environment(template_dir: str | None) -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(template_loaders(template_dir)),
        autoescape=False,  # Markdown: escaping is done by finalize for every output expression
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,  # a typo in a user template fails loudly, not silently
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["code"] = _code
    env.filters["short"] = _short
    env.filters["block"] = _block
    env.filters["wrap"] = _wrap
    env.filters["diffblock"] = _diffblock
    return env


def _trusted(text: str) -> Markup:
    from markupsafe import Markup

    return Markup(text)


# --------------------------------------------------------------------------------------------------
# View model: raw (untrusted) values; the template escapes them on output.


@frozen
class Row:
    finding: Finding
    severity: str
    icon: Markup
    rule_id: str
    title: str
    address: str
    where: str
    attribute: str
    old: str
    new: str
    who: str
    via: str
    when: str
    event_name: str
    event_id: str
    message: str
    remediation: str
    reverted: str
    suppression_reason: str
    # The comment's five-column tables (escaped here, from the raw values above):
    resource_md: Markup  # icon, severity and address in one cell
    change_md: Markup  # old → new: differing parts, changed paths, or "deleted"
    who_md: Markup  # alice@example.com · console · 2 days ago
    event_md: Markup  # the event name, linked to the CloudTrail console when the id is a real one
    notes: tuple[str, ...]  # every note the text output has (set back, reverted, pattern match …)
    exact_time: str  # the event's exact UTC time (GitHub strips <span title>: shown in the details)
    diff: d.ValueDiff | None
    root: str


# CloudTrail event history deep link. Only built from a region and an event id that look like AWS's
# own (a UUID), so a hostile record cannot turn the cell into a link of its choosing.
_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}$")
_EVENT_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def event_url(event: Event | None) -> str | None:
    """The CloudTrail console page of one event (Event history, 90 days), or None."""
    if event is None or not event.region or not _REGION.match(event.region) or not _EVENT_ID.match(event.id):
        return None
    domain = "console.amazonaws-us-gov.com" if "-gov-" in event.region else "console.aws.amazon.com"
    return f"https://{event.region}.{domain}/cloudtrail/home?region={event.region}#/events/{event.id}"


def _resource_md(f: Finding) -> Markup:
    name = f.address or ("(not in Terraform)" if f.kind == "unmanaged" else c.where_text(f) or "-")
    return _trusted(f"{SEVERITY_ICONS[f.severity]} {f.severity.value} {escape.md_code_wrap(name, 100)}")


def _change_md(f: Finding, vd: d.ValueDiff | None, lines: int = 3) -> Markup:
    gone = c.deletion_text(f)
    if gone is not None:
        return _trusted(f"**{gone}**")
    if vd is not None and vd.kind == "text":
        return _trusted(f"{escape.md_code_wrap(vd.old_excerpt)} → {escape.md_code_wrap(vd.new_excerpt)}")
    if vd is not None:
        shown = [
            f"{escape.md_code_wrap(ch.path or '(whole value)')}: {_path_change_md(ch)}"
            for ch in vd.changes[:lines]
        ]
        if len(vd.changes) > lines:
            shown.append(f"… {len(vd.changes) - lines} more (see the diff below)")
        return _trusted("<br>".join(shown))
    if c.has_change(f) and (f.attribute or f.kind != "unmanaged"):
        old = escape.md_code_wrap(c.value_text(f.expected), 60)
        return _trusted(f"{old} → {escape.md_code_wrap(c.value_text(f.actual), 60)}")
    return _trusted(escape.md_wrap(f.message, 160))


def _path_change_md(ch: d.PathChange) -> str:
    if ch.op == "added":
        return f"added {escape.md_code_wrap(d.show(ch.new, 60))}"
    if ch.op == "removed":
        return f"removed {escape.md_code_wrap(d.show(ch.old, 60))}"
    old, new = ch.old, ch.new
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > d.LONG:
        old, new = d.excerpt(old, new)
    return f"{escape.md_code_wrap(d.show(old, 60))} → {escape.md_code_wrap(d.show(new, 60))}"


def _attempt_md(f: Finding) -> Markup:
    """What a failed call tried to do: ``set <attribute> to <value>``, else the message."""
    if f.attribute and f.actual is not None:
        return _trusted(
            f"set {escape.md_code_wrap(f.attribute, 80)} to {escape.md_code_wrap(c.value_text(f.actual), 60)}"
        )
    if f.attribute:
        return _trusted(f"change {escape.md_code_wrap(f.attribute, 80)}")
    if f.event is not None:  # the whole message is in the details
        return _trusted(f"tried {escape.md_wrap(f.event.name, 60, camel=True)}")
    return _trusted(escape.md_wrap(f.message, 160))


def _who_md(f: Finding, now: datetime | None) -> Markup:
    actor = f.actor
    parts = []
    if actor is not None:
        parts.append(escape.md_wrap(actor.display or "unknown", 60))
        via = f"{actor.via}: {actor.service}" if actor.service else actor.via
        parts.append(escape.md_wrap(via, 60))
    if f.event is not None:
        parts.append(escape.md(c.ago_text(f.event.time, now)))
    return _trusted(" · ".join(parts))


def _event_md(f: Finding) -> Markup:
    if f.event is None:
        return _trusted("")
    name = escape.md_wrap(f.event.name, 60, camel=True)
    url = event_url(f.event)
    text = f"[{name}]({url})" if url else name
    if f.event.error_code:
        text += f"<br>{escape.md_wrap(f.event.error_code, 60, camel=True)}"
    return _trusted(text)


def _row(f: Finding, now: datetime | None = None) -> Row:
    actor = f.actor
    vd = d.finding_diff(f)
    return Row(
        finding=f,
        severity=f.severity.value,
        icon=_trusted(SEVERITY_ICONS[f.severity]),
        rule_id=f.rule_id,
        title=f.title,
        # Several roots under one PATH can declare the same address: name the root when it is not ".".
        address=(f"{f.root}: " if f.root and f.root != "." and f.address else "")
        + (f.address or ("(not in Terraform)" if f.kind == "unmanaged" else "")),
        where=c.where_text(f),
        attribute=f.attribute or "",
        old=c.value_text(f.expected),
        new=c.value_text(f.actual),
        who=(actor.display if actor else ""),
        via=(f"{actor.via}: {actor.service}" if actor and actor.service else (actor.via if actor else "")),
        when=c.when_text(f),
        event_name=f.event.name if f.event else "",
        event_id=f.event.id if f.event else "",
        message=f.message,
        remediation=f.remediation or "",
        reverted=c.reverted_text(f) if f.reverted_by_plan else "",
        suppression_reason=f.suppression_reason or "no reason given",
        resource_md=_resource_md(f),
        change_md=_attempt_md(f) if f.kind == "attempt" else _change_md(f, vd),
        who_md=_who_md(f, now),
        event_md=_event_md(f),
        notes=c.finding_notes(f),
        exact_time=iso(f.event.time) if f.event else "",
        diff=vd,
        root=f.root or ".",
    )


@frozen
class Table:
    rows: list[Row]
    more: int = 0  # rows left out to fit the size limit


@frozen
class Group:
    """The tables of one Terraform root (the comment has one section per root when there are
    several; ``root`` is empty when there is only one)."""

    root: str
    in_root: Markup  # heading suffix: `` in <code>infra/prod</code>`` (empty for a single root)
    drift: Table  # changes made outside Terraform (drift and unmanaged)
    attempts: Table  # failed attempts (their own section: nothing changed)
    config: Table
    errors: Table
    diffs: list[Row]  # rows whose document diff is shown in full (collapsible)


@frozen
class View:
    verdict: c.Verdict
    icon: Markup
    path: str
    tool_version: str
    scanned: str
    reverted: Table
    drift: Table
    config: Table
    errors: Table
    suppressed: Table
    details: Table
    show_details: bool
    not_checked: list[str]
    notices: list[str]
    summary_url: Markup | None
    trimmed: bool
    counts: Mapping[str, int] = field(default_factory=dict)
    attempts: Table = field(default_factory=lambda: Table([]))
    groups: list[Group] = field(default_factory=list)
    timeline: Markup | None = None  # a ```mermaid block, or None when there is nothing to draw
    timeline_more: str = ""  # "… and N earlier events" beyond the timeline's cap
    weakened: list[str] = field(default_factory=list)  # settings that weaken the gate
    config_files: str = ""  # "configuration .tfdrift.yml", or empty


def _table(rows: list[Row], limit: int | None) -> Table:
    if limit is None or len(rows) <= limit:
        return Table(rows)
    return Table(rows[:limit], more=len(rows) - limit)


def _drift_rows(rows: list[Row]) -> list[Row]:
    # Changes the planned apply would undo come first: the reviewer is about to revert someone.
    return sorted(
        (r for r in rows if r.finding.kind in ("drift", "unmanaged")),
        key=lambda r: not r.finding.reverted_by_plan,
    )


def _group(root: str, rows: list[Row], limit: int | None, *, diffs: bool = True) -> Group:
    drift = _drift_rows(rows)
    return Group(
        root=root,
        in_root=_trusted(f" in {escape.md_code(root, 80)}" if root else ""),
        drift=_table(drift, limit),
        attempts=_table([r for r in rows if r.finding.kind == "attempt"], limit),
        config=_table([r for r in rows if r.finding.kind == "config"], limit),
        errors=_table([r for r in rows if r.finding.kind == "error"], limit),
        # The full diffs are details: they go with the details section when the comment is trimmed.
        diffs=[r for r in drift[:limit] if _full_diff(r)] if diffs else [],
    )


def _full_diff(row: Row) -> bool:
    return row.diff is not None and row.diff.kind == "structure" and bool(row.diff.unified)


def build_view(
    report: Report,
    *,
    max_rows: int | None = None,
    show_details: bool = True,
    summary_url: str | None = None,
    trimmed: bool = False,
    show_timeline: bool = True,
) -> View:
    ordered = c.sorted_findings(report.findings)
    now = c.report_now(report)
    active = [_row(f, now) for f in ordered if not f.suppressed]
    v = c.verdict(report)
    url = _trusted(summary_url) if summary_url and _SAFE_URL.match(summary_url) else None
    # A pass with a gap (an incomplete event history, modules not read, resources not identified,
    # a weakened gate) is not a clean bill of health.
    icon = "⚠️" if v.status in ("pass", "clean") and report.gaps else STATUS_ICONS[v.status]
    tl = timeline.build(report) if show_timeline else None
    roots = sorted({r.root for r in active})
    if len(roots) > 1 or roots not in ([], ["."]):
        groups = [
            _group(root, [r for r in active if r.root == root], max_rows, diffs=show_details)
            for root in roots
        ]
    else:
        groups = [_group("", active, max_rows, diffs=show_details)]
    return View(
        verdict=v,
        icon=_trusted(icon),
        path=report.path,
        tool_version=report.tool_version,
        scanned=c.scanned_text(report),
        reverted=_table([r for r in active if r.reverted], max_rows),
        drift=_table(_drift_rows(active), max_rows),
        config=_table([r for r in active if r.finding.kind == "config"], max_rows),
        errors=_table([r for r in active if r.finding.kind == "error"], max_rows),
        suppressed=_table([_row(f, now) for f in ordered if f.suppressed], max_rows),
        details=_table(active, max_rows),
        show_details=show_details,
        not_checked=c.not_checked(report),
        weakened=c.weakened(report),
        config_files=c.config_text(report),
        notices=list(report.notices),
        summary_url=url,
        trimmed=trimmed,
        counts=report.summary(),
        attempts=_table([r for r in active if r.finding.kind == "attempt"], max_rows),
        groups=groups,
        timeline=_trusted(timeline.mermaid(tl)) if tl is not None else None,
        timeline_more=timeline.more_text(tl) if tl is not None else "",
    )


# --------------------------------------------------------------------------------------------------
# Rendering


def render_template(
    name: str, view: View, template_dir: str | None, extra: Mapping[str, Any] | None = None
) -> str:
    import jinja2

    env = environment(template_dir)
    try:
        return env.get_template(name).render(view=view, **(extra or {}))
    except jinja2.TemplateError as err:
        # A user template (--template-dir) with a typo or an unknown variable: a usage error (exit 2).
        where = f" in {template_dir}" if template_dir else ""
        raise ConfigError(f"template {name}{where}: {type(err).__name__}: {err}") from err


def _fit(
    report: Report,
    name: str,
    *,
    template_dir: str | None,
    limit: int,
    summary_url: str | None,
    reserve: int = 0,
) -> str:
    """Render, shrinking the details until the text fits ``limit``. The verdict is never trimmed:
    first the collapsible details go, then the timeline, then table rows, then (last resort) a hard
    cut after it."""
    budget = limit - reserve
    body = render_template(name, build_view(report, summary_url=summary_url), template_dir)
    if len(body) <= budget:
        return body
    body = render_template(
        name, build_view(report, show_details=False, summary_url=summary_url, trimmed=True), template_dir
    )
    if len(body) > budget:
        # Then the timeline (the tables say the same, row by row), then table rows.
        body = render_template(
            name,
            build_view(
                report, show_details=False, summary_url=summary_url, trimmed=True, show_timeline=False
            ),
            template_dir,
        )
    rows = DEFAULT_ROWS
    while len(body) > budget and rows >= 1:
        view = build_view(
            report,
            max_rows=rows,
            show_details=False,
            summary_url=summary_url,
            trimmed=True,
            show_timeline=False,
        )
        body = render_template(name, view, template_dir)
        rows //= 2
    if len(body) > budget:
        # Table cells are already shortened; only enormous notices/not-checked lists get here.
        # Cut from the end: the headline and verdict come first in every template.
        note = "\n\n… (cut to fit GitHub's size limit; the job summary and JSON report have everything)\n"
        body = body[: max(budget - len(note), 0)] + note
    return body


def render_summary(report: Report, options: RenderOptions, *, limit: int = SUMMARY_LIMIT) -> str:
    return _fit(report, "summary.md.j2", template_dir=options.template_dir, limit=limit, summary_url=None)


def render_comment(
    report: Report,
    options: RenderOptions,
    *,
    summary_url: str | None = None,
    limit: int = COMMENT_LIMIT,
    reserve: int = 0,
) -> str:
    """The PR comment body (without the sticky marker, which ``github.comments`` adds)."""
    return _fit(
        report,
        "comment.md.j2",
        template_dir=options.template_dir,
        limit=limit,
        summary_url=summary_url,
        reserve=reserve,
    )


def render(report: Report, options: RenderOptions) -> str:
    """``--format markdown``: the full report (the job summary's content)."""
    return render_template("summary.md.j2", build_view(report), options.template_dir)
