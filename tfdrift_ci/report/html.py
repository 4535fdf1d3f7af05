"""``--format html``: one self-contained file to open in a browser or keep as a CI artifact.

Everything is inline: CSS, the timeline as SVG, a small script that filters the findings by
severity, kind and root. Nothing is fetched (no CDN, no font, no image URL), and the page's Content
Security Policy says so: ``default-src 'none'``, styles inline, and only the one script whose
SHA-256 hash is in the policy may run, so even a value that escaped escaping could not execute.

Jinja2 with autoescape on for every value (template ``report.html.j2``, overridable with
``--template-dir`` like the Markdown templates).
"""

from __future__ import annotations

import base64
import functools
import hashlib
from typing import TYPE_CHECKING, Any

from tfdrift_ci.errors import ConfigError
from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import SEVERITIES, Finding, Report, iso
from tfdrift_ci.report import _common as c
from tfdrift_ci.report import diff as d
from tfdrift_ci.report import timeline
from tfdrift_ci.report.markdown import event_url, template_loaders
from tfdrift_ci.textutil import clean

if TYPE_CHECKING:
    import jinja2

    from tfdrift_ci.report import RenderOptions

KIND_LABELS = {
    "drift": "changed outside Terraform",
    "unmanaged": "created outside Terraform",
    "attempt": "failed attempt",
    "config": "unsafe configuration",
    "error": "could not be checked",
}


@frozen
class HtmlFinding:
    """One finding as the page shows it: plain values (the template escapes them)."""

    index: int
    severity: str
    kind: str
    kind_label: str
    root: str
    rule_id: str
    title: str
    address: str
    where: str
    attribute: str
    change: str  # old → new (differing parts), "deleted", or the offending value for config
    diff_lines: tuple[str, ...]  # changed paths of a document
    unified: str  # the full unified diff ("" when none)
    who: str
    via: str
    ago: str
    time: str  # exact UTC
    event_name: str
    event_id: str
    event_url: str | None
    error_code: str
    message: str
    notes: tuple[str, ...]
    remediation: str


def _via(f: Finding) -> str:
    if f.actor is None:
        return ""
    return f"{f.actor.via}: {f.actor.service}" if f.actor.service else f.actor.via


def _finding(i: int, f: Finding, report: Report) -> HtmlFinding:
    vd = d.finding_diff(f)
    lines = tuple(c.diff_lines(f))
    return HtmlFinding(
        index=i,
        severity=f.severity.value,
        kind=f.kind,
        kind_label=KIND_LABELS.get(f.kind, f.kind),
        root=f.root or ".",
        rule_id=f.rule_id,
        title=f.title,
        address=f.address or ("(not in Terraform)" if f.kind == "unmanaged" else ""),
        where=c.where_text(f),
        attribute=f.attribute or "",
        change=c.change_text(f, None) if c.has_change(f) or c.deletion_text(f) else "",
        diff_lines=lines,
        unified=vd.unified if vd is not None and vd.kind == "structure" else "",
        who=f.actor.display if f.actor else "",
        via=_via(f),
        ago=c.ago_text(f.event.time, c.report_now(report)) if f.event else "",
        time=iso(f.event.time) if f.event else "",
        event_name=f.event.name if f.event else "",
        event_id=f.event.id if f.event else "",
        event_url=event_url(f.event),
        error_code=(f.event.error_code or "") if f.event else "",
        message=f.message,
        notes=c.finding_notes(f),
        remediation=f.remediation or "",
    )


def view(report: Report) -> dict[str, Any]:
    ordered = c.sorted_findings(report.findings)
    active = [f for f in ordered if not f.suppressed]
    findings = [_finding(i, f, report) for i, f in enumerate(active)]
    t = timeline.build(report)
    v = c.verdict(report)
    return {
        "verdict": v,
        "path": report.path,
        "tool_version": report.tool_version,
        "scanned": c.scanned_text(report),
        "findings": findings,
        "severities": [s.value for s in SEVERITIES],
        "counts": report.summary(),
        "kinds": [k for k in KIND_LABELS if any(f.kind == k for f in findings)],
        "kind_labels": KIND_LABELS,
        "roots": sorted({f.root for f in findings}),
        "reverted": [c.reverted_text(f) for f in active if f.reverted_by_plan],
        "timeline_svg": timeline.svg(t) if t is not None else None,
        "timeline_more": timeline.more_text(t) if t is not None else "",
        "not_checked": c.not_checked(report),
        "weakened": c.weakened(report),
        "config": c.config_text(report),
        "notices": list(report.notices),
        "suppressed": [
            (f.rule_id, f.address or c.where_text(f) or "-", f.suppression_reason or "no reason given")
            for f in ordered
            if f.suppressed
        ],
        "complete": report.complete,
    }


def _finalize(value: object) -> object:
    """Before autoescape: untrusted text loses escape sequences, controls and bidi overrides (which
    would reorder what a reader sees), as in every other format."""
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return clean(value)
    return value


@functools.lru_cache(maxsize=8)
def _environment(template_dir: str | None) -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(template_loaders(template_dir)),
        autoescape=True,  # HTML: every {{ value }} is escaped; the SVG and script are Markup of ours
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _script(env: jinja2.Environment) -> str:
    return env.get_template("report.js.j2").render().strip("\n")


def csp_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def render(report: Report, options: RenderOptions) -> str:
    import jinja2
    from markupsafe import Markup

    if options.template_dir:
        import os

        if not os.path.isdir(options.template_dir):
            raise ConfigError(f"--template-dir {options.template_dir}: not a directory")
    env = _environment(options.template_dir)
    try:
        script = _script(env)
        data = view(report)
        if data["timeline_svg"] is not None:
            data["timeline_svg"] = Markup(data["timeline_svg"])  # built from escaped parts
        return env.get_template("report.html.j2").render(
            view=data, script=Markup(script), script_hash=csp_hash(script)
        )
    except jinja2.TemplateError as err:
        where = f" in {options.template_dir}" if options.template_dir else ""
        raise ConfigError(f"template report.html.j2{where}: {type(err).__name__}: {err}") from err
