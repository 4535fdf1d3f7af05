"""tfdrift_ci/inventory/module_sources.py: modules followed through .terraform/modules/modules.json."""

from __future__ import annotations

import json
from pathlib import Path

from tfdrift_ci import inventory
from tfdrift_ci.inventory import module_sources
from tfdrift_ci.models import Inventory, Resource


def by_address(inv: Inventory) -> dict[str, Resource]:
    return {r.address: r for r in inv.resources}


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


def test_resolve_local_downloaded_and_missing(tmp_path: Path) -> None:
    data = tmp_path / ".terraform" / "modules"
    data.mkdir(parents=True)
    (data / "modules.json").write_text(
        json.dumps(
            {"Modules": [{"Key": "", "Dir": "."}, {"Key": "app.db", "Dir": ".terraform/modules/app.db"}]}
        ),
        encoding="utf-8",
    )
    downloaded = module_sources.read_modules_json(str(tmp_path / ".terraform"), str(tmp_path))
    assert downloaded == {"app.db": str(tmp_path / ".terraform" / "modules" / "app.db")}
    caller = str(tmp_path / "app")
    entries = module_sources.read_modules_entries(str(tmp_path / ".terraform"), str(tmp_path))
    local = module_sources.resolve("../shared", caller, "app.x", entries)
    assert (local.directory, local.reason, local.fetched) == (str(tmp_path / "shared"), "", False)
    got = module_sources.resolve("terraform-aws-modules/rds/aws", caller, "app.db", entries)
    assert (got.directory, got.reason, got.fetched) == (downloaded["app.db"], "", True)
    missing = module_sources.resolve("git::https://example.invalid/m.git", caller, "app.y", entries)
    assert missing.directory is None and "terraform init" in missing.reason


def test_a_stale_modules_json_entry_is_not_used(tmp_path: Path) -> None:
    """A pull request that bumps a module's version or source must not be checked against the copy an
    earlier `terraform init` left behind."""
    data = tmp_path / ".terraform" / "modules"
    data.mkdir(parents=True)
    entry = {"Key": "svc", "Dir": ".terraform/modules/svc", "Version": "5.1.0",
             "Source": "registry.terraform.io/terraform-aws-modules/ecs/aws//modules/service"}
    (data / "modules.json").write_text(json.dumps({"Modules": [entry]}), encoding="utf-8")
    entries = module_sources.read_modules_entries(str(tmp_path / ".terraform"), str(tmp_path))
    same = module_sources.resolve(
        "terraform-aws-modules/ecs/aws//modules/service", str(tmp_path), "svc", entries, version="~> 5.0"
    )
    assert same.directory == str(data / "svc")
    bumped = module_sources.resolve(
        "terraform-aws-modules/ecs/aws//modules/service", str(tmp_path), "svc", entries, version="~> 6.0"
    )
    assert bumped.directory is None and "5.1.0" in bumped.reason
    moved = module_sources.resolve("cloudposse/ecs-alb-service-task/aws", str(tmp_path), "svc", entries)
    assert moved.directory is None and "another source" in moved.reason


def test_unreadable_modules_json_means_nothing_downloaded(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "modules.json").write_text("{not json", encoding="utf-8")
    assert module_sources.read_modules_json(str(tmp_path), str(tmp_path)) == {}
