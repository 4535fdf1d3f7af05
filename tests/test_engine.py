from __future__ import annotations

import pytest

from tfdrift_ci.engine import PARSE_ERROR_RULE, exit_code_for, problem_findings
from tfdrift_ci.models import Finding, Inventory, ParseProblem, Severity
from tfdrift_ci.settings import RuleSetting, Settings


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


def _broken_inventory() -> Inventory:
    return Inventory(
        path=".", roots=(".",), resources=(), files=1, problems=(ParseProblem("bad.tf", "boom", 3),)
    )


def test_parse_problems_are_high_error_findings_by_default() -> None:
    (f,) = problem_findings(_broken_inventory(), Settings())
    assert (f.kind, f.severity, f.file, f.line) == ("error", Severity.HIGH, "bad.tf", 3)


def test_parse_problem_rule_can_be_regraded_or_turned_off() -> None:
    regraded = Settings(rules={PARSE_ERROR_RULE: RuleSetting(severity=Severity.LOW)})
    assert [f.severity for f in problem_findings(_broken_inventory(), regraded)] == [Severity.LOW]
    off = Settings(rules={PARSE_ERROR_RULE: RuleSetting(enabled=False)})
    assert problem_findings(_broken_inventory(), off) == []
