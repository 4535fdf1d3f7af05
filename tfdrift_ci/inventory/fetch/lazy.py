"""``LazyFetcher``: the ``fetcher.Fetcher`` made when the first registry/git/archive module is asked
for, so that a project whose modules are all local (the pre-commit hook's usual case) never imports
the fetching machinery (HTTP, registry protocol, git, archives) nor opens a module cache."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tfdrift_ci.inventory.fetch.options import Fetched, ModuleOptions

if TYPE_CHECKING:
    from tfdrift_ci.inventory.fetch.fetcher import Fetcher


class LazyFetcher:
    """A ``Fetcher`` made when the first remote module is asked for."""

    def __init__(self, options: ModuleOptions) -> None:
        self.options = options
        self.real: Fetcher | None = None

    def get(self, source: str, version: str | None) -> Fetched | str:
        if self.real is None:
            from tfdrift_ci.inventory.fetch.fetcher import Fetcher

            self.real = Fetcher(self.options)
        return self.real.get(source, version)

    def package_of(self, directory: str) -> Fetched | None:
        """Packages only come from ``get``: none before the first one."""
        return self.real.package_of(directory) if self.real is not None else None

    def close(self) -> None:
        if self.real is not None:
            self.real.close()
