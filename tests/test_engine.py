from __future__ import annotations

import pytest

from tfdrift_ci.engine import exit_code_for
from tfdrift_ci.models import Finding, Severity


def _finding(sev: Severity, suppressed: bool = False) -> Finding:
    return Finding(
        rule_id="X", kind="config", severity=sev, title="t", message="m", suppressed=suppressed
    )


@pytest.mark.parametrize(
    ("severities", "fail_on", "code"),
    [
        ([], "high", 0),
        ([Severity.MEDIUM], "high", 0),
        ([Severity.HIGH], "high", 1),
        ([Severity.CRITICAL], "high", 1),
        ([Severity.INFO], "info", 1),
        ([Severity.CRITICAL], "never", 0),
        ([Severity.LOW], "medium", 0),
    ],
)
def test_exit_code_threshold(severities: list[Severity], fail_on: str, code: int) -> None:
    assert exit_code_for([_finding(s) for s in severities], fail_on) == code


def test_suppressed_findings_do_not_fail() -> None:
    assert exit_code_for([_finding(Severity.CRITICAL, suppressed=True)], "low") == 0


def test_incomplete_events_fail_only_when_asked() -> None:
    assert exit_code_for([], "high", incomplete_fails=True) == 1
    assert exit_code_for([], "never", incomplete_fails=True) == 0
