"""A :class:`Project`: the scanned directory, every file parsed once (``hcl.parse_file``), and what the
whole run shares (problems, source lines, unfollowed modules, provider regions)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tfdrift_ci.inventory import hcl
from tfdrift_ci.inventory.parsed import ParsedFile
from tfdrift_ci.models import ModuleCall, ParseProblem
from tfdrift_ci.paths import is_inside, repository_root

if TYPE_CHECKING:
    from tfdrift_ci.inventory.fetch.options import ModuleFetcher


class Project:
    """``base`` is the scanned directory; ``trusted`` the directories files may be read from (the
    repository holding it, else ``base``): a symlink out of them is never followed."""

    def __init__(
        self, base: str, options: hcl.ParseOptions = hcl.DEFAULT_OPTIONS, fetcher: ModuleFetcher | None = None
    ) -> None:
        self.base = os.path.abspath(base)
        self.fetcher = fetcher  # registry/git/archive modules; None: only local and .terraform/modules
        self._shown_as: dict[str, str] = {}  # fetched package root -> display prefix
        self.options = options
        self.real_base = os.path.realpath(self.base)
        self._dirs: dict[str, list[ParsedFile]] = {}
        self._tfvars: dict[str, ParsedFile] = {}
        self.problems: list[ParseProblem] = []
        self.sources: dict[str, tuple[str, ...]] = {}
        self.tf_files: set[str] = set()
        self.unfollowed: list[ModuleCall] = []
        self.regions: set[str] = set()
        # module directory -> module instances made of it in every root (inventory/origin.py: text in
        # a module's files is shared by all of them)
        self.dir_instances: dict[str, int] = {}
        self._rel: dict[str, str] = {}
        repository = repository_root(self.real_base)
        self.trusted: tuple[str, ...] = (self.real_base, repository) if repository else (self.real_base,)
        self.file_notices: dict[str, None] = {}  # what file() and friends refused to read, once each

    def rel(self, path: str) -> str:
        """A path as reports show it: relative to the scanned directory, or ``<package>//<path>`` for a
        file of a fetched module (never the module cache's own location)."""
        rel = self._rel.get(path)
        if rel is None:
            for root, prefix in self._shown_as.items():
                if path.startswith(root + os.sep):
                    rel = prefix + "//" + os.path.relpath(path, root).replace(os.sep, "/")
                    break
            else:
                rel = os.path.relpath(path, self.base).replace(os.sep, "/")
            self._rel[path] = rel
        return rel

    def show_as(self, package_root: str, prefix: str) -> None:
        """Show the files of a fetched package as ``prefix//path/in/package``."""
        self._shown_as[os.path.abspath(package_root)] = prefix

    def dir_files(self, directory: str, only: Sequence[str] | None = None) -> list[ParsedFile]:
        """The parsed ``.tf`` files of a directory (sorted, as Terraform loads them)."""
        directory = os.path.abspath(directory)
        cached = self._dirs.get(directory)
        if cached is not None:
            return cached
        if only is not None:
            names = list(only)
        else:
            try:
                names = sorted(
                    n
                    for n in os.listdir(directory)
                    if n.endswith((".tf", ".tf.json")) and os.path.isfile(os.path.join(directory, n))
                )
            except OSError:
                names = []
        files = [self.parse(os.path.join(directory, n)) for n in names]
        self._dirs[directory] = files
        return files

    def parse(self, path: str) -> ParsedFile:
        rel = self.rel(path)
        if os.path.islink(path) and not is_inside(os.path.realpath(path), self.trusted):
            # a symlink committed to point at a file of the CI machine: never read (its content
            # would surface in syntax-error messages and values)
            if path.endswith((".tf", ".tf.json")):
                self.tf_files.add(rel)
            message = "symlink to a file outside the repository: not read"
            self.problems.append(ParseProblem(file=rel, message=message))
            return ParsedFile(path=path, blocks=(), attributes=(), lines=())
        parsed = hcl.parse_file(path, self.options)
        if path.endswith((".tf", ".tf.json")):
            self.tf_files.add(rel)
        if parsed.lines or parsed.problem is None:
            self.sources[rel] = parsed.lines
        if parsed.problem is not None:
            self.problems.append(
                ParseProblem(file=rel, message=parsed.problem.message, line=parsed.problem.line)
            )
        return parsed

    def tfvars(self, path: str) -> ParsedFile:
        cached = self._tfvars.get(path)
        if cached is None:
            cached = self.parse(path)
            self._tfvars[path] = cached
        return cached
