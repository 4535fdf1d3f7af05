"""Loading roots (.tf → Resources): tfdrift_ci/inventory/loader.py and inventory.load()."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tfdrift_ci import inventory
from tfdrift_ci.errors import InventoryError
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


def test_bad_file_next_to_good_ones(tf: Path) -> None:
    inv = inventory.load(str(tf / "broken"))
    assert [r.address for r in inv.resources] == ["aws_ecr_repository.still_inventoried"]
    assert inv.files == 3
    problems = {p.file: p for p in inv.problems}
    assert set(problems) == {"bad.tf", "latin1.tf"}
    assert problems["bad.tf"].line == 4
    assert problems["latin1.tf"].line == 2


@pytest.mark.parametrize("bad", ["does-not-exist", "README.md"])
def test_missing_path_or_non_terraform_file_raises(tmp_path: Path, bad: str) -> None:
    (tmp_path / "README.md").write_text("# not terraform\n", encoding="utf-8")
    with pytest.raises(InventoryError) as err:
        inventory.load(str(tmp_path / bad))
    assert bad in str(err.value)
    assert "\n" not in str(err.value)


def test_a_single_tf_file_as_path(tf: Path) -> None:
    inv = inventory.load(str(tf / "broken" / "good.tf"))
    assert [r.address for r in inv.resources] == ["aws_ecr_repository.still_inventoried"]
    assert inv.files == 1
    assert inv.problems == ()


def test_a_single_broken_tf_file_as_path_is_an_input_error(tf: Path) -> None:
    target = tf / "broken" / "bad.tf"
    with pytest.raises(InventoryError) as err:
        inventory.load(str(target))
    assert str(err.value).startswith(f"{target}:4: HCL syntax error")


_DECLARED = re.compile(r'^resource\s+"(aws_ec[rs][a-z_]*)"\s+"([^"]+)"', re.MULTILINE)


def test_public_module_structure_every_ecr_ecs_resource_found(tf: Path) -> None:
    """Mimics terraform-aws-modules ecs (modules/service, cluster, container-definition) and ecr:
    dynamic blocks, try() everywhere, for-expressions, module for_each over services."""
    project = tf / "public_ecs"
    inv = inventory.load(str(project))
    assert inv.problems == ()
    declared = set()
    for path in project.rglob("*.tf"):
        rel = path.relative_to(project).as_posix()
        for m in _DECLARED.finditer(path.read_text(encoding="utf-8")):
            declared.add((rel, m.group(1), m.group(2)))
    assert len(declared) == 16
    found = {(r.file, r.type, r.name) for r in (*inv.resources, *inv.declared_only)}
    assert declared <= found
    assert inv.roots == ("examples/complete",)
    res = by_address(inv)
    svc = res['module.ecs.module.service["ecsdemo-frontend"].aws_ecs_service.this[0]']
    assert svc.attributes["enable_execute_command"] is True
    assert svc.identity is not None
    assert (svc.identity.name, svc.identity.cluster) == ("ecsdemo-frontend", "ex-complete")
    assert svc.ignore_changes == ("desired_count",)
    # dynamic blocks expanded, nested dynamic too
    (connect,) = svc.attributes["service_connect_configuration"]
    assert connect["service"][0]["client_alias"] == [{"dns_name": "ecsdemo-frontend", "port": 3000}]
    assert svc.attribute_lines["service_connect_configuration"] == 96  # the dynamic block
    assert svc.attribute_lines["service_connect_configuration.enabled"] == 100
    td = res['module.ecs.module.service["ecsdemo-frontend"].aws_ecs_task_definition.this[0]']
    frontend, fluent = td.attributes["container_definitions"]
    assert frontend["readonlyRootFilesystem"] is False
    assert frontend["portMappings"][0]["containerPort"] == 3000
    assert fluent["user"] == "0"
    assert isinstance(fluent["image"], Unknown)  # from an SSM parameter
    cluster = res["module.ecs.module.cluster.aws_ecs_cluster.this[0]"]
    assert cluster.attributes["setting"] == [{"name": "containerInsights", "value": "enabled"}]
    log = cluster.attributes["configuration"][0]["execute_command_configuration"][0]
    assert log["logging"] == "OVERRIDE"
    cp = res["module.ecs.module.cluster.aws_ecs_cluster_capacity_providers.this[0]"]
    assert cp.attributes["capacity_providers"] == ["FARGATE", "FARGATE_SPOT"]
    assert cp.identity is not None
    assert cp.identity.name == "ex-complete"
    ptc = res['module.ecr.aws_ecr_pull_through_cache_rule.this["pub"]']
    assert ptc.identity is not None
    assert (ptc.identity.kind, ptc.identity.name) == ("pull_through_cache_rule", "ecr-public")
    scanning = res["module.ecr.aws_ecr_registry_scanning_configuration.this[0]"]
    assert scanning.attributes["rule"][0]["repository_filter"] == [{"filter": "*", "filter_type": "WILDCARD"}]
    assert scanning.identity is not None
    assert scanning.identity.kind == "registry"
    policy = res["module.ecr.aws_ecr_repository_policy.this[0]"]
    assert isinstance(policy.attributes["policy"], Unknown)  # data.aws_iam_policy_document: unknown
    lifecycle = res["module.ecr.aws_ecr_lifecycle_policy.this[0]"]
    assert lifecycle.attributes["policy"]["rules"][0]["selection"]["tagPrefixList"] == ["v"]


def test_odd_references_are_unknown_never_a_crash(tmp_path: Path) -> None:
    services = "".join(
        f'resource "aws_ecs_service" "{name}" {{\n  name    = "{name}"\n  cluster = {ref}\n}}\n\n'
        for name, ref in (
            ("by_string_index", 'aws_ecs_cluster.c["1"].name'),
            ("by_object_index", "aws_ecs_cluster.c[{}].name"),
            ("out_of_range", "aws_ecs_cluster.c[5].name"),
        )
    )
    cluster = 'resource "aws_ecs_cluster" "c" {\n  count = 2\n  name  = "c${count.index}"\n}\n\n'
    (tmp_path / "main.tf").write_text(cluster + services, encoding="utf-8")
    (tmp_path / ".terraform" / "modules").mkdir(parents=True)
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text('{"Modules": 3}', encoding="utf-8")
    res = by_address(inventory.load(str(tmp_path)))
    assert res["aws_ecs_service.by_string_index"].attributes["cluster"] == "c1"
    assert isinstance(res["aws_ecs_service.by_object_index"].attributes["cluster"], Unknown)
    assert isinstance(res["aws_ecs_service.out_of_range"].attributes["cluster"], Unknown)


def test_exponential_locals_do_not_hang(tmp_path: Path) -> None:
    chain = "\n".join(f"  l{i} = [local.l{i + 1}, local.l{i + 1}]" for i in range(60))
    (tmp_path / "main.tf").write_text(
        f'locals {{\n{chain}\n  l60 = "leaf"\n}}\n\n'
        'resource "aws_ecs_task_definition" "bomb" {\n'
        '  family                = "bomb"\n'
        "  container_definitions = jsonencode(local.l0)\n"
        "}\n",
        encoding="utf-8",
    )
    (td,) = inventory.load(str(tmp_path)).resources
    assert td.attributes["family"] == "bomb"
    assert isinstance(td.attributes["container_definitions"], Unknown)


def test_each_read_whole_never_leaks_internal_objects(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_ecr_repository" "r" {\n  for_each = toset(["a"])\n  name = each.key\n}\n\n'
        'resource "aws_ecr_lifecycle_policy" "p" {\n  for_each   = aws_ecr_repository.r\n'
        "  repository = each.value.name\n  policy     = jsonencode(each)\n  tags       = each\n}\n",
        encoding="utf-8",
    )
    inv = inventory.load(str(tmp_path))
    doc = json.loads(inventory.render(inv, "json"))
    (policy,) = [r for r in doc["resources"] if r["type"] == "aws_ecr_lifecycle_policy"]
    assert policy["attributes"]["tags"]["key"] == "a"
    assert policy["attributes"]["tags"]["value"]["unknown"] == "each.value"
