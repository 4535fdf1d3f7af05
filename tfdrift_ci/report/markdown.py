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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tfdrift_ci.errors import ConfigError
from tfdrift_ci.models import Finding, Report, Severity
from tfdrift_ci.report import _common as c
from tfdrift_ci.report import escape

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


def environment(template_dir: str | None) -> jinja2.Environment:
    """One environment per template directory (compiled templates are reused while trimming)."""
    if template_dir and not os.path.isdir(template_dir):
        raise ConfigError(f"--template-dir {template_dir}: not a directory")
    return _environment(template_dir)


@functools.lru_cache(maxsize=8)
def _environment(template_dir: str | None) -> jinja2.Environment:
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if template_dir:
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders.append(jinja2.PackageLoader("tfdrift_ci.templates", ""))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
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
    return env


def _trusted(text: str) -> Markup:
    from markupsafe import Markup

    return Markup(text)


# --------------------------------------------------------------------------------------------------
# View model: raw (untrusted) values; the template escapes them on output.


@dataclass(frozen=True)
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


def _row(f: Finding) -> Row:
    actor = f.actor
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
    )


@dataclass(frozen=True)
class Table:
    rows: list[Row]
    more: int = 0  # rows left out to fit the size limit


@dataclass(frozen=True)
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


def _table(rows: list[Row], limit: int | None) -> Table:
    if limit is None or len(rows) <= limit:
        return Table(rows)
    return Table(rows[:limit], more=len(rows) - limit)


def build_view(
    report: Report,
    *,
    max_rows: int | None = None,
    show_details: bool = True,
    summary_url: str | None = None,
    trimmed: bool = False,
) -> View:
    ordered = c.sorted_findings(report.findings)
    active = [_row(f) for f in ordered if not f.suppressed]
    v = c.verdict(report)
    url = _trusted(summary_url) if summary_url and _SAFE_URL.match(summary_url) else None
    # A pass over an incomplete event history is not a clean bill of health.
    icon = "⚠️" if v.status in ("pass", "clean") and not report.complete else STATUS_ICONS[v.status]
    return View(
        verdict=v,
        icon=_trusted(icon),
        path=report.path,
        tool_version=report.tool_version,
        scanned=c.scanned_text(report),
        reverted=_table([r for r in active if r.reverted], max_rows),
        # Changes the planned apply would undo come first: the reviewer is about to revert someone.
        drift=_table(
            sorted(
                (r for r in active if r.finding.kind in c.DRIFT_KINDS),
                key=lambda r: not r.finding.reverted_by_plan,
            ),
            max_rows,
        ),
        config=_table([r for r in active if r.finding.kind == "config"], max_rows),
        errors=_table([r for r in active if r.finding.kind == "error"], max_rows),
        suppressed=_table([_row(f) for f in ordered if f.suppressed], max_rows),
        details=_table(active, max_rows),
        show_details=show_details,
        not_checked=c.not_checked(report),
        notices=list(report.notices),
        summary_url=url,
        trimmed=trimmed,
        counts=report.summary(),
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
    first the collapsible details go, then table rows, then (last resort) a hard cut after it."""
    budget = limit - reserve
    body = render_template(name, build_view(report, summary_url=summary_url), template_dir)
    if len(body) <= budget:
        return body
    body = render_template(
        name, build_view(report, show_details=False, summary_url=summary_url, trimmed=True), template_dir
    )
    rows = DEFAULT_ROWS
    while len(body) > budget and rows >= 1:
        body = render_template(
            name,
            build_view(report, max_rows=rows, show_details=False, summary_url=summary_url, trimmed=True),
            template_dir,
        )
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
