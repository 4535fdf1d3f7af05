"""Static inventory from ``.tf`` files: roots, modules, variables, expansion, resources.

A :class:`Project` parses every file once (``hcl.parse_file``) and owns what the whole run shares
(problems, sources, unfollowed modules). A :class:`Module` is one module *instance* (the root, or a
``module`` call with its count/for_each key): it resolves ``var``/``local``/``module``/resource
references lazily, so only what a resource actually needs is evaluated.

Terraform semantics followed (links for the non-obvious ones):
- variable precedence: https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence
- module sources / ``.terraform/modules/modules.json``: written by ``terraform init``
- providers passed to modules: https://developer.hashicorp.com/terraform/language/modules/develop/providers
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from tfdrift_ci.errors import InventoryError
from tfdrift_ci.inventory import hcl
from tfdrift_ci.inventory.expr import types
from tfdrift_ci.inventory.expr.context import EMPTY_CTX, Ctx, Lazy
from tfdrift_ci.inventory.expr.convert import (
    EvalError,
    glob_escape,
    to_number,
    to_str,
    too_big,
    unknown_paths,
)
from tfdrift_ci.inventory.expr.evaluate import evaluate, evaluate_text
from tfdrift_ci.inventory.expr.syntax import (
    Call,
    ExprSyntaxError,
    GetAttr,
    Lit,
    Node,
    ObjectNode,
    Template,
    TupleNode,
    Var,
    parse,
)
from tfdrift_ci.inventory.identity import RESOURCE_TYPES, identity_for, parse_arn
from tfdrift_ci.inventory.parsed import Attribute, Block, ParsedFile
from tfdrift_ci.models import ModuleCall, ParseProblem, Resource, Unknown

WANTED = frozenset(RESOURCE_TYPES)

# Attributes holding JSON documents: decoded to lists/dicts (design §3, models.Resource).
JSON_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "aws_ecs_task_definition": ("container_definitions",),
    "aws_ecr_repository_policy": ("policy",),
    "aws_ecr_lifecycle_policy": ("policy",),
    "aws_ecr_registry_policy": ("policy",),
    "aws_ecrpublic_repository_policy": ("policy",),
}

# Resource meta-arguments: not attributes of the resource.
_META_ATTRS = frozenset({"count", "for_each", "provider", "depends_on"})
_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection", "precondition", "postcondition"})

_MAX_MODULE_DEPTH = 20
UNKNOWN_KEY = "*"  # instance key when count/for_each cannot be determined
# More instances than this for one block (count = 1e9 in a hostile change) are one unknown instance.
MAX_INSTANCES = 10_000
# Module instances per root (nested for_each fan-out): beyond it, calls are listed as not followed.
MAX_MODULE_INSTANCES = 5_000
# Data sources whose declared arguments name an existing ECS/ECR object (see _computed_data); every
# other data source is unknown as a whole.
_NAMED_DATA_SOURCES = frozenset({"aws_ecs_cluster", "aws_ecr_repository", "aws_ecs_task_definition"})


# --------------------------------------------------------------------------------------------------
# project: files parsed once


class Project:
    def __init__(self, base: str) -> None:
        self.base = os.path.abspath(base)
        self.real_base = os.path.realpath(self.base)
        self._dirs: dict[str, list[ParsedFile]] = {}
        self._tfvars: dict[str, ParsedFile] = {}
        self.problems: list[ParseProblem] = []
        self.sources: dict[str, tuple[str, ...]] = {}
        self.tf_files: set[str] = set()
        self.unfollowed: list[ModuleCall] = []
        self.regions: set[str] = set()
        self._rel: dict[str, str] = {}
        self.trusted: tuple[str, ...] = (self.real_base, *_git_root(self.real_base))

    def rel(self, path: str) -> str:
        rel = self._rel.get(path)
        if rel is None:
            rel = os.path.relpath(path, self.base).replace(os.sep, "/")
            self._rel[path] = rel
        return rel

    def dir_files(self, directory: str, only: Sequence[str] | None = None) -> list[ParsedFile]:
        """The parsed ``.tf`` files of a directory (sorted, as Terraform loads them)."""
        directory = os.path.abspath(directory)
        cached = self._dirs.get(directory)
        if cached is not None:
            return cached
        if only is not None:
            names = list(only)
        else:
            try:
                names = sorted(
                    n
                    for n in os.listdir(directory)
                    if n.endswith((".tf", ".tf.json")) and os.path.isfile(os.path.join(directory, n))
                )
            except OSError:
                names = []
        files = [self.parse(os.path.join(directory, n)) for n in names]
        self._dirs[directory] = files
        return files

    def parse(self, path: str) -> ParsedFile:
        rel = self.rel(path)
        if os.path.islink(path) and not path_inside(os.path.realpath(path), self.trusted):
            # a symlink committed to point at a file of the CI machine: never read (its content
            # would surface in syntax-error messages and values)
            if path.endswith((".tf", ".tf.json")):
                self.tf_files.add(rel)
            message = "symlink to a file outside the repository: not read"
            self.problems.append(ParseProblem(file=rel, message=message))
            return ParsedFile(path=path, blocks=(), attributes=(), lines=())
        parsed = hcl.parse_file(path)
        if path.endswith((".tf", ".tf.json")):
            self.tf_files.add(rel)
        if parsed.lines or parsed.problem is None:
            self.sources[rel] = parsed.lines
        if parsed.problem is not None:
            self.problems.append(
                ParseProblem(file=rel, message=parsed.problem.message, line=parsed.problem.line)
            )
        return parsed

    def tfvars(self, path: str) -> ParsedFile:
        cached = self._tfvars.get(path)
        if cached is None:
            cached = self.parse(path)
            self._tfvars[path] = cached
        return cached


# --------------------------------------------------------------------------------------------------
# providers


@dataclass(frozen=True)
class ProviderInfo:
    region: str | None = None
    account: str | None = None


def _provider_info(block: Block, ctx: Ctx) -> ProviderInfo:
    region: str | None = None
    account: str | None = None
    attr = block.attribute("region")
    if attr is not None:
        value = evaluate_text(attr.expr, ctx)
        region = value if isinstance(value, str) and value else None
    allowed = block.attribute("allowed_account_ids")
    if allowed is not None:
        value = evaluate_text(allowed.expr, ctx)
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            account = value[0]
    if account is None:
        for assume in block.children("assume_role"):
            role = assume.attribute("role_arn")
            if role is None:
                continue
            value = evaluate_text(role.expr, ctx)
            if isinstance(value, str):
                parsed = parse_arn(value)
                if parsed is not None and parsed[1]:
                    account = parsed[1]
    return ProviderInfo(region=region, account=account)


def _provider_key(block: Block, ctx: Ctx) -> str:
    name = block.labels[0] if block.labels else ""
    alias = block.attribute("alias")
    if alias is not None:
        value = evaluate_text(alias.expr, ctx)
        if isinstance(value, str):
            return f"{name}.{value}"
    return name


def _provider_ref(text: str) -> str:
    return text.strip().strip('"')


def parse_provider_map(text: str) -> dict[str, str]:
    """``providers = { aws = aws.west, aws.east = aws }`` → {"aws": "aws.west", "aws.east": "aws"}."""
    try:
        node = parse(text)
    except ExprSyntaxError:
        return {}
    out: dict[str, str] = {}
    if isinstance(node, ObjectNode):
        for knode, vnode in node.items:
            key = knode.value if isinstance(knode, Lit) else knode.text
            out[_provider_ref(str(key))] = _provider_ref(vnode.text)
    return out


# --------------------------------------------------------------------------------------------------
# variables


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../", ".\\", "..\\")) or source in (".", "..")


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
            escapes = os.path.islink(path) and not path_inside(os.path.realpath(path), project.trusted)
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
        autos = sorted(
            n for n in os.listdir(root_dir) if n.endswith((".auto.tfvars", ".auto.tfvars.json"))
        )
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


# --------------------------------------------------------------------------------------------------
# module instances


class _NS(Lazy):
    """``var`` / ``local`` / ``data`` / ``module`` / a resource type: attribute → value."""

    def __init__(self, get: Callable[[str], Any], label: str) -> None:
        self._get = get
        self._label = label

    def get_attr(self, name: str) -> Any:
        return self._get(name)

    def materialize(self, expr: str) -> Any:
        return Unknown(expr)


class _DataRef(Lazy):
    """Data sources are read at plan time: always unknown statically."""

    def __init__(self, expr: str) -> None:
        self.expr = expr

    def get_attr(self, name: str) -> Any:
        return _DataRef(f"{self.expr}.{name}")

    def get_index(self, key: Any) -> Any:
        return _DataRef(f"{self.expr}[{json.dumps(key)}]")

    def materialize(self, expr: str) -> Any:
        return Unknown(expr)


def _computed(rtype: str, attr: str, value_of: Callable[[str], Any]) -> Any:
    """Values Terraform only knows after apply, as patterns where the name makes them predictable
    (an ECS cluster's ``id`` is its ARN ``arn:aws:ecs:<region>:<account>:cluster/<name>``)."""

    def name_pattern(name_attr: str, fmt: str) -> Any:
        name = value_of(name_attr)
        if isinstance(name, str):
            return Unknown(f"{rtype}.{attr}", fmt.format(name=glob_escape(name)))
        return Unknown(f"{rtype}.{attr}")

    if rtype == "aws_ecs_cluster" and attr in ("id", "arn"):
        return name_pattern("name", "arn:aws*:ecs:*:*:cluster/{name}")
    if rtype == "aws_ecs_capacity_provider" and attr in ("id", "arn"):
        return name_pattern("name", "arn:aws*:ecs:*:*:capacity-provider/{name}")
    if rtype == "aws_ecs_task_definition" and attr == "arn":
        return name_pattern("family", "arn:aws*:ecs:*:*:task-definition/{name}:*")
    if rtype == "aws_ecs_task_definition" and attr == "arn_without_revision":
        return name_pattern("family", "arn:aws*:ecs:*:*:task-definition/{name}")
    if rtype == "aws_ecr_repository" and attr == "id":
        return value_of("name")  # the provider uses the repository name as its id
    if rtype == "aws_ecr_repository" and attr == "arn":
        return name_pattern("name", "arn:aws*:ecr:*:*:repository/{name}")
    if rtype == "aws_ecr_repository" and attr == "repository_url":
        return name_pattern("name", "*.dkr.ecr.*.amazonaws.com/{name}")
    if rtype == "aws_ecrpublic_repository" and attr == "id":
        return value_of("repository_name")
    if rtype == "aws_ecs_cluster_capacity_providers" and attr == "id":
        return value_of("cluster_name")
    return Unknown(f"{rtype}.{attr}")


def _computed_data(rtype: str, attr: str, value_of: Callable[[str], Any]) -> Any:
    """Data sources that look up an existing ECS cluster / ECR repository by name: the name is
    declared, so ARNs and ids are predictable (a service in one stack on a cluster of another)."""
    label = f"data.{rtype}.{attr}"

    def pattern(name_attr: str, fmt: str) -> Any:
        name = value_of(name_attr)
        if isinstance(name, str):
            return Unknown(label, fmt.format(name=glob_escape(name)))
        return Unknown(label)

    if rtype == "aws_ecs_cluster" and attr in ("id", "arn"):
        return pattern("cluster_name", "arn:aws*:ecs:*:*:cluster/{name}")
    if rtype == "aws_ecs_cluster" and attr == "name":
        return value_of("cluster_name")
    if rtype == "aws_ecr_repository" and attr == "arn":
        return pattern("name", "arn:aws*:ecr:*:*:repository/{name}")
    if rtype == "aws_ecr_repository" and attr == "id":
        return value_of("name")
    if rtype == "aws_ecr_repository" and attr == "repository_url":
        return pattern("name", "*.dkr.ecr.*.amazonaws.com/{name}")
    if rtype == "aws_ecs_task_definition" and attr in ("arn", "id"):
        return pattern("task_definition", "arn:aws*:ecs:*:*:task-definition/{name}*")
    return Unknown(label)


class _ResourceRef(Lazy):
    """``aws_ecs_cluster.main`` (and its instances): declared attributes evaluate, computed ones
    become (patterned) unknowns."""

    def __init__(
        self, module: Module, block: Block, bindings: Mapping[str, Any] | None, *, data: bool = False
    ) -> None:
        self.module = module
        self.block = block
        self.bindings = bindings
        self.data = data
        self.counted = block.attribute("count") is not None or block.attribute("for_each") is not None

    @property
    def label(self) -> str:
        prefix = "data." if self.data else ""
        return f"{prefix}{self.block.labels[0]}.{self.block.labels[1]}"

    def get_index(self, key: Any) -> Any:
        if not self.counted or self.bindings is not None:
            raise EvalError(f"{self.label} is not a counted resource")
        for k, bindings in self.module.expand(self.block):
            if k == UNKNOWN_KEY:
                return Unknown(f"{self.label}[{json.dumps(key)}]")
            if _same_key(k, key):
                return _ResourceRef(self.module, self.block, bindings, data=self.data)
        raise EvalError(f"{self.label} has no instance {key!r}")

    def get_attr(self, name: str) -> Any:
        if self.counted and self.bindings is None:
            return Unknown(f"{self.label}.{name}")  # a counted resource without an index
        ctx = self.module.ctx.bind(self.bindings or {})
        rtype = self.block.labels[0]

        def value_of(attr_name: str) -> Any:
            attr = self.block.attribute(attr_name)
            if attr is None:
                return Unknown(f"{self.label}.{attr_name}")
            return self.module.guarded(("res", self.label, attr_name, id(self.bindings)), attr.expr, ctx)

        if self.block.attribute(name) is not None:
            return value_of(name)
        if self.data:
            return _computed_data(rtype, name, value_of)
        return _computed(rtype, name, value_of)

    def materialize(self, expr: str) -> Any:
        if self.counted and self.bindings is None:
            instances = self.module.expand(self.block)
            if any(k == UNKNOWN_KEY for k, _ in instances):
                return Unknown(expr)
            if self.block.attribute("count") is not None:
                return [Unknown(f"{expr}[{k}]") for k, _ in instances]
            return {str(k): Unknown(f"{expr}[{json.dumps(k)}]") for k, _ in instances}
        return Unknown(expr)


class _ModuleRef(Lazy):
    def __init__(self, call: _ModuleCall) -> None:
        self.call = call

    def _instances(self) -> list[tuple[Any, Module | None]]:
        return self.call.instances()

    def get_attr(self, name: str) -> Any:
        if self.call.counted:
            return Unknown(f"module.{self.call.name}.{name}")
        inst = self._instances()
        if not inst or inst[0][1] is None:
            return Unknown(f"module.{self.call.name}.{name}")
        return inst[0][1].output(name)

    def get_index(self, key: Any) -> Any:
        for k, mod in self._instances():
            if k == UNKNOWN_KEY or mod is None:
                return Unknown(f"module.{self.call.name}[{json.dumps(key)}]")
            if _same_key(k, key):
                return _ModuleInstanceRef(mod)
        raise EvalError(f"module.{self.call.name} has no instance {key!r}")

    def materialize(self, expr: str) -> Any:
        inst = self._instances()
        if any(k == UNKNOWN_KEY or m is None for k, m in inst):
            return Unknown(expr)
        if not self.call.counted:
            return inst[0][1].all_outputs() if inst and inst[0][1] is not None else Unknown(expr)
        if self.call.block.attribute("count") is not None:
            return [m.all_outputs() for _, m in inst if m is not None]
        return {str(k): m.all_outputs() for k, m in inst if m is not None}


class _ModuleInstanceRef(Lazy):
    def __init__(self, module: Module) -> None:
        self.module = module

    def get_attr(self, name: str) -> Any:
        return self.module.output(name)

    def materialize(self, expr: str) -> Any:
        return self.module.all_outputs()


class _ModuleCall:
    def __init__(self, parent: Module, name: str, block: Block, file: str) -> None:
        self.parent = parent
        self.name = name
        self.block = block
        self.file = file
        self.counted = block.attribute("count") is not None or block.attribute("for_each") is not None
        self._instances: list[tuple[Any, Module | None]] | None = None
        self._phantom: Module | None = None

    def source(self) -> str | None:
        attr = self.block.attribute("source")
        if attr is None:
            return None
        value = evaluate_text(attr.expr, EMPTY_CTX)
        return value if isinstance(value, str) else None

    def directory(self) -> tuple[str | None, str]:
        """(module dir or None, reason when None)."""
        source = self.source()
        if source is None:
            return None, "module source is not a literal string"
        parent = self.parent
        if is_local_source(source):
            return os.path.normpath(os.path.join(parent.dir, source)), ""
        key = ".".join((*parent.call_keys, self.name))
        entry = parent.loader.modules_json.get(key)
        if entry is not None:
            return entry, ""
        return None, "registry/git module not downloaded (run terraform init to create .terraform/modules)"

    def instances(self) -> list[tuple[Any, Module | None]]:
        if self._instances is not None:
            return self._instances
        self._instances = []  # re-entrancy guard
        parent = self.parent
        directory, reason = self.directory()
        if directory is None or not os.path.isdir(directory):
            if directory is not None:
                reason = f"module directory {parent.project.rel(directory)} not found"
            parent.project.unfollowed.append(
                ModuleCall(
                    address=parent.prefix + f"module.{self.name}",
                    source=self.source() or "",
                    file=self.file,
                    line=self.block.line,
                    reason=reason,
                )
            )
            self._instances = [(None, None)]
            return self._instances
        # parent.dir too: `source = "./"` (a module calling its own directory) is a cycle as well
        if len(parent.path) >= _MAX_MODULE_DEPTH or directory in (*parent.ancestors, parent.dir):
            parent.project.unfollowed.append(
                ModuleCall(
                    address=parent.prefix + f"module.{self.name}",
                    source=self.source() or "",
                    file=self.file,
                    line=self.block.line,
                    reason="module calls itself (or nests too deeply)",
                )
            )
            self._instances = [(None, None)]
            return self._instances
        out: list[tuple[Any, Module | None]] = []
        expansion = parent.expand(self.block)
        parent.loader.module_instances += len(expansion)
        if parent.loader.module_instances > MAX_MODULE_INSTANCES:
            parent.project.unfollowed.append(
                ModuleCall(
                    address=parent.prefix + f"module.{self.name}",
                    source=self.source() or "",
                    file=self.file,
                    line=self.block.line,
                    reason=f"more than {MAX_MODULE_INSTANCES} module instances in this root",
                )
            )
            self._instances = [(None, None)]
            return self._instances
        for key, bindings in expansion:
            label = self.name if not self.counted else f"{self.name}[{_key_text(key)}]"
            ctx = parent.ctx.bind(bindings)
            inputs: dict[str, Callable[[], Any]] = {}
            for attr in self.block.attributes:
                if attr.name in ("source", "version", "count", "for_each", "providers", "depends_on"):
                    continue
                inputs[attr.name] = _thunk(attr.expr, ctx)
            providers = dict(parent.providers)
            pmap = self.block.attribute("providers")
            if pmap is not None:
                for child_key, parent_key in parse_provider_map(pmap.expr).items():
                    providers[child_key] = parent.providers.get(parent_key, ProviderInfo())
            child = Module(
                loader=parent.loader,
                directory=directory,
                path=(*parent.path, label),
                call_keys=(*parent.call_keys, self.name),
                inputs=inputs,
                providers=providers,
                ancestors=(*parent.ancestors, parent.dir),
            )
            out.append((key, child))
        self._instances = out
        return out


    def phantom(self) -> Module | None:
        """For a call with no instance (count = 0, empty for_each): the module evaluated with unknown
        count/each, so the resources it declares can still be listed (``Inventory.declared_only``)."""
        if self._phantom is not None:
            return self._phantom
        parent = self.parent
        directory, _ = self.directory()
        if directory is None or not os.path.isdir(directory) or directory in (*parent.ancestors, parent.dir):
            return None
        if len(parent.path) >= _MAX_MODULE_DEPTH:
            return None
        unknown = {
            "count": {"index": Unknown("count.index")},
            "each": {"key": Unknown("each.key"), "value": Unknown("each.value")},
        }
        ctx = parent.ctx.bind(unknown)
        inputs = {
            a.name: _thunk(a.expr, ctx)
            for a in self.block.attributes
            if a.name not in ("source", "version", "count", "for_each", "providers", "depends_on")
        }
        self._phantom = Module(
            loader=parent.loader,
            directory=directory,
            path=(*parent.path, f"{self.name}[*]" if self.counted else self.name),
            call_keys=(*parent.call_keys, self.name),
            inputs=inputs,
            providers=dict(parent.providers),
            ancestors=(*parent.ancestors, parent.dir),
        )
        return self._phantom


def _is_override(path: str) -> bool:
    name = os.path.basename(path)
    if name in ("override.tf", "override.tf.json"):
        return True
    return name.endswith(("_override.tf", "_override.tf.json"))


def _merge_override(base: Block, override: Block) -> Block:
    """Terraform's merge: each override attribute replaces the original one; nested blocks of a type
    present in the override replace all the original's blocks of that type. Lines stay the base's
    for untouched attributes and point into the override file for replaced ones."""
    attrs = {a.name: a for a in base.attributes}
    attrs.update({a.name: a for a in override.attributes})
    replaced = {b.type for b in override.blocks}
    blocks = tuple(b for b in base.blocks if b.type not in replaced) + override.blocks
    return Block(
        type=base.type,
        labels=base.labels,
        attributes=tuple(attrs.values()),
        blocks=blocks,
        line=base.line,
        end_line=base.end_line,
    )


def _same_key(instance_key: Any, key: Any) -> bool:
    """`this[0]` and `this["0"]`/`this[0.0]` name the same count instance; for_each keys are strings."""
    if isinstance(instance_key, int):
        if isinstance(key, bool):
            return False
        if isinstance(key, (int, float)):
            return instance_key == key
        return isinstance(key, str) and key.strip().isdigit() and instance_key == int(key)
    if isinstance(key, bool) or not isinstance(key, (str, int, float)):
        return False
    return bool(instance_key == to_str(key))


def _thunk(text: str, ctx: Ctx) -> Callable[[], Any]:
    cache: list[Any] = []

    def get() -> Any:
        if not cache:
            cache.append(evaluate_text(text, ctx))
        return cache[0]

    return get


def _key_text(key: Any) -> str:
    if key == UNKNOWN_KEY:
        return "*"
    if isinstance(key, int):
        return str(key)
    return json.dumps(str(key))


class Module:
    """One module instance."""

    def __init__(
        self,
        *,
        loader: RootLoader,
        directory: str,
        path: tuple[str, ...],
        call_keys: tuple[str, ...],
        inputs: Mapping[str, Callable[[], Any]],
        providers: Mapping[str, ProviderInfo],
        ancestors: tuple[str, ...] = (),
        root_values: Mapping[str, Any] | None = None,
    ) -> None:
        self.loader = loader
        self.project = loader.project
        self.dir = os.path.abspath(directory)
        self.path = path
        self.call_keys = call_keys
        self.inputs = inputs
        self.root_values = root_values
        self.ancestors = ancestors
        self.prefix = "".join(f"module.{p}." for p in path)
        self.files = self.project.dir_files(self.dir, loader.only_files if not path else None)
        loader.dirs_read.add(self.dir)
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, Attribute] = {}
        self.outputs: dict[str, Attribute] = {}
        self.resources: dict[tuple[str, str], tuple[Block, str]] = {}
        self.data_sources: dict[tuple[str, str], Block] = {}
        self.resource_types: set[str] = set()
        self.calls: dict[str, _ModuleCall] = {}
        provider_blocks: list[Block] = []
        # override files are merged into the blocks they name, after every other file
        # https://developer.hashicorp.com/terraform/language/files/override
        ordered = sorted(self.files, key=lambda p: _is_override(p.path))
        for parsed in ordered:
            rel = self.project.rel(parsed.path)
            override = _is_override(parsed.path)
            for block in parsed.blocks:
                t, labels = block.type, block.labels
                if override and t == "resource" and (labels[0], labels[1]) in self.resources:
                    base, base_rel = self.resources[(labels[0], labels[1])]
                    self.resources[(labels[0], labels[1])] = (_merge_override(base, block), base_rel)
                    continue
                if override and t == "module" and labels and labels[0] in self.calls:
                    call = self.calls[labels[0]]
                    call.block = _merge_override(call.block, block)
                    call.counted = call.block.attribute("count") is not None or (
                        call.block.attribute("for_each") is not None
                    )
                    continue
                if override and t == "variable" and labels and labels[0] in self.variables:
                    self.variables[labels[0]] = _merge_override(self.variables[labels[0]], block)
                    continue
                if t == "variable" and labels:
                    self.variables[labels[0]] = block
                elif t == "locals":
                    for attr in block.attributes:
                        self.locals[attr.name] = attr
                elif t == "output" and labels:
                    value = block.attribute("value")
                    if value is not None:
                        self.outputs[labels[0]] = value
                elif t == "resource" and len(labels) >= 2:
                    self.resources[(labels[0], labels[1])] = (block, rel)
                    self.resource_types.add(labels[0])
                elif t == "data" and len(labels) >= 2 and labels[0] in _NAMED_DATA_SOURCES:
                    self.data_sources[(labels[0], labels[1])] = block
                elif t == "module" and labels:
                    self.calls[labels[0]] = _ModuleCall(self, labels[0], block, rel)
                elif t == "provider" and labels:
                    provider_blocks.append(block)
        rel_dir = os.path.relpath(self.dir, loader.root_dir).replace(os.sep, "/")
        # path.module / path.root are relative to the working directory (the root), path.cwd is
        # absolute: https://developer.hashicorp.com/terraform/language/expressions/references#filesystem-and-workspace-info
        self._path_value = {"module": rel_dir, "root": ".", "cwd": loader.root_dir}
        self._cache: dict[Any, Any] = {}
        self._busy: set[Any] = set()
        if self.files and not path_inside(os.path.realpath(self.dir), loader.allowed_dirs):
            # a module outside the repository (no .git above PATH): its own files and siblings
            # (`${path.module}/../policies/x.json`) may be read, nothing else
            real = os.path.realpath(self.dir)
            loader.allowed_dirs = (*loader.allowed_dirs, real, os.path.dirname(real))
        self.ctx = Ctx(
            self.resolve, cwd=loader.root_dir, allowed_dirs=loader.allowed_dirs, reads=loader.files_read
        )
        self.providers: dict[str, ProviderInfo] = dict(providers)
        for block in provider_blocks:
            key = _provider_key(block, self.ctx)
            info = _provider_info(block, self.ctx)
            self.providers[key] = info
            if info.region:
                self.project.regions.add(info.region)

    # -- names -----------------------------------------------------------------------------------
    def resolve(self, name: str) -> Any:
        if name == "var":
            return _NS(self.var, "var")
        if name == "local":
            return _NS(self.local, "local")
        if name == "module":
            return _NS(self.module_ref, "module")
        if name == "data":
            return _NS(lambda t: _NS(lambda n: self.data_ref(t, n), f"data.{t}"), "data")
        if name == "path":
            return self._path_value
        if name == "terraform":
            return {"workspace": self.loader.workspace}
        if name in ("count", "each", "self"):
            return Unknown(name)
        if name in self.resource_types:
            return _NS(lambda n: self.resource_ref(name, n), name)
        if "_" in name:
            return Unknown(name)  # a resource type not declared here (or a typo): unknown, not a crash
        raise EvalError(f"unknown name {name!r}")

    def guarded(self, key: Any, text: str, ctx: Ctx) -> Any:
        if key in self._cache:
            return self._cache[key]
        if key in self._busy:
            return Unknown(text.strip())  # a reference cycle: Terraform would reject it; stay unknown
        self._busy.add(key)
        try:
            value = evaluate_text(text, ctx)
        finally:
            self._busy.discard(key)
        if too_big(value):
            # locals/outputs share sub-values, so a = [b, b], b = [c, c] … grows exponentially when
            # walked; a value this large is unknown rather than a hang on hostile configuration
            value = Unknown(text.strip()[:200])
        self._cache[key] = value
        return value

    def var(self, name: str) -> Any:
        key = ("var", name)
        if key in self._cache:
            return self._cache[key]
        block = self.variables.get(name)
        if block is None:
            raise EvalError(f"undeclared variable {name!r}")
        type_attr = block.attribute("type")
        type_text = type_attr.expr if type_attr is not None else None
        value: Any
        if self.root_values is not None and name in self.root_values:
            value = self.root_values[name]
        elif name in self.inputs:
            value = self.inputs[name]()
        else:
            default = block.attribute("default")
            value = evaluate_text(default.expr, EMPTY_CTX) if default is not None else Unknown(f"var.{name}")
        if value is None:
            # a null input takes the default only for `nullable = false` variables
            # https://developer.hashicorp.com/terraform/language/values/variables#disallowing-null-input-values
            nullable = block.attribute("nullable")
            default = block.attribute("default")
            if nullable is not None and nullable.expr.strip() == "false" and default is not None:
                value = evaluate_text(default.expr, EMPTY_CTX)
        value = types.convert(value, type_text)
        if too_big(value):
            value = Unknown(f"var.{name}")
        self._cache[key] = value
        return value

    def local(self, name: str) -> Any:
        attr = self.locals.get(name)
        if attr is None:
            raise EvalError(f"undeclared local {name!r}")
        return self.guarded(("local", name), attr.expr, self.ctx)

    def output(self, name: str) -> Any:
        attr = self.outputs.get(name)
        if attr is None:
            raise EvalError(f"module has no output {name!r}")
        return self.guarded(("output", name), attr.expr, self.ctx)

    def all_outputs(self) -> dict[str, Any]:
        return {name: self.output(name) for name in sorted(self.outputs)}

    def module_ref(self, name: str) -> Any:
        call = self.calls.get(name)
        if call is None:
            raise EvalError(f"undeclared module {name!r}")
        return _ModuleRef(call)

    def data_ref(self, rtype: str, name: str) -> Any:
        block = self.data_sources.get((rtype, name))
        if block is None:
            return _DataRef(f"data.{rtype}.{name}")
        return _ResourceRef(self, block, None, data=True)

    def resource_ref(self, rtype: str, name: str) -> Any:
        entry = self.resources.get((rtype, name))
        if entry is None:
            raise EvalError(f"undeclared resource {rtype}.{name}")
        return _ResourceRef(self, entry[0], None)

    # -- expansion -------------------------------------------------------------------------------
    def _chained_instances(self, text: str) -> list[tuple[Any, dict[str, Any]]] | None:
        """``for_each = aws_ecr_repository.this`` (resource chaining): each.value is that
        instance, so ``each.value.name`` is its declared name, not an unknown object."""
        try:
            node = parse(text)
        except ExprSyntaxError:
            return None
        if not isinstance(node, GetAttr) or not isinstance(node.obj, Var):
            return None
        if node.obj.name not in self.resource_types:
            return None
        entry = self.resources.get((node.obj.name, node.name))
        if entry is None or entry[0].attribute("for_each") is None:
            return None
        target = entry[0]
        out: list[tuple[Any, dict[str, Any]]] = []
        for key, bindings in self.expand(target):
            if key == UNKNOWN_KEY:
                return [(UNKNOWN_KEY, {"each": {"key": Unknown("each.key"), "value": Unknown("each.value")}})]
            out.append((str(key), {"each": {"key": str(key), "value": _ResourceRef(self, target, bindings)}}))
        return out

    def expand(self, block: Block) -> list[tuple[Any, dict[str, Any]]]:
        """(instance key, bindings) per instance: count → 0..n-1, for_each → sorted keys;
        (UNKNOWN_KEY, unknown bindings) when they cannot be determined."""
        key = ("expand", block.line, id(block))
        cached = self._cache.get(key)
        if cached is not None:
            return list(cached)
        out: list[tuple[Any, dict[str, Any]]]
        count = block.attribute("count")
        for_each = block.attribute("for_each")
        if count is not None:
            value = self.guarded(("count", id(block)), count.expr, self.ctx)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value > MAX_INSTANCES:
                out = [(UNKNOWN_KEY, {"count": {"index": Unknown("count.index")}})]
            else:
                out = [(i, {"count": {"index": i}}) for i in range(max(0, int(value)))]
        elif for_each is not None and (chained := self._chained_instances(for_each.expr)) is not None:
            out = chained
        elif for_each is not None:
            value = self.guarded(("for_each", id(block)), for_each.expr, self.ctx)
            unknown_each = {"each": {"key": Unknown("each.key"), "value": Unknown("each.value")}}
            if isinstance(value, (dict, list)) and len(value) > MAX_INSTANCES:
                out = [(UNKNOWN_KEY, unknown_each)]
            elif isinstance(value, dict):
                out = [(str(k), {"each": {"key": str(k), "value": value[k]}}) for k in sorted(value)]
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                out = [(v, {"each": {"key": v, "value": v}}) for v in sorted(set(value))]
            else:
                out = [(UNKNOWN_KEY, unknown_each)]
        else:
            out = [(None, {})]
        self._cache[key] = out
        return list(out)


# --------------------------------------------------------------------------------------------------
# root loading → Resources


class RootLoader:
    def __init__(
        self,
        project: Project,
        root_dir: str,
        inputs: RootInputs,
        *,
        only_files: Sequence[str] | None = None,
    ) -> None:
        self.project = project
        self.root_dir = os.path.abspath(root_dir)
        self.root_rel = project.rel(self.root_dir) if self.root_dir != project.base else "."
        self.inputs = inputs
        self.only_files = only_files
        self.dirs_read: set[str] = set()
        self.declared_only: list[Resource] = []
        self.module_instances = 0
        self.files_read: set[str] = set()  # by file() / templatefile()
        self.tfvars_read: list[str] = []
        # TF_DATA_DIR moves .terraform; the selected workspace is TF_WORKSPACE, else the one
        # `terraform workspace select` recorded in <data dir>/environment
        # https://developer.hashicorp.com/terraform/cli/config/environment-variables
        self.data_dir = os.path.join(self.root_dir, inputs.env.get("TF_DATA_DIR") or ".terraform")
        self.workspace = inputs.env.get("TF_WORKSPACE") or self._selected_workspace() or "default"
        # file()/templatefile() read inside the repository only (configuration from a pull request
        # must not make us print files of the CI machine); without git, inside PATH
        self.allowed_dirs: tuple[str, ...] = project.trusted
        self.modules_json = self._read_modules_json()

    def _selected_workspace(self) -> str | None:
        try:
            with open(os.path.join(self.data_dir, "environment"), encoding="utf-8") as fh:
                name = fh.read(256).strip()
        except (OSError, UnicodeDecodeError):
            return None
        return name if re.fullmatch(r"[A-Za-z0-9_.-]+", name) else None

    def _read_modules_json(self) -> dict[str, str]:
        """``terraform init`` records where each module call's code was downloaded."""
        path = os.path.join(self.data_dir, "modules", "modules.json")
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            return {}
        out: dict[str, str] = {}
        modules = data.get("Modules") if isinstance(data, dict) else None
        for entry in modules if isinstance(modules, list) else []:
            if isinstance(entry, dict) and entry.get("Key") and isinstance(entry.get("Dir"), str):
                out[str(entry["Key"])] = os.path.normpath(os.path.join(self.root_dir, entry["Dir"]))
        return out

    def load(self) -> tuple[list[Resource], list[str]]:
        """Resources of this root and every file read for it (relative to the project)."""
        files = self.project.dir_files(self.root_dir, self.only_files)
        declared: dict[str, Block] = {}
        for parsed in files:
            for block in parsed.blocks:
                if block.type == "variable" and block.labels:
                    declared[block.labels[0]] = block
        values, self.tfvars_read = root_variable_values(self.project, self.root_dir, declared, self.inputs)
        root = Module(
            loader=self,
            directory=self.root_dir,
            path=(),
            call_keys=(),
            inputs={},
            providers={},
            root_values=values,
        )
        resources: list[Resource] = []
        self._collect(root, resources, self.declared_only, phantom=False)
        read: set[str] = set()
        for d in self.dirs_read:
            for parsed in self.project.dir_files(d):
                read.add(self.project.rel(parsed.path))
        read.update(self.project.rel(p) for p in self.tfvars_read)
        read.update(self.project.rel(p) for p in self.files_read)
        return resources, sorted(read)

    def _collect(
        self, module: Module, out: list[Resource], declared: list[Resource], *, phantom: bool
    ) -> None:
        for (rtype, name), (block, rel) in module.resources.items():
            if rtype not in WANTED:
                continue
            found = list(self._instances(module, rtype, name, block, rel))
            if found and not phantom:
                out.extend(found)
            elif found:
                declared.extend(found)
            else:
                declared.extend(self._instances(module, rtype, name, block, rel, template=True))
        for call in module.calls.values():
            instances = call.instances()
            if not instances and not phantom:
                ghost = call.phantom()
                if ghost is not None:
                    self._collect(ghost, out, declared, phantom=True)
            for _key, child in instances:
                if child is not None:
                    self._collect(child, out if not phantom else declared, declared, phantom=phantom)

    def _instances(
        self, module: Module, rtype: str, name: str, block: Block, rel: str, *, template: bool = False
    ) -> Iterator[Resource]:
        provider_attr = block.attribute("provider")
        provider = _provider_ref(provider_attr.expr) if provider_attr is not None else None
        pinfo = module.providers.get(provider or _default_provider(rtype)) or module.providers.get("aws")
        counted = block.attribute("count") is not None or block.attribute("for_each") is not None
        ignore = _ignore_changes(block)
        expansion = module.expand(block)
        if template:
            # no instance: evaluate once with unknown count/each, address without an instance key
            unknown = {
                "count": {"index": Unknown("count.index")},
                "each": {"key": Unknown("each.key"), "value": Unknown("each.value")},
            }
            expansion = [(None, unknown)]
            counted = False
        for key, bindings in expansion:
            ctx = module.ctx.bind(bindings)
            lines: dict[str, int] = {}
            attrs = block_values(block, ctx, lines, "", top=True)
            for doc in JSON_DOCUMENTS.get(rtype, ()):
                attr = block.attribute(doc)
                if attr is not None:
                    attrs[doc] = json_document(attr.expr, ctx, module)
                    document_lines(attr, doc, lines)
            address = module.prefix + f"{rtype}.{name}"
            if counted:
                address += f"[{_key_text(key)}]"
            unknowns = unknown_paths(attrs)
            if counted and key == UNKNOWN_KEY:
                unknowns = ["[*] (instance keys)", *unknowns]
            yield Resource(
                address=address,
                type=rtype,
                name=name,
                module_path=module.path,
                attributes=attrs,
                file=rel,
                line=block.line,
                end_line=block.end_line,
                attribute_lines=lines,
                ignore_changes=ignore,
                identity=identity_for(
                    rtype,
                    attrs,
                    region=pinfo.region if pinfo else None,
                    account=pinfo.account if pinfo else None,
                ),
                root=self.root_rel,
                provider=provider or _default_provider(rtype),
                unknowns=tuple(unknowns),
            )


def _git_root(start: str) -> tuple[str, ...]:
    d = start
    for _ in range(64):
        if os.path.exists(os.path.join(d, ".git")):
            return (d,)
        parent = os.path.dirname(d)
        if parent == d:
            return ()
        d = parent
    return ()


def path_inside(path: str, dirs: tuple[str, ...]) -> bool:
    return any(path == d or path.startswith(d.rstrip(os.sep) + os.sep) for d in dirs)


def _default_provider(rtype: str) -> str:
    return rtype.split("_", 1)[0]


def block_values(
    block: Block, ctx: Ctx, lines: dict[str, int], prefix: str, *, top: bool
) -> dict[str, Any]:
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


def _dynamic(
    block: Block, ctx: Ctx, lines: dict[str, int], prefix: str
) -> list[dict[str, Any]] | Unknown:
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


def document_lines(attr: Attribute, name: str, lines: dict[str, int]) -> None:
    """Lines of the keys inside a JSON document written in place (``jsonencode({...})`` literals
    and heredoc JSON): ``container_definitions.0.privileged`` → its line, so findings point at the
    offending key rather than at the attribute."""
    try:
        node = parse(attr.expr)
    except ExprSyntaxError:
        return
    if isinstance(node, Call) and node.name == "jsonencode" and len(node.args) == 1:
        _ast_lines(node.args[0], name, attr.line, lines)
    elif isinstance(node, Template) and attr.expr.lstrip().startswith("<<"):
        body_start = attr.expr.find("\n") + 1
        if body_start > 0:
            _json_text_lines(attr.expr[body_start:], attr.line + 1, name, lines)


def _ast_lines(node: Node, prefix: str, base_line: int, lines: dict[str, int]) -> None:
    if isinstance(node, TupleNode):
        for i, item in enumerate(node.items):
            _ast_lines(item, f"{prefix}.{i}", base_line, lines)
    elif isinstance(node, ObjectNode):
        for knode, vnode in node.items:
            if not isinstance(knode, Lit):
                continue
            path = f"{prefix}.{knode.value}"
            lines.setdefault(path, base_line + knode.src.count("\n", 0, knode.start))
            _ast_lines(vnode, path, base_line, lines)


_JSON_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")\s*(:)?|([{}\[\],])|([^\s{}\[\],"]+))')


def _json_text_lines(text: str, first_line: int, prefix: str, lines: dict[str, int]) -> None:
    """A tolerant scan of JSON text (not a validator): the path and line of every object key."""
    stack: list[list[Any]] = []  # per open container: ["obj", current key] or ["arr", index]
    pos, line = 0, first_line
    while pos < len(text):
        m = _JSON_TOKEN.match(text, pos)
        if not m or m.end() == pos:
            return
        start = m.start(1) if m.group(1) else m.start(3) if m.group(3) else m.start(4)
        line += text.count("\n", pos, start)
        token_line = line
        line += text.count("\n", start, m.end())
        pos = m.end()
        string, colon, punct = m.group(1), m.group(2), m.group(3)
        if string is not None and colon and stack and stack[-1][0] == "obj":
            try:
                key = json.loads(string)
            except ValueError:
                return
            parent = prefix + "".join(f".{frame[1]}" for frame in stack[:-1])
            lines.setdefault(f"{parent}.{key}", token_line)
            stack[-1][1] = key
        elif punct in ("{", "["):
            stack.append(["obj", ""] if punct == "{" else ["arr", 0])
        elif punct in ("}", "]"):
            if not stack:
                return
            stack.pop()
        elif punct == "," and stack and stack[-1][0] == "arr":
            stack[-1][1] += 1
        if len(lines) > 10_000:
            return


_IGNORE_ITEM = re.compile(r'^\s*"?([^"]*?)"?\s*$')


def _ignore_changes(block: Block) -> tuple[str, ...] | Literal["all"]:
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
