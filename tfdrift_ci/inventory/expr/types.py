"""Variable type constraints: the conversions Terraform applies to a value assigned to a variable.

Modules written against modern Terraform rely on them: ``type = map(object({ scan = optional(bool,
true) }))`` fills ``scan`` for a caller that left it out, and object types drop attributes they do
not declare. Without this, ``each.value.scan`` would fail (→ unknown) where Terraform sees ``true``.
https://developer.hashicorp.com/terraform/language/expressions/type-constraints#optional-object-type-attributes

Conversion is best effort: a value that does not fit its type is returned unchanged (Terraform would
reject the configuration; we are not a validator), unknowns stay unknown.
"""

from __future__ import annotations

from typing import Any

from tfdrift_ci.inventory.expr.context import EMPTY_CTX
from tfdrift_ci.inventory.expr.convert import EvalError, to_number, to_str
from tfdrift_ci.inventory.expr.evaluate import evaluate
from tfdrift_ci.inventory.expr.syntax import (
    Call,
    ExprSyntaxError,
    Lit,
    Node,
    ObjectNode,
    TupleNode,
    Var,
    parse,
)
from tfdrift_ci.models import Unknown


def convert(value: Any, type_text: str | None) -> Any:
    if not type_text:
        return value
    try:
        node = parse(type_text)
    except ExprSyntaxError:
        return value
    try:
        return _convert(value, node)
    except (EvalError, RecursionError):
        return value


def _convert(value: Any, node: Node) -> Any:
    if isinstance(value, Unknown) or value is None:
        return value
    if isinstance(node, Var):
        return _primitive(value, node.name)
    if not isinstance(node, Call) or not node.args:
        return value
    name, args = node.name, node.args
    if name in ("list", "set") and isinstance(value, list):
        items = [_convert(v, args[0]) for v in value]
        if name == "set":
            deduped: list[Any] = []
            for item in items:
                if item not in deduped:
                    deduped.append(item)
            if all(isinstance(x, str) for x in deduped):
                deduped.sort()
            items = deduped
        return items
    if name == "map" and isinstance(value, dict):
        return {k: _convert(v, args[0]) for k, v in value.items()}
    if name == "tuple" and isinstance(value, list) and isinstance(args[0], TupleNode):
        return [_convert(v, t) for v, t in zip(value, args[0].items, strict=False)]
    if name == "object" and isinstance(value, dict) and isinstance(args[0], ObjectNode):
        return _object(value, args[0])
    return value


def _object(value: dict[str, Any], spec: ObjectNode) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key_node, type_node in spec.items:
        key = key_node.value if isinstance(key_node, Lit) else key_node.text
        key = str(key)
        if isinstance(type_node, Call) and type_node.name == "optional" and type_node.args:
            attr_type = type_node.args[0]
            present = value.get(key)
            if present is None and len(type_node.args) > 1:
                default = evaluate(type_node.args[1], EMPTY_CTX)
                out[key] = _convert(default, attr_type)
            else:
                out[key] = _convert(present, attr_type)
        elif key in value:
            out[key] = _convert(value[key], type_node)
        else:
            # a required attribute is missing: Terraform rejects the call; keep what we were given
            return value
    return out


def _primitive(value: Any, name: str) -> Any:
    if name == "number" and isinstance(value, str):
        try:
            return to_number(value)
        except EvalError:
            return value
    if name == "bool" and isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    if name == "string" and isinstance(value, (bool, int, float)):
        return to_str(value)
    return value
