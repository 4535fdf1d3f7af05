"""The Terraform inventory: every ECR/ECS resource a project declares, with its values, location and
CloudTrail identity.

Entry points used by ``cli.py``: :func:`load`, :func:`render`, :func:`restrict`,
:func:`roots_for_files`. Nothing heavy is imported here at module level: the HCL parser is imported
only when a file is parsed, so the pre-commit path (``roots_for_files``) stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from tfdrift_ci.errors import InventoryError
from tfdrift_ci.inventory.roots import roots_for_files as _roots_for_files
from tfdrift_ci.models import Inventory, Resource

if TYPE_CHECKING:
    from tfdrift_ci.inventory.fetch.options import ModuleOptions
    from tfdrift_ci.inventory.project import Project

__all__ = ["load", "render", "restrict", "roots_for_files"]


def load(
    path: str,
    *,
    plan: str | None = None,
    var_files: Sequence[str] = (),
    variables: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    parser: Literal["auto", "hcl2"] = "auto",
    cache_dir: str | None = None,
    modules: ModuleOptions | None = None,
) -> Inventory:
    """Read PATH (a directory, or one ``.tf`` file) and, when given, a plan (JSON or binary).

    ``env`` is Terraform's environment (``TF_VAR_*``, ``TF_DATA_DIR``, ``TF_WORKSPACE``, ``PATH`` for
    a binary plan), passed in by the caller: nothing here reads ``os.environ``. ``parser``: "auto"
    (tree-sitter, python-hcl2 for what it declines) or "hcl2" (python-hcl2 only, the reference).
    ``cache_dir``: the tool's cache directory for the parse cache, None for none. ``modules``: how
    registry/git/archive modules are followed (fetched, or from the module cache only); None: only
    local modules and ``.terraform/modules``."""
    # not at import time: the pre-commit path (roots_for_files) stays lean
    from tfdrift_ci.inventory.hcl import ParseOptions
    from tfdrift_ci.inventory.loader import RootLoader
    from tfdrift_ci.inventory.project import Project
    from tfdrift_ci.inventory.variables import RootInputs

    variables = variables or {}
    env = env or {}
    if not os.path.exists(path):
        raise InventoryError("no such file or directory", file=path)
    only: list[str] | None = None
    if os.path.isfile(path):
        if not path.endswith((".tf", ".tf.json")):
            raise InventoryError("not a Terraform file: give a directory or a .tf file", file=path)
        base = os.path.dirname(os.path.abspath(path))
        only = [os.path.basename(path)]
        root_dirs = [base]
    elif os.path.isdir(path):
        base = os.path.abspath(path)
        root_dirs = []
    else:
        raise InventoryError("not a regular file or directory", file=path)

    fetcher = None
    if modules is not None:
        from tfdrift_ci.inventory.fetch.lazy import LazyFetcher

        fetcher = LazyFetcher(modules)  # the fetching machinery is imported for the first remote module
    project = Project(base, ParseOptions(parser=parser, cache_dir=cache_dir), fetcher=fetcher)
    if only is None:
        root_dirs = _find_roots(project)
    inputs = RootInputs(var_files=var_files, variables=variables, env=env)
    resources: list[Resource] = []
    declared_only: list[Resource] = []
    root_files: dict[str, tuple[str, ...]] = {}
    root_names: list[str] = []
    try:
        for root_dir in root_dirs:
            rl = RootLoader(project, root_dir, inputs, only_files=only)
            first_call = len(project.unfollowed)
            found, files = rl.load()
            # the calls this root met: per-root reports (PR comments) keep their own gaps
            project.unfollowed[first_call:] = [
                replace(m, root=rl.root_rel) for m in project.unfollowed[first_call:]
            ]
            resources.extend(found)
            declared_only.extend(rl.declared_only)
            root_names.append(rl.root_rel)
            root_files[rl.root_rel] = tuple(files)
    finally:
        if fetcher is not None:
            fetcher.close()  # a temporary module cache (no cache directory) is removed here
    if only is not None and project.problems and not resources:
        # PATH is one .tf file and it cannot be read: nothing else to check, a one-line input error
        problem = project.problems[0]
        raise InventoryError(problem.message, file=path, line=problem.line)
    inv = Inventory(
        path=path,
        roots=tuple(root_names),
        resources=tuple(resources),
        files=len(project.tf_files),
        problems=tuple(sorted(project.problems, key=lambda p: (p.file, p.line or 0))),
        unfollowed_modules=tuple(project.unfollowed),
        sources=dict(project.sources),
        regions=tuple(sorted(project.regions)),
        root_files=root_files,
        declared_only=tuple(declared_only),
        notices=capped_notices(project.file_notices),
    )
    if plan is not None:
        inv = _with_plan(inv, plan, base, env)
    return inv


MAX_NOTICES = 20  # file-read notices listed one by one; the rest are counted


def capped_notices(notices: Mapping[str, None] | Sequence[str]) -> tuple[str, ...]:
    """The first ``MAX_NOTICES`` notices, and one saying how many more there were."""
    listed = list(notices)
    if len(listed) <= MAX_NOTICES:
        return tuple(listed)
    more = len(listed) - MAX_NOTICES
    return (*listed[:MAX_NOTICES], f"… and {more} more files the file functions did not read")


def _find_roots(project: Project) -> list[str]:
    """Directories with .tf files that no other directory under base calls as a local module.
    Module calls are read from the parsed files (exact), not the pre-commit regex."""
    from tfdrift_ci.inventory.expr.context import EMPTY_CTX
    from tfdrift_ci.inventory.expr.evaluate import evaluate_text
    from tfdrift_ci.inventory.module_sources import is_local_source
    from tfdrift_ci.inventory.roots import walk_tf_dirs

    dirs = [(os.path.abspath(d), names) for d, names in walk_tf_dirs(project.base)]
    called: set[str] = set()
    for d, names in dirs:
        for parsed in project.dir_files(d, names):
            for block in parsed.blocks:
                if block.type != "module":
                    continue
                attr = block.attribute("source")
                if attr is None:
                    continue
                value = evaluate_text(attr.expr, EMPTY_CTX)
                if isinstance(value, str) and is_local_source(value):
                    target = os.path.normpath(os.path.join(d, value))
                    if target != d:
                        called.add(target)
    return [d for d, _ in dirs if d not in called]


def _with_plan(inv: Inventory, plan: str, base: str, env: Mapping[str, str]) -> Inventory:
    from tfdrift_ci.inventory import plan_json

    working_dir = base if len(inv.roots) != 1 else os.path.normpath(os.path.join(base, inv.roots[0]))
    data = plan_json.read(plan, working_dir, env)
    static: dict[str, Resource] = {}
    # one root: join to it; several roots: the first root declaring an address wins
    for r in inv.resources:
        static.setdefault(r.address, r)
    try:
        resources, regions = plan_json.resources_from_plan(data, static)
    except RecursionError:
        raise InventoryError("plan values nest too deeply to be read", file=plan) from None
    return replace(
        inv,
        resources=tuple(resources),
        plan_file=plan,
        regions=tuple(sorted(set(inv.regions) | regions)),
    )


def render(inv: Inventory, fmt: str) -> str:
    from tfdrift_ci.inventory import output as r

    if fmt == "json":
        return r.render_json(inv)
    if fmt == "text":
        return r.render_text(inv)
    raise ValueError(f"unknown inventory format {fmt!r}")


def restrict(inv: Inventory, changed_files: Sequence[str]) -> Inventory:
    """Keep only the roots whose files include a changed file (paths relative to PATH or absolute)."""
    base = os.path.abspath(inv.path if os.path.isdir(inv.path) else os.path.dirname(inv.path) or ".")
    changed: set[str] = set()
    for f in changed_files:
        full = f if os.path.isabs(f) else os.path.join(base, f)
        changed.add(os.path.relpath(os.path.normpath(full), base).replace(os.sep, "/"))
        changed.add(os.path.normpath(f).replace(os.sep, "/"))
    keep = tuple(root for root in inv.roots if changed & set(inv.root_files.get(root, ())))
    files = {f for root in keep for f in inv.root_files.get(root, ()) if f.endswith((".tf", ".tf.json"))}
    return replace(
        inv,
        roots=keep,
        resources=tuple(r for r in inv.resources if r.root in keep),
        declared_only=tuple(r for r in inv.declared_only if r.root in keep),
        root_files={root: inv.root_files[root] for root in keep if root in inv.root_files},
        problems=tuple(p for p in inv.problems if p.file in files),
        unfollowed_modules=tuple(m for m in inv.unfollowed_modules if m.file in files),
        files=len(files),
    )


def roots_for_files(files: Sequence[str], repo_root: str) -> list[str]:
    """The Terraform roots the pre-commit hook must check for these changed files."""
    return _roots_for_files(files, repo_root)
