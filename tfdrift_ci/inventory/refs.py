"""References an expression can follow into the configuration, resolved lazily (only what an
expression actually reads is evaluated): ``var``/``local``/``module``/``data`` namespaces, data
sources, resource instances and module outputs."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from tfdrift_ci.inventory.computed import computed, computed_data
from tfdrift_ci.inventory.expr.context import Ctx, Lazy
from tfdrift_ci.inventory.expr.convert import EvalError
from tfdrift_ci.inventory.instances import UNKNOWN_KEY, same_key
from tfdrift_ci.inventory.parsed import Block
from tfdrift_ci.models import Unknown


class Instance(Protocol):
    """What a reference reads from the module instance it was made in (``module.Module``)."""

    @property
    def ctx(self) -> Ctx: ...

    def expand(self, block: Block) -> list[tuple[Any, dict[str, Any]]]: ...

    def guarded(self, key: Any, text: str, ctx: Ctx) -> Any: ...

    def output(self, name: str) -> Any: ...

    def all_outputs(self) -> dict[str, Any]: ...


class Call(Protocol):
    """What a ``module.x`` reference reads from its call (``module._ModuleCall``)."""

    @property
    def name(self) -> str: ...

    @property
    def block(self) -> Block: ...

    @property
    def counted(self) -> bool: ...

    def instances(self) -> Sequence[tuple[Any, Instance | None]]: ...


class Namespace(Lazy):
    """``var`` / ``local`` / ``data`` / ``module`` / a resource type: attribute → value."""

    def __init__(self, get: Callable[[str], Any]) -> None:
        self._get = get

    def get_attr(self, name: str) -> Any:
        return self._get(name)


class DataRef(Lazy):
    """Data sources are read at plan time: always unknown statically."""

    def __init__(self, expr: str) -> None:
        self.expr = expr

    def get_attr(self, name: str) -> Any:
        return DataRef(f"{self.expr}.{name}")

    def get_index(self, key: Any) -> Any:
        return DataRef(f"{self.expr}[{json.dumps(key)}]")

    def materialize(self, expr: str) -> Any:
        return Unknown(expr)


class ResourceRef(Lazy):
    """``aws_ecs_cluster.main`` (and its instances): declared attributes evaluate, computed ones
    become (patterned) unknowns."""

    def __init__(
        self, module: Instance, block: Block, bindings: Mapping[str, Any] | None, *, data: bool = False
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
            if same_key(k, key):
                return ResourceRef(self.module, self.block, bindings, data=self.data)
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
            return computed_data(rtype, name, value_of)
        return computed(rtype, name, value_of)

    def materialize(self, expr: str) -> Any:
        if self.counted and self.bindings is None:
            instances = self.module.expand(self.block)
            if any(k == UNKNOWN_KEY for k, _ in instances):
                return Unknown(expr)
            if self.block.attribute("count") is not None:
                return [Unknown(f"{expr}[{k}]") for k, _ in instances]
            return {str(k): Unknown(f"{expr}[{json.dumps(k)}]") for k, _ in instances}
        return Unknown(expr)


class ModuleRef(Lazy):
    """``module.x`` (and ``module.x["key"]`` of a counted call): its outputs."""

    def __init__(self, call: Call) -> None:
        self.call = call

    def _instances(self) -> Sequence[tuple[Any, Instance | None]]:
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
            if same_key(k, key):
                return ModuleInstanceRef(mod)
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


class ModuleInstanceRef(Lazy):
    """One instance of a counted module call."""

    def __init__(self, module: Instance) -> None:
        self.module = module

    def get_attr(self, name: str) -> Any:
        return self.module.output(name)

    def materialize(self, expr: str) -> Any:
        return self.module.all_outputs()
