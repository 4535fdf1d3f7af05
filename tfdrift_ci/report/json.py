"""``--format json``: exactly ``tfdrift_ci/schemas/report-schema.json`` (version 1). Deterministic:
findings in report order (worst first), resources by address, keys in a fixed order."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tfdrift_ci.models import Finding, Report, Resource, iso, jsonable
from tfdrift_ci.report._common import sorted_findings
from tfdrift_ci.report.diff import finding_diff
from tfdrift_ci.report.escape import json_safe

if TYPE_CHECKING:
    from tfdrift_ci.report import RenderOptions

SCHEMA_VERSION = "1"


def resource_dict(r: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {"address": r.address, "type": r.type, "file": r.file, "line": r.line}
    if r.root != ".":
        out["root"] = r.root
    if r.identity is not None:
        out["identity"] = r.identity.as_dict()
    if r.call_sites:
        out["call_sites"] = [c.as_dict() for c in r.call_sites]
    return out


def finding_dict(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule_id": f.rule_id,
        "kind": f.kind,
        "severity": f.severity.value,
        "title": f.title,
        "address": f.address,
        "resource_type": f.resource_type,
        "file": f.file,
        "line": f.line,
        "root": f.root,
        "attribute": f.attribute,
        "expected": jsonable(f.expected),
        "actual": jsonable(f.actual),
        "event": f.event.as_dict() if f.event is not None else None,
        # Actor.as_dict never includes access_key_id (kept for matching only).
        "actor": f.actor.as_dict() if f.actor is not None else None,
        "message": f.message,
        "remediation": f.remediation,
        "suppressed": f.suppressed,
        "suppression_reason": f.suppression_reason,
    }
    if f.reverted_by_plan is not None:
        out["reverted_by_plan"] = f.reverted_by_plan
    if f.matched_by_pattern:
        out["matched_by_pattern"] = True
    if f.notes:
        out["notes"] = list(f.notes)
    if f.set_back is not None:
        out["set_back"] = f.set_back.as_dict()
    if f.related:
        out["related"] = [loc.as_dict() for loc in f.related]
    vd = finding_diff(f)
    if vd is not None:
        out["diff"] = jsonable(vd.as_dict())
    return out


def report_dict(report: Report) -> dict[str, Any]:
    window = (
        {"since": iso(report.window.since), "until": iso(report.window.until)}
        if report.window is not None
        else None
    )
    out: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "tfdrift-ci", "version": report.tool_version},
        "scanned": {
            "path": report.path,
            "files": report.files,
            "resources": len(report.resources),
            "window": window,
            "sources": [s.as_dict() for s in sorted(report.sources, key=lambda s: s.name)],
            "unfollowed_modules": [
                {"address": m.address, "source": m.source, "file": m.file, "line": m.line, "reason": m.reason}
                | ({"version": m.version} if m.version else {})
                for m in sorted(report.unfollowed_modules, key=lambda m: (m.address, m.file or ""))
            ],
            "modules_not_followed": [u.as_dict() for u in report.modules_not_followed],
            "gaps": [g.as_dict() for g in report.gaps],
            "incomplete": report.incomplete,
            "config_files": list(report.config_files),
            "notices": list(report.notices),
        },
        "resources": [resource_dict(r) for r in sorted(report.resources, key=lambda r: (r.address, r.root))],
        "findings": [finding_dict(f) for f in sorted_findings(report.findings)],
        "summary": report.summary(),
        "fail_on": report.fail_on,
        "exit_code": report.exit_code,
    }
    return out


def render(report: Report, options: RenderOptions) -> str:
    # Values are kept exactly; characters that could reorder or hide text on a terminal or in a
    # diff (bidi and C1 controls, line separators) and lone surrogates are written as \uXXXX.
    return json_safe(json.dumps(report_dict(report), indent=2, ensure_ascii=False)) + "\n"
