"""tfdrift_ci/inventory/roots.py and inventory.restrict(): which roots a change touches."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tfdrift_ci import inventory


@pytest.fixture
def repo(tmp_path: Path, tf: Path) -> Path:
    """A repository with two roots sharing modules, and a standalone root."""
    shutil.copytree(tf / "modules", tmp_path / "infra")
    shutil.copytree(tf / "flat", tmp_path / "standalone")
    return tmp_path


def test_roots_for_module_file_are_its_callers(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    module_file = "infra/modules/app/ecr/main.tf"
    assert inventory.roots_for_files([module_file], repo_root=".") == ["infra/live/prod"]
    tfvars = "infra/live/prod/terraform.tfvars"
    assert inventory.roots_for_files([tfvars], repo_root=".") == ["infra/live/prod"]
    assert inventory.roots_for_files(
        ["standalone/main.tf", "infra/modules/app/main.tf", "standalone/variables.tf"], repo_root="."
    ) == ["infra/live/prod", "standalone"]


def test_roots_for_files_with_an_absolute_repo_root(repo: Path) -> None:
    roots = inventory.roots_for_files([str(repo / "standalone" / "main.tf")], repo_root=str(repo))
    assert roots == [str(repo / "standalone")]


def test_root_at_the_top_of_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./mod"\n}\n', encoding="utf-8")
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert inventory.roots_for_files(["mod/main.tf"], repo_root=".") == ["."]


def test_module_cycle_does_not_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for a, b in (("a", "../b"), ("b", "../a")):
        (tmp_path / a).mkdir()
        (tmp_path / a / "main.tf").write_text(f'module "x" {{\n  source = "{b}"\n}}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert inventory.roots_for_files(["a/main.tf"], repo_root=".") == []


def test_roots_for_files_does_not_import_the_parser(repo: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from tfdrift_ci import inventory; "
        f"inventory.roots_for_files(['infra/modules/app/main.tf'], repo_root={str(repo)!r}); "
        "print('hcl2' in sys.modules, 'lark' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_restrict_keeps_roots_touched_by_the_change(repo: Path) -> None:
    inv = inventory.load(str(repo))
    assert inv.roots == ("infra/live/prod", "standalone")
    only_module = inventory.restrict(inv, ["infra/modules/app/ecr/main.tf"])
    assert only_module.roots == ("infra/live/prod",)
    assert {r.root for r in only_module.resources} == {"infra/live/prod"}
    assert only_module.files == 5
    absolute = inventory.restrict(inv, [os.path.join(str(repo), "standalone", "variables.tf")])
    assert absolute.roots == ("standalone",)
    assert all(r.root == "standalone" for r in absolute.resources)
    assert inventory.restrict(inv, ["README.md"]).resources == ()
    template = inventory.restrict(inv, ["infra/modules/app/templates/containers.json.tpl"])
    assert template.roots == ("infra/live/prod",)
