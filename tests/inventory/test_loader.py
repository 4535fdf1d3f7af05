"""The static inventory (.tf → Resources): tfdrift_ci/inventory/loader.py through inventory.load()."""

from __future__ import annotations

from pathlib import Path

from tfdrift_ci import inventory
from tfdrift_ci.models import Inventory, Resource, Unknown


def by_address(inv: Inventory) -> dict[str, Resource]:
    return {r.address: r for r in inv.resources}


def test_flat_project_values_lines_and_identities(tf: Path) -> None:
    inv = inventory.load(str(tf / "flat"))
    res = by_address(inv)
    assert set(res) == {
        "aws_ecr_repository.mutable_bad",
        "aws_ecr_repository.immutable_ok",
        "aws_ecs_cluster.main",
        "aws_ecs_service.api",
        "aws_ecs_service.default_cluster",
        "aws_ecs_task_definition.api",
    }
    assert inv.files == 2
    assert inv.roots == (".",)
    assert inv.regions == ("eu-west-1", "us-west-2")
    assert inv.problems == ()

    repo = res["aws_ecr_repository.mutable_bad"]
    assert repo.file == "main.tf"
    assert (repo.line, repo.end_line) == (26, 35)
    # terraform.tfvars sets env = "prod"; locals build the name
    assert repo.attributes["name"] == "prod-shop-api"
    assert repo.attributes["image_scanning_configuration"] == [{"scan_on_push": False}]
    assert repo.attributes["tags"] == {"Team": "platform", "Env": "prod"}
    assert repo.attribute_lines["image_tag_mutability"] == 28
    assert repo.attribute_lines["image_scanning_configuration"] == 30
    assert repo.attribute_lines["image_scanning_configuration.scan_on_push"] == 31
    assert repo.identity is not None
    assert repo.identity.as_dict() == {
        "kind": "repository",
        "repositoryName": "prod-shop-api",
        "account": "123456789012",
        "region": "eu-west-1",
    }
    # provider alias with assume_role: account from the role ARN, region from the alias
    west = res["aws_ecr_repository.immutable_ok"]
    assert west.provider == "aws.west"
    assert west.identity is not None
    assert (west.identity.region, west.identity.account) == ("us-west-2", "210987654321")


def test_service_cluster_reference_resolves_to_the_cluster_name(tf: Path) -> None:
    res = by_address(inventory.load(str(tf / "flat")))
    api = res["aws_ecs_service.api"]
    # the attribute stays unknown (an ARN known after apply) but matches the cluster's ARN …
    cluster = api.attributes["cluster"]
    assert isinstance(cluster, Unknown)
    assert cluster.expr == "aws_ecs_cluster.main.id"
    # … and the identity carries the cluster's name
    assert api.identity is not None
    assert api.identity.cluster == "prod-shop"
    assert api.identity.name == "api"
    assert api.ignore_changes == ("desired_count", 'tags["Owner"]')
    assert api.attributes["desired_count"] == 2
    assert api.attributes["enable_execute_command"] is True
    assert "network_configuration.0.subnets" in api.unknowns
    legacy = res["aws_ecs_service.default_cluster"]
    assert legacy.identity is not None
    assert legacy.identity.cluster == "default"
    assert legacy.ignore_changes == "all"


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
