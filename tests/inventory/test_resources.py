"""tfdrift_ci/inventory/resources.py: attribute values of resource instances, JSON documents decoded."""

from __future__ import annotations

from pathlib import Path

from tfdrift_ci import inventory
from tfdrift_ci.models import Inventory, Resource, Unknown


def by_address(inv: Inventory) -> dict[str, Resource]:
    return {r.address: r for r in inv.resources}


def test_jsonencode_container_definitions_are_structured(tf: Path) -> None:
    td = by_address(inventory.load(str(tf / "flat")))["aws_ecs_task_definition.api"]
    assert td.identity is not None
    assert td.identity.name == "prod-shop-api"
    (container,) = td.attributes["container_definitions"]
    assert container["privileged"] is True
    assert container["environment"][0] == {"name": "DB_PASSWORD", "value": "hunter2"}
    assert container["portMappings"] == [{"containerPort": 8080, "protocol": "tcp"}]
    image = container["image"]
    assert isinstance(image, Unknown)
    assert image.pattern == "*.dkr.ecr.*.amazonaws.com/prod-shop-api:latest"
    assert td.unknowns == ("container_definitions.0.image",)
    assert td.attributes["cpu"] == 256


def test_container_definitions_from_heredoc_file_and_templatefile(tf: Path) -> None:
    res = by_address(inventory.load(str(tf / "modules")))
    heredoc = res["module.app.aws_ecs_task_definition.heredoc"].attributes["container_definitions"]
    assert heredoc == [
        {"name": "web", "image": "nginx:1.4.2", "privileged": False, "readonlyRootFilesystem": True}
    ]
    from_file = res["module.app.aws_ecs_task_definition.from_file"].attributes["container_definitions"]
    assert from_file[0]["user"] == "0"
    tpl = res["module.app_eu.aws_ecs_task_definition.from_template"].attributes["container_definitions"]
    assert tpl[0]["environment"] == [{"name": "ENV", "value": "prod-eu"}]
    assert [s["name"] for s in tpl[0]["secrets"]] == ["DB_URL", "API_KEY"]
    assert tpl[0]["image"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout:1.4.2"
