"""``fix --revert``: one terraform apply per root, -replace for a deregistered task definition
revision, shell-quoted addresses, and what Terraform cannot restore said so."""

from __future__ import annotations

from rules.drift.test_scenarios import NOW, SCENARIOS, _events

from tfdrift_ci.fix import revert
from tfdrift_ci.inventory import load
from tfdrift_ci.rules.drift import run
from tfdrift_ci.settings import Settings


def _lines(name: str) -> str:
    folder = SCENARIOS / name
    findings = run(load(str(folder)), _events(folder / "events.json"), Settings(), now=NOW)
    return revert.render(revert.plan(findings), "infra")


def test_attribute_drift_is_a_target() -> None:
    out = _lines("ecs_update_service")
    assert out.splitlines()[-1] == "terraform -chdir=infra apply -target=aws_ecs_service.api"
    assert "#   aws_ecs_service.api.desired_count: 6 → 2" in out
    # the task definition set back by hand is not listed again
    assert "task_definition" not in out


def test_a_deregistered_revision_is_replaced() -> None:
    out = _lines("ecs_task_definition")
    assert "-replace=aws_ecs_task_definition.api" in out
    assert "-target=aws_ecs_task_definition.api" not in out


def test_addresses_are_shell_quoted_and_images_are_not_terraforms() -> None:
    out = _lines("modules_for_each_and_patterns")
    assert "-target='aws_ecr_repository.this[\"worker\"]'" in out
    assert "-target=module.api.aws_ecs_service.this" in out
    images = _lines("ecr_batch_delete_image")
    assert "not restorable by Terraform: aws_ecr_repository.api: deleted images" in images
    assert "terraform" not in images.replace("by Terraform", "")


def test_nothing_to_revert() -> None:
    assert revert.render([], ".") == "# no drift to revert\n"
