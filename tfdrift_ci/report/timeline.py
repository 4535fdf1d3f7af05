"""The sequence of events a reviewer asks about first: who touched which resource, in what order,
and did Terraform put it back. One model (:func:`build`), drawn as a Mermaid gantt chart for the PR
comment (:func:`mermaid`) and as inline SVG for the HTML report (:func:`svg`).

A lane per resource; a mark per out-of-band change, failed attempt, set-back named by a finding,
and per Terraform apply on a resource that drifted. At most ``CAP`` marks are drawn (the most
recent), the rest counted. A report without drift draws nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Finding, Report, iso
from tfdrift_ci.report import _common as c
from tfdrift_ci.report import escape

CAP = 30

MarkKind = Literal["change", "attempt", "setback", "terraform"]


@frozen
class Mark:
    time: datetime
    kind: MarkKind
    label: str  # plain text (escape for the output)
    finding: Finding | None  # None for a Terraform apply


@frozen
class Lane:
    name: str  # the resource address (with its root when several roots are checked)
    marks: tuple[Mark, ...]


@frozen
class Timeline:
    since: datetime
    until: datetime
    lanes: tuple[Lane, ...]
    more: int = 0  # marks left out (beyond CAP)

    @property
    def marks(self) -> int:
        return sum(len(lane.marks) for lane in self.lanes)


def _lane_name(f: Finding, several_roots: bool) -> str:
    name = f.address or (f"{f.actual} (not in Terraform)" if f.actual else "(not in Terraform)")
    return f"{f.root}: {name}" if several_roots and f.root and f.root != "." else name


def _marks(f: Finding) -> list[Mark]:
    assert f.event is not None
    who = f.actor.display if f.actor else "unknown"
    if f.kind == "attempt":
        label = f"{who} tried {f.event.name} ({f.event.error_code or 'failed'})"
        return [Mark(f.event.time, "attempt", label, f)]
    what = f.attribute or c.deletion_text(f) or f.event.name
    out = [Mark(f.event.time, "change", f"{who}: {what}", f)]
    back = f.set_back
    if back is not None:
        out.append(Mark(back.time, "setback", f"{back.who} set {f.attribute or 'it'} back", f))
    return out


def _applies(report: Report, found: list[Finding], several: bool) -> list[tuple[str, Mark]]:
    """Terraform's own writes on the resources that drifted (other resources' applies are not the
    story), except those already drawn as a set-back."""
    lanes = {(f.root or ".", f.address): _lane_name(f, several) for f in found if f.address}
    shown = {f.set_back.event_id for f in found if f.set_back is not None}
    out: list[tuple[str, Mark]] = []
    for a in report.terraform_applies:
        lane = lanes.get((a.root, a.address))
        if lane is not None and a.event_id not in shown:
            out.append((lane, Mark(a.time, "terraform", f"Terraform {a.event_name}", None)))
            shown.add(a.event_id)
    return out


def build(report: Report, cap: int = CAP) -> Timeline | None:
    """The timeline of the report's active drift, or None when there is no drift to draw."""
    found = [f for f in report.active if f.event is not None and f.kind in ("drift", "unmanaged", "attempt")]
    if not any(f.kind in ("drift", "unmanaged") for f in found):
        return None
    several = len({f.root or "." for f in found}) > 1
    pairs = [(_lane_name(f, several), m) for f in found for m in _marks(f)]
    pairs += _applies(report, found, several)
    marks = sorted(pairs, key=lambda lm: (lm[1].time, lm[0], lm[1].label))
    more = max(len(marks) - cap, 0)
    kept = marks[more:]  # the most recent
    lanes: dict[str, list[Mark]] = {}
    for lane, mark in kept:
        lanes.setdefault(lane, []).append(mark)
    times = [m.time for _, m in kept]
    since = report.window.since if report.window else min(times)
    until = report.window.until if report.window else max(times)
    since, until = min(since, *times), max(until, *times)
    return Timeline(
        since=since,
        until=until,
        lanes=tuple(Lane(name, tuple(ms)) for name, ms in lanes.items()),
        more=more,
    )


# --------------------------------------------------------------------------------------------------
# Mermaid (PR comment)

_TAGS: dict[MarkKind, str] = {
    "change": "crit, milestone",
    "attempt": "active, milestone",
    "setback": "done, milestone",
    "terraform": "done, milestone",
}
_SYMBOLS: dict[MarkKind, str] = {"change": "●", "attempt": "○", "setback": "↺", "terraform": "▲"}


def _mermaid_time(t: datetime) -> str:
    return iso(t)[:16].replace("T", " ")


def mermaid(t: Timeline) -> str:
    """A ```mermaid gantt block: a section per resource, a milestone per mark (red: a change outside
    Terraform; blue: a failed attempt; grey: set back, or another Terraform apply on that resource).
    Every label goes through
    :func:`escape.mermaid_text`; every task label starts with a symbol of ours, never with text that
    could read as a keyword."""
    span = f"{_mermaid_time(t.since)} to {_mermaid_time(t.until)}"
    lines = [
        "```mermaid",
        "gantt",
        # The title's times are ours, but ":" still ends a gantt title's text: a look-alike.
        f"    title Changes outside Terraform, {span.replace(':', chr(0x2236))} UTC",
        "    dateFormat YYYY-MM-DD HH:mm",
        f"    axisFormat {_axis_format(t)}",
        "    todayMarker off",
    ]
    for lane in t.lanes:
        lines.append(f"    section {escape.mermaid_text(lane.name, 60)}")
        for m in lane.marks:
            label = f"{_SYMBOLS[m.kind]} {escape.mermaid_text(m.label, 60)}"
            lines.append(f"    {label} :{_TAGS[m.kind]}, {_mermaid_time(m.time)}, 0m")
    lines.append("```")
    return "\n".join(lines)


def _axis_format(t: Timeline) -> str:
    """Ticks come every few hours on short windows: the hour keeps two ticks of a day apart."""
    span = t.until - t.since
    if span <= timedelta(days=1):
        return "%H:%M"
    return "%m-%d %H:%M" if span <= timedelta(days=10) else "%m-%d"


def more_text(t: Timeline) -> str:
    return (
        f"… and {t.more} earlier {'event' if t.more == 1 else 'events'} (see the details)" if t.more else ""
    )


# --------------------------------------------------------------------------------------------------
# SVG (HTML report)

_COLOURS: dict[MarkKind, str] = {
    "change": "#cf222e",
    "attempt": "#0969da",
    "setback": "#6e7781",
    "terraform": "#8250df",
}


def svg(t: Timeline, width: int = 880) -> str:
    """Inline SVG (no script, no external reference): a row per resource, a mark per event, each
    with a ``<title>`` tooltip holding the exact UTC time. Text is XML-escaped."""
    from markupsafe import escape as x

    label_w, row_h, top = 260, 28, 28
    plot_w = width - label_w - 20
    span = max((t.until - t.since).total_seconds(), 1.0)
    height = top + row_h * len(t.lanes) + 24

    def xpos(when: datetime) -> float:
        return label_w + plot_w * ((when - t.since).total_seconds() / span)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        "<title>Changes outside Terraform over the event window</title>",
        f'<text x="{label_w}" y="16" class="axis">{x(iso(t.since))}</text>',
        f'<text x="{width - 20}" y="16" class="axis" text-anchor="end">{x(iso(t.until))}</text>',
    ]
    for i, lane in enumerate(t.lanes):
        y = top + row_h * i + row_h / 2
        full, short = x(escape.one_line(lane.name, None)), x(escape.one_line(lane.name, 40))
        out.append(f'<text x="4" y="{y + 4:.1f}" class="lane"><title>{full}</title>{short}</text>')
        out.append(f'<line x1="{label_w}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" class="rule"/>')
        for m in lane.marks:
            cx = xpos(m.time)
            tip = f"{iso(m.time)} · {escape.one_line(m.label, 200)}"
            fill = _COLOURS[m.kind]
            if m.kind == "setback":
                tag = "rect"
                shape = f'x="{cx - 5:.1f}" y="{y - 5:.1f}" width="10" height="10"'
            else:
                tag = "circle"
                shape = f'cx="{cx:.1f}" cy="{y:.1f}" r="6"'
            out.append(f'<{tag} {shape} fill="{fill}" class="mark {m.kind}"><title>{x(tip)}</title></{tag}>')
    out.append("</svg>")
    return "\n".join(out)
