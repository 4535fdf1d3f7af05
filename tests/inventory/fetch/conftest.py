"""Module-fetching tests: a local registry (tests/support/registry_server.py) reached through a
Terraform CLI configuration ``host`` block, a module cache in tmp, and the fixture package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.registry_server import Registry, env_for, tree_files

from tfdrift_ci import inventory
from tfdrift_ci.inventory.fetch.fetcher import ModuleOptions
from tfdrift_ci.models import Inventory


@pytest.fixture
def mods(fixtures: Path) -> Path:
    """tests/fixtures/modules"""
    return fixtures / "modules"


@pytest.fixture
def package_files(mods: Path) -> dict[str, bytes]:
    return tree_files(mods / "ecs_package")


@pytest.fixture
def registry(package_files: dict[str, bytes]) -> Iterator[Registry]:
    with Registry() as reg:
        for version in ("4.2.0", "5.1.0", "5.2.0", "6.0.0-beta1"):
            reg.add("acme/ecs/aws", version, package_files)
        yield reg


@pytest.fixture
def env(registry: Registry, tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return env_for(registry.cli_config(tmp_path), home)


def load(path: Path, env: dict[str, str], cache: Path | None, *, fetch: bool = True) -> Inventory:
    return inventory.load(
        str(path), modules=ModuleOptions(fetch=fetch, cache_dir=str(cache) if cache else None, env=env)
    )
