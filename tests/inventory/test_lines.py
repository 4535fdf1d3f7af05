"""tfdrift_ci/inventory/lines.py: attribute lines recorded (keys inside JSON documents) and read back."""

from __future__ import annotations

from pathlib import Path

from tfdrift_ci import inventory
from tfdrift_ci.inventory.lines import attribute_line
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


def test_attribute_line_reads_the_deepest_recorded_key() -> None:
    res = Resource(
        address="aws_ecs_task_definition.t",
        type="aws_ecs_task_definition",
        name="t",
        line=10,
        attribute_lines={"container_definitions": 12, "container_definitions.0.privileged": 15, "volume": 20},
    )
    assert attribute_line(res, "container_definitions[0].privileged") == 15
    assert attribute_line(res, "container_definitions.0.privileged") == 15
    assert attribute_line(res, "container_definitions[0].image") == 12  # not recorded: its argument
    assert attribute_line(res, "container_definitions[0].privileged", deepest=False) == 12
    assert attribute_line(res, "volume[1].efs_volume_configuration") == 20
    assert attribute_line(res, "cpu") == 10  # not written: the block's line
    assert attribute_line(res, None) == 10
