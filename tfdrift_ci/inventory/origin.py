"""Where in the repository a resource attribute's value is set (:class:`~tfdrift_ci.models.Origin`).

Findings point there (a resource inside a module is changed at the calling module block's input, not
in the module), and ``tfdrift-ci fix --adopt`` rewrites the value there. Followed from the resource
block's argument:

- a literal (or any expression that is not a plain reference) stays at the argument;
- ``var.x`` in a module: the input ``x`` on the module block that made the instance (and on through
  the caller's own ``var.y`` / ``local.z``); an input not set there: the variable's default, or the
  module block itself when the module is fetched (its default is not code the user can change);
- ``var.x`` in the root module: ``--var`` (not in the code), else the last ``.tfvars`` file that sets
  it (Terraform's precedence, ``inventory/variables.py``), else ``TF_VAR_x``, else the default;
- ``local.x``: the local's expression, followed the same way;
- an argument not written: the resource block (the provider's default applies).

Computed per resource block from the module instance that declares it, on first read
(:class:`LazyOrigins`, ``Resource.origins``), and read with :func:`origin_for` / :func:`user_location` /
:func:`related_location`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from tfdrift_ci.frozen import frozen
from tfdrift_ci.inventory.expr.convert import EvalError
from tfdrift_ci.inventory.expr.syntax import (
    Call,
    ExprSyntaxError,
    GetAttr,
    Index,
    Lit,
    Node,
    ObjectNode,
    Template,
    TupleNode,
    Unary,
    Var,
    parse,
)
from tfdrift_ci.inventory.parsed import Attribute, Block
from tfdrift_ci.models import Inventory, Origin, OriginKind, Resource

if TYPE_CHECKING:
    from tfdrift_ci.inventory.module import Module
    from tfdrift_ci.inventory.project import Project

# Arguments of a module block that are not inputs, and of a resource that are not attributes.
_CALL_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
_META_ATTRS = frozenset({"count", "for_each", "provider", "depends_on"})
_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection", "precondition", "postcondition"})
_MAX_STEPS = 40  # var → input → var … (modules nest at most 20 deep; locals may chain)
_REFERENCE = re.compile(r"\b(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)")
_PROVIDER = re.compile(r'^\s*provider\s+"?aws"?\s*\{')
_INDEX = re.compile(r"\[(\d+)\]")
_FIRST_BLOCKS = re.compile(r"\.0(?=\.)")


@frozen
class RootValues:
    """Where the root module's variables get their values: the ``.tfvars`` files read (absolute
    paths, in Terraform's precedence order), the names set by ``--var`` and by ``TF_VAR_*``."""

    tfvars: Sequence[str] = ()
    cli: frozenset[str] = frozenset()
    env: frozenset[str] = frozenset()


# --------------------------------------------------------------------------------------------------
# Reading (rules, reports, fix)


def origin_for(resource: Resource, path: str | None) -> Origin:
    """Where ``path`` (``image_tag_mutability``, ``image_scanning_configuration.scan_on_push``,
    ``container_definitions[0].image``) of ``resource`` is set: its own entry, else the nearest
    enclosing one (a key inside a JSON document → the document's argument), else the resource block
    (the attribute is not written) or, for a resource in a fetched module, the module block that
    calls it from the repository."""
    if path:
        parts = _INDEX.sub(r".\1", path).split(".")
        for n in range(len(parts), 0, -1):
            found = resource.origins.get(".".join(parts[:n]))
            if found is not None:
                return found
    return _block_origin(resource, path)


def user_location(resource: Resource, path: str | None) -> Origin:
    """Where a finding on ``path`` of ``resource`` is shown: its origin when that is a file of the
    repository, else the module block in the repository that leads to the resource."""
    origin = origin_for(resource, path)
    if origin.in_repository and origin.file is not None:
        return origin
    return _block_origin(resource, path, reason=origin.reason)


def related_location(resource: Resource, path: str | None) -> tuple[str, int] | None:
    """The resource inside its module (``file``, line of the attribute or block) when the user's
    location is elsewhere; None for a resource in the root module or when both are the same place."""
    if not resource.call_sites or resource.file is None or resource.line is None:
        return None
    line = resource.line
    if path:
        parts = _INDEX.sub(r".\1", path).split(".")
        for n in range(len(parts), 0, -1):
            key = ".".join(parts[:n])
            if key in resource.attribute_lines:
                line = resource.attribute_lines[key]
                break
    where = user_location(resource, path)
    if (where.file, where.line) == (resource.file, line):
        return None
    return resource.file, line


def root_anchors(inventory: Inventory) -> dict[str, tuple[str, int]]:
    """Per root: (file, line) of its ``provider "aws"`` block, else line 1 of its first ``.tf`` file
    (files relative to PATH, the root's own directory only)."""
    out: dict[str, tuple[str, int]] = {}
    for root in inventory.roots:
        prefix = "" if root == "." else root.rstrip("/") + "/"
        own = sorted(
            f
            for f in inventory.root_files.get(root, ())
            if f.startswith(prefix) and "/" not in f[len(prefix) :] and f.endswith((".tf", ".tf.json"))
        )
        anchor = next(
            (
                (f, n)
                for f in own
                for n, text in enumerate(inventory.sources.get(f, ()), 1)
                if _PROVIDER.match(text)
            ),
            None,
        )
        if anchor is None and own:
            anchor = (own[0], 1)
        if anchor is not None:
            out[root] = anchor
    return out


def in_fetched_module(resource: Resource) -> bool:
    """The resource's own file is not in the repository (a fetched module or ``.terraform/modules``)."""
    return bool(resource.call_sites) and resource.call_sites[-1].fetched


def _block_origin(resource: Resource, path: str | None, reason: str | None = None) -> Origin:
    """The resource block, or the innermost module block in the repository on the way to it."""
    if not in_fetched_module(resource):
        return Origin(
            kind="resource_block",
            file=resource.file,
            line=resource.line,
            end_line=resource.end_line,
            name=resource.address,
            uses=1,
            reason=reason or (f"{path} is not written in the resource block" if path else None),
        )
    sites = resource.call_sites
    # the call of the first fetched module: its block is in the repository (the calls before it are
    # local modules); every call after it is inside fetched code
    first = next(i for i, s in enumerate(sites) if s.fetched)
    site = sites[first]
    return Origin(
        kind="module_block",
        file=site.file,
        line=site.line,
        end_line=None,
        name=site.address,
        reason=reason or f"set inside the module {site.package or site.source}, not in this repository",
        chain=(f"{resource.address} is declared in {site.package or site.source}",),
    )


# --------------------------------------------------------------------------------------------------
# Computing (inventory/loader.py, once per resource instance)


# (module the value is written in, the argument or an Origin when it is not in an expression,
# its file, the kind of place, uses)
_Step = tuple["Module", Attribute | Origin, str, OriginKind, int]


class _Tracer:
    """Follows values through one root's module instances; caches what modules share."""

    def __init__(self, project: Project, root_values: RootValues) -> None:
        self.project = project
        self.root_values = root_values
        self._refs: dict[str, dict[str, int]] = {}
        self._tfvars: dict[str, tuple[str, Attribute] | Origin | None] = {}

    # -- per module --------------------------------------------------------------------------------
    def references(self, module: Module) -> dict[str, int]:
        """``var.x`` / ``local.y`` → how many expressions of the module's files read it (variable
        blocks aside: their validation reads the variable itself)."""
        cached = self._refs.get(module.dir)
        if cached is None:
            cached = {}
            for parsed in module.files:
                for block in parsed.blocks:
                    if block.type != "variable":
                        _count_refs(block, cached)
            self._refs[module.dir] = cached
        return cached

    def fetched(self, module: Module) -> bool:
        return bool(module.call_sites) and module.call_sites[-1].fetched

    def in_repository(self, module: Module, file: str) -> bool:
        return not self.fetched(module) and _repository_file(file)

    def instances(self, module: Module) -> int:
        """How many instances the module's call makes (a literal input sets all of them)."""
        if module.caller is None:
            return 1
        return max(1, len(module.caller.instances()))

    def shared_by(self, module: Module) -> int:
        """How many module instances share the text of ``module``'s files: every call of its
        directory, in every root (a literal in a module called twice changes both)."""
        return max(1, self.project.dir_instances.get(module.dir, 1))

    # -- following -------------------------------------------------------------------------------
    def origin(self, module: Module, attr: Attribute, file: str, kind: OriginKind, uses: int) -> Origin:
        """The origin of ``attr`` (written in ``module``'s ``file``), following references.

        ``uses``: the fan-out from the place to the resource (resource instances, then at each step
        the references to the variable or local followed and the instances of the module call
        stepped out of) times the module instances that share the place's file: a value read in two
        places anywhere on the chain, or written in a module called twice, changes both."""
        chain: list[str] = []
        total = uses
        here = Origin(
            kind=kind,
            file=file,
            line=attr.line,
            end_line=_end_line(attr),
            name=attr.name,
            expr=attr.expr,
            uses=total * self.shared_by(module),
            in_repository=self.in_repository(module, file),
        )
        for _ in range(_MAX_STEPS):
            node = _node(attr.expr)
            ref = _reference(node)
            if ref is None:
                return _classified(here, node, chain)
            ns, name, whole = ref
            nxt = self._step(module, ns, name)
            if nxt is None:
                return _classified(here, node, chain)
            chain.append(f"{module.prefix}{ns}.{name}")
            step_module, step_attr, step_file, step_kind, step_uses = nxt
            total *= step_uses
            if isinstance(step_attr, Origin):  # the value is not in an expression we can follow
                uses_here = total * self.shared_by(step_module)
                return replace(step_attr, uses=uses_here, chain=(*chain, *step_attr.chain))
            here = Origin(
                kind=step_kind,
                file=step_file,
                line=step_attr.line,
                end_line=_end_line(step_attr),
                name=step_attr.name,
                expr=step_attr.expr,
                uses=total * self.shared_by(step_module),
                in_repository=self.in_repository(step_module, step_file),
                reason=None if whole else f"the value is part of {ns}.{name} ({node.text if node else ''})",
            )
            if not whole:
                return replace(here, chain=tuple(chain))
            module, attr = step_module, step_attr
        return replace(here, reason="references nest too deeply to follow", chain=tuple(chain))

    def _step(self, module: Module, ns: str, name: str) -> _Step | None:
        """One step: where ``var.name`` / ``local.name`` of ``module`` is set (and the fan-out it
        adds: the references to it, times the call's instances when the step leaves the module)."""
        uses = self.references(module).get(f"{ns}.{name}", 1)
        if ns == "local":
            attr = module.locals.get(name)
            if attr is None:
                return None
            return module, attr, module.declared_in.get(("local", name), ""), "local", uses
        block = module.variables.get(name)
        if block is None:
            return None
        var_file = module.declared_in.get(("var", name), "")
        call = module.caller
        if call is None:
            return self._root_variable(module, name, block, var_file, uses)
        given = call.block.attribute(name)
        if given is not None and name not in _CALL_META:
            return call.parent, given, call.file, "module_input", uses * self.instances(module)
        default = block.attribute("default")
        if self.fetched(module):
            # the module's own default: not code the user changes; the block is where to set it
            site = module.call_sites[-1]
            return _fixed(module, _module_block_origin(call.file, call.block.line, site.address, name), uses)
        if default is None:
            return _fixed(
                module, _variable_origin(var_file, block, name, "has no default and is not set"), uses
            )
        return module, default, var_file, "variable_default", uses

    def _root_variable(self, module: Module, name: str, block: Block, var_file: str, uses: int) -> _Step:
        values = self.root_values
        if name in values.cli:
            return _fixed(
                module, _variable_origin(var_file, block, name, "set by --var on the command line"), uses
            )
        entry = self._tfvars_entry(name)
        if isinstance(entry, Origin):
            return module, replace(entry, uses=uses), "", "tfvars", uses
        if entry is not None:
            return module, entry[1], entry[0], "tfvars", uses
        if name in values.env:
            why = f"set by TF_VAR_{name} in the environment"
            return _fixed(module, _variable_origin(var_file, block, name, why), uses)
        default = block.attribute("default")
        if default is None:
            return _fixed(
                module, _variable_origin(var_file, block, name, "has no default and is not set"), uses
            )
        return module, default, var_file, "variable_default", uses

    def _tfvars_entry(self, name: str) -> tuple[str, Attribute] | Origin | None:
        """(file, entry) of the last ``.tfvars`` file that sets ``name``; for a JSON one, an Origin at
        its top-level key with the value's JSON text (``fix/jsonedit.py`` rewrites it in place)."""
        if name in self._tfvars:
            return self._tfvars[name]
        found: tuple[str, Attribute] | Origin | None = None
        for path in self.root_values.tfvars:
            rel = self.project.rel(path)
            if path.endswith(".json"):
                origin = _json_tfvars_origin(path, rel, name)
                if origin is not None:
                    found = origin
                continue
            attr = next((a for a in self.project.tfvars(path).attributes if a.name == name), None)
            if attr is not None:
                found = (rel, attr)
        self._tfvars[name] = found
        return found


def resource_origins(
    tracer: _Tracer, module: Module, block: Block, file: str, *, instances: int
) -> dict[str, Origin]:
    """The origin of every argument of one resource block, by attribute path: ``a``, ``b.c`` (the
    first ``b`` block) and ``b.1.c`` (each ``b`` block by index), ``dynamic "b"`` content as ``b``.
    A key inside a JSON document is answered by the document's argument (:func:`origin_for`)."""
    out: dict[str, Origin] = {}

    def walk(body: Block, prefix: str, top: bool) -> None:
        for attr in body.attributes:
            if not (top and attr.name in _META_ATTRS):
                out[prefix + attr.name] = tracer.origin(module, attr, file, "attribute", instances)
        counts: dict[str, int] = {}
        for child in body.blocks:
            label, inner = child.type, child
            if top and label in _META_BLOCKS:
                continue
            if label == "dynamic":
                content = next(iter(child.children("content")), None)
                if not child.labels or content is None:
                    continue
                label, inner = child.labels[0], content
            index = counts.get(label, 0)
            counts[label] = index + 1
            walk(inner, f"{prefix}{label}.{index}.", False)

    walk(block, "", True)
    for path, origin in list(out.items()):
        out.setdefault(_FIRST_BLOCKS.sub("", path), origin)  # b.0.c also answers as b.c
    return out


class LazyOrigins(Mapping[str, Origin]):
    """``Resource.origins``: :func:`resource_origins` computed on first read (a run reads the origins
    of the few attributes findings name; tracing every argument of every resource at load cost a
    quarter of the load time on a large monorepo). Holds the module instance until then."""

    __slots__ = ("_args", "_map")

    def __init__(self, tracer: _Tracer, module: Module, block: Block, file: str, instances: int) -> None:
        self._args: tuple[_Tracer, Module, Block, str, int] | None = (tracer, module, block, file, instances)
        self._map: dict[str, Origin] | None = None

    def _origins(self) -> dict[str, Origin]:
        if self._map is None:
            assert self._args is not None
            tracer, module, block, file, instances = self._args
            try:
                self._map = resource_origins(tracer, module, block, file, instances=instances)
            except (EvalError, RecursionError):
                # configuration too odd to follow: the finding stays where the rule put it
                self._map = {}
            self._args = None  # the module tree can go
        return self._map

    def __getitem__(self, key: str) -> Origin:
        return self._origins()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._origins())

    def __len__(self) -> int:
        return len(self._origins())


def tracer(project: Project, root_values: RootValues) -> _Tracer:
    return _Tracer(project, root_values)


# --------------------------------------------------------------------------------------------------
# Helpers


def _count_refs(block: Block, counts: dict[str, int]) -> None:
    for attr in block.attributes:
        for m in _REFERENCE.finditer(attr.expr):
            key = f"{m.group(1)}.{m.group(2)}"
            counts[key] = counts.get(key, 0) + 1
    for child in block.blocks:
        _count_refs(child, counts)


def _node(text: str) -> Node | None:
    try:
        node = parse(text)
    except ExprSyntaxError:
        return None
    if isinstance(node, Template) and len(node.parts) == 1 and isinstance(node.parts[0], Node):
        return node.parts[0]  # "${var.x}" is var.x
    return node


def _reference(node: Node | None) -> tuple[str, str, bool] | None:
    """(``var``/``local``, name, whole) when ``node`` is ``var.x`` (whole) or a traversal into it
    (``var.x.y``, ``var.x[0]``: the location is x's, the value only part of it)."""
    whole = True
    while isinstance(node, GetAttr | Index):
        obj = node.obj
        if isinstance(node, GetAttr) and isinstance(obj, Var) and obj.name in ("var", "local"):
            return obj.name, node.name, whole
        whole = False
        node = obj
    return None


def _literal(node: Node | None) -> bool:
    if isinstance(node, Lit):
        return True
    if isinstance(node, Template):
        return all(isinstance(p, str) for p in node.parts)
    if isinstance(node, Unary):
        return node.op == "-" and isinstance(node.x, Lit)
    if isinstance(node, TupleNode):
        return all(_literal(i) for i in node.items)
    if isinstance(node, ObjectNode):
        return all(_literal(k) and _literal(v) for k, v in node.items)
    return False


def _classified(here: Origin, node: Node | None, chain: list[str]) -> Origin:
    """``here`` with ``single_literal`` and the reason it cannot be adopted (when it cannot)."""
    literal = _literal(node)
    if not literal and isinstance(node, Call) and node.name == "jsonencode" and len(node.args) == 1:
        literal = _literal(node.args[0])
    reason = here.reason
    if reason is None and not literal:
        text = " ".join(here.expr.split())
        reason = f"{text[:80]} is an expression, not a literal" if node is not None else "not parsed"
    if reason is None and not here.in_repository:
        reason = "set in a module that is not in this repository"
    if reason is None and here.uses > 1:
        reason = (
            f"{here.uses} instances of the resource share the argument"
            if here.kind == "attribute"
            else f"{here.uses} places take their value from it"
        )
    return replace(here, single_literal=literal, reason=reason, chain=tuple(chain))


def _end_line(attr: Attribute) -> int:
    """The expression's last line (the text is exact; parsers disagree on a heredoc's end)."""
    return attr.line + attr.expr.rstrip().count("\n")


def _fixed(module: Module, origin: Origin, uses: int) -> _Step:
    """A step that ends at a place with no expression to follow (``origin`` says where and why)."""
    return module, replace(origin, uses=uses), "", origin.kind, uses


def _variable_origin(file: str, block: Block, name: str, why: str) -> Origin:
    return Origin(
        kind="variable",
        file=file,
        line=block.line,
        end_line=block.end_line,
        name=name,
        reason=f"var.{name} {why}",
        in_repository=_repository_file(file),
    )


def _module_block_origin(file: str, line: int, address: str, name: str) -> Origin:
    return Origin(
        kind="module_block",
        file=file,
        line=line,
        end_line=None,
        name=address,
        reason=f"the module's default for input {name!r}: set {name} on the module block to change it",
        in_repository=_repository_file(file),
    )


def _repository_file(file: str) -> bool:
    """A path as Project.rel shows it names a file of the user's code: not ``pkg//path`` of a fetched
    module, not under ``.terraform/`` (``..`` is fine: a local module beside the scanned root)."""
    if not file or "//" in file or os.path.isabs(file):
        return False
    return ".terraform" not in file.split("/")


def _json_tfvars_origin(path: str, rel: str, name: str) -> Origin | None:
    """Where the JSON tfvars file ``path`` sets ``name``: its top-level member (a nested key of the
    same name is not it), with the value's text; None when the file does not set it."""
    from tfdrift_ci.inventory import jsonspans

    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read(1 << 20)
        span = jsonspans.top_level(text, name)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if span is None:
        return None
    return Origin(
        kind="tfvars",
        file=rel,
        line=text.count("\n", 0, span.first) + 1,
        end_line=text.count("\n", 0, span.end) + 1,
        name=name,
        expr=text[span.start : span.end],
        single_literal=True,
        in_repository=_repository_file(rel),
    )


def root_values(tfvars: Sequence[str], cli: Mapping[str, str], env: Mapping[str, str]) -> RootValues:
    return RootValues(
        tfvars=tuple(tfvars),
        cli=frozenset(cli),
        env=frozenset(k[len("TF_VAR_") :] for k in env if k.startswith("TF_VAR_")),
    )
