"""tfdrift_ci/rules/drift/_phrasing.py: the adopt half of a drift finding's remediation names the place
the user's code sets the value for a resource inside a module (fixture:
tests/fixtures/terraform/origin/live), not the module's own file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfdrift_ci import inventory
from tfdrift_ci.models import Inventory, Resource
from tfdrift_ci.rules.drift._phrasing import _adopt_where

ORIGIN = Path(__file__).parents[2] / "fixtures" / "terraform" / "origin" / "live"


@pytest.fixture(scope="module")
def inv() -> Inventory:
    return inventory.load(str(ORIGIN))


def res(inv: Inventory, address: str) -> Resource:
    return next(r for r in inv.resources if r.address == address)


@pytest.mark.parametrize(
    ("address", "attribute", "new", "expected"),
    [
        (
            "module.app.module.inner.aws_ecr_repository.this",
            "image_tag_mutability",
            "IMMUTABLE",
            'setting mutability = "IMMUTABLE" on the module block (main.tf:12)',
        ),
        (
            "module.app.module.inner.aws_ecr_repository.this",
            "image_scanning_configuration.scan_on_push",
            True,
            "setting scan_on_push = true in terraform.tfvars:2",
        ),
        (
            "module.svc.aws_ecs_service.this",
            "enable_execute_command",
            False,
            "setting the default of var.exec to false (variables.tf:22)",
        ),
        (
            "module.svc.aws_ecs_service.this",
            "desired_count",
            4,
            "setting desired_count = 4 on the module block (main.tf:34)",
        ),
        (
            "module.svc.aws_ecs_service.this",
            "launch_type",
            "EC2",
            "HOW where your code sets it (main.tf:34: set in a module that is not in this repository)",
        ),
        # in the resource block of a module in the repository, or in the root: the rule's own place
        (
            "module.app.module.inner.aws_ecr_repository.this",
            "name",
            "x",
            "HOW in ../modules/app/inner/main.tf:10",
        ),
        ("aws_ecr_repository.root", "image_tag_mutability", "MUTABLE", "HOW in main.tf:18"),
    ],
)
def test_adopt_names_the_users_place(
    inv: Inventory, address: str, attribute: str, new: object, expected: str
) -> None:
    r = res(inv, address)
    line = r.attribute_lines.get(attribute, r.line)
    assert _adopt_where(r, attribute, new, "HOW", line) == expected
