"""Adopting where the value is set (``inventory/origin.py``): the module input on the calling
module block through nested modules, a variable's default, a ``.tfvars`` entry, a local, and the
module input for a resource inside a fetched module; a variable two places read is for a person."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.fix.drift_plan import plan_for
from tfdrift_ci.fix import adopt, apply_edits
from tfdrift_ci.inventory import load
from tfdrift_ci.models import Finding, Report, Severity

ORIGIN = Path(__file__).parents[1] / "fixtures" / "terraform" / "origin"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("origin") / "origin"
    shutil.copytree(ORIGIN, copy)
    return copy / "live"


def _plan(live: Path, address: str, attribute: str, value: Any) -> adopt.Plan:
    return plan_for(live, address, attribute, value)


def _changed(plan: adopt.Plan) -> dict[str, tuple[int, str, str]]:
    """{file: (line, old line, new line)} of the one adoption."""
    [a] = plan.adopted
    out = {}
    for file in {e.file for e in a.edits}:
        src = plan.sources[file]
        new = apply_edits(src, [e for e in a.edits if e.file == file]).splitlines()
        old = src.text.splitlines()
        [line] = [i for i, (x, y) in enumerate(zip(old, new, strict=True)) if x != y]
        out[file] = (line + 1, old[line], new[line])
    return out


def test_a_module_input_is_adopted_at_the_calling_line(live: Path) -> None:
    plan = _plan(live, "module.app.module.inner.aws_ecr_repository.this", "image_tag_mutability", "IMMUTABLE")
    assert _changed(plan) == {"main.tf": (12, '  mutability   = "MUTABLE"', '  mutability   = "IMMUTABLE"')}
    assert plan.adopted[0].line == 12


def test_a_tfvars_entry(live: Path) -> None:
    path = "image_scanning_configuration.scan_on_push"
    plan = _plan(live, "module.app.module.inner.aws_ecr_repository.this", path, True)
    assert _changed(plan) == {"terraform.tfvars": (2, "scan_on_push = false", "scan_on_push = true")}


def test_a_variable_default_and_a_local(live: Path) -> None:
    plan = _plan(live, "aws_ecr_repository.root", "image_tag_mutability", "MUTABLE")
    assert _changed(plan) == {"variables.tf": (7, '  default = "IMMUTABLE"', '  default = "MUTABLE"')}
    plan = _plan(live, "aws_ecr_repository.root", "force_delete", False)
    assert _changed(plan) == {"main.tf": (6, "  force = true", "  force = false")}


def test_a_fetched_modules_value_is_adopted_in_the_users_code(live: Path) -> None:
    plan = _plan(live, "module.svc.aws_ecs_service.this", "enable_execute_command", False)
    assert _changed(plan) == {"variables.tf": (22, "  default = true", "  default = false")}


def test_a_variable_read_in_two_places_is_for_a_person(live: Path) -> None:
    plan = _plan(live, "aws_ecr_repository.root", "image_scanning_configuration.scan_on_push", False)
    [by_hand] = plan.by_hand
    assert by_hand.reason == (
        "scan_on_push is not a literal: `var.shared_scan`; it is set at the variable's default "
        "(variables.tf:12), which 2 places read: changing it changes them all"
    )


def test_the_safety_copy_holds_an_edit_outside_path(live: Path) -> None:
    """The value is set in ../modules (a local module beside PATH): the re-checked copy starts at
    the folder holding both, the edit lands inside it, and the repository is not touched."""
    from tfdrift_ci.fix import command

    inv = load(str(live))
    res = next(r for r in inv.resources if r.address == "module.app.aws_ecs_cluster.this")
    finding = Finding(
        "TFD-DRIFT-017", "drift", Severity.HIGH, "t", "m", address=res.address,
        attribute="setting.containerInsights", actual="enabled", file=res.file, line=res.line,
    )  # fmt: skip
    report = Report("test", str(live), inv.files, inv.resources, (finding,), None, (), 0, "high")
    seen: list[str] = []

    def recheck(copy: str) -> Report:
        module = Path(copy).parent / "modules" / "app" / "main.tf"
        seen.append(module.read_text(encoding="utf-8"))
        return report

    before = (live.parent / "modules" / "app" / "main.tf").read_text(encoding="utf-8")
    outcome = command.adopt(
        report, recheck=recheck, dry_run=True, allow_unsafe=False, fail_on_incomplete=False
    )
    assert seen == [before.replace('default = "disabled"', 'default = "enabled"')]
    assert outcome.exit_code == 0 and len(outcome.adopted) == 1
    assert (live.parent / "modules" / "app" / "main.tf").read_text(encoding="utf-8") == before
