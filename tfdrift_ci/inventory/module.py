"""A :class:`Module` is one module *instance* (the root, or a ``module`` call with its count/for_each
key): it resolves ``var``/``local``/``module``/resource references lazily, so only what a resource
actually needs is evaluated. ``_ModuleCall`` is one ``module`` block and makes the child instances."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tfdrift_ci.inventory import module_sources
from tfdrift_ci.inventory.expr import types
from tfdrift_ci.inventory.expr.context import EMPTY_CTX, Ctx
from tfdrift_ci.inventory.expr.convert import EvalError, too_big
from tfdrift_ci.inventory.expr.evaluate import evaluate_text
from tfdrift_ci.inventory.expr.syntax import ExprSyntaxError, GetAttr, Var, parse
from tfdrift_ci.inventory.instances import MAX_INSTANCES, UNKNOWN_KEY, key_text, unknown_bindings
from tfdrift_ci.inventory.parsed import Attribute, Block
from tfdrift_ci.inventory.project import Project
from tfdrift_ci.inventory.providers import ProviderInfo, parse_provider_map, provider_info, provider_key
from tfdrift_ci.inventory.refs import DataRef, ModuleRef, Namespace, ResourceRef
from tfdrift_ci.models import CallSite, ModuleCall, Unknown
from tfdrift_ci.paths import is_inside

_MAX_MODULE_DEPTH = 20

# Arguments of a module block that are not input variables of the module.
_CALL_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})

# Module instances per root (nested for_each fan-out): beyond it, calls are listed as not followed.
MAX_MODULE_INSTANCES = 5_000

# Data sources whose declared arguments name an existing ECS/ECR object (see computed_data); every
# other data source is unknown as a whole.
_NAMED_DATA_SOURCES = frozenset({"aws_ecs_cluster", "aws_ecr_repository", "aws_ecs_task_definition"})


@dataclass
class RootState:
    """What every module instance of one root shares: the project, the root's directory and data
    (workspace, downloaded modules), the directories ``file()`` may read, and what was read."""

    project: Project
    root_dir: str
    workspace: str
    modules_json: dict[str, module_sources.Downloaded]
    # file()/templatefile() read inside the repository only (configuration from a pull request must
    # not make us print files of the CI machine); a module outside it adds its own directory
    allowed_dirs: tuple[str, ...]
    only_files: Sequence[str] | None = None  # PATH was one .tf file: the root reads only it
    dirs_read: set[str] = field(default_factory=set)
    files_read: set[str] = field(default_factory=set)  # by file() / templatefile()
    module_instances: int = 0


class _ModuleCall:
    def __init__(self, parent: Module, name: str, block: Block, file: str) -> None:
        self.parent = parent
        self.name = name
        self.block = block
        self.file = file
        self.counted = block.attribute("count") is not None or block.attribute("for_each") is not None
        self._instances: list[tuple[Any, Module | None]] | None = None
        self._phantom: Module | None = None
        self._resolved: module_sources.Resolved | None = None

    def source(self) -> str | None:
        attr = self.block.attribute("source")
        if attr is None:
            return None
        value = evaluate_text(attr.expr, EMPTY_CTX)
        return value if isinstance(value, str) else None

    def version(self) -> str | None:
        attr = self.block.attribute("version")
        if attr is None:
            return None
        value = evaluate_text(attr.expr, EMPTY_CTX)
        return value if isinstance(value, str) else None

    def resolved(self) -> module_sources.Resolved:
        """Where the call's code is (resolved once: a fetch is never repeated per instance)."""
        if self._resolved is None:
            source = self.source()
            if source is None:
                self._resolved = module_sources.Resolved(None, "module source is not a literal string")
            else:
                key = ".".join((*self.parent.call_keys, self.name))
                project = self.parent.project
                self._resolved = module_sources.resolve(
                    source,
                    self.parent.dir,
                    key,
                    self.parent.state.modules_json,
                    version=self.version(),
                    fetcher=project.fetcher,
                )
                res = self._resolved
                if res.package_root is not None and res.prefix is not None:
                    project.show_as(res.package_root, res.prefix)
        return self._resolved

    def directory(self) -> tuple[str | None, str]:
        """(module dir or None, reason when None)."""
        res = self.resolved()
        return res.directory, res.reason

    def instances(self) -> list[tuple[Any, Module | None]]:
        """(instance key, child module) per instance; ``[(None, None)]`` when the call is not
        followed (recorded in ``Project.unfollowed`` with the reason)."""
        if self._instances is not None:
            return self._instances
        self._instances = []  # re-entrancy guard
        parent = self.parent
        directory, reason = self.directory()
        if directory is None or not os.path.isdir(directory):
            if directory is not None:
                reason = f"module directory {parent.project.rel(directory)} not found"
            return self._not_followed(reason)
        # parent.dir too: `source = "./"` (a module calling its own directory) is a cycle as well
        if len(parent.path) >= _MAX_MODULE_DEPTH or directory in (*parent.ancestors, parent.dir):
            return self._not_followed("module calls itself (or nests too deeply)")
        expansion = parent.expand(self.block)
        parent.state.module_instances += len(expansion)
        if parent.state.module_instances > MAX_MODULE_INSTANCES:
            return self._not_followed(f"more than {MAX_MODULE_INSTANCES} module instances in this root")
        out: list[tuple[Any, Module | None]] = []
        for key, bindings in expansion:
            label = self.name if not self.counted else f"{self.name}[{key_text(key)}]"
            providers = dict(parent.providers)
            pmap = self.block.attribute("providers")
            if pmap is not None:
                for child_key, parent_key in parse_provider_map(pmap.expr).items():
                    providers[child_key] = parent.providers.get(parent_key, ProviderInfo())
            out.append((key, self._child(directory, label, parent.ctx.bind(bindings), providers)))
        self._instances = out
        return out

    def _not_followed(self, reason: str) -> list[tuple[Any, Module | None]]:
        from tfdrift_ci.inventory.fetch import known  # remote-address parsing: not for local modules

        self.parent.project.unfollowed.append(
            ModuleCall(
                address=self.parent.prefix + f"module.{self.name}",
                source=module_sources.shown(self.source() or ""),
                file=self.file,
                line=self.block.line,
                reason=reason,
                version=self.version(),
                relevance=known.rank(self.source() or ""),
            )
        )
        self._instances = [(None, None)]
        return self._instances

    def _child(self, directory: str, label: str, ctx: Ctx, providers: Mapping[str, ProviderInfo]) -> Module:
        """The module instance this call makes: its inputs are the call's arguments, evaluated in
        the caller (with the instance's count/each) when the child reads them."""
        parent = self.parent
        inputs = {a.name: _thunk(a.expr, ctx) for a in self.block.attributes if a.name not in _CALL_META}
        res = self.resolved()
        site = CallSite(
            address=parent.prefix + f"module.{label}",
            file=self.file,
            line=self.block.line,
            source=module_sources.shown(self.source() or ""),
            inputs={a.name: a.line for a in self.block.attributes if a.name not in _CALL_META},
            fetched=res.fetched,
            package=res.package,
        )
        return Module(
            state=parent.state,
            directory=directory,
            path=(*parent.path, label),
            call_keys=(*parent.call_keys, self.name),
            inputs=inputs,
            providers=providers,
            ancestors=(*parent.ancestors, parent.dir),
            call_sites=(*parent.call_sites, site),
            package_root=res.package_root,
            caller=self,
        )

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
        label = f"{self.name}[*]" if self.counted else self.name
        self._phantom = self._child(directory, label, parent.ctx.bind(unknown_bindings()), parent.providers)
        return self._phantom


def _is_override(path: str) -> bool:
    name = os.path.basename(path)
    if name in ("override.tf", "override.tf.json"):
        return True
    return name.endswith(("_override.tf", "_override.tf.json"))


def _merged(base: Block, override: Block) -> Block:
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


def _thunk(text: str, ctx: Ctx) -> Callable[[], Any]:
    cache: list[Any] = []

    def get() -> Any:
        if not cache:
            cache.append(evaluate_text(text, ctx))
        return cache[0]

    return get


class Module:
    """One module instance."""

    def __init__(
        self,
        *,
        state: RootState,
        directory: str,
        path: tuple[str, ...],
        call_keys: tuple[str, ...],
        inputs: Mapping[str, Callable[[], Any]],
        providers: Mapping[str, ProviderInfo],
        ancestors: tuple[str, ...] = (),
        root_values: Mapping[str, Any] | None = None,
        call_sites: tuple[CallSite, ...] = (),
        package_root: str | None = None,
        caller: _ModuleCall | None = None,
    ) -> None:
        self.state = state
        self.caller = caller  # the module block that made this instance (None: the root module)
        self.call_sites = call_sites
        self.project = state.project
        self.dir = os.path.abspath(directory)
        self.path = path
        self.call_keys = call_keys
        self.inputs = inputs
        self.root_values = root_values
        self.ancestors = ancestors
        self.prefix = "".join(f"module.{p}." for p in path)
        self.files = self.project.dir_files(self.dir, state.only_files if not path else None)
        state.dirs_read.add(self.dir)
        self.project.dir_instances[self.dir] = self.project.dir_instances.get(self.dir, 0) + 1
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, Attribute] = {}
        # the file (as Project.rel shows it) each variable / local is declared in (inventory/origin.py)
        self.declared_in: dict[tuple[str, str], str] = {}
        self.outputs: dict[str, Attribute] = {}
        self.resources: dict[tuple[str, str], tuple[Block, str]] = {}
        self.data_sources: dict[tuple[str, str], Block] = {}
        self.resource_types: set[str] = set()
        self.calls: dict[str, _ModuleCall] = {}
        provider_blocks = self._index_files()
        rel_dir = os.path.relpath(self.dir, state.root_dir).replace(os.sep, "/")
        # path.module / path.root are relative to the working directory (the root), path.cwd is
        # absolute: https://developer.hashicorp.com/terraform/language/expressions/references#filesystem-and-workspace-info
        self._path_value = {"module": rel_dir, "root": ".", "cwd": state.root_dir}
        self._cache: dict[Any, Any] = {}
        self._busy: set[Any] = set()
        if package_root is not None and not is_inside(os.path.realpath(self.dir), state.allowed_dirs):
            # a fetched module: the files of its own package may be read, nothing else
            state.allowed_dirs = (*state.allowed_dirs, os.path.realpath(package_root))
        elif self.files and not is_inside(os.path.realpath(self.dir), state.allowed_dirs):
            # a module outside the repository (no .git above PATH): its own files and siblings
            # (`${path.module}/../policies/x.json`) may be read, nothing else
            real = os.path.realpath(self.dir)
            state.allowed_dirs = (*state.allowed_dirs, real, os.path.dirname(real))
        self.ctx = Ctx(
            self.resolve,
            cwd=state.root_dir,
            allowed_dirs=state.allowed_dirs,
            reads=state.files_read,
            notices=state.project.file_notices,
        )
        self.providers: dict[str, ProviderInfo] = dict(providers)
        for block in provider_blocks:
            key = provider_key(block, self.ctx)
            info = provider_info(block, self.ctx)
            self.providers[key] = info
            if info.region:
                self.project.regions.add(info.region)

    def _index_files(self) -> list[Block]:
        """Index the blocks of this module's files by kind; returns the provider blocks. Override
        files are merged into the blocks they name, after every other file
        (https://developer.hashicorp.com/terraform/language/files/override)."""
        provider_blocks: list[Block] = []
        for parsed in sorted(self.files, key=lambda p: _is_override(p.path)):
            rel = self.project.rel(parsed.path)
            override = _is_override(parsed.path)
            for block in parsed.blocks:
                if override and self._merge_override(block):
                    continue
                t, labels = block.type, block.labels
                if t == "variable" and labels:
                    self.variables[labels[0]] = block
                    self.declared_in[("var", labels[0])] = rel
                elif t == "locals":
                    for attr in block.attributes:
                        self.locals[attr.name] = attr
                        self.declared_in[("local", attr.name)] = rel
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
        return provider_blocks

    def _merge_override(self, block: Block) -> bool:
        """Merge an override file's block into the resource, module call or variable it names (True),
        or False when it names none (it is then read like any other block)."""
        t, labels = block.type, block.labels
        if t == "resource" and (labels[0], labels[1]) in self.resources:
            base, base_rel = self.resources[(labels[0], labels[1])]
            self.resources[(labels[0], labels[1])] = (_merged(base, block), base_rel)
            return True
        if t == "module" and labels and labels[0] in self.calls:
            call = self.calls[labels[0]]
            call.block = _merged(call.block, block)
            call.counted = call.block.attribute("count") is not None or (
                call.block.attribute("for_each") is not None
            )
            return True
        if t == "variable" and labels and labels[0] in self.variables:
            self.variables[labels[0]] = _merged(self.variables[labels[0]], block)
            return True
        return False

    # -- names -----------------------------------------------------------------------------------
    def resolve(self, name: str) -> Any:
        if name == "var":
            return Namespace(self.var)
        if name == "local":
            return Namespace(self.local)
        if name == "module":
            return Namespace(self.module_ref)
        if name == "data":
            return Namespace(lambda t: Namespace(lambda n: self.data_ref(t, n)))
        if name == "path":
            return self._path_value
        if name == "terraform":
            return {"workspace": self.state.workspace}
        if name in ("count", "each", "self"):
            return Unknown(name)
        if name in self.resource_types:
            return Namespace(lambda n: self.resource_ref(name, n))
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
        return ModuleRef(call)

    def data_ref(self, rtype: str, name: str) -> Any:
        block = self.data_sources.get((rtype, name))
        if block is None:
            return DataRef(f"data.{rtype}.{name}")
        return ResourceRef(self, block, None, data=True)

    def resource_ref(self, rtype: str, name: str) -> Any:
        entry = self.resources.get((rtype, name))
        if entry is None:
            raise EvalError(f"undeclared resource {rtype}.{name}")
        return ResourceRef(self, entry[0], None)

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
            out.append((str(key), {"each": {"key": str(key), "value": ResourceRef(self, target, bindings)}}))
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
