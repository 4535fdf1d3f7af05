"""tfdrift_ci/inventory/variables.py: root variable values and their precedence (through inventory.load())."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfdrift_ci import inventory
from tfdrift_ci.errors import InventoryError
from tfdrift_ci.models import Inventory, Resource, Unknown


def by_address(inv: Inventory) -> dict[str, Resource]:
    return {r.address: r for r in inv.resources}


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
