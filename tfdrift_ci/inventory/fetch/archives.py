"""Safe extraction of a module archive (tar, tar.gz/bz2/xz, zip) into a fresh directory.

An archive comes from the network, named by a pull request's code, so it is hostile until proven
otherwise:
- a member whose path is absolute or climbs out (``../``) rejects the whole archive, and so does a
  link whose target lies outside it;
- no link is ever created: a link to a file inside the archive is written as a copy of that file
  (after every regular file is out), a link to a directory is skipped; devices and FIFOs are skipped;
- sizes are counted on the bytes actually decompressed, not on what headers claim: past
  ``MAX_EXTRACTED_BYTES`` or ``MAX_MEMBERS`` the archive is rejected (a "zip bomb" stops early).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import posixpath
import shutil
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from typing import IO

MAX_ARCHIVE_BYTES = 100 * 1024 * 1024  # a download larger than this is not fetched
MAX_EXTRACTED_BYTES = 256 * 1024 * 1024  # terraform-aws-modules/ecs unpacks to ~0.5 MB
MAX_MEMBERS = 20_000

_TAR_OPENERS = {
    "tar.gz": gzip.open,
    "tgz": gzip.open,
    "tar.bz2": bz2.open,
    "tbz2": bz2.open,
    "tar.xz": lzma.open,
    "txz": lzma.open,
}


class ArchiveError(Exception):
    """The archive is unusable or hostile; ``str()`` says why in one line."""


def member_path(name: str) -> str:
    """The safe relative path of a member name, or ArchiveError."""
    clean = name.replace("\\", "/")
    if "\0" in clean:
        raise ArchiveError("archive member name contains NUL")
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":"):
        raise ArchiveError(f"archive member {name[:80]!r} has an absolute path")
    parts = [p for p in clean.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ArchiveError(f"archive member {name[:80]!r} climbs out of the archive")
    return "/".join(parts)


def link_target(member: str, target: str, *, hard: bool = False) -> str:
    """The path inside the archive a link points at (hard links name members from the top, symlinks
    are relative to their own directory), or ArchiveError when it leaves the archive."""
    target = target.replace("\\", "/")
    if target.startswith("/"):
        raise ArchiveError(f"archive link {member[:80]!r} points outside the archive")
    joined = posixpath.normpath(target if hard else posixpath.join(posixpath.dirname(member), target))
    if joined == ".." or joined.startswith("../"):
        raise ArchiveError(f"archive link {member[:80]!r} points outside the archive")
    return joined


class _Budget:
    def __init__(self) -> None:
        self.members = 0
        self.bytes = 0

    def member(self) -> None:
        self.members += 1
        if self.members > MAX_MEMBERS:
            raise ArchiveError(f"archive has more than {MAX_MEMBERS} members")

    def add(self, n: int) -> None:
        self.bytes += n
        if self.bytes > MAX_EXTRACTED_BYTES:
            raise ArchiveError(f"archive unpacks to more than {MAX_EXTRACTED_BYTES // (1024 * 1024)} MB")


class _Capped:
    """A read-only stream that stops a decompressor running away (tar headers can lie as well)."""

    def __init__(self, inner: IO[bytes], limit: int) -> None:
        self.inner = inner
        self.limit = limit
        self.seen = 0

    def read(self, n: int = -1) -> bytes:
        data = self.inner.read(n)
        self.seen += len(data)
        if self.seen > self.limit:
            raise ArchiveError(f"archive unpacks to more than {MAX_EXTRACTED_BYTES // (1024 * 1024)} MB")
        return data


def _write(dest: str, rel: str, source: IO[bytes], budget: _Budget) -> None:
    target = os.path.join(dest, *rel.split("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as out:
        while True:
            chunk = source.read(64 * 1024)
            if not chunk:
                break
            budget.add(len(chunk))
            out.write(chunk)
    os.chmod(target, 0o644)


def extract(path: str, kind: str, dest: str) -> None:
    """Unpack ``path`` (an archive of type ``kind``: "zip", "tar", "tar.gz" …) into ``dest``."""
    os.makedirs(dest, exist_ok=True)
    links: list[tuple[str, str]] = []  # (member, target inside) written as copies at the end
    budget = _Budget()
    try:
        if kind == "zip":
            _extract_zip(path, dest, budget, links)
        elif kind == "tar" or kind in _TAR_OPENERS:
            _extract_tar(path, kind, dest, budget, links)
        else:
            raise ArchiveError(f"unsupported archive type {kind!r}")
    except (
        tarfile.TarError,
        zipfile.BadZipFile,
        gzip.BadGzipFile,
        EOFError,
        lzma.LZMAError,
        zlib.error,
    ) as err:
        raise ArchiveError(f"not a valid {kind} archive ({type(err).__name__})") from None
    except OSError as err:
        raise ArchiveError(f"cannot unpack the archive ({err.strerror or type(err).__name__})") from None
    _materialise_links(dest, links, budget)


def _extract_tar(path: str, kind: str, dest: str, budget: _Budget, links: list[tuple[str, str]]) -> None:
    opener: Callable[[str, str], IO[bytes]] = _TAR_OPENERS.get(kind, open)  # type: ignore[assignment]
    with opener(path, "rb") as raw:
        # tar headers and padding come on top of the members' bytes: allow some slack for them
        stream = _Capped(raw, MAX_EXTRACTED_BYTES + 64 * 1024 * 1024)
        with tarfile.open(fileobj=stream, mode="r|") as tf:  # type: ignore[call-overload]
            for member in tf:
                budget.member()
                rel = member_path(member.name)
                if not rel:
                    continue
                if member.isdir():
                    os.makedirs(os.path.join(dest, *rel.split("/")), exist_ok=True)
                elif member.isreg():
                    source = tf.extractfile(member)
                    if source is not None:
                        _write(dest, rel, source, budget)
                elif member.issym() or member.islnk():
                    links.append((rel, link_target(rel, member.linkname, hard=member.islnk())))
                # devices, FIFOs: never created


def _extract_zip(path: str, dest: str, budget: _Budget, links: list[tuple[str, str]]) -> None:
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            budget.member()
            rel = member_path(info.filename)
            if not rel:
                continue
            mode = (info.external_attr >> 16) & 0o170000
            if info.is_dir():
                os.makedirs(os.path.join(dest, *rel.split("/")), exist_ok=True)
            elif mode == stat.S_IFLNK:
                target = zf.read(info)[:4096].decode("utf-8", "replace")
                links.append((rel, link_target(rel, target)))
            elif mode in (0, stat.S_IFREG):
                with zf.open(info) as source:
                    _write(dest, rel, source, budget)


def _materialise_links(dest: str, links: list[tuple[str, str]], budget: _Budget) -> None:
    real_dest = os.path.realpath(dest)
    for rel, target in links:
        source = os.path.join(dest, *target.split("/"))
        if not os.path.isfile(source) or os.path.islink(source):
            continue  # a link to a directory or to nothing: skipped
        if os.path.commonpath([os.path.realpath(source), real_dest]) != real_dest:
            raise ArchiveError(f"archive link {rel[:80]!r} points outside the archive")
        budget.add(os.path.getsize(source))
        out = os.path.join(dest, *rel.split("/"))
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copyfile(source, out)
