"""``--format falco``: one JSON line per drift, for log pipelines (Falco / tfdrift-falco style).

Shape (one object per line): ``{service, event, resource, changes: {attr: [old, new]}, user,
timestamp}``, plus a few additive keys (rule_ids, severity, via, event_id, account, region, file,
line, reverted_by_plan). Findings of one event on one resource are merged into one line, so that
``changes`` lists every attribute that event changed. Only unsuppressed ``drift`` findings are
written; attempts, unmanaged resources and config findings are not drift.
"""

from __future__ import annotations

import json
from typing import Any

from tfdrift_ci.models import Finding, Report, Severity, iso
from tfdrift_ci.report.escape import json_safe


def _service(source: str) -> str:
    # ecs.amazonaws.com -> ecs, ecr-public.amazonaws.com -> ecr-public
    return source.split(".", 1)[0]


def _whole(event_name: str) -> str:
    """The ``changes`` key of a whole-resource change (no attribute): ``(deleted)``, ``(created)``…"""
    for prefix, verb in (
        ("Delete", "deleted"),
        ("Deregister", "deregistered"),
        ("Create", "created"),
        ("Register", "registered"),
        ("BatchDelete", "deleted images"),
    ):
        if event_name.startswith(prefix):
            return f"({verb})"
    return f"({event_name})"


def render(report: Report, options: Any = None) -> str:
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for f in report.findings:
        if f.kind != "drift" or f.suppressed or f.event is None:
            continue
        groups.setdefault((iso(f.event.time), f.event.id, f.address or ""), []).append(f)
    lines: list[str] = []
    for (_, _, address), findings in sorted(groups.items(), key=lambda kv: kv[0]):
        first = findings[0]
        event = first.event
        assert event is not None  # grouped on it above
        changes: dict[str, list[Any]] = {}
        for f in findings:
            changes[f.attribute or _whole(event.name)] = [f.expected, f.actual]
        worst = max((f.severity for f in findings), key=lambda s: s.rank, default=Severity.INFO)
        actor = first.actor or event.actor
        obj = {
            "service": _service(event.source),
            "event": event.name,
            "resource": address or None,
            "changes": changes,
            "user": actor.display,
            "timestamp": iso(event.time),
            "event_id": event.id,
            "via": actor.via,
            "account": event.account,
            "region": event.region,
            "severity": worst.value,
            "rule_ids": sorted({f.rule_id for f in findings}),
            "file": first.file,
            "line": first.line,
            "reverted_by_plan": any(f.reverted_by_plan for f in findings) or None,
        }
        lines.append(json_safe(json.dumps(obj, ensure_ascii=False, sort_keys=False, default=str)))
    return "\n".join(lines) + ("\n" if lines else "")
