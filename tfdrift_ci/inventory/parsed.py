"""The parsed-HCL shapes every front end returns and every later stage reads.

One ``.tf`` / ``.tf.json`` / ``.tfvars`` file becomes a :class:`ParsedFile` of :class:`Block` and
:class:`Attribute` values: plain, frozen and picklable, with line numbers and each attribute's
*expression source text* (the evaluator in ``inventory/expr/`` parses that text itself, so it does not
depend on which parser read the file).

Producers: ``hcl.py`` (python-hcl2, the reference parser), ``ts_parse.py`` (tree-sitter),
``tfjson.py`` (JSON syntax) and ``cache.py`` (decoding cache entries). They all import these types
from here, and ``hcl.py`` dispatches between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from tfdrift_ci.models import ParseProblem

# Bumped whenever the shape of ParsedFile (or what it holds) changes: the parse cache keys on it.
PARSER_VERSION = "hcl2-8.1.4/1"


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: str  # source text of the expression, exactly as written
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    attributes: tuple[Attribute, ...]
    blocks: tuple[Block, ...]
    line: int
    end_line: int

    def attribute(self, name: str) -> Attribute | None:
        for attr in self.attributes:
            if attr.name == name:
                return attr
        return None

    def children(self, type_: str) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.type == type_)


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """One file: its top-level blocks and attributes (``.tfvars`` only have attributes), its text lines
    (for suppression comments) and, when it could not be read, the problem (blocks are then empty)."""

    path: str
    blocks: tuple[Block, ...]
    attributes: tuple[Attribute, ...]
    lines: tuple[str, ...]
    problem: ParseProblem | None = None
