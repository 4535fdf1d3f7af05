"""Loading one Terraform root: its variables, its module tree (followed through local paths,
``.terraform/modules`` and fetched registry/git/archive modules) and every ECR/ECS resource instance
in it, as :class:`~tfdrift_ci.models.Resource`."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence

from tfdrift_ci.inventory import module_sources, origin
from tfdrift_ci.inventory.expr.convert import unknown_paths
from tfdrift_ci.inventory.identity import RESOURCE_TYPES, identity_for
from tfdrift_ci.inventory.instances import UNKNOWN_KEY, key_text, unknown_bindings
from tfdrift_ci.inventory.lines import document_lines
from tfdrift_ci.inventory.module import Module, RootState
from tfdrift_ci.inventory.parsed import Block
from tfdrift_ci.inventory.project import Project
from tfdrift_ci.inventory.providers import default_provider, provider_ref
from tfdrift_ci.inventory.resources import JSON_DOCUMENTS, block_values, ignore_changes, json_document
from tfdrift_ci.inventory.variables import RootInputs, root_variable_values
from tfdrift_ci.models import Resource

WANTED = frozenset(RESOURCE_TYPES)


class RootLoader:
    """One root: ``load()`` builds its module tree from the root module down and lists the resource
    instances of the inventoried types (``declared_only``: those declared in a module with no
    instance, e.g. ``count = 0``)."""

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
        self.declared_only: list[Resource] = []
        self.tfvars_read: list[str] = []
        # TF_DATA_DIR moves .terraform; the selected workspace is TF_WORKSPACE, else the one
        # `terraform workspace select` recorded in <data dir>/environment
        # https://developer.hashicorp.com/terraform/cli/config/environment-variables
        data_dir = os.path.join(self.root_dir, inputs.env.get("TF_DATA_DIR") or ".terraform")
        self.state = RootState(
            project=project,
            root_dir=self.root_dir,
            workspace=inputs.env.get("TF_WORKSPACE") or _selected_workspace(data_dir) or "default",
            modules_json=module_sources.read_modules_entries(data_dir, self.root_dir),
            # without git, inside PATH
            allowed_dirs=project.trusted,
            only_files=only_files,
        )

    def load(self) -> tuple[list[Resource], list[str]]:
        """Resources of this root and every file read for it (relative to the project)."""
        files = self.project.dir_files(self.root_dir, self.state.only_files)
        declared: dict[str, Block] = {}
        for parsed in files:
            for block in parsed.blocks:
                if block.type == "variable" and block.labels:
                    declared[block.labels[0]] = block
        values, self.tfvars_read = root_variable_values(self.project, self.root_dir, declared, self.inputs)
        self.tracer = origin.tracer(
            self.project, origin.root_values(self.tfvars_read, self.inputs.variables, self.inputs.env)
        )
        root = Module(
            state=self.state,
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
        for d in self.state.dirs_read:
            for parsed in self.project.dir_files(d):
                read.add(self.project.rel(parsed.path))
        read.update(self.project.rel(p) for p in self.tfvars_read)
        read.update(self.project.rel(p) for p in self.state.files_read)
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
        provider = provider_ref(provider_attr.expr) if provider_attr is not None else None
        pinfo = module.providers.get(provider or default_provider(rtype)) or module.providers.get("aws")
        counted = block.attribute("count") is not None or block.attribute("for_each") is not None
        ignore = ignore_changes(block)
        expansion = module.expand(block)
        if template:
            # no instance: evaluate once with unknown count/each, address without an instance key
            unknown = unknown_bindings()
            expansion = [(None, unknown)]
            counted = False
        # the same for every instance of the block; traced when a finding asks
        origins = origin.LazyOrigins(self.tracer, module, block, rel, len(expansion))
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
                address += f"[{key_text(key)}]"
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
                provider=provider or default_provider(rtype),
                unknowns=tuple(unknowns),
                call_sites=module.call_sites,
                origins=origins,
            )


def _selected_workspace(data_dir: str) -> str | None:
    try:
        with open(os.path.join(data_dir, "environment"), encoding="utf-8") as fh:
            name = fh.read(256).strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if re.fullmatch(r"[A-Za-z0-9_.-]+", name) else None
