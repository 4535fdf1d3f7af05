"""rules/errors.py: the two error rules, their findings and how the configuration re-grades them."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from tfdrift_ci.models import Inventory, ParseProblem, Resource, Severity
from tfdrift_ci.rules import config as config_rules
from tfdrift_ci.rules.base import ConfigContext, Hit
from tfdrift_ci.rules.catalog import BY_ID
from tfdrift_ci.rules.errors import (
    ERROR_RULES,
    PARSE_ERROR,
    RULE_CRASH,
    crash_finding,
    describe_error,
    parse_error_findings,
    severity_under,
)
from tfdrift_ci.settings import RuleSetting, Settings


def _broken_inventory() -> Inventory:
    return Inventory(
        path=".",
        roots=(".", "app"),
        resources=(),
        files=2,
        problems=(ParseProblem("app/bad.tf", "boom", 3),),
        root_files={".": ("main.tf",), "app": ("app/bad.tf",)},
    )


def test_error_rules_are_in_the_catalog() -> None:
    assert all(BY_ID[r.id] is r and r.kind == "error" for r in ERROR_RULES)
    assert [r.id for r in ERROR_RULES] == ["TFD-ERR-001", "TFD-ERR-002", "TFD-ERR-003"]


def test_parse_problems_are_high_error_findings_by_default() -> None:
    (f,) = parse_error_findings(_broken_inventory(), Settings())
    assert (f.rule_id, f.kind, f.severity) == ("TFD-ERR-001", "error", Severity.HIGH)
    assert (f.file, f.line, f.root, f.message) == ("app/bad.tf", 3, "app", "boom")
    assert (f.title, f.remediation) == (PARSE_ERROR.title, PARSE_ERROR.remediation)
    assert f.address is None and f.event is None


def test_parse_problem_rule_can_be_regraded_or_turned_off() -> None:
    regraded = Settings(rules={PARSE_ERROR.id: RuleSetting(severity=Severity.LOW)})
    assert [f.severity for f in parse_error_findings(_broken_inventory(), regraded)] == [Severity.LOW]
    off = Settings(rules={PARSE_ERROR.id: RuleSetting(enabled=False)})
    assert parse_error_findings(_broken_inventory(), off) == []


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (None, Severity.HIGH),
        (RuleSetting(), Severity.HIGH),
        (RuleSetting(severity=Severity.MEDIUM), Severity.MEDIUM),
        (RuleSetting(enabled=False), None),
    ],
)
def test_severity_under_settings(setting: RuleSetting | None, expected: Severity | None) -> None:
    rules = {RULE_CRASH.id: setting} if setting is not None else {}
    assert severity_under(RULE_CRASH, Settings(rules=rules)) == expected
    assert severity_under(RULE_CRASH, None) == Severity.HIGH


def test_crash_finding_names_the_resource() -> None:
    resource = Resource(
        address="aws_ecr_repository.r", type="aws_ecr_repository", name="r", file="m.tf", line=7
    )
    f = crash_finding("rule X failed", resource=resource)
    assert (f.rule_id, f.kind, f.severity, f.title) == (
        "TFD-ERR-002",
        "error",
        Severity.HIGH,
        RULE_CRASH.title,
    )
    assert (f.address, f.resource_type, f.file, f.line, f.root) == (
        "aws_ecr_repository.r",
        "aws_ecr_repository",
        "m.tf",
        7,
        ".",
    )
    assert f.remediation == RULE_CRASH.remediation


def test_describe_error_cuts_the_text_not_the_type() -> None:
    assert describe_error(KeyError("x")) == "KeyError: 'x'"
    assert describe_error(ValueError("a" * 50), 10) == "ValueError: " + "a" * 10


def test_config_rule_crash_honours_the_configuration() -> None:
    """A crashing config rule gives TFD-ERR-002 at the configured severity, and nothing when the
    configuration turns TFD-ERR-002 off (as TFD-ERR-001 and the drift engine's crashes do)."""

    def boom(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
        raise KeyError("surprise")

    repo = Resource(address="aws_ecr_repository.r", type="aws_ecr_repository", name="r")
    inv = Inventory(path=".", roots=(".",), resources=(repo,), files=1)
    checks = {"TFD-ECR-001": boom}
    low = Settings(rules={RULE_CRASH.id: RuleSetting(severity=Severity.LOW)})
    assert [(f.rule_id, f.severity) for f in config_rules.run(inv, low, checks=checks)] == [
        ("TFD-ERR-002", Severity.LOW)
    ]
    off = Settings(rules={RULE_CRASH.id: RuleSetting(enabled=False)})
    assert config_rules.run(inv, off, checks=checks) == []


def test_unmatched_events_are_info_and_can_be_turned_off() -> None:
    """TFD-ERR-003 is info (it lists events; the gap is what fails under --fail-on-incomplete), and
    like every rule it obeys the configuration."""
    from tfdrift_ci.rules.errors import UNMATCHED_EVENT

    assert (UNMATCHED_EVENT.severity, UNMATCHED_EVENT.kind) == (Severity.INFO, "error")
    off = Settings(rules={"TFD-ERR-003": RuleSetting(enabled=False)})
    assert severity_under(UNMATCHED_EVENT, off) is None
