"""rules.config.run: overrides, disabled rules, per-hit severity, crash -> TFD-ERR-002."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from rules.config.helpers import res
from tfdrift_ci.models import Inventory, Resource, Severity
from tfdrift_ci.rules import config as config_rules
from tfdrift_ci.rules.base import ConfigContext, Hit
from tfdrift_ci.settings import RuleSetting, Settings


def _inv(*resources: Resource) -> Inventory:
    return Inventory(path=".", roots=(".",), resources=resources, files=1)


REPO = res(
    "aws_ecr_repository",
    "r",
    {"name": "api", "image_tag_mutability": "MUTABLE"},
    lines={"image_tag_mutability": 4},
)


def _ids(findings: Iterable[object]) -> list[str]:
    return sorted(f.rule_id for f in findings)  # type: ignore[attr-defined]


def test_default_run() -> None:
    found = config_rules.run(_inv(REPO), Settings())
    assert "TFD-ECR-001" in _ids(found)
    f = next(f for f in found if f.rule_id == "TFD-ECR-001")
    assert (f.kind, f.severity, f.line, f.address) == ("config", Severity.HIGH, 4, "aws_ecr_repository.r")


def test_disable_and_override() -> None:
    settings = Settings(
        rules={
            "TFD-ECR-001": RuleSetting(severity=Severity.CRITICAL),
            "TFD-ECR-002": RuleSetting(enabled=False),
        }
    )
    found = config_rules.run(_inv(REPO), settings)
    assert "TFD-ECR-002" not in _ids(found)
    assert next(f for f in found if f.rule_id == "TFD-ECR-001").severity is Severity.CRITICAL


def test_override_wins_over_per_hit_severity() -> None:
    td = res("aws_ecs_task_definition", "t", {"network_mode": "host"})
    found = config_rules.run(_inv(td), Settings())
    assert next(f for f in found if f.rule_id == "TFD-ECS-005").severity is Severity.MEDIUM
    found = config_rules.run(_inv(td), Settings(rules={"TFD-ECS-005": RuleSetting(severity=Severity.INFO)}))
    assert next(f for f in found if f.rule_id == "TFD-ECS-005").severity is Severity.INFO


def test_crashing_rule_becomes_error_finding_and_others_still_run() -> None:
    def boom(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
        raise KeyError("surprise")

    checks = dict(config_rules.CHECKS)
    checks["TFD-ECR-001"] = boom
    found = config_rules.run(_inv(REPO), Settings(), checks=checks)
    errors = [f for f in found if f.rule_id == "TFD-ERR-002"]
    assert len(errors) == 1
    e = errors[0]
    assert e.kind == "error" and e.severity is Severity.HIGH
    assert "TFD-ECR-001" in e.message and "aws_ecr_repository.r" in e.message and "KeyError" in e.message
    assert "TFD-ECR-002" in _ids(found)  # the other rules still ran on the same resource


def test_crash_in_the_middle_of_a_generator_is_contained() -> None:
    def half(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
        yield Hit(message="first")
        raise ValueError("then broke")

    checks = dict(config_rules.CHECKS)
    checks["TFD-ECR-001"] = half
    found = config_rules.run(_inv(REPO), Settings(), checks=checks)
    assert [f.rule_id for f in found if f.rule_id in ("TFD-ECR-001", "TFD-ERR-002")] == ["TFD-ERR-002"]


def test_resources_of_other_types_are_not_checked() -> None:
    found = config_rules.run(_inv(res("aws_ecs_cluster", "c", {"name": "x", "setting": []})), Settings())
    assert {f.rule_id for f in found} <= {"TFD-ECS-012", "TFD-ECS-002"}


def test_opt_in_rules_are_off_by_default_and_any_entry_but_off_turns_them_on() -> None:
    assert [r.id for r in config_rules.CONFIG_RULES if not r.default_enabled] == [
        "TFD-ECR-005",
        "TFD-ECR-007",
    ]
    assert not {"TFD-ECR-005", "TFD-ECR-007"} & set(_ids(config_rules.run(_inv(REPO), Settings())))
    for setting, severity in (
        (RuleSetting(enabled=True), Severity.INFO),
        (RuleSetting(severity=Severity.LOW), Severity.LOW),
    ):
        found = config_rules.run(_inv(REPO), Settings(rules={"TFD-ECR-005": setting}))
        assert [f.severity for f in found if f.rule_id == "TFD-ECR-005"] == [severity]
        assert "TFD-ECR-007" not in _ids(found)
    off = Settings(rules={"TFD-ECR-005": RuleSetting(enabled=False)})
    assert "TFD-ECR-005" not in _ids(config_rules.run(_inv(REPO), off))


def test_opt_in_rule_turned_on_from_tfdrift_yml_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tfdrift_ci.cli import main

    (tmp_path / "main.tf").write_text(
        'resource "aws_ecr_repository" "nopolicy_bad" {\n  name = "api"\n}\n', encoding="utf-8"
    )

    def rule_ids() -> set[str]:
        main(["check", str(tmp_path), "--offline", "--format", "json", "--fail-on", "never"])
        return {f["rule_id"] for f in json.loads(capsys.readouterr().out)["findings"]}

    assert not {"TFD-ECR-005", "TFD-ECR-007"} & rule_ids()
    for text in ("rules:\n  TFD-ECR-005: {enabled: true}\n", "rules:\n  TFD-ECR-005: on\n"):
        (tmp_path / ".tfdrift.yml").write_text(text, encoding="utf-8")
        assert "TFD-ECR-005" in rule_ids() and "TFD-ECR-007" not in rule_ids(), text
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert "ECR repository has no repository policy (off by default)" in listing
    assert main(["rules", "--format", "json"]) == 0
    by_id = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert by_id["TFD-ECR-007"]["default_enabled"] is False and by_id["TFD-ECR-001"]["default_enabled"]
