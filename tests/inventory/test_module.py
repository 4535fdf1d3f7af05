"""tfdrift_ci/inventory/module.py: module instances, calls, expansion, overrides (via inventory.load())."""

from __future__ import annotations

from pathlib import Path

from tfdrift_ci import inventory
from tfdrift_ci.models import Inventory, Resource, Unknown


def by_address(inv: Inventory) -> dict[str, Resource]:
    return {r.address: r for r in inv.resources}


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
