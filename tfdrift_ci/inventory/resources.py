"""One resource block instance → its attribute values in ``terraform show -json`` shape, with the line
of every attribute, and its ``lifecycle.ignore_changes``."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from tfdrift_ci.inventory.expr.context import Ctx
from tfdrift_ci.inventory.expr.evaluate import evaluate, evaluate_text
from tfdrift_ci.inventory.expr.syntax import (
    Call,
    ExprSyntaxError,
    GetAttr,
    Node,
    Template,
    TupleNode,
    Var,
    parse,
)
from tfdrift_ci.inventory.module import Module
from tfdrift_ci.inventory.parsed import Block
from tfdrift_ci.models import Unknown

# Attributes holding JSON documents: decoded to lists/dicts, so rules and drift comparisons read the
# structure (the shape ``terraform show -json`` gives in a plan), not a string.
JSON_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "aws_ecs_task_definition": ("container_definitions",),
    "aws_ecr_repository_policy": ("policy",),
    "aws_ecr_lifecycle_policy": ("policy",),
    "aws_ecr_registry_policy": ("policy",),
    "aws_ecrpublic_repository_policy": ("policy",),
    "aws_ecr_repository_creation_template": ("repository_policy", "lifecycle_policy"),
}

# Resource meta-arguments: not attributes of the resource.
_META_ATTRS = frozenset({"count", "for_each", "provider", "depends_on"})

_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection", "precondition", "postcondition"})


def block_values(block: Block, ctx: Ctx, lines: dict[str, int], prefix: str, *, top: bool) -> dict[str, Any]:
    """A block body in ``terraform show -json`` shape: attributes typed, nested blocks as lists of
    dicts, ``dynamic`` blocks expanded (or Unknown when their for_each is unknown)."""
    out: dict[str, Any] = {}
    for attr in block.attributes:
        if top and attr.name in _META_ATTRS:
            continue
        out[attr.name] = evaluate_text(attr.expr, ctx)
        lines.setdefault(prefix + attr.name, attr.line)
    for child in block.blocks:
        if top and child.type in _META_BLOCKS:
            continue
        if child.type == "dynamic" and child.labels:
            label = child.labels[0]
            lines.setdefault(prefix + label, child.line)
            existing = out.get(label)
            expanded = _dynamic(child, ctx, lines, prefix + label + ".")
            if isinstance(expanded, Unknown) or isinstance(existing, Unknown):
                out[label] = expanded if isinstance(expanded, Unknown) else existing
            else:
                out.setdefault(label, []).extend(expanded)
            continue
        lines.setdefault(prefix + child.type, child.line)
        value = block_values(child, ctx, lines, prefix + child.type + ".", top=False)
        existing = out.get(child.type)
        if isinstance(existing, list):
            existing.append(value)
        elif not isinstance(existing, Unknown):
            out[child.type] = [value]
    return out


def _dynamic(block: Block, ctx: Ctx, lines: dict[str, int], prefix: str) -> list[dict[str, Any]] | Unknown:
    label = block.labels[0]
    for_each = block.attribute("for_each")
    content = next(iter(block.children("content")), None)
    if for_each is None or content is None:
        return Unknown(f'dynamic "{label}"')
    coll = evaluate_text(for_each.expr, ctx)
    iterator_attr = block.attribute("iterator")
    iterator = iterator_attr.expr.strip() if iterator_attr is not None else label
    if isinstance(coll, dict):
        items = [(k, coll[k]) for k in sorted(coll)]
    elif isinstance(coll, list):
        items = list(enumerate(coll))
    else:
        return Unknown(for_each.expr.strip())
    out: list[dict[str, Any]] = []
    for k, v in items:
        sub = ctx.bind({iterator: {"key": k, "value": v}})
        out.append(block_values(content, sub, lines, prefix, top=False))
    if not items:
        # nothing generated, but the lines of the template still point somewhere useful
        placeholder = {iterator: {"key": Unknown("key"), "value": Unknown("value")}}
        block_values(content, ctx.bind(placeholder), lines, prefix, top=False)
    return out


def json_document(text: str, ctx: Ctx, module: Module, depth: int = 0) -> Any:
    """A JSON-document attribute, decoded. ``jsonencode(x)`` yields x itself (so a container
    definition with one unknown field keeps every other field known); text is json-decoded."""
    try:
        node = parse(text)
    except ExprSyntaxError:
        return Unknown(text.strip())
    if isinstance(node, Template) and len(node.parts) == 1 and isinstance(node.parts[0], Node):
        node = node.parts[0]  # "${jsonencode(...)}" (JSON syntax writes every expression so)
    if isinstance(node, Call) and node.name == "jsonencode" and len(node.args) == 1:
        return evaluate(node.args[0], ctx)
    if (
        depth < 5
        and isinstance(node, GetAttr)
        and isinstance(node.obj, Var)
        and node.obj.name == "local"
        and node.name in module.locals
    ):
        return json_document(module.locals[node.name].expr, module.ctx, module, depth + 1)
    value = evaluate(node, ctx)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return Unknown(node.text)
    return value


_IGNORE_ITEM = re.compile(r'^\s*"?([^"]*?)"?\s*$')


def ignore_changes(block: Block) -> tuple[str, ...] | Literal["all"]:
    for lifecycle in block.children("lifecycle"):
        attr = lifecycle.attribute("ignore_changes")
        if attr is None:
            continue
        text = attr.expr.strip()
        if text in ("all", '"all"'):
            return "all"
        try:
            node = parse(text)
        except ExprSyntaxError:
            return ()
        if isinstance(node, TupleNode):
            names: list[str] = []
            for item in node.items:
                m = _IGNORE_ITEM.match(item.text)
                names.append(m.group(1) if m else item.text)
            return tuple(n for n in names if n)
        if isinstance(node, Var):
            return "all" if node.name == "all" else (node.name,)
    return ()
