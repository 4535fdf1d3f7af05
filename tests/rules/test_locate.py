"""tfdrift_ci/rules/locate.py: findings on resources inside modules move to where the user's code sets
the value (fixture: tests/fixtures/terraform/origin/live)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfdrift_ci import inventory
from tfdrift_ci.models import Finding, Inventory, Severity
from tfdrift_ci.rules.locate import locate

ORIGIN = Path(__file__).parents[1] / "fixtures" / "terraform" / "origin" / "live"


@pytest.fixture(scope="module")
def inv() -> Inventory:
    return inventory.load(str(ORIGIN))


def finding(inv: Inventory, address: str, attribute: str | None, line: int | None = None) -> Finding:
    r = next(r for r in inv.resources if r.address == address)
    return Finding(
        rule_id="TFD-TEST-001",
        kind="config",
        severity=Severity.HIGH,
        title="t",
        message="m",
        address=address,
        file=r.file,
        line=line or r.line,
        root=r.root,
        attribute=attribute,
        notes=("an earlier note",),
    )


def test_a_module_input_moves_the_finding_and_keeps_the_resource_as_related(inv: Inventory) -> None:
    f = finding(inv, "module.app.module.inner.aws_ecr_repository.this", "image_tag_mutability", line=11)
    (moved,) = locate([f], inv)
    assert (moved.file, moved.line) == ("main.tf", 12)
    (related,) = moved.related
    assert (related.file, related.line, related.in_repository) == ("../modules/app/inner/main.tf", 11, True)
    assert moved.notes == (
        "an earlier note",
        "value set by the input mutability of the module block (main.tf:12)",
    )


def test_the_tfvars_entry_through_two_modules(inv: Inventory) -> None:
    f = finding(
        inv, "module.app.module.inner.aws_ecr_repository.this", "image_scanning_configuration.scan_on_push"
    )
    (moved,) = locate([f], inv)
    assert (moved.file, moved.line) == ("terraform.tfvars", 2)
    assert moved.notes[-1] == "value set by scan_on_push in terraform.tfvars (terraform.tfvars:2)"


def test_a_literal_in_a_local_module_keeps_the_rules_line(inv: Inventory) -> None:
    f = finding(inv, "module.app.module.inner.aws_ecr_repository.this", "tags", line=18)
    assert locate([f], inv) == [f]
    # not written at all: the resource block in the module is where to add it
    f = finding(inv, "module.app.module.inner.aws_ecr_repository.this", "encryption_configuration")
    assert locate([f], inv) == [f]


def test_a_fetched_module_default_is_shown_at_the_module_block(inv: Inventory) -> None:
    f = finding(inv, "module.svc.aws_ecs_service.this", "desired_count")
    (moved,) = locate([f], inv)
    assert (moved.file, moved.line) == ("main.tf", 34)
    assert moved.related[0].file == ".terraform/modules/svc/main.tf" and not moved.related[0].in_repository
    assert moved.notes[-1] == "shown at the module block module.svc (main.tf:34)"


def test_root_resources_and_findings_without_a_resource_stay(inv: Inventory) -> None:
    root = finding(inv, "aws_ecr_repository.root", "image_tag_mutability", line=18)
    loose = Finding(rule_id="TFD-ERR-001", kind="error", severity=Severity.HIGH, title="t", message="m")
    assert locate([root, loose], inv) == [root, loose]
