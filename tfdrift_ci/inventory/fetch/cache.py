"""The module cache: content-addressed package trees, and an index from what a source names to them.

    <cache dir>/modules/store/sha256-<hex of the archive>/pkg/…   an unpacked archive
    <cache dir>/modules/store/git-<commit id>/pkg/…               a git checkout (no .git)
    <cache dir>/modules/index/<sha256 of the key>.json            {"key": …, and what it resolved to}

A tree never changes once stored (a new archive or commit is a new tree), so every root and every run
shares it, and concurrent runs cannot see a half-written one: a tree is unpacked into ``tmp/`` and
renamed into ``store/`` in one step. Index entries are small JSON files replaced atomically; losing a
race there costs one extra resolution, never a wrong tree.

With no cache directory (``TFDRIFT_NO_CACHE``) the same layout lives in a temporary directory removed
when the run ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from typing import Any


class Cache:
    def __init__(self, cache_dir: str | None) -> None:
        self._temporary: str | None = None
        if cache_dir is None:
            self._temporary = tempfile.mkdtemp(prefix="tfdrift-modules-")
            self.root = self._temporary
        else:
            self.root = os.path.join(os.path.abspath(cache_dir), "modules")
        self.persistent = cache_dir is not None

    def close(self) -> None:
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None

    # -- trees -----------------------------------------------------------------------------------
    def tree(self, address: str) -> str | None:
        """The package directory stored under ``address`` (``sha256-…`` / ``git-…``), if present."""
        path = os.path.join(self.root, "store", address, "pkg")
        return path if os.path.isdir(path) else None

    def put_tree(self, address: str, fill: Callable[[str], None]) -> str:
        """Store a tree: ``fill(directory)`` writes it into a fresh directory; returns the package
        directory. If another run stored the same address meanwhile, its tree is kept."""
        existing = self.tree(address)
        if existing is not None:
            return existing
        tmp_root = os.path.join(self.root, "tmp")
        os.makedirs(tmp_root, exist_ok=True)
        os.makedirs(os.path.join(self.root, "store"), exist_ok=True)
        work = tempfile.mkdtemp(dir=tmp_root)
        try:
            fill(os.path.join(work, "pkg"))
            final = os.path.join(self.root, "store", address)
            try:
                os.rename(work, final)
            except OSError:
                if self.tree(address) is None:
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
        stored = self.tree(address)
        if stored is None:
            raise OSError(f"module cache: {address} was not stored")
        return stored

    def scratch(self) -> str:
        """A fresh directory for a download, removed by the caller (under the cache, same device)."""
        tmp_root = os.path.join(self.root, "tmp")
        os.makedirs(tmp_root, exist_ok=True)
        return tempfile.mkdtemp(dir=tmp_root)

    # -- index -----------------------------------------------------------------------------------
    def _index_path(self, key: str) -> str:
        return os.path.join(self.root, "index", hashlib.sha256(key.encode()).hexdigest() + ".json")

    def lookup(self, key: str) -> dict[str, Any] | None:
        try:
            with open(self._index_path(key), encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("key") == key else None

    def remember(self, key: str, value: dict[str, Any]) -> None:
        path = self._index_path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({**value, "key": key, "at": int(time.time())}, fh)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def file_digest(path: str, algorithm: str = "sha256") -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            h.update(chunk)
    return h.hexdigest()
