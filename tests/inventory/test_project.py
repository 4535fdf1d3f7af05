"""tfdrift_ci/inventory/project.py: what may be read (symlinks, files outside the repository)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tfdrift_ci import inventory
from tfdrift_ci.models import Inventory, Resource, Unknown


def by_address(inv: Inventory) -> dict[str, Resource]:
    return {r.address: r for r in inv.resources}


def test_file_in_a_module_outside_path(tmp_path: Path, tf: Path) -> None:
    """`check live/prod` with modules at ../../modules (no git above): their files are readable."""
    shutil.copytree(tf / "modules", tmp_path / "repo")
    inv = inventory.load(str(tmp_path / "repo" / "live" / "prod"))
    res = by_address(inv)
    from_file = res["module.app.aws_ecs_task_definition.from_file"]
    assert from_file.file == "../../modules/app/main.tf"
    assert from_file.attributes["container_definitions"][0]["name"] == "sidecar"
    lifecycle = res['module.app.module.ecr["api"].aws_ecr_lifecycle_policy.this']
    assert lifecycle.attributes["policy"]["rules"][0]["rulePriority"] == 1


def test_file_outside_the_repository_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('[{"name": "leak", "image": "s3cr3t"}]', encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "main.tf").write_text(
        'resource "aws_ecs_task_definition" "reads_outside" {\n'
        '  family                = "x"\n'
        f'  container_definitions = file("{secret}")\n'
        "}\n",
        encoding="utf-8",
    )
    inv = inventory.load(str(project))
    (td,) = inv.resources
    assert isinstance(td.attributes["container_definitions"], Unknown)
    assert "s3cr3t" not in repr(inv)


def test_symlinks_out_of_the_repository_and_devices_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.tf"
    outside.write_text('resource "aws_ecs_cluster" "leak" {\n  name = "s3cr3t"\n}\n', encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "ok.tf").write_text('resource "aws_ecs_cluster" "ok" {\n  name = "ok"\n}\n', encoding="utf-8")
    (project / "evil.tf").symlink_to(outside)
    (project / "device.tf").symlink_to("/dev/zero")
    inv = inventory.load(str(project))
    assert [r.address for r in inv.resources] == ["aws_ecs_cluster.ok"]
    assert {p.file for p in inv.problems} == {"evil.tf", "device.tf"}
    assert "s3cr3t" not in repr(inv)
