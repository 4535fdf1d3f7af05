"""The static inventory (.tf → Resources): tfdrift_ci/inventory/loader.py through inventory.load()."""

from __future__ import annotations

import json
import re
import shutil
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


def test_local_modules_nested_with_inputs_and_provider_passing(tf: Path) -> None:
    inv = inventory.load(str(tf / "modules"))
    assert inv.roots == ("live/prod",)
    res = by_address(inv)
    repo = res['module.app.module.ecr["api"].aws_ecr_repository.this']
    assert repo.module_path == ("app", 'ecr["api"]')
    assert repo.file == "modules/app/ecr/main.tf"
    assert repo.root == "live/prod"
    assert repo.attributes["name"] == "prod-checkout-api"
    assert repo.attributes["image_scanning_configuration"] == [{"scan_on_push": True}]
    worker = res['module.app.module.ecr["worker"].aws_ecr_repository.this']
    assert worker.attributes["image_scanning_configuration"] == [{"scan_on_push": False}]
    # repository_policy's repository is aws_ecr_repository.this.id: the provider's id is the name
    policy = res['module.app.module.ecr["api"].aws_ecr_repository_policy.this']
    assert policy.identity is not None
    assert policy.identity.name == "prod-checkout-api"
    assert policy.attributes["policy"]["Statement"][0]["Action"] == [
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    ]
    # file() relative to the module, decoded
    lifecycle = res['module.app.module.ecr["worker"].aws_ecr_lifecycle_policy.this']
    assert lifecycle.attributes["policy"]["rules"][0]["selection"]["countNumber"] == 30
    # providers = { aws = aws.eu } on the call
    eu = res["module.app_eu.aws_ecs_cluster.this"]
    assert eu.identity is not None
    assert (eu.identity.name, eu.identity.region) == ("prod-eu-checkout", "eu-central-1")
    assert res["module.app.aws_ecs_cluster.this"].identity.region == "us-east-1"  # type: ignore[union-attr]
    svc = res["module.app.aws_ecs_service.this"]
    assert svc.identity is not None
    assert (svc.identity.name, svc.identity.cluster) == ("checkout", "prod-checkout")
    assert svc.attributes["desired_count"] == 3
    assert svc.ignore_changes == ("desired_count",)
    # the registry module is listed, not an error
    (vpc,) = inv.unfollowed_modules
    assert (vpc.address, vpc.source, vpc.file, vpc.line) == (
        "module.vpc",
        "terraform-aws-modules/vpc/aws",
        "live/prod/main.tf",
        35,
    )
    assert inv.problems == ()
    assert inv.root_files["live/prod"] == (
        "live/prod/main.tf",
        "live/prod/terraform.tfvars",
        "live/prod/variables.tf",
        "modules/app/ecr/main.tf",
        "modules/app/main.tf",
        "modules/app/policies/lifecycle.json",  # read by file() / templatefile()
        "modules/app/templates/containers.json.tpl",
        "modules/app/templates/static.json",
        "modules/app/variables.tf",
    )
    assert inv.files == 5


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


def test_variable_precedence(tf: Path) -> None:
    project = tf / "variables"
    inv = inventory.load(
        str(project),
        var_files=[str(project / "prod.tfvars")],
        variables={"from_cli": "cli", "repos": '["x", "y"]', "replicas": "4"},
        env={"TF_VAR_from_env": "env", "TF_VAR_from_cli": "env-loses", "HOME": "/root"},
    )
    names = {r.name: r.attributes.get("name") for r in inv.resources if r.type == "aws_ecr_repository"}
    assert names["default_ok"] == "default-value"
    assert names["env_ok"] == "env"
    assert names["tfvars_ok"] == "tfvars"
    assert names["auto_ok"] == "auto-b-json"  # b.auto.tfvars.json sorts after a.auto.tfvars
    assert names["var_file_ok"] == "var-file"
    assert names["cli_ok"] == "cli"
    assert names["unset_unknown"] == Unknown('"${var.unset}-api"', "*-api")
    res = by_address(inv)
    assert set(res) >= {'aws_ecr_repository.from_list["x"]', 'aws_ecr_repository.from_list["y"]'}
    svc = res["aws_ecs_service.replicas"]
    assert svc.attributes["desired_count"] == 4  # --var string converted by the declared type
    # a declared cluster ARN gives the region and account when the provider says nothing
    assert svc.identity is not None
    assert (svc.identity.cluster, svc.identity.region, svc.identity.account) == (
        "shared",
        "ap-southeast-2",
        "111122223333",
    )
    assert "variables/terraform.tfvars" not in inv.root_files["."]  # paths are relative to PATH
    assert "terraform.tfvars" in inv.root_files["."]
    assert "prod.tfvars" in inv.root_files["."]


def test_missing_var_file_is_an_input_error(tf: Path) -> None:
    with pytest.raises(InventoryError, match="variables file not found"):
        inventory.load(str(tf / "variables"), var_files=["nope.tfvars"])


def test_count_and_for_each_expansion(tf: Path) -> None:
    inv = inventory.load(str(tf / "expansion"))
    res = by_address(inv)
    assert {a for a in res if a.startswith("aws_ecr_repository.by_set")} == {
        'aws_ecr_repository.by_set["batch"]',
        'aws_ecr_repository.by_set["web"]',
    }
    assert res['aws_ecr_repository.by_set["web"]'].attributes["name"] == "app/web"
    worker = res['aws_ecs_task_definition.by_map["worker"]']
    assert worker.attributes["cpu"] == 512
    assert worker.attributes["container_definitions"] == [{"name": "worker", "image": "nginx:1.27"}]
    assert res["aws_ecs_cluster.by_count[1]"].attributes["name"] == "cluster-1"
    # unknown count / for_each: one instance with an unknown key, noted
    unknown_count = res["aws_ecs_service.unknown_count[*]"]
    assert unknown_count.unknowns[0] == "[*] (instance keys)"
    assert unknown_count.attributes["name"] == Unknown('"svc-${count.index}"', "svc-*")
    assert unknown_count.identity is not None
    assert unknown_count.identity.cluster == "cluster-0"
    assert "aws_ecr_repository.unknown_for_each[*]" in res
    # modules with for_each
    assert res['module.per_env["prod"].aws_ecs_cluster.this'].attributes["name"] == "prod-cluster"
    # count = 0: not a resource to check, but listed as declared
    assert "aws_ecr_repository.none" not in res
    assert [r.address for r in inv.declared_only] == ["aws_ecr_repository.none"]


def test_registry_module_followed_through_modules_json(tf: Path) -> None:
    inv = inventory.load(str(tf / "registry"))
    res = by_address(inv)
    repo = res["module.ecr.aws_ecr_repository.this"]
    assert repo.file == ".terraform/modules/ecr/main.tf"
    assert repo.attributes["name"] == "downloaded"
    assert repo.identity is not None
    assert repo.identity.region == "ca-central-1"
    # a local module inside the downloaded one
    lifecycle = res["module.ecr.module.lifecycle.aws_ecr_lifecycle_policy.this"]
    assert lifecycle.identity is not None
    assert lifecycle.identity.name == "downloaded"
    assert lifecycle.attributes["policy"]["rules"][0]["selection"]["countNumber"] == 14
    (git,) = inv.unfollowed_modules
    assert git.address == "module.from_git"
    assert "not downloaded" in git.reason
    # .terraform is never scanned as a root of its own
    assert inv.roots == (".",)


def test_registry_module_without_modules_json_is_listed(tmp_path: Path, tf: Path) -> None:
    (tmp_path / "main.tf").write_text((tf / "registry" / "main.tf").read_text(), encoding="utf-8")
    inv = inventory.load(str(tmp_path))
    assert inv.resources == ()
    assert [m.address for m in inv.unfollowed_modules] == ["module.ecr", "module.from_git"]
    assert inv.problems == ()


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


def test_optional_object_attributes_get_their_defaults(tf: Path) -> None:
    res = by_address(inventory.load(str(tf / "typed")))
    ok = res['module.repos.aws_ecr_repository.this["defaults_ok"]']
    assert ok.attributes["image_tag_mutability"] == "IMMUTABLE"
    assert ok.attributes["image_scanning_configuration"] == [{"scan_on_push": True}]
    assert ok.attributes["tags"] == {"has_extra": "no", "kms": "aws-managed"}
    bad = res['module.repos.aws_ecr_repository.this["scan_off_bad"]']
    assert bad.attributes["image_scanning_configuration"] == [{"scan_on_push": False}]
    # object types drop attributes they do not declare
    assert bad.attributes["tags"]["has_extra"] == "no"


def test_sensitive_values_set_at_run_time_are_never_carried(tf: Path) -> None:
    inv = inventory.load(
        str(tf / "typed"),
        env={"TF_VAR_db_password": "s3cr3t-from-ci"},
        variables={"env": "prod"},
    )
    td = by_address(inv)["aws_ecs_task_definition.secret_from_ci"]
    value = td.attributes["container_definitions"][0]["environment"][0]["value"]
    assert isinstance(value, Unknown)
    assert "s3cr3t" not in repr(inv)
    assert td.attributes["family"] == "prod-app"
    # unknown variable inside format(): the known part is kept as a pattern
    unset = by_address(inventory.load(str(tf / "typed"), variables={}))
    assert unset["aws_ecs_task_definition.secret_from_ci"].attributes["family"] == "stage-app"


def test_override_files_merge_into_their_blocks(tf: Path) -> None:
    inv = inventory.load(str(tf / "override"))
    (repo,) = inv.resources
    assert repo.address == "aws_ecr_repository.overridden_ok"
    assert repo.attributes == {
        "name": "base",
        "image_tag_mutability": "IMMUTABLE",
        "image_scanning_configuration": [{"scan_on_push": True}],
    }
    assert (repo.file, repo.line) == ("main.tf", 1)
    assert inv.files == 2


def test_lines_of_keys_inside_json_documents(tf: Path) -> None:
    td = by_address(inventory.load(str(tf / "flat")))["aws_ecs_task_definition.api"]
    assert td.attribute_lines["container_definitions"] == 93
    assert td.attribute_lines["container_definitions.0.privileged"] == 98
    assert td.attribute_lines["container_definitions.0.environment.0.value"] == 100
    heredoc = by_address(inventory.load(str(tf / "modules")))["module.app.aws_ecs_task_definition.heredoc"]
    assert heredoc.attribute_lines["container_definitions.0.privileged"] == 27
    assert heredoc.attribute_lines["container_definitions.0.readonlyRootFilesystem"] == 28


def test_a_single_broken_tf_file_as_path_is_an_input_error(tf: Path) -> None:
    target = tf / "broken" / "bad.tf"
    with pytest.raises(InventoryError) as err:
        inventory.load(str(target))
    assert str(err.value).startswith(f"{target}:4: HCL syntax error")


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


def test_huge_counts_and_module_fan_out_are_bounded(tmp_path: Path) -> None:
    hundred = "toset([for i in range(100) : tostring(i)])"
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(
        f'variable "k" {{}}\n\nmodule "inner" {{\n  source   = "../n"\n  for_each = {hundred}\n}}\n',
        encoding="utf-8",
    )
    (tmp_path / "n").mkdir()
    cluster = 'resource "aws_ecs_cluster" "c" {\n  name = "c"\n}\n'
    (tmp_path / "n" / "main.tf").write_text(cluster, encoding="utf-8")
    (tmp_path / "main.tf").write_text(
        'resource "aws_ecr_repository" "many" {\n  count = 1000000000\n  name  = "r${count.index}"\n}\n\n'
        f'module "outer" {{\n  source   = "./m"\n  for_each = {hundred}\n  k        = each.key\n}}\n',
        encoding="utf-8",
    )
    inv = inventory.load(str(tmp_path))
    res = by_address(inv)
    assert "aws_ecr_repository.many[*]" in res
    clusters = [r for r in inv.resources if r.type == "aws_ecs_cluster"]
    assert 0 < len(clusters) <= 5_000
    assert any("module instances" in m.reason for m in inv.unfollowed_modules)


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


def test_existing_cluster_and_repository_looked_up_by_data_sources(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """
data "aws_ecs_cluster" "shared" {
  cluster_name = "platform-shared"
}

data "aws_ecr_repository" "app" {
  name = "team/app"
}

data "aws_caller_identity" "me" {}

resource "aws_ecs_service" "on_shared_cluster" {
  name    = "api"
  cluster = data.aws_ecs_cluster.shared.arn
}

resource "aws_ecs_task_definition" "uses_repo" {
  family = "api"
  container_definitions = jsonencode([{
    name  = "api"
    image = "${data.aws_ecr_repository.app.repository_url}:1.0"
    user  = data.aws_caller_identity.me.account_id
  }])
}
""",
        encoding="utf-8",
    )
    res = by_address(inventory.load(str(tmp_path)))
    svc = res["aws_ecs_service.on_shared_cluster"]
    assert svc.identity is not None
    assert svc.identity.cluster == "platform-shared"
    assert isinstance(svc.attributes["cluster"], Unknown)
    (container,) = res["aws_ecs_task_definition.uses_repo"].attributes["container_definitions"]
    assert container["image"].pattern == "*.dkr.ecr.*.amazonaws.com/team/app:1.0"
    assert container["user"] == Unknown("data.aws_caller_identity.me.account_id")


def test_workspace_from_env_or_the_selected_one(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_ecs_cluster" "per_workspace" {\n  name = "app-${terraform.workspace}"\n}\n',
        encoding="utf-8",
    )

    def name(env: dict[str, str]) -> object:
        (cluster,) = inventory.load(str(tmp_path), env=env).resources
        return cluster.attributes["name"]

    assert name({}) == "app-default"
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "environment").write_text("staging", encoding="utf-8")
    assert name({}) == "app-staging"
    assert name({"TF_WORKSPACE": "prod"}) == "app-prod"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "environment").write_text("qa\n", encoding="utf-8")
    assert name({"TF_DATA_DIR": "data"}) == "app-qa"


def test_for_each_chained_over_another_resource(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """
resource "aws_ecr_repository" "this" {
  for_each = toset(["api", "web"])
  name     = "team/${each.key}"
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each   = aws_ecr_repository.this
  repository = each.value.name
  policy     = jsonencode({ rules = [] })
}
""",
        encoding="utf-8",
    )
    res = by_address(inventory.load(str(tmp_path)))
    policy = res['aws_ecr_lifecycle_policy.this["web"]']
    assert policy.attributes["repository"] == "team/web"
    assert policy.identity is not None
    assert policy.identity.name == "team/web"
    assert res['aws_ecr_lifecycle_policy.this["api"]'].attributes["policy"] == {"rules": []}


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
