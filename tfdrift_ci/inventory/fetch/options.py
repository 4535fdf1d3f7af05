"""How registry/git/archive modules are followed (``ModuleOptions``), what a fetch gives
(``Fetched``) and what the inventory asks of a fetcher (``ModuleFetcher``): the light part of the
fetch package, imported by the inventory whether or not anything is fetched (``lazy.LazyFetcher``
imports ``fetcher`` only for the first remote module)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Protocol

from tfdrift_ci.frozen import frozen


@frozen
class ModuleOptions:
    """How remote modules are followed. ``cache_dir``: the tool's cache directory (modules go to
    ``<cache_dir>/modules``), None for a temporary one. ``env``: the environment (CLI configuration
    file, ``TF_TOKEN_*``, ``HOME``, proxies)."""

    fetch: bool = True
    cache_dir: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)


@frozen
class Fetched:
    directory: str  # the module's directory (package root + subdir), absolute
    package_root: str  # the unpacked package (local paths inside it may not leave it)
    package: str  # what was fetched, for people: "terraform-aws-modules/ecs/aws 5.11.0"
    prefix: str  # display prefix of its files: "terraform-aws-modules/ecs/aws@5.11.0"


class ModuleFetcher(Protocol):
    """What the inventory asks of a fetcher (``fetcher.Fetcher`` and ``LazyFetcher``)."""

    def get(self, source: str, version: str | None) -> Fetched | str: ...

    def package_of(self, directory: str) -> Fetched | None: ...

    def close(self) -> None: ...
