"""``--format github``: workflow-command annotations on the PR diff.

``::error file=F,line=L,title=T::MESSAGE`` (https://docs.github.com/en/actions/using-workflows/workflow-commands-for-github-actions#setting-an-error-message),
escaped like the toolkit does, so a hostile name cannot start a new command (``%0A::error::…``) or
break out of a property. GitHub shows at most 10 error and 10 warning annotations per step (and 50
per job in the checks UI), so the output is capped at :data:`MAX_ANNOTATIONS` lines, worst first,
ending with a notice that points to the full report.
"""

from __future__ import annotations

import os
import posixpath
from typing import TYPE_CHECKING

from tfdrift_ci.models import Finding, Report, Severity
from tfdrift_ci.report import _common as c
from tfdrift_ci.report.escape import annotation_message, annotation_property, one_line
from tfdrift_ci.report.locations import position

if TYPE_CHECKING:
    from tfdrift_ci.report import RenderOptions

MAX_ANNOTATIONS = 50  # including the closing notice
COMMANDS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def _file(report: Report, f: Finding) -> tuple[str, int | None] | None:
    """(file relative to the workspace, line): annotations are matched against the checkout's paths,
    so only a file of the repository (``report/locations.py``; never a fetched module's file). A
    finding with no place of its own (an unmanaged resource) stays a job-level annotation."""
    where = position(report, f) if f.file or f.address else None
    if where is None:
        return None
    file, line = where
    base = report.path.replace(os.sep, "/")
    if base.endswith(".tf"):
        base = posixpath.dirname(base)
    if os.path.isabs(report.path):
        from tfdrift_ci.report.sarif import artifact_uri

        return artifact_uri(report.path, file), line
    return posixpath.normpath(posixpath.join(base or ".", file.replace(os.sep, "/"))), line


def _message(f: Finding) -> str:
    lines = [one_line(f.message, 500)]
    if f.kind in c.DRIFT_KINDS and f.event is not None:
        change = f" {f.attribute}: {c.change_text(f)}" if c.has_change(f) and f.attribute else ""
        lines.append(
            one_line(
                f"{f.event.name} by {c.actor_text(f.actor)} at {c.when_text(f)}{change} (event {f.event.id})",
                500,
            )
        )
    if f.reverted_by_plan:
        lines.append(one_line(c.reverted_text(f), 500))
    for loc in f.related:
        lines.append(one_line("related: " + c.related_text(loc), 500))
    if f.remediation:
        lines.append("Fix: " + one_line(f.remediation, 500))
    # Real newlines become %0A inside the data: one command, several lines in the annotation.
    return "\n".join(lines)


def annotation(report: Report, f: Finding) -> str:
    props = []
    where = _file(report, f)
    if where is not None:
        props.append(f"file={annotation_property(where[0])}")
        if where[1]:
            props.append(f"line={int(where[1])}")
    title = f"{f.rule_id} {f.title}"
    if f.address:
        title += f" ({f.address})"
    props.append(f"title={annotation_property(one_line(title, 200))}")
    return f"::{COMMANDS[f.severity]} {','.join(props)}::{annotation_message(_message(f))}"


def render(report: Report, options: RenderOptions) -> str:
    active = [f for f in c.sorted_findings(report.findings) if not f.suppressed]
    lines: list[str] = []
    shown = active if len(active) <= MAX_ANNOTATIONS else active[: MAX_ANNOTATIONS - 1]
    lines.extend(annotation(report, f) for f in shown)
    if len(shown) < len(active):
        more = len(active) - len(shown)
        lines.append(
            "::notice title="
            + annotation_property("tfdrift-ci")
            + "::"
            + annotation_message(
                f"{more} more findings are not annotated (GitHub shows a limited number of annotations); "
                "see the job summary, the SARIF upload or the JSON report for all "
                f"{len(active)}."
            )
        )
    v = c.verdict(report)
    # A plain (non-command) closing line for the log: the verdict.
    lines.append(f"tfdrift-ci: {annotation_message(one_line(v.headline))} ({annotation_message(v.reason)})")
    return "\n".join(lines) + "\n"
