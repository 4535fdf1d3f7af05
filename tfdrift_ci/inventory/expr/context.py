"""What an expression can see: :class:`Ctx` (the names the loader resolves, iteration bindings, the
directories ``file()`` may read) and :class:`Lazy` (a value resolved on access, such as ``var`` or a
resource instance, so only what an expression actually reads is evaluated).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tfdrift_ci.inventory.expr.convert import EvalError
from tfdrift_ci.models import Unknown


class Lazy:
    """A value resolved on access (``var``, ``module.x``, ``aws_ecs_cluster.main``…)."""

    def get_attr(self, name: str) -> Any:
        raise EvalError(f"unsupported attribute {name!r}")

    def get_index(self, key: Any) -> Any:
        raise EvalError("cannot index this value")

    def materialize(self, expr: str) -> Any:
        """The whole value, when it leaves a traversal (into a function, a collection …)."""
        return Unknown(expr)


class Ctx:
    """Names visible to an expression. ``resolve(name)`` answers the root names the loader owns
    (var, local, module, data, path, terraform, count, each, resource types); ``bindings`` holds
    for-expression / iterator variables layered on top. ``reads`` collects the files file() and
    templatefile() read (a change to them selects the root in --changed-only / pre-commit);
    ``notices`` what the file functions refused to read (an ordered set of report notices)."""

    __slots__ = ("allowed_dirs", "bindings", "cwd", "notices", "reads", "resolve")

    def __init__(
        self,
        resolve: Callable[[str], Any],
        cwd: str = ".",
        bindings: Mapping[str, Any] | None = None,
        allowed_dirs: tuple[str, ...] = (),
        reads: set[str] | None = None,
        *,
        notices: dict[str, None] | None = None,
    ) -> None:
        self.resolve = resolve
        self.cwd = cwd
        self.bindings: Mapping[str, Any] = bindings or {}
        self.allowed_dirs = allowed_dirs
        self.reads = reads
        self.notices = notices

    def bind(self, names: Mapping[str, Any]) -> Ctx:
        merged = dict(self.bindings)
        merged.update(names)
        return Ctx(self.resolve, self.cwd, merged, self.allowed_dirs, self.reads, notices=self.notices)

    def lookup(self, name: str) -> Any:
        if name in self.bindings:
            return self.bindings[name]
        return self.resolve(name)


def no_names(name: str) -> Any:
    raise EvalError(f"unknown name {name!r}")


EMPTY_CTX = Ctx(no_names)
