"""tfdrift_ci/inventory/plan_json.py: inventory from `terraform show -json` output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tfdrift_ci import inventory
from tfdrift_ci.errors import InventoryError
from tfdrift_ci.inventory.plan_json import resources_from_plan, split_address
from tfdrift_ci.models import Unknown


def test_plan_with_child_modules_joined_to_the_tf_files(tf: Path) -> None:
    inv = inventory.load(str(tf / "modules"), plan=str(tf / "plans" / "modules-1.2.json"))
    assert inv.plan_file is not None
    res = {r.address: r for r in inv.resources}
    assert set(res) == {
        "module.app.aws_ecs_cluster.this",
        "module.app.aws_ecs_service.this",
        "module.app.aws_ecs_task_definition.from_template",
        'module.app.module.ecr["api"].aws_ecr_repository.this',
        'module.app.module.ecr["api"].aws_ecr_repository_policy.this',
        "module.app_eu.aws_ecs_cluster.this",
    }  # aws_iam_role and data sources are not inventoried

    svc = res["module.app.aws_ecs_service.this"]
    assert svc.plan_actions == ("update",)
    assert svc.prior is not None and svc.planned is not None
    assert svc.prior["enable_execute_command"] is False
    assert svc.planned["enable_execute_command"] is True
    assert svc.attributes["enable_execute_command"] is True
    assert isinstance(svc.attributes["task_definition"], Unknown)  # after_unknown
    # joined by address: file, line and ignore_changes come from the .tf files
    assert (svc.file, svc.line, svc.root) == ("modules/app/main.tf", 48, "live/prod")
    assert svc.ignore_changes == ("desired_count",)
    assert svc.module_path == ("app",)
    assert svc.identity is not None
    assert svc.identity.as_dict() == {
        "kind": "service",
        "service": "checkout",
        "cluster": "prod-checkout",
        "account": "123456789012",
        "region": "us-east-1",
    }

    repo = res['module.app.module.ecr["api"].aws_ecr_repository.this']
    assert repo.module_path == ("app", 'ecr["api"]')
    assert repo.prior is not None
    assert repo.prior["image_tag_mutability"] == "MUTABLE"
    assert repo.attributes["image_tag_mutability"] == "IMMUTABLE"
    assert repo.file == "modules/app/ecr/main.tf"

    # JSON documents in the plan are strings: decoded
    policy = res['module.app.module.ecr["api"].aws_ecr_repository_policy.this']
    assert policy.attributes["policy"]["Statement"][0]["Sid"] == "pull"
    td = res["module.app.aws_ecs_task_definition.from_template"]
    assert td.plan_actions == ("create",)
    assert td.attributes["container_definitions"][0]["name"] == "checkout"
    assert td.prior is None
    assert isinstance(td.attributes["arn"], Unknown)
    assert td.identity is not None
    assert (td.identity.name, td.identity.region) == ("prod-checkout-tpl", "us-east-1")

    eu = res["module.app_eu.aws_ecs_cluster.this"]
    assert eu.identity is not None
    assert (eu.identity.name, eu.identity.region) == ("prod-eu-checkout", "eu-central-1")
    assert "arn" in eu.unknowns
    assert inv.regions == ("eu-central-1", "us-east-1")


def test_old_plan_format(tf: Path) -> None:
    inv = inventory.load(str(tf / "flat"), plan=str(tf / "plans" / "flat-0.1.json"))
    (repo,) = inv.resources
    assert repo.address == "aws_ecr_repository.mutable_bad"
    assert repo.plan_actions == ("create",)
    assert repo.attributes["image_scanning_configuration"] == [{"scan_on_push": False}]
    assert (repo.file, repo.line) == ("main.tf", 26)
    assert repo.identity is not None
    assert repo.identity.name == "prod-shop-api"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-a-plan.json", "no format_version"),
        ("wrong-shape.json", "planned_values is not an object"),
        ("garbage.json", "not valid JSON"),
    ],
)
def test_plan_of_the_wrong_shape(tf: Path, name: str, message: str) -> None:
    plan = str(tf / "plans" / name)
    with pytest.raises(InventoryError) as err:
        inventory.load(str(tf / "flat"), plan=plan)
    assert message in str(err.value)
    assert str(err.value).startswith(plan)


def test_missing_plan(tf: Path) -> None:
    with pytest.raises(InventoryError, match="cannot read plan"):
        inventory.load(str(tf / "flat"), plan=str(tf / "plans" / "nope.json"))


def test_split_address() -> None:
    assert split_address('module.a["x"].module.b[0].aws_ecs_service.this[2]') == (
        ('a["x"]', "b[0]"),
        "aws_ecs_service",
        "this",
    )
    assert split_address("aws_ecr_repository.r") == ((), "aws_ecr_repository", "r")


def test_plan_instances_join_resources_with_unknown_keys(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "envs" {\n  type = set(string)\n}\n\n'
        'module "env" {\n  source   = "./env"\n  for_each = var.envs\n  name     = each.key\n}\n',
        encoding="utf-8",
    )
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "main.tf").write_text(
        'variable "name" {}\n\nresource "aws_ecs_cluster" "this" {\n  name = var.name\n}\n', encoding="utf-8"
    )
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": 'module.env["dev"].aws_ecs_cluster.this',
                "module_address": 'module.env["dev"]',
                "mode": "managed",
                "type": "aws_ecs_cluster",
                "name": "this",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": {"name": "dev"},
                    "after_unknown": {},
                },
            }
        ],
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    static = inventory.load(str(tmp_path))
    assert [r.address for r in static.resources] == ["module.env[*].aws_ecs_cluster.this"]
    inv = inventory.load(str(tmp_path), plan=str(tmp_path / "plan.json"))
    (cluster,) = inv.resources
    assert cluster.address == 'module.env["dev"].aws_ecs_cluster.this'
    assert (cluster.file, cluster.line) == ("env/main.tf", 3)
    assert cluster.module_path == ('env["dev"]',)
    assert cluster.identity is not None
    assert cluster.identity.name == "dev"


def test_values_terraform_marks_sensitive_are_not_carried() -> None:
    containers = [{"name": "app", "environment": [{"name": "TOKEN", "value": "x"}]}]
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "aws_ecs_task_definition.app",
                "mode": "managed",
                "type": "aws_ecs_task_definition",
                "name": "app",
                "change": {
                    "actions": ["update"],
                    "before": {"family": "app", "tags": {"owner": "old-secret"}},
                    "after": {
                        "family": "app",
                        "tags": {"owner": "new-secret", "team": "a"},
                        "container_definitions": json.dumps(containers),
                    },
                    "after_unknown": {},
                    "before_sensitive": {"tags": {"owner": True}},
                    "after_sensitive": {"tags": {"owner": True}, "container_definitions": True},
                },
            }
        ],
    }
    (res,), _ = resources_from_plan(plan)
    assert res.attributes["tags"] == {"owner": Unknown("(sensitive value)"), "team": "a"}
    assert res.prior is not None
    assert isinstance(res.prior["tags"]["owner"], Unknown)
    assert "secret" not in repr(res)
    # JSON documents stay readable for the config rules (reports redact secret-looking values)
    assert res.attributes["container_definitions"] == containers
