"""Content-addressed parse cache: parsing HCL is the slow part of a static pass (python-hcl2 reads
~3,000 lines/s), and in CI / pre-commit most files are unchanged between runs.

Entries are JSON (never pickle: the cache directory is plain user-writable files and must not be a
code-execution vector), keyed by SHA-256 of the file text plus the front end's version, so editing a
file or upgrading the parser simply misses. The directory is safe to delete at any time.

Entries live in ``<cache dir>/parse``; the caller chooses the cache directory, or none (the CLI: the
user cache directory, ``TFDRIFT_CACHE_DIR`` moves it, ``TFDRIFT_NO_CACHE=1`` disables it). A cache
that cannot be read or written is ignored (parse again), never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from typing import Any

from tfdrift_ci.inventory.parsed import PARSER_VERSION, Attribute, Block, ParsedFile


def directory(cache_dir: str | None) -> str | None:
    """Where parse entries live under the tool's cache directory (None: no cache)."""
    return os.path.join(cache_dir, "parse") if cache_dir else None


def _key(text: str) -> str:
    h = hashlib.sha256(PARSER_VERSION.encode())
    h.update(b"\0")
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def get(text: str, path: str, directory: str | None) -> ParsedFile | None:
    """The cached parse of ``text`` (reported under ``path``), or None."""
    if directory is None:
        return None
    key = _key(text)
    entry = os.path.join(directory, key[:2], key + ".json")
    try:
        with open(entry, encoding="utf-8") as fh:
            data = json.load(fh)
        return _decode(data, path, text)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def put(text: str, parsed: ParsedFile, directory: str | None) -> None:
    if directory is None or parsed.problem is not None:
        return
    key = _key(text)
    folder = os.path.join(directory, key[:2])
    entry = os.path.join(folder, key + ".json")
    tmp = f"{entry}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(
                {"a": [_enc_attr(a) for a in parsed.attributes], "b": [_enc_block(b) for b in parsed.blocks]},
                fh,
                separators=(",", ":"),
            )
        os.replace(tmp, entry)  # atomic: concurrent runs never read a half-written entry
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _enc_attr(a: Attribute) -> list[Any]:
    return [a.name, a.expr, a.line, a.end_line]


def _enc_block(b: Block) -> list[Any]:
    return [
        b.type,
        list(b.labels),
        [_enc_attr(a) for a in b.attributes],
        [_enc_block(c) for c in b.blocks],
        b.line,
        b.end_line,
    ]


def _decode(data: dict[str, Any], path: str, text: str) -> ParsedFile:
    return ParsedFile(
        path=path,
        blocks=tuple(_dec_block(b) for b in data["b"]),
        attributes=tuple(_dec_attr(a) for a in data["a"]),
        lines=tuple(text.splitlines()),
    )


def _dec_attr(a: list[Any]) -> Attribute:
    return Attribute(name=str(a[0]), expr=str(a[1]), line=int(a[2]), end_line=int(a[3]))


def _dec_block(b: list[Any]) -> Block:
    return Block(
        type=str(b[0]),
        labels=tuple(str(x) for x in b[1]),
        attributes=tuple(_dec_attr(a) for a in b[2]),
        blocks=tuple(_dec_block(c) for c in b[3]),
        line=int(b[4]),
        end_line=int(b[5]),
    )
