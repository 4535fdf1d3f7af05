"""The injection corpus (tests/fixtures/report/injection.json) and a report carrying one hostile
value in every untrusted field. Shared by tests/report/test_injection.py and the PR-comment tests."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from report_loader import FIXTURES, load_report

from tfdrift_ci.models import Actor, Event, Finding, Gap, ModuleCall, Report, Severity, SourceStatus

CORPUS: dict[str, str] = {
    k: v
    for k, v in json.loads((FIXTURES / "injection.json").read_text(encoding="utf-8")).items()
    if k != "_comment"
}


def hostile_report(value: str) -> Report:
    """The sample report with ``value`` in every field that comes from CloudTrail, Terraform or git."""
    base = load_report()
    actor = Actor(
        display=value, arn=value, type=value, role_arn=value, via="console", service=value,
        source_ip=value, user_agent=value, access_key_id="AKIAFAKEACCESSKEY123",
    )  # fmt: skip
    event = Event(
        id=value, name=value, source=value, time=datetime(2026, 11, 19, 9, 14, 3, tzinfo=UTC),
        region=value, account=value, actor=actor, error_code=value,
    )  # fmt: skip
    drift = Finding(
        rule_id="TFD-DRIFT-001", kind="drift", severity=Severity.HIGH, title="Changed outside Terraform",
        message=value, address=value, resource_type="aws_ecr_repository", file=value, line=3, root=value,
        attribute=value, expected=value, actual={"policy": value}, event=event, actor=actor,
        remediation=value, reverted_by_plan=True, notes=(value,),
    )  # fmt: skip
    config = replace(
        drift, rule_id="TFD-ECR-001", kind="config", event=None, actor=None, reverted_by_plan=None,
        severity=Severity.CRITICAL,
    )  # fmt: skip
    error = replace(config, rule_id="TFD-ERR-001", kind="error", address=None, attribute=None)
    unmanaged = replace(
        drift, kind="unmanaged", address=None, file=None, severity=Severity.INFO, reverted_by_plan=None
    )
    suppressed = replace(config, suppressed=True, suppression_reason=value, severity=Severity.MEDIUM)
    return replace(
        base,
        path=value,
        findings=(drift, config, error, unmanaged, suppressed),
        sources=(SourceStatus(name=value, events_read=1, complete=False, error=value, malformed=2),),
        unfollowed_modules=(ModuleCall(address=value, source=value, file=value, line=1, reason=value),),
        notices=(value,),
        # a resource whose name is unknown, a PR's configuration: named in every format
        noted_gaps=(
            Gap("identity", value, value, root=value, file=value, line=2),
            Gap("config", value, value, file=value),
        ),
        config_files=(value,),
    )
