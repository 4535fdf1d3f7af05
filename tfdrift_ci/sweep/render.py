"""Issue titles, bodies and comments of the sweep, from Jinja2 templates (``templates/sweep-*.md.j2``,
overridable with ``--template-dir`` like the PR comment's).

The same environment as the PR comment (:func:`tfdrift_ci.report.markdown.environment`): every
``{{ value }}`` is Markdown-escaped unless it is ``Markup`` built here from escaped parts, so an actor
name, a resource address or a policy text cannot add links, mentions or HTML to an issue.

A body depends only on its record (never on the clock), so rendering twice gives the same text and a
second sweep over the same window edits nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Severity
from tfdrift_ci.report import escape
from tfdrift_ci.report.markdown import SEVERITY_ICONS, environment
from tfdrift_ci.sweep.observe import Change
from tfdrift_ci.sweep.records import (
    MAX_STATE,
    SUMMARY_KEY,
    AttrState,
    Record,
    Value,
    canonical_json,
    encode_state,
    marker,
)

if TYPE_CHECKING:
    from markupsafe import Markup

BODY_LIMIT = 65_536  # GitHub's limit for an issue or comment body (characters)
COMMENTS_PER_ISSUE = 10  # new-change comments per issue and sweep; the rest in one more comment
VIA = {
    "console": "console",
    "cli": "AWS CLI",
    "sdk": "SDK",
    "service": "AWS service",
    "terraform": "Terraform",
    "unknown": "unknown client",
}


def _markup(text: str) -> Markup:
    from markupsafe import Markup

    return Markup(text)


def when(a: AttrState | Change) -> str:
    return a.time.strftime("%Y-%m-%d %H:%M UTC")


def value_text(value: Any) -> str:
    """A value as Terraform would write it (JSON for strings, lists and maps)."""
    if isinstance(value, Value):
        if not value.kept:
            return f"{value.preview or ''}…"
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(not set)"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return canonical_json(value)


def _scalar(value: Value) -> bool:
    v = value.value
    return value.kept and (v is None or isinstance(v, bool | int | float | str))


def target(record: Record) -> str:
    """The ``terraform apply -target`` line that restores the declared values of one resource."""
    address = record.address.replace("'", "'\\''")  # for a POSIX shell's single quotes
    chdir = "" if record.root in (".", "") else f" -chdir={_shell_word(record.root)}"
    return f"terraform{chdir} apply -target='{address}'"


def _shell_word(text: str) -> str:
    if all(ch.isalnum() or ch in "._/-+=@:," for ch in text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


@frozen
class AttrView:
    state: AttrState
    icon: Markup
    name: str
    declared: str
    actual: str
    who: str
    via: str
    when: str
    adopt: str  # "set image_tag_mutability = "MUTABLE"" or "" when not a one-line edit
    documents: tuple[str, str] | None  # declared and new JSON documents (policies …), indented


def _attr_view(a: AttrState) -> AttrView:
    try:
        icon = SEVERITY_ICONS[Severity.parse(a.severity)]
    except ValueError:
        icon = ""
    adopt = ""
    if a.attribute and _scalar(a.actual):
        adopt = f"{a.attribute} = {value_text(a.actual)}"
    documents = None
    if (
        not a.diff_lines
        and a.declared.kept
        and a.actual.kept
        and not (_scalar(a.declared) and _scalar(a.actual))
    ):
        documents = (_pretty(a.declared.value), _pretty(a.actual.value))
    # Two long values that differ in a small part show that part (…/shop-api:1.4.2 → …/shop-api:latest).
    return AttrView(
        state=a,
        icon=_markup(icon),
        name=a.attribute or "(the resource)",
        declared=a.diff_old or value_text(a.declared),
        actual=a.diff_new or value_text(a.actual),
        who=a.who,
        via=VIA.get(a.via, a.via),
        when=when(a),
        adopt=adopt,
        documents=documents,
    )


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def title(record: Record) -> str:
    """Plain text (GitHub does not render Markdown in titles), one line."""
    where = "" if record.root in (".", "") else f" ({record.root})"
    return escape.one_line(f"Drift: {record.address}{where} changed outside Terraform", 256)


def _fit(render: Callable[[bool], str], head: str) -> str:
    """``head`` + the rendered template, with details dropped and then cut to fit GitHub's limit."""
    for details in (True, False):
        text = head + render(details)
        if len(text) <= BODY_LIMIT:
            return text
    text = head + render(False)
    return text[: BODY_LIMIT - 80] + "\n\n… (cut to fit GitHub's size limit)\n"


def body(record: Record, *, template_dir: str | None = None) -> str:
    """The whole issue body: marker line, state line, then ``sweep-issue.md.j2``."""
    template = environment(template_dir).get_template("sweep-issue.md.j2")
    attrs = [_attr_view(a) for a in record.attributes]
    head = f"{marker(record.key)}\n{encode_state(record.as_json())}\n"

    def render(details: bool) -> str:
        return str(
            template.render(
                record=record,
                active=[v for v in attrs if v.state.status == "active"],
                resolved=[v for v in attrs if v.state.status != "active"],
                all=attrs,
                target=target(record),
                worst=_markup(SEVERITY_ICONS[Severity.parse(record.worst())]),
                details=details,
            )
        )

    return _fit(render, head)


def _change_view(c: Change) -> dict[str, Any]:
    return {
        "change": c,
        "name": c.attribute or "(the resource)",
        "declared": value_text(c.declared),
        "actual": value_text(c.actual),
        "via": VIA.get(c.via, c.via),
        "when": when(c),
    }


def comments(
    kind: str,
    record: Record,
    new: Sequence[Change],
    resolved: Sequence[AttrState],
    *,
    template_dir: str | None = None,
) -> list[str]:
    """The comments an action posts, in order: one per new change (at most
    :data:`COMMENTS_PER_ISSUE`, then one listing the rest), then one saying what is resolved
    (closing) when something is."""
    template = environment(template_dir).get_template("sweep-comment.md.j2")
    out: list[str] = []
    shown = list(new[:COMMENTS_PER_ISSUE])
    rest = list(new[COMMENTS_PER_ISSUE:])
    for i, c in enumerate(shown):
        out.append(
            str(
                template.render(part="change", kind=kind, first=i == 0, change=_change_view(c), record=record)
            )
        )
    if rest:
        out.append(
            str(template.render(part="more", kind=kind, more=[_change_view(c) for c in rest], record=record))
        )
    if resolved:
        out.append(
            str(
                template.render(
                    part="resolved",
                    kind=kind,
                    resolved=[_attr_view(a) for a in resolved],
                    still=[_attr_view(a) for a in record.active],
                    record=record,
                )
            )
        )
    return [c if len(c) <= BODY_LIMIT else c[: BODY_LIMIT - 40] + "\n\n… (cut)\n" for c in out]


SUMMARY_TITLE = "Drift: more resources changed outside Terraform than one sweep opens issues for"


STATE_BUDGET = 40_000  # characters of the summary issue's state line (GitHub's body limit: 65,536)
SUMMARY_ROWS = 100


def summary_body(pending: Sequence[Record], *, cap: int, template_dir: str | None = None) -> str:
    """The summary issue (resources waiting over the cap); its state line holds their records, as
    many as fit (worst first): the others are listed and said not to be kept."""
    template = environment(template_dir).get_template("sweep-summary.md.j2")
    kept = list(pending)
    while True:
        state = {"format": 1, "summary": True, "pending": [r.as_json() for r in kept]}
        line = encode_state(state)
        fits = len(line) <= STATE_BUDGET and len(canonical_json(state)) < MAX_STATE
        if fits or not kept:
            break
        kept = kept[: max(len(kept) * 9 // 10, len(kept) - 50)] if len(kept) > 1 else []
    head = f"{marker(SUMMARY_KEY)}\n{line}\n"
    rows = [
        (r, _markup(SEVERITY_ICONS[Severity.parse(r.worst())]), [_attr_view(a) for a in r.active])
        for r in pending[:SUMMARY_ROWS]
    ]

    def render(details: bool) -> str:
        return str(
            template.render(
                rows=rows,
                cap=cap,
                details=details,
                more=len(pending) - len(rows),
                forgotten=len(pending) - len(kept),
            )
        )

    return _fit(render, head)
