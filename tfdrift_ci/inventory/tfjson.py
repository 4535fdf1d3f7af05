"""Terraform's JSON configuration syntax (``*.tf.json``, e.g. CDK for Terraform output) → the same
``ParsedFile`` of blocks and expression text as the native syntax, so one evaluator serves both.
https://developer.hashicorp.com/terraform/language/syntax/json

JSON cannot tell a nested block from an object-valued attribute without the provider schema, so
nested blocks are recognised by name for the resource types we inventory (``NESTED_BLOCKS``);
anything else stays an attribute. Strings are templates (``"${var.env}-api"``) except where the
spec says literal (variable defaults, ``type`` is an expression in a string).
"""

from __future__ import annotations

import json
import re
from typing import Any

from tfdrift_ci.inventory.parsed import Attribute, Block, ParsedFile
from tfdrift_ci.models import ParseProblem

# Nested block types of the inventoried resources (provider schema), and the meta blocks.
NESTED_BLOCKS = frozenset(
    {
        "alarms",
        "assume_role",
        "authorization_config",
        "auto_scaling_group_provider",
        "capacity_provider_strategy",
        "catalog_data",
        "client_alias",
        "configuration",
        "content",
        "default_capacity_provider_strategy",
        "deployment_circuit_breaker",
        "deployment_controller",
        "destination",
        "docker_volume_configuration",
        "efs_volume_configuration",
        "encryption_configuration",
        "ephemeral_storage",
        "execute_command_configuration",
        "fsx_windows_file_server_volume_configuration",
        "image_scanning_configuration",
        "image_tag_mutability_exclusion_filter",
        "inference_accelerator",
        "lifecycle",
        "load_balancer",
        "log_configuration",
        "managed_ebs_volume",
        "managed_scaling",
        "network_configuration",
        "ordered_placement_strategy",
        "placement_constraints",
        "proxy_configuration",
        "replication_configuration",
        "repository_filter",
        "rule",
        "runtime_platform",
        "service",
        "service_connect_configuration",
        "service_connect_defaults",
        "service_registries",
        "setting",
        "timeout",
        "tls",
        "volume",
        "volume_configuration",
    }
)

# top-level block type → number of labels
_LABELS = {"resource": 2, "data": 2, "module": 1, "provider": 1, "variable": 1, "output": 1}


def parse_json_text(text: str, path: str) -> ParsedFile:
    lines = tuple(text.splitlines())
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        return ParsedFile(path, (), (), lines, ParseProblem(path, f"invalid JSON: {err.msg}", err.lineno))
    except RecursionError:
        return ParsedFile(path, (), (), lines, ParseProblem(path, "JSON nests too deeply"))
    if not isinstance(doc, dict):
        return ParsedFile(path, (), (), lines, ParseProblem(path, "a .tf.json file must hold a JSON object"))
    locator = _Locator(lines)
    blocks: list[Block] = []
    for btype, body in doc.items():
        if btype == "//":
            continue  # comments
        nlabels = _LABELS.get(btype, 0)
        if btype == "locals":
            for item in _as_list(body):
                if isinstance(item, dict):
                    blocks.append(_block("locals", (), item, locator, (btype,), template=True))
            continue
        for labels, item in _labelled(body, nlabels):
            literal = btype == "variable"
            blocks.append(_block(btype, labels, item, locator, (btype, *labels), template=not literal))
    return ParsedFile(path=path, blocks=tuple(blocks), attributes=(), lines=lines)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _labelled(body: Any, n: int) -> list[tuple[tuple[str, ...], Any]]:
    if n == 0:
        return [((), item) for item in _as_list(body)]
    out: list[tuple[tuple[str, ...], Any]] = []
    for item in _as_list(body):
        if not isinstance(item, dict):
            continue
        for label, rest in item.items():
            for sub_labels, value in _labelled(rest, n - 1):
                out.append(((label, *sub_labels), value))
    return out


def _block(
    btype: str, labels: tuple[str, ...], body: Any, loc: _Locator, path: tuple[str, ...], *, template: bool
) -> Block:
    line = loc.line(path)
    attrs: list[Attribute] = []
    blocks: list[Block] = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "//":
                continue
            if key == "dynamic" and isinstance(value, dict):
                for label, spec in value.items():
                    for item in _as_list(spec):
                        where = (*path, key, label)
                        blocks.append(_block("dynamic", (label,), item, loc, where, template=True))
                continue
            if key in NESTED_BLOCKS and btype != "variable" and isinstance(value, (dict, list)):
                items = _as_list(value)
                if all(isinstance(i, dict) for i in items):
                    for item in items:
                        blocks.append(_block(key, (), item, loc, (*path, key), template=True))
                    continue
            keep_literal = not template or (btype == "variable" and key == "default")
            if btype == "variable" and key == "type" and isinstance(value, str):
                text = value  # a type expression written in a string
            elif (key in ("provider", "depends_on") and btype in ("resource", "data", "module")) or (
                key == "ignore_changes" and btype == "lifecycle"
            ):
                text = _reference_text(value)
            else:
                text = _expr(value, literal=keep_literal)
            attr_line = loc.line((*path, key)) or line
            attrs.append(Attribute(name=key, expr=text, line=attr_line, end_line=attr_line))
    return Block(
        type=btype,
        labels=labels,
        attributes=tuple(attrs),
        blocks=tuple(blocks),
        line=line,
        end_line=loc.end_line(path) or line,
    )


def _reference_text(value: Any) -> str:
    """``"provider": "aws.west"`` / ``"ignore_changes": ["tags"]`` are references, not strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return _expr(value, literal=True)


def _expr(value: Any, *, literal: bool) -> str:
    """A JSON value as native-syntax expression text."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        if literal:
            text = json.dumps(value, ensure_ascii=False)  # escapes quotes, backslashes and newlines
            return text.replace("${", "$${").replace("%{", "%%{")
        return _template_text(value)
    if isinstance(value, list):
        return "[" + ", ".join(_expr(v, literal=literal) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(str(k))} = {_expr(v, literal=literal)}" for k, v in value.items())
        return "{" + items + "}"
    return json.dumps(str(value))


def _template_text(value: str) -> str:
    """A JSON-syntax template string as a native quoted template: literal parts escaped, the
    inside of ``${…}`` / ``%{…}`` copied as written (it is native expression syntax already)."""
    out = ['"']
    i, n = 0, len(value)
    while i < n:
        if value.startswith(("${", "%{"), i) and not (i > 0 and value[i - 1] == value[i]):
            end = _closing_brace(value, i + 2)
            if end is not None:
                out.append(value[i : end + 1])
                i = end + 1
                continue
        c = value[i]
        out.append(json.dumps(c, ensure_ascii=False)[1:-1])
        i += 1
    out.append('"')
    return "".join(out)


def _closing_brace(text: str, i: int) -> int | None:
    depth = 1
    quoted = False
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


class _Locator:
    """Line numbers for key paths (json.loads keeps none): a tolerant scan of the text."""

    def __init__(self, lines: tuple[str, ...]) -> None:
        self._lines: dict[tuple[str, ...], int] = {}
        self._ends: dict[tuple[str, ...], int] = {}
        self._scan("\n".join(lines))

    def line(self, path: tuple[str, ...]) -> int:
        return self._lines.get(path, 1)

    def end_line(self, path: tuple[str, ...]) -> int | None:
        return self._ends.get(path)

    def _scan(self, text: str) -> None:
        token = re.compile(r'"(?:[^"\\]|\\.)*"\s*:?|[{}\[\],]|[^\s{}\[\],"]+|\s+')
        stack: list[list[Any]] = []  # ["obj", key path, pending key] / ["arr", key path]
        line = 1
        pending: str | None = None
        for m in token.finditer(text):
            tok = m.group(0)
            if tok.startswith('"') and tok.rstrip().endswith(":") and stack and stack[-1][0] == "obj":
                try:
                    pending = json.loads(tok.rstrip()[:-1].rstrip())
                except ValueError:
                    pending = None
                if pending is not None:
                    self._lines.setdefault((*stack[-1][1], pending), line)
            elif tok in ("{", "["):
                base = tuple(stack[-1][1]) if stack else ()
                if stack and stack[-1][0] == "obj" and pending is not None:
                    base = (*base, pending)
                stack.append(["obj" if tok == "{" else "arr", base])
                pending = None
            elif tok in ("}", "]") and stack:
                frame = stack.pop()
                if frame[0] == "obj":
                    self._ends.setdefault(tuple(frame[1]), line)
            line += tok.count("\n")
