"""One object per run that turns a module ``source`` (+ ``version``) into a directory of Terraform
code, or the reason it cannot (the call is then listed as not followed).

Modes: ``fetch=True`` may use the network; ``fetch=False`` (``--offline``, ``--no-fetch-modules``, the
pre-commit hook by default) uses only what the cache already holds and never opens a connection.

Network use is minimal and the cache decides what is asked again:
- a registry module with an exact version (``version = "5.11.0"``), a git source pinned to a commit, or
  an archive with a ``checksum``: served from the cache with no request at all;
- a version range (``~> 5.0``) asks the registry for its version list, then downloads only a version
  the cache does not hold; offline, the newest cached version that meets the range is used;
- a git branch or tag is resolved with ``git ls-remote`` (a branch moves), then cloned only when that
  commit is not cached; offline, the commit it last resolved to;
- an https archive is asked again with ``If-None-Match`` / ``If-Modified-Since``.
Each source is resolved once per run, however many calls and instances use it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from urllib.parse import urljoin

from tfdrift_ci.inventory.fetch import addresses as addr
from tfdrift_ci.inventory.fetch import archives, constraints
from tfdrift_ci.inventory.fetch.cache import Cache, file_digest
from tfdrift_ci.inventory.fetch.cliconfig import CliConfig, load
from tfdrift_ci.inventory.fetch.gitsource import Git, GitError
from tfdrift_ci.inventory.fetch.http import Http, HttpError
from tfdrift_ci.inventory.fetch.options import Fetched, ModuleOptions
from tfdrift_ci.inventory.fetch.registry import Registry, RegistryError

# X-Terraform-Get may name another source, which may do the same: a loop ends here
_MAX_HOPS = 5
NOT_CACHED = (
    "not downloaded (no .terraform/modules entry, not in the module cache) and module fetching is off "
    "(--offline, --no-fetch-modules or the pre-commit hook)"
)


class _Unfollowed(Exception):
    pass


class Fetcher:
    def __init__(self, options: ModuleOptions) -> None:
        self.options = options
        self.cache = Cache(options.cache_dir)
        self._memo: dict[tuple[str, str | None], Fetched | str] = {}
        self._config: CliConfig | None = None
        self._http: Http | None = None
        self._registry: Registry | None = None
        self._git: Git | None = None
        self.packages: dict[str, Fetched] = {}  # package root -> what it is

    def close(self) -> None:
        self.cache.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- lazily built clients (nothing is imported or read when every module is local) --------------
    @property
    def config(self) -> CliConfig:
        if self._config is None:
            self._config = load(self.options.env)
        return self._config

    @property
    def http(self) -> Http:
        if self._http is None:
            self._http = Http(self.options.env)
        return self._http

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = Registry(self.http, self.config)
        return self._registry

    @property
    def git(self) -> Git:
        if self._git is None:
            self._git = Git(self.options.env)
        return self._git

    @property
    def network_requests(self) -> int:
        return (self._http.requests if self._http else 0) + (self._git.commands if self._git else 0)

    # -- entry point -------------------------------------------------------------------------------
    def get(self, source: str, version: str | None) -> Fetched | str:
        """The module's directory, or the reason it cannot be followed (one line, safe to show)."""
        key = (source, version)
        memo = self._memo.get(key)
        if memo is None:
            try:
                memo = self._get(source, version)
            except _Unfollowed as err:
                memo = str(err)
            except (addr.SourceError, constraints.ConstraintError) as err:
                memo = str(err)
            except OSError as err:
                memo = f"module cache {self.cache.root}: {err.strerror or type(err).__name__}"
            if isinstance(memo, Fetched):
                self.packages[memo.package_root] = memo
            self._memo[key] = memo
        return memo

    def _get(self, source: str, version: str | None) -> Fetched:
        parsed = addr.parse(source)
        if isinstance(parsed, addr.Unsupported):
            raise _Unfollowed(parsed.reason)
        if isinstance(parsed, addr.RegistrySource):
            return self._registry_module(parsed, version)
        return self._remote(parsed, parsed.subdir, 0)

    # -- registry ----------------------------------------------------------------------------------
    def _registry_module(self, src: addr.RegistrySource, version: str | None) -> Fetched:
        constraint = constraints.parse_constraint(version)
        index_key = f"registry:{src.host}/{src.namespace}/{src.name}/{src.provider}"
        known = (self.cache.lookup(index_key) or {}).get("versions") or {}
        chosen: str | None = None
        exact = constraint.exact
        if exact is not None and str(exact) in known:
            chosen = str(exact)  # an exact version never changes: no request at all
        elif self.options.fetch:
            try:
                listed = self.registry.versions(src)
            except RegistryError as err:
                raise _Unfollowed(self._registry_reason(err)) from None
            chosen = constraints.newest(listed, constraint)
            if chosen is None:
                wanted = f"version {constraint.text!r}" if constraint.text else "a release"
                raise _Unfollowed(f"registry {src.host} has no {wanted} of {src.package}")
        else:
            chosen = constraints.newest(known, constraint)
            if chosen is None:
                raise _Unfollowed(NOT_CACHED)
        entry = known.get(chosen)
        if isinstance(entry, dict):
            tree = self.cache.tree(str(entry.get("tree")))
            if tree is not None:
                return self._fetched(
                    tree,
                    str(entry.get("subdir") or ""),
                    src.subdir,
                    f"{src.package} {chosen}",
                    f"{src.package}@{chosen}",
                )
        if not self.options.fetch:
            raise _Unfollowed(NOT_CACHED)
        try:
            location, token = self.registry.location(src, chosen)
        except RegistryError as err:
            raise _Unfollowed(self._registry_reason(err)) from None
        remote = addr.parse_remote(location)
        if isinstance(remote, addr.Unsupported):
            raise _Unfollowed(f"registry download location: {remote.reason}")
        tree_address, tree = self._tree(remote, token, 0)
        known = dict((self.cache.lookup(index_key) or {}).get("versions") or {})
        known[chosen] = {"tree": tree_address, "subdir": remote.subdir}
        self.cache.remember(index_key, {"versions": known})
        return self._fetched(
            tree, remote.subdir, src.subdir, f"{src.package} {chosen}", f"{src.package}@{chosen}"
        )

    def _registry_reason(self, err: RegistryError) -> str:
        problems = self.config.problems
        return f"{err}; {problems[0]}" if problems else str(err)

    # -- go-getter sources -------------------------------------------------------------------------
    def _remote(self, src: addr.GitSource | addr.HttpSource, subdir: str, hops: int) -> Fetched:
        _, tree = self._tree(src, None, hops)
        label = src.package + (f"?ref={src.ref}" if isinstance(src, addr.GitSource) and src.ref else "")
        prefix = src.package + (f"@{src.ref}" if isinstance(src, addr.GitSource) and src.ref else "")
        return self._fetched(tree, "", subdir, label, prefix)

    def _tree(self, src: addr.GitSource | addr.HttpSource, token: str | None, hops: int) -> tuple[str, str]:
        """(cache address, package directory) of a git or http source, fetched when allowed."""
        if isinstance(src, addr.GitSource):
            return self._git_tree(src)
        return self._http_tree(src, token, hops)

    def _git_tree(self, src: addr.GitSource) -> tuple[str, str]:
        ref_key = f"git:{src.url}#{src.ref or 'HEAD'}"
        try:
            if self.options.fetch:
                commit, kind = self.git.resolve(src.url, src.ref)
            else:
                remembered = self.cache.lookup(ref_key)
                if src.ref and len(src.ref) == 40 and all(c in "0123456789abcdef" for c in src.ref):
                    commit, kind = src.ref, "commit"
                elif remembered and isinstance(remembered.get("commit"), str):
                    commit, kind = remembered["commit"], "commit"
                else:
                    raise _Unfollowed(NOT_CACHED)
            address = f"git-{commit}"
            tree = self.cache.tree(address) if len(commit) == 40 else None
            if tree is None:
                if not self.options.fetch:
                    raise _Unfollowed(NOT_CACHED)
                scratch = self.cache.scratch()
                try:
                    dest = os.path.join(scratch, "pkg")
                    full = self.git.checkout(
                        src.url, ref=src.ref, commit=commit, kind=kind, depth=src.depth, dest=dest
                    )
                    address = f"git-{full}"
                    tree = self.cache.put_tree(address, lambda d: os.rename(dest, d))
                    commit = full
                finally:
                    shutil.rmtree(scratch, ignore_errors=True)
        except GitError as err:
            raise _Unfollowed(str(err)) from None
        if self.options.fetch:
            self.cache.remember(ref_key, {"commit": commit})
        return address, tree

    def _http_tree(self, src: addr.HttpSource, token: str | None, hops: int) -> tuple[str, str]:
        if hops >= _MAX_HOPS:
            raise _Unfollowed("too many X-Terraform-Get redirections")
        url_key = f"http:{src.url}"
        remembered = self.cache.lookup(url_key) or {}
        cached_tree = self.cache.tree(str(remembered.get("tree"))) if remembered.get("tree") else None
        if src.checksum is not None and remembered.get("checksum") == list(src.checksum) and cached_tree:
            return str(remembered["tree"]), cached_tree  # pinned by checksum: never asked again
        if not self.options.fetch:
            if cached_tree is None:
                raise _Unfollowed(NOT_CACHED)
            return str(remembered["tree"]), cached_tree
        if src.archive is None:
            return self._indirect(src, token, hops)
        headers: dict[str, str] = {}
        if cached_tree is not None:
            if remembered.get("etag"):
                headers["If-None-Match"] = str(remembered["etag"])
            if remembered.get("last_modified"):
                headers["If-Modified-Since"] = str(remembered["last_modified"])
        scratch = self.cache.scratch()
        try:
            path = os.path.join(scratch, "archive")
            try:
                with open(path, "wb") as sink:
                    resp = self.http.get(
                        src.url, token=token, headers=headers, sink=sink, max_bytes=archives.MAX_ARCHIVE_BYTES
                    )
            except HttpError as err:
                raise _Unfollowed(f"download failed: {err}") from None
            if resp.status == 304 and cached_tree is not None:
                return str(remembered["tree"]), cached_tree
            if src.checksum is not None:
                kind, expected = src.checksum
                if file_digest(path, kind) != expected:
                    raise _Unfollowed(f"{src.package}: {kind} checksum does not match the download")
            address = f"sha256-{file_digest(path)}"

            def unpack(directory: str) -> None:
                archives.extract(path, src.archive or "", directory)

            try:
                tree = self.cache.put_tree(address, unpack)
            except archives.ArchiveError as err:
                raise _Unfollowed(f"{src.package}: archive rejected: {err}") from None
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        self.cache.remember(
            url_key,
            {
                "tree": address,
                "etag": resp.headers.get("etag"),
                "last_modified": resp.headers.get("last-modified"),
                "checksum": list(src.checksum) if src.checksum else None,
            },
        )
        return address, tree

    def _indirect(self, src: addr.HttpSource, token: str | None, hops: int) -> tuple[str, str]:
        """go-getter's HTTP form: ``GET url?terraform-get=1``; the real source is in the
        ``X-Terraform-Get`` header or a ``<meta name="terraform-get" content="…">`` tag."""
        sep = "&" if "?" in src.url else "?"
        try:
            resp = self.http.get(src.url + sep + "terraform-get=1", token=token, max_bytes=1024 * 1024)
        except HttpError as err:
            raise _Unfollowed(f"download failed: {err}") from None
        location = resp.headers.get("x-terraform-get") or _meta_location(resp.body)
        if not location:
            raise _Unfollowed(
                f"{src.package}: neither an archive nor a page naming a module source (X-Terraform-Get)"
            )
        if location.startswith(("/", "./", "../")):
            location = urljoin(resp.url, location)
        nxt = addr.parse_remote(location)
        if isinstance(nxt, addr.Unsupported):
            raise _Unfollowed(nxt.reason)
        if nxt.subdir:
            raise _Unfollowed("X-Terraform-Get with a //subdir is not supported")
        return self._tree(nxt, None, hops + 1)

    # -- result ------------------------------------------------------------------------------------
    def _fetched(
        self, tree: str, location_subdir: str, source_subdir: str, package: str, prefix: str
    ) -> Fetched:
        directory = tree
        for sub in (location_subdir, source_subdir):
            if sub:
                try:
                    rel = archives.member_path(sub)
                except archives.ArchiveError:
                    raise _Unfollowed(f"subdirectory {sub[:80]!r} is not inside the module package") from None
                directory = os.path.join(directory, *rel.split("/"))
        if not os.path.isdir(directory):
            raise _Unfollowed(
                f"{package} has no directory {'/'.join(s for s in (location_subdir, source_subdir) if s)}"
            )
        return Fetched(directory=directory, package_root=tree, package=package, prefix=prefix)

    def package_of(self, directory: str) -> Fetched | None:
        """The fetched package holding ``directory``, if any."""
        for root, fetched in self.packages.items():
            with contextlib.suppress(ValueError):
                if os.path.commonpath([root, directory]) == root:
                    return fetched
        return None


_META = re.compile(rb"""<meta\s+name=["']terraform-get["']\s+content=["']([^"']+)["']""", re.I)


def _meta_location(body: bytes) -> str | None:
    m = _META.search(body[:65536])
    return m.group(1).decode("utf-8", "replace") if m else None
