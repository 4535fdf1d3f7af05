"""``--format gitlab``: a GitLab Code Quality report, which GitLab shows in the merge request's
Code Quality widget and on the changed lines of its diff.

Format (a JSON array; https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):
each issue has ``description``, ``check_name``, ``fingerprint`` (unique in the report, stable across
runs: GitLab compares the base and head reports by it), ``severity`` (``info``, ``minor``, ``major``,
``critical`` or ``blocker``) and ``location.path`` (relative to the repository root) with
``location.lines.begin``. Extra Code Climate fields (``type``, ``categories``, ``engine_name``) are
allowed and ignored by GitLab.

- Suppressed findings are left out: GitLab has no notion of a dismissed issue in this report.
- Every issue is on a file of the repository (``report/locations.py``): a finding with no file of
  its own (a resource created outside Terraform) is placed on its resource's block when known, else
  on its Terraform root's provider block (or first ``.tf`` file); never on a fetched module's file.
- Fingerprints hash the location path with the SARIF fingerprint's key (rule id, address, attribute,
  event id — never line numbers), so an issue survives edits above it and two roots declaring the
  same address stay apart; a repeated key gets a counter, in report order, so fingerprints are unique.
- The description is one line of plain text (GitLab shows it as text): controls and line breaks go,
  its length is capped.

Publish it with ``artifacts: reports: codequality: tfdrift-ci.codequality.json`` (docs/gitlab.md).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from typing import Any

from tfdrift_ci.models import Finding, Report, Severity
from tfdrift_ci.report import _common as c
from tfdrift_ci.report.escape import json_safe, one_line
from tfdrift_ci.report.locations import position
from tfdrift_ci.report.sarif import artifact_uri
from tfdrift_ci.report.sarif import fingerprint as sarif_fingerprint
from tfdrift_ci.textutil import clean

# tfdrift-ci's five severities onto GitLab's five, in order.
SEVERITY = {
    Severity.CRITICAL: "blocker",
    Severity.HIGH: "critical",
    Severity.MEDIUM: "major",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}
DESCRIPTION_LIMIT = 500  # characters; the JSON report has everything


def _path(text: str) -> str:
    """A path as text GitLab can show: no escape sequences or controls, no line break (a file name
    can hold them; it then no longer matches the file, which is the lesser harm)."""
    flat = re.sub(r"[\t\r\n]+", " ", clean(text)).strip()
    norm = posixpath.normpath(flat or ".").lstrip("/")
    while norm.startswith("../"):  # relative to the repository root: never above it
        norm = norm[3:]
    return "." if norm in ("", "..") else norm


def _position(report: Report, f: Finding) -> tuple[str, int]:
    """(path relative to the repository root, first line) of a finding: a file of the repository
    (``report/locations.py``), the root's directory only when no ``.tf`` file was read."""
    where = position(report, f)
    if where is not None:
        return _path(artifact_uri(report.path, where[0])), max(where[1] or 1, 1)
    return _path(artifact_uri(report.path, f.root or ".").rstrip("/")), 1


def _description(f: Finding) -> str:
    """One line: ``<rule id> <title>: <address> <attribute>: <old> → <new>, by <who> (<how>) at
    <when> (<event name>)`` for drift, ``<rule id> <title>: <address> — <message>`` otherwise."""
    head = f"{f.rule_id} {f.title}:"
    if f.kind in c.DRIFT_KINDS and f.event is not None:
        what = f.address or ""
        if f.attribute and c.has_change(f):
            what += f" {f.attribute}: {c.change_text(f)},"
        call = f"{f.event.name}, failed: {f.event.error_code}" if f.event.error_code else f.event.name
        text = f"{head} {what} by {c.actor_text(f.actor)} at {c.when_text(f)} ({call})"
    else:
        text = f"{head} {f.address} — {f.message}" if f.address else f"{head} {f.message}"
    return one_line(text, DESCRIPTION_LIMIT)


def issues(report: Report) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for f in c.sorted_findings(report.active):
        path, line = _position(report, f)
        key = f"{path}\x1f{sarif_fingerprint(f)}"
        n = seen.get(key, 0)
        seen[key] = n + 1
        if n:
            key += f"\x1f{n}"
        out.append(
            {
                "type": "issue",
                "engine_name": "tfdrift-ci",
                "check_name": one_line(f.rule_id, 100),
                "description": _description(f),
                "categories": ["Security"],
                "severity": SEVERITY[f.severity],
                "fingerprint": hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest(),
                "location": {"path": path, "lines": {"begin": line}},
            }
        )
    return out


def render(report: Report, options: Any = None) -> str:
    return json_safe(json.dumps(issues(report), indent=2, ensure_ascii=False)) + "\n"
