"""The round trip: for every drift scenario, ``fix --adopt``'s edits give code on which the same
events report no standing drift for the adopted attributes, and the files differ only on the lines
of the changed literals.

Each scenario runs twice: with all its events, and without its Delete* calls (a deletion after an
attribute change makes that change moot, so the scenarios that end with one would otherwise never
adopt their policies and nested-block attributes)."""

from __future__ import annotations

import difflib
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from rules.drift.test_scenarios import NAMES, NOW, SCENARIOS, _events, _settings

from tfdrift_ci.fix import adopt, edited, write
from tfdrift_ci.inventory import load
from tfdrift_ci.inventory.hcl import parse_text
from tfdrift_ci.models import Event, Finding, Report
from tfdrift_ci.rules.drift import run

VARIANTS = [(name, deletes) for name in NAMES for deletes in (True, False)]


def _report(path: Path, events: list[Event], folder: Path, *, plan: bool = True) -> Report:
    """The scenario's findings; ``plan=False`` reads the code only (a plan made before the edits
    declares the old values: after adopting, a new plan is the user's next step)."""
    planned = folder / "plan.json"
    inv = load(str(path), plan=str(planned) if plan and planned.exists() else None)
    findings = run(inv, events, _settings(folder / "settings.json"), now=NOW)
    return Report("test", str(path), inv.files, inv.resources, tuple(findings), None, (), 0, "high")


def _standing(findings: tuple[Finding, ...], address: str | None, attribute: str | None) -> list[Finding]:
    return [
        f
        for f in findings
        if f.kind == "drift" and f.address == address and f.attribute == attribute and f.set_back is None
    ]


def _adopted_lines(plan: adopt.Plan, file: str) -> set[int]:
    src = plan.sources[file]
    lines: set[int] = set()
    for a in plan.adopted:
        for e in a.edits:
            if e.file == file:
                lines.update(range(src.line_of(e.start), src.line_of(max(e.end - 1, e.start)) + 1))
    return lines


IDS = [f"{n}-{'all' if d else 'no-deletes'}" for n, d in VARIANTS]


@pytest.mark.parametrize(("name", "deletes"), VARIANTS, ids=IDS)
def test_adopt_round_trip(name: str, deletes: bool, tmp_path: Path) -> None:
    folder = SCENARIOS / name
    events = _events(folder / "events.json")
    if not deletes:
        events = [e for e in events if not e.name.startswith("Delete")]
    work = tmp_path / name
    shutil.copytree(folder, work)
    before = _report(work, events, folder)
    plan = adopt.plan(before)
    texts = edited(plan)
    write(plan, texts)

    for file, text in texts.items():
        assert parse_text(text, file).problem is None, f"{file} no longer parses"
        assert "(hidden" not in text, "a value the reports hide was written into the code"
        old = plan.sources[file].text.splitlines()
        changed = {
            i + 1
            for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old, text.splitlines()).get_opcodes()
            if tag in ("replace", "delete")
            for i in range(i1, i2)
        }
        assert changed <= _adopted_lines(plan, file), f"{file}: lines changed outside the literals"

    after = _report(work, events, folder, plan=False)
    for a in plan.adopted:
        left = _standing(after.findings, a.finding.address, a.finding.attribute)
        assert not left, f"{a.finding.address}.{a.finding.attribute} still drifts: {left[0].message}"
    # nothing adopted changed what else the scenario reports
    others = {(f.address, f.attribute) for f in before.findings} - {
        (a.finding.address, a.finding.attribute) for a in plan.adopted
    }
    assert {(f.address, f.attribute) for f in after.findings if f.kind == "drift"} - others <= {
        (a.finding.address, a.finding.attribute) for a in plan.adopted
    }


def test_the_scenarios_adopt_every_kind_of_literal() -> None:
    """The round trip is not vacuous: the scenarios adopt scalars, nested-block members, named
    blocks, map keys, lists, policies and container definition members."""
    adopted: list[str] = []
    for name, deletes in VARIANTS:
        folder = SCENARIOS / name
        events = [e for e in _events(folder / "events.json") if deletes or not e.name.startswith("Delete")]
        plan = adopt.plan(_report(folder, events, folder))
        adopted += [f"{a.finding.address}.{a.finding.attribute}" for a in plan.adopted]
    every = "\n".join(adopted)
    for attribute in (
        "aws_ecs_service.api.desired_count",
        "module.api.aws_ecs_service.this.desired_count",  # at the module input on the calling block
        ".image_scanning_configuration.scan_on_push",
        ".setting.containerInsights",
        "aws_ecr_repository.api.tags.cost-center",
        ".capacity_providers",
        "aws_ecr_repository_policy.api.policy",
        ".container_definitions[api].image",
        ".auto_scaling_group_provider.managed_scaling.status",
    ):
        assert attribute in every, attribute


def test_an_adoption_that_is_only_set_back_history_is_skipped() -> None:
    """A change that was set back already needs nothing: the account has the declared value."""
    folder = SCENARIOS / "ecs_update_service"
    report = _report(folder, _events(folder / "events.json"), folder)
    plan = adopt.plan(report)
    assert "task_definition" not in {a.finding.attribute for a in plan.adopted}
    assert any(f.attribute == "task_definition" and f.set_back for f in report.findings)
    unchanged = replace(report, findings=tuple(f for f in report.findings if f.attribute == "desired_count"))
    assert [a.finding.attribute for a in adopt.plan(unchanged).adopted] == ["desired_count"]
