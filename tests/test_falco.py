"""``--format falco`` (tfdrift_ci/report/falco.py): one JSON line per drift, changes merged per event."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from rules.drift.helpers import ALICE, drift, ev, service

from tfdrift_ci.models import Finding, Report, Severity
from tfdrift_ci.report import render
from tfdrift_ci.report.falco import render as falco


def _report(findings: list[Finding]) -> Report:
    return Report(
        tool_version="0.0.0",
        path=".",
        files=1,
        resources=(),
        findings=tuple(findings),
        window=None,
        sources=(),
        exit_code=1,
        fail_on="high",
    )


def test_one_line_per_event_and_resource(golden: Any) -> None:
    events = [
        ev(
            "UpdateService",
            {"cluster": "main", "service": "api", "desiredCount": 6, "enableExecuteCommand": True},
            actor=ALICE,
            event_id="e-1",
        ),
        ev(
            "UpdateService",
            {"cluster": "main", "service": "api", "desiredCount": 3},
            minutes=5,
            event_id="e-2",
        ),
        # an attempt is not drift: no line
        ev(
            "UpdateService",
            {"cluster": "main", "service": "api", "desiredCount": 9},
            minutes=6,
            error_code="AccessDeniedException",
        ),
    ]
    findings = drift([service()], events)
    out = falco(_report(findings))
    lines = [json.loads(x) for x in out.splitlines()]
    assert len(lines) == 2
    assert lines[0]["changes"] == {
        "desired_count": [2, 6],
        "enable_execute_command": [False, True],
    }
    assert (lines[0]["service"], lines[0]["event"], lines[0]["resource"], lines[0]["user"]) == (
        "ecs",
        "UpdateService",
        "aws_ecs_service.api",
        "alice@example.com",
    )
    assert lines[0]["severity"] == "high" and lines[1]["changes"] == {"desired_count": [2, 3]}
    assert out == render(_report(findings), "falco")
    golden.check("falco/update_service.jsonl", out)


def test_suppressed_and_non_drift_findings_are_left_out() -> None:
    findings = drift(
        [service()], [ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6})]
    )
    assert falco(_report([replace(findings[0], suppressed=True)])) == ""
    config = Finding(rule_id="TFD-ECS-001", kind="config", severity=Severity.HIGH, title="t", message="m")
    assert falco(_report([config])) == ""


def test_whole_resource_changes_are_named_by_what_happened() -> None:
    findings = drift([service()], [ev("DeleteService", {"cluster": "main", "service": "api"})])
    (line,) = [json.loads(x) for x in falco(_report(findings)).splitlines()]
    assert line["changes"] == {"(deleted)": [None, None]} and line["severity"] == "critical"
