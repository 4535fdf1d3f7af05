"""Values of a root module's input variables, in Terraform's precedence order (later wins):
``TF_VAR_*`` environment variables, ``terraform.tfvars``, ``terraform.tfvars.json``, ``*.auto.tfvars``
(lexical order), ``--var-file``, ``--var``.
https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tfdrift_ci.errors import InventoryError
from tfdrift_ci.inventory.expr.context import EMPTY_CTX
from tfdrift_ci.inventory.expr.convert import EvalError, to_number
from tfdrift_ci.inventory.expr.evaluate import evaluate_text
from tfdrift_ci.inventory.parsed import Block
from tfdrift_ci.inventory.project import Project
from tfdrift_ci.models import ParseProblem, Unknown
from tfdrift_ci.paths import is_inside


def _convert_cli_value(raw: str, type_text: str | None) -> Any:
    """-var / TF_VAR_ values are strings; Terraform parses them per the declared type
    (primitive types: the literal string; complex types: an HCL expression)."""
    t = (type_text or "").strip()
    if t == "string":
        return raw
    if t == "number":
        try:
            return to_number(raw)
        except EvalError:
            return raw
    if t == "bool":
        return {"true": True, "false": False}.get(raw, raw)
    if t and t != "any":
        return evaluate_text(raw, EMPTY_CTX)
    stripped = raw.strip()
    if stripped.startswith(("[", "{")):
        value = evaluate_text(raw, EMPTY_CTX)
        if not isinstance(value, Unknown):
            return value
    return raw


@dataclass
class RootInputs:
    """Where root variables come from, in Terraform's precedence order (later wins)."""

    var_files: Sequence[str] = ()
    variables: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)


def root_variable_values(
    project: Project, root_dir: str, declared: Mapping[str, Block], inputs: RootInputs
) -> tuple[dict[str, Any], list[str]]:
    """Values for the root module's variables, and the tfvars files read (absolute paths)."""
    values: dict[str, Any] = {}
    read: list[str] = []

    def type_of(name: str) -> str | None:
        block = declared.get(name)
        attr = block.attribute("type") if block is not None else None
        return attr.expr if attr is not None else None

    def runtime_value(name: str, value: Any) -> Any:
        """A value supplied at run time (TF_VAR_, --var, --var-file) for a `sensitive` variable is
        typically a CI secret: never carried into findings or reports, it stays unknown."""
        block = declared.get(name)
        attr = block.attribute("sensitive") if block is not None else None
        if attr is not None and attr.expr.strip() == "true":
            return Unknown(f"var.{name} (sensitive, set at run time)")
        return value

    for key, raw in inputs.env.items():
        if key.startswith("TF_VAR_"):
            name = key[len("TF_VAR_") :]
            if name in declared:
                values[name] = runtime_value(name, _convert_cli_value(raw, type_of(name)))

    def load_file(path: str, runtime: bool = False) -> None:
        read.append(path)
        if path.endswith(".json"):
            escapes = os.path.islink(path) and not is_inside(os.path.realpath(path), project.trusted)
            if escapes and not runtime:
                message = "symlink to a file outside the repository: not read"
                project.problems.append(ParseProblem(file=project.rel(path), message=message))
                return
            try:
                with open(path, encoding="utf-8") as fh:
                    data = json.load(fh)
            except (OSError, ValueError, RecursionError) as err:
                deep = isinstance(err, RecursionError)
                message = "JSON nests too deeply" if deep else f"invalid JSON: {err}"
                project.problems.append(ParseProblem(file=project.rel(path), message=message))
                return
            project.sources[project.rel(path)] = ()
            if isinstance(data, dict):
                for k, v in data.items():
                    values[k] = runtime_value(k, v) if runtime else v
            return
        parsed = project.tfvars(path)
        for attr in parsed.attributes:
            value = evaluate_text(attr.expr, EMPTY_CTX)
            values[attr.name] = runtime_value(attr.name, value) if runtime else value

    for name in ("terraform.tfvars", "terraform.tfvars.json"):
        path = os.path.join(root_dir, name)
        if os.path.isfile(path):
            load_file(path)
    try:
        autos = sorted(n for n in os.listdir(root_dir) if n.endswith((".auto.tfvars", ".auto.tfvars.json")))
    except OSError:
        autos = []
    for name in autos:
        load_file(os.path.join(root_dir, name))
    for given in inputs.var_files:
        path = given if os.path.isfile(given) else os.path.join(root_dir, given)
        if not os.path.isfile(path):
            raise InventoryError("variables file not found", file=given)
        load_file(os.path.abspath(path), runtime=True)
    for name, raw in inputs.variables.items():
        values[name] = runtime_value(name, _convert_cli_value(raw, type_of(name)))
    return values, read
