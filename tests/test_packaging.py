"""Packaging contracts: the explicit package list matches the tree, templates ship in the wheel,
and the cheap paths (import, --help) load no boto3 / GitPython / Jinja2."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def test_every_subpackage_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "tfdrift_ci").rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


@pytest.mark.parametrize(
    "code",
    [
        "import tfdrift_ci",
        "import tfdrift_ci.cli",
        "from tfdrift_ci.cli import main\nimport contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass",
    ],
)
def test_cheap_paths_import_no_heavy_libraries(code: str) -> None:
    heavy = "('boto3', 'botocore', 'git', 'jinja2')"
    probe = code + f"\nimport sys\nprint(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.slow
def test_wheel_ships_templates_and_entry_point(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("tfdrift_ci-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    templates = [n for n in names if n.startswith("tfdrift_ci/templates/")]
    assert any(n.endswith(".j2") for n in templates), templates
    assert "tfdrift_ci/schemas/report-schema.json" in names  # the JSON report's documented schema
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "tfdrift-ci = tfdrift_ci.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_pre_commit_hook_imports_only_what_a_static_check_needs(tmp_path: Path) -> None:
    """The hook (offline, static rules, local modules) must not import the event sources, the drift
    rules, the module fetcher (HTTP, registry, git) or any heavy library: each costs tens of ms on
    every commit. A root calling a local module, so the module code path runs."""
    fixture = ROOT / "tests" / "fixtures" / "terraform" / "typed"  # calls ./modules/repos
    not_wanted = (
        "boto3", "botocore", "git", "jinja2", "hcl2", "lark", "orjson", "urllib.request", "http.client",
        "concurrent.futures", "difflib", "tfdrift_ci.events", "tfdrift_ci.rules.drift",
        "tfdrift_ci.rules.catalog", "tfdrift_ci.inventory.fetch.fetcher", "tfdrift_ci.inventory.fetch.http",
        # remote-module addresses, the differ, the python-hcl2 parse cache (hashlib loads OpenSSL),
        # and the other commands' option modules: none is needed by a static check of local code
        "tfdrift_ci.inventory.fetch.addresses", "tfdrift_ci.inventory.fetch.constraints",
        "tfdrift_ci.report.diff", "tfdrift_ci.inventory.cache", "hashlib", "tfdrift_ci.sweep",
    )
    probe = (
        "import contextlib, io, sys\n"
        "from tfdrift_ci.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(['pre-commit', 'main.tf'])\n"
        f"print(code, sorted(m for m in {not_wanted!r} if m in sys.modules))"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TFDRIFT_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=fixture, env=env
    )
    code, imported = out.stdout.strip().splitlines()[-1].split(" ", 1)
    assert code in ("0", "1") and imported == "[]", out.stdout + out.stderr
