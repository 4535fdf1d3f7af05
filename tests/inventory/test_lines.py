"""tfdrift_ci/inventory/lines.py: lines of the keys inside JSON documents."""

from __future__ import annotations

from pathlib import Path

from tfdrift_ci import inventory
from tfdrift_ci.models import Inventory, Resource


def by_address(inv: Inventory) -> dict[str, Resource]:
    return {r.address: r for r in inv.resources}


def test_lines_of_keys_inside_json_documents(tf: Path) -> None:
    td = by_address(inventory.load(str(tf / "flat")))["aws_ecs_task_definition.api"]
    assert td.attribute_lines["container_definitions"] == 93
    assert td.attribute_lines["container_definitions.0.privileged"] == 98
    assert td.attribute_lines["container_definitions.0.environment.0.value"] == 100
    heredoc = by_address(inventory.load(str(tf / "modules")))["module.app.aws_ecs_task_definition.heredoc"]
    assert heredoc.attribute_lines["container_definitions.0.privileged"] == 27
    assert heredoc.attribute_lines["container_definitions.0.readonlyRootFilesystem"] == 28
