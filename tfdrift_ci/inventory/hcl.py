"""The HCL front end: one ``.tf`` / ``.tfvars`` file → plain, picklable blocks with line numbers
(the shapes in ``parsed.py``).

Everything that reads Terraform source goes through :func:`parse_file` (or :func:`parse_text`), so a
content-hash cache or a faster front end (tree-sitter) can be slotted in behind it without the
evaluator noticing. The result keeps every attribute's *expression source text*; evaluation
(``inventory/expr/``) parses that text itself, which keeps the evaluator independent of the parser.

python-hcl2 8.1.4 is the reference parser. Its ``with_meta`` option emits no line numbers, so lines
and the expression spans come from the lark parse tree's ``meta`` (``propagate_positions=True``).
``*.tf.json`` files (JSON syntax) go through ``tfjson.py`` into the same shapes.

Two caches sit in front of the parser: an in-process memo keyed by the file's stat (a process that
loads several roots sharing modules parses each file once) and the on-disk content-hash cache
(``cache.py``) that makes unchanged files free across runs. Which parser runs and where the cache lives
are :class:`ParseOptions`, chosen by the caller (the CLI reads them from the environment).
"""

from __future__ import annotations

import os
import re
import stat
from typing import Any, Literal

from tfdrift_ci.frozen import frozen
from tfdrift_ci.inventory import tfjson, ts_parse
from tfdrift_ci.inventory.parsed import Attribute, Block, ParsedFile
from tfdrift_ci.models import ParseProblem


@frozen
class ParseOptions:
    """``parser``: "auto" (tree-sitter when installed, python-hcl2 for every file it declines) or
    "hcl2" (python-hcl2 only, the reference parser: to rule the fast front end out when a result
    looks wrong). ``cache_dir``: the tool's cache directory (parse entries go to
    ``<cache_dir>/parse``), None for no on-disk cache."""

    parser: Literal["auto", "hcl2"] = "auto"
    cache_dir: str | None = None


DEFAULT_OPTIONS = ParseOptions()

# Real .tf files are kilobytes; a file this big is generated or hostile, and parsing it would take
# minutes and gigabytes. Reported as a problem (an error finding), the rest is still checked.
MAX_FILE_BYTES = 10 * 1024 * 1024


def read_text(path: str) -> tuple[str | None, ParseProblem | None]:
    """The file's text, or the problem (unreadable, too large, invalid UTF-8 with the line of the
    first bad byte). Terraform requires UTF-8; a BOM is tolerated."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            # a FIFO or device (committed as a symlink target) would block or never end
            return None, ParseProblem(file=path, message="not a regular file: not read")
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        return None, ParseProblem(file=path, message=f"cannot read file: {err.strerror or err}")
    if len(data) > MAX_FILE_BYTES:
        return None, ParseProblem(
            file=path, message=f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: not read"
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        return None, ParseProblem(
            file=path,
            line=line,
            message=f"invalid UTF-8 (byte 0x{data[err.start]:02x}); Terraform files must be UTF-8",
        )


# In-process memo keyed by the file's identity and stat: the pre-commit hook loads one root per
# touched directory and those roots share modules; each file is read and parsed once per process.
_MEMO: dict[tuple[str, str], tuple[tuple[int, int, int, int], ParsedFile]] = {}


def parse_file(path: str, options: ParseOptions = DEFAULT_OPTIONS) -> ParsedFile:
    """Parse one file. Never raises for bad content: the problem is returned in ``ParsedFile.problem``."""
    key = (os.path.abspath(path), options.parser)
    try:
        st = os.stat(key[0])
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    except OSError:
        stamp = None
    if stamp is not None:
        memo = _MEMO.get(key)
        if memo is not None and memo[0] == stamp and memo[1].path == path:
            return memo[1]
    text, problem = read_text(path)
    if text is None:
        return ParsedFile(path=path, blocks=(), attributes=(), lines=(), problem=problem)
    parsed = parse_text(text, path, options)
    if stamp is not None:
        if len(_MEMO) > 20_000:
            _MEMO.clear()
        _MEMO[key] = (stamp, parsed)
    return parsed


def parse_text(text: str, path: str = "<text>", options: ParseOptions = DEFAULT_OPTIONS) -> ParsedFile:
    if path.endswith(".tf.json"):
        return tfjson.parse_json_text(text, path)  # JSON syntax: fast enough without the cache

    # tree-sitter first: the same ParsedFile ~8x faster (tests/inventory/test_ts_parse.py), and
    # cheaper than a cache entry's hashing and JSON (bench/README.md: writing the cache cost more
    # than tree-sitter parsing on a cold run). The content-hash cache only spares python-hcl2, the
    # reference parser, which gets every file tree-sitter declines (syntax errors, parser "hcl2",
    # tree-sitter not installed).
    if options.parser == "auto":
        parsed = ts_parse.parse_text(text, path)
        if parsed is not None:
            return parsed
    from tfdrift_ci.inventory import cache  # hashing and JSON: for python-hcl2's files only

    directory = cache.directory(options.cache_dir)
    cached = cache.get(text, path, directory)
    if cached is not None:
        return cached
    parsed = _parse_uncached(text, path)
    cache.put(text, parsed, directory)
    return parsed


def _parse_uncached(text: str, path: str) -> ParsedFile:
    import hcl2
    from lark.exceptions import LarkError

    lines = tuple(text.splitlines())
    try:
        tree = hcl2.parses_to_tree(text)
    except LarkError as err:
        line = getattr(err, "line", None)
        line = line if isinstance(line, int) and line > 0 else None
        first = _syntax_message(err)
        return ParsedFile(
            path=path,
            blocks=(),
            attributes=(),
            lines=lines,
            problem=ParseProblem(file=path, line=line, message=f"HCL syntax error: {first}"),
        )
    except RecursionError:
        return ParsedFile(
            path=path,
            blocks=(),
            attributes=(),
            lines=lines,
            problem=ParseProblem(file=path, message="HCL syntax error: nesting too deep"),
        )
    body = _child(tree, "body")
    attrs, blocks = _body(body, text) if body is not None else ((), ())
    return ParsedFile(path=path, blocks=blocks, attributes=attrs, lines=lines)


def _syntax_message(err: Exception) -> str:
    """lark's messages list every expected token; keep one short line (position is reported apart)."""
    token = getattr(err, "token", None)
    if token is not None:
        shown = str(token).strip() or repr(str(token))
        return f"unexpected {shown[:40]!r}"
    char = getattr(err, "char", None)
    if isinstance(char, str):
        return f"unexpected character {char!r}"
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return re.sub(r"\s+at line \d+, column \d+\.?$", "", text)[:200]


# --------------------------------------------------------------------------------------------------
# lark tree walking (python-hcl2 8.x grammar: hcl2/hcl2.lark)


def _data(node: Any) -> str | None:
    return getattr(node, "data", None)


def _child(tree: Any, name: str) -> Any:
    for c in tree.children:
        if _data(c) == name:
            return c
    return None


def _name(node: Any) -> str:
    """identifier / keyword / literal_value / string nodes → their text (labels are plain strings)."""
    if _data(node) == "string":
        return "".join(_token_text(c) for c in node.children if _data(c) == "string_part")
    return _token_text(node)


def _token_text(node: Any) -> str:
    if hasattr(node, "children"):
        return "".join(_token_text(c) for c in node.children)
    return str(node)


def _body(body: Any, text: str) -> tuple[tuple[Attribute, ...], tuple[Block, ...]]:
    attrs: list[Attribute] = []
    blocks: list[Block] = []
    for node in body.children:
        kind = _data(node)
        if kind == "attribute":
            expr = node.children[-1]
            start, end = _span(expr)
            attrs.append(
                Attribute(
                    name=_name(node.children[0]),
                    expr=text[start:end].rstrip(),
                    line=node.meta.line,
                    end_line=_end_line(expr, node.meta.end_line),
                )
            )
        elif kind == "block":
            names: list[str] = []
            inner: Any = None
            for c in node.children:
                d = _data(c)
                if d == "body":
                    inner = c
                elif d in ("identifier", "keyword", "literal_value", "string"):
                    names.append(_name(c))
            sub_attrs, sub_blocks = _body(inner, text) if inner is not None else ((), ())
            blocks.append(
                Block(
                    type=names[0] if names else "",
                    labels=tuple(names[1:]),
                    attributes=sub_attrs,
                    blocks=sub_blocks,
                    line=node.meta.line,
                    end_line=node.meta.end_line,
                )
            )
    return tuple(attrs), tuple(blocks)


def _span(node: Any) -> tuple[int, int]:
    meta = getattr(node, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return int(meta.start_pos), int(meta.end_pos)
    # a bare token (lark Token carries its own positions)
    return int(node.start_pos), int(node.end_pos)


def _end_line(node: Any, default: int) -> int:
    meta = getattr(node, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return int(meta.end_line)
    end = getattr(node, "end_line", None)
    return int(end) if isinstance(end, int) else default
