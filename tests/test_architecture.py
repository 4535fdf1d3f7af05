"""The architecture, checked: layers import downwards only, no import cycles, no module over 800 lines.

The import graph is read from the source with ``ast`` (nothing is imported), at every depth: module
level, inside functions (a function-local import that hides a cycle is still a cycle) and under
``if TYPE_CHECKING:``. Type-only imports count too: an annotation that needs a higher layer's type
means the type lives in the wrong layer (move it down), even though Python skips the import at run
time; counting them keeps the graph mypy sees the same as the one the layers describe.

An edge goes to the module named: ``from tfdrift_ci.rules import config`` is an edge to
``tfdrift_ci.rules.config``; ``from tfdrift_ci.rules.base import Rule`` to ``tfdrift_ci.rules.base``.
The parent packages Python initialises on the way are not edges (a package ``__init__`` that lists
its submodules, such as a rule registry, is not in a cycle with each of them).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "tfdrift_ci"
MAX_LINES = 800

# Lowest first. A module may import its own layer and the layers below it, never a layer above.
# A module belongs to the first entry whose name is the module or a package above it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Values and helpers every stage shares: models, settings, errors, text and time helpers.
    (
        "base",
        (
            "tfdrift_ci",  # the package __init__ (__version__ only)
            "tfdrift_ci.models",
            "tfdrift_ci.settings",
            "tfdrift_ci.errors",
            "tfdrift_ci.frozen",  # @frozen: the frozen dataclass every model uses
            "tfdrift_ci.textutil",
            "tfdrift_ci.timeutil",
            "tfdrift_ci.paths",
            "tfdrift_ci.schemas",  # data only (the JSON report's schema)
        ),
    ),
    # Reading the world into models: Terraform (inventory) and CloudTrail (events).
    ("inputs", ("tfdrift_ci.inventory", "tfdrift_ci.events")),
    # Rules over models: config rules, drift rules, the error rules, the catalog.
    ("rules", ("tfdrift_ci.rules",)),
    # What reads the rule catalog to apply a configuration: loading .tfdrift.yml (validates rule
    # ids) and suppressions (matches rule and peer ids).
    ("configuration", ("tfdrift_ci.config", "tfdrift_ci.suppress")),
    # The pipeline: CheckRequest -> Report.
    ("engine", ("tfdrift_ci.engine",)),
    # Rendering a Report: text, JSON, Markdown, SARIF, annotations …
    ("report", ("tfdrift_ci.report",)),
    # Delivering to where the run happens: GitHub (comments, summary, issues, review suggestions),
    # git (changed files, the pull request's base), the scheduled sweep and its notifiers, and the
    # code itself (fix: adopting drift into the .tf files).
    (
        "delivery",
        (
            "tfdrift_ci.fix",
            "tfdrift_ci.github",
            "tfdrift_ci.gitlab",
            "tfdrift_ci.gitutil",
            "tfdrift_ci.sweep",
            "tfdrift_ci.notify",
        ),
    ),
    # Arguments, environment, printing, exit codes.
    ("cli", ("tfdrift_ci.cli", "tfdrift_ci.__main__")),
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def _imports(name: str, source: str) -> Iterator[tuple[str, int]]:
    """(imported name, line) for every import statement in ``source`` (module ``name``), at any depth;
    ``from X import y`` gives ``X.y`` when that is a module of the package, else ``X``."""
    package = name if _is_package(name) else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x / from ..rules import base
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield (candidate if candidate in MODULES else base), node.lineno


def _edges(name: str, source: str) -> dict[str, int]:
    """{imported tfdrift_ci module: first line} of module ``name``."""
    edges: dict[str, int] = {}
    for imported, line in _imports(name, source):
        if not (imported == "tfdrift_ci" or imported.startswith("tfdrift_ci.")):
            continue
        target = imported
        while target not in MODULES and "." in target:  # tfdrift_ci.x.attr -> tfdrift_ci.x
            target = target.rpartition(".")[0]
        if target != name:
            edges.setdefault(target, line)
    return edges


def _graph() -> dict[str, dict[str, int]]:
    return {name: _edges(name, path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


GRAPH = _graph()


def _layer(name: str) -> int | None:
    for rank, (_label, prefixes) in enumerate(LAYERS):
        if any(name == p or (p != "tfdrift_ci" and name.startswith(p + ".")) for p in prefixes):
            return rank
    return None


def test_every_module_has_a_layer() -> None:
    missing = sorted(m for m in MODULES if _layer(m) is None)
    assert not missing, (
        f"{missing}: add these modules (or their package) to LAYERS in {Path(__file__).name}, "
        "at the lowest layer whose modules they import"
    )


def _upward(graph: dict[str, dict[str, int]]) -> list[str]:
    found = []
    for name, edges in graph.items():
        mine = _layer(name)
        for target, line in edges.items():
            theirs = _layer(target)
            if mine is not None and theirs is not None and theirs > mine:
                where = MODULES[name].relative_to(ROOT) if name in MODULES else name
                found.append(
                    f"{where}:{line}: {name} ({LAYERS[mine][0]}) imports {target} ({LAYERS[theirs][0]})"
                )
    return found


def test_no_upward_import() -> None:
    upward = _upward(GRAPH)
    assert not upward, "imports that point up a layer:\n" + "\n".join(upward)


def test_an_upward_import_is_seen() -> None:
    base = Path("tfdrift_ci", "rules", "base.py")
    found = _upward({"tfdrift_ci.rules.base": {"tfdrift_ci.config": 7, "tfdrift_ci.models": 8}})
    assert found == [f"{base}:7: tfdrift_ci.rules.base (rules) imports tfdrift_ci.config (configuration)"]
    assert _upward({"tfdrift_ci.cli": {"tfdrift_ci.models": 1}}) == []


# Besides the layers: what renders or delivers a Report takes it as a value and never runs the
# pipeline (the CLI runs it and hands the Report over; the sweep gets a callback from the CLI).
INDEPENDENT: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("tfdrift_ci.report", "tfdrift_ci.github", "tfdrift_ci.notify", "tfdrift_ci.sweep", "tfdrift_ci.fix"),
        "tfdrift_ci.engine",
    ),
)


def test_outputs_do_not_run_the_pipeline() -> None:
    found = [
        f"{MODULES[name].relative_to(ROOT)}:{line}: {name} imports {target}"
        for importers, target in INDEPENDENT
        for name, edges in GRAPH.items()
        if any(name == p or name.startswith(p + ".") for p in importers)
        for imported, line in edges.items()
        if imported == target
    ]
    assert not found, "\n".join(found)


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root, root_edges in graph.items():
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(root_edges))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle() -> None:
    cycles = _cycles(GRAPH)
    detail = []
    for component in cycles:
        members = set(component)
        for name in component:
            for target, line in GRAPH[name].items():
                if target in members:
                    detail.append(f"  {MODULES[name].relative_to(ROOT)}:{line}: {name} -> {target}")
    assert not cycles, "import cycles:\n" + "\n".join(detail)


def test_imports_are_read_at_every_depth() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import json\n"
        "import tfdrift_ci.models\n"
        "from tfdrift_ci.rules import config\n"
        "from tfdrift_ci.rules.base import Rule\n"
        "if TYPE_CHECKING:\n"
        "    from tfdrift_ci.engine import CheckRequest\n"
        "def f():\n"
        "    from tfdrift_ci.report import render\n"
        "    from . import settings\n"
        "    from .rules import catalog\n"
    )
    assert _edges("tfdrift_ci.example", source) == {
        "tfdrift_ci.models": 3,
        "tfdrift_ci.rules.config": 4,
        "tfdrift_ci.rules.base": 5,
        "tfdrift_ci.engine": 7,
        "tfdrift_ci.report": 9,
        "tfdrift_ci.settings": 10,
        "tfdrift_ci.rules.catalog": 11,
    }
    assert "tfdrift_ci.engine" in GRAPH["tfdrift_ci.cli"]  # the real graph is read, not empty


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}, "e": {}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b": 1}, "b": {}}) == []


@pytest.mark.parametrize(
    ("name", "layer"),
    [
        ("tfdrift_ci", "base"),
        ("tfdrift_ci.settings", "base"),
        ("tfdrift_ci.inventory.loader", "inputs"),
        ("tfdrift_ci.rules.drift", "rules"),
        ("tfdrift_ci.config", "configuration"),
        ("tfdrift_ci.github.comments", "delivery"),
        ("tfdrift_ci.cli", "cli"),
    ],
)
def test_layer_table(name: str, layer: str) -> None:
    rank = _layer(name)
    assert rank is not None and LAYERS[rank][0] == layer


# The only module that reads the process environment; everything below gets what it needs as values
# (CheckRequest.env and the fields derived from it). Libraries that read it themselves by design
# (boto3's AWS_* settings, platformdirs' XDG_* directories) are outside the package.
READS_ENVIRONMENT = frozenset({"tfdrift_ci.cli"})


def _environment_reads(source: str) -> list[int]:
    """Lines that touch ``os.environ`` / ``os.getenv`` / ``os.environb`` (or import them by name)."""
    names = ("environ", "environb", "getenv", "getenvb")
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in names:
            lines.append(node.lineno)
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            lines.extend(node.lineno for alias in node.names if alias.name in names)
    return sorted(lines)


def test_only_the_cli_reads_the_environment() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for name, path in MODULES.items()
        if name not in READS_ENVIRONMENT
        for line in _environment_reads(path.read_text(encoding="utf-8"))
    ]
    assert not found, f"read the environment in cli.py and pass the value down: {found}"
    assert _environment_reads("import os\nx = os.environ.get('A')\nfrom os import getenv\n") == [2, 3]


def test_no_module_over_the_size_limit() -> None:
    big = {
        str(path.relative_to(ROOT)): n
        for path in MODULES.values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not big, f"modules over {MAX_LINES} lines (split them by what they do): {big}"


def _frozen_dataclasses(source: str) -> list[int]:
    """Lines of ``@dataclass(frozen=True …)`` without ``slots=True``: they should be ``@frozen``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        for deco in node.decorator_list:
            if not (
                isinstance(deco, ast.Call)
                and getattr(deco.func, "id", getattr(deco.func, "attr", None)) == "dataclass"
            ):
                continue
            options = {k.arg: getattr(k.value, "value", None) for k in deco.keywords}
            if options.get("frozen") is True and options.get("slots") is not True:
                found.append(deco.lineno)
    return found


def test_frozen_values_use_frozen() -> None:
    """@dataclass(frozen=True) compiles six methods per class when the module is imported; @frozen
    (tfdrift_ci/frozen.py) is the same value with shared methods, and keeps the hook's start-up short."""
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in MODULES.values()
        for line in _frozen_dataclasses(path.read_text(encoding="utf-8"))
    ]
    assert not found, f"use @frozen (tfdrift_ci/frozen.py) instead of @dataclass(frozen=True): {found}"
    sample = (
        "@dataclass(frozen=True)\nclass A:\n    a: int\n"
        "@dataclass(frozen=True, slots=True)\nclass B:\n    b: int\n"
        "@dataclasses.dataclass(frozen=True)\nclass C:\n    c: int\n"
    )
    assert _frozen_dataclasses(sample) == [1, 7]
