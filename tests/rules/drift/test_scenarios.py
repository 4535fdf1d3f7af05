"""Scenario fixtures end to end through the real front ends: ``.tf`` read by the inventory, CloudTrail
records by the events normaliser, then the drift engine. Every folder under tests/fixtures/scenarios
with a ``main.tf`` is a scenario (its README says what a folder holds); ``expect.json``, written by
hand, lists the findings it must give, and the full findings are golden files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from rules.drift.helpers import dump
from tfdrift_ci.events.normalise import normalise
from tfdrift_ci.inventory import load
from tfdrift_ci.models import Event, Severity
from tfdrift_ci.rules.drift import DRIFT_RULES, run
from tfdrift_ci.settings import DriftRuleSetting, Settings

SCENARIOS = Path(__file__).parents[2] / "fixtures" / "scenarios"
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)  # scenario events are on 2026-11-20 and -21
NAMES = sorted(p.name for p in SCENARIOS.iterdir() if (p / "main.tf").exists())


def _settings(path: Path) -> Settings:
    if not path.exists():
        return Settings()
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return Settings(
        terraform_principals=tuple(raw.get("terraform_principals", ())),
        show_ignored=bool(raw.get("show_ignored", False)),
        drift_rules=tuple(
            DriftRuleSetting(
                name=d["name"],
                resource_types=tuple(d.get("resource_types", ())),
                watched_attributes=tuple(d.get("watched_attributes", ())),
                severity=Severity.parse(d["severity"]) if d.get("severity") else None,
            )
            for d in raw.get("drift_rules", ())
        ),
    )


def _events(path: Path) -> list[Event]:
    records = json.loads(path.read_text(encoding="utf-8"))["Records"]
    return [e for e in (normalise(r) for r in records) if e is not None]


def _key(d: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(d.get(k)) for k in ("rule_id", "kind", "severity", "address", "attribute"))


def test_every_scenario_has_its_files() -> None:
    assert len(NAMES) >= 20
    folders = sorted(p.name for p in SCENARIOS.iterdir() if p.is_dir())
    assert folders == NAMES, "a scenario folder without main.tf is never run"
    for name in NAMES:
        for f in ("main.tf", "events.json", "expect.json"):
            assert (SCENARIOS / name / f).exists(), f"{name}/{f}"
    goldens = sorted(p.stem for p in (Path(__file__).parents[2] / "golden" / "scenarios").glob("*.json"))
    assert goldens == NAMES, "every scenario has a golden file and every golden file a scenario"


def test_every_drift_rule_has_a_scenario() -> None:
    """A drift rule comes with a scenario folder that expects it (its module, its registry line and
    its scenario are the whole of a new rule)."""
    expected = {
        e["rule_id"]
        for name in NAMES
        for e in json.loads((SCENARIOS / name / "expect.json").read_text(encoding="utf-8"))
    }
    missing = sorted(r.id for r in DRIFT_RULES if r.id not in expected)
    assert not missing, f"no scenario expects {missing}"


@pytest.mark.parametrize("name", NAMES)
def test_scenario(name: str, golden: Any) -> None:
    d = SCENARIOS / name
    plan = d / "plan.json"
    inv = load(str(d), plan=str(plan) if plan.exists() else None)
    assert not inv.problems, inv.problems
    findings = run(inv, _events(d / "events.json"), _settings(d / "settings.json"), now=NOW)
    expected = json.loads((d / "expect.json").read_text(encoding="utf-8"))
    got = [
        {
            "rule_id": f.rule_id,
            "kind": f.kind,
            "severity": f.severity.value,
            "address": f.address,
            "attribute": f.attribute,
        }
        for f in findings
    ]
    assert sorted(map(_key, got)) == sorted(map(_key, expected))
    golden.check(f"scenarios/{name}.json", dump(findings))
