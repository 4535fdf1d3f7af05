"""One error family. ``cli.main`` is the only handler: it prints ``tfdrift-ci: error: …`` and maps
the exit code (2 for everything below, 3 for anything that is not a ``TfdriftError``)."""

from __future__ import annotations


class TfdriftError(Exception):
    """Base of every error tfdrift-ci raises on purpose. ``str(err)`` is the one-line message."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        return f"{where}{self.message}"


class ConfigError(TfdriftError):
    """A bad command line, config file or config value (names the key)."""


class InventoryError(TfdriftError):
    """Terraform input that cannot be read at all (missing path, unreadable plan, no terraform)."""


class SourceError(TfdriftError):
    """An event source that cannot be used at all (bad spec, no credentials for an explicit ``aws``)."""


class GitHubError(TfdriftError):
    """GitHub context or API problems. Never decides the exit code of ``check`` by itself."""


class GitLabError(TfdriftError):
    """GitLab context or API problems (the merge request note). Never decides the exit code either."""


class GitError(TfdriftError):
    """Git problems (not a repository, unknown base ref)."""
