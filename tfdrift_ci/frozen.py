"""``@frozen``: the project's frozen dataclass, cheaper to define.

A class decorated with :func:`frozen` is a real frozen dataclass: ``dataclasses.fields``,
``replace``, ``asdict``, pickling and ``FrozenInstanceError`` work as with
``@dataclass(frozen=True)``, and ``==``, ``hash()`` and ``repr()`` give the same answers (the
fields a dataclass compares, hashes and shows, in declaration order). The difference is where those
three methods come from: one shared function each instead of three generated per class.

Why: Python 3.11's ``dataclasses`` writes the source of six methods for every frozen class and
compiles each one with ``exec`` when the class is defined: ~0.1 ms a method, ~0.6 ms a class. The
pre-commit hook defines some fifty of these classes before it reads a file, so a third of its own
work was compiling ``__eq__``/``__hash__``/``__repr__`` it hardly calls. With ``@frozen`` only
``__init__``, ``__setattr__`` and ``__delattr__`` are generated (``bench/README.md``, section 7,
has the figures). Comparison and hashing go through ``operator.attrgetter``, as fast as the
generated code.

Classes needing ``slots=True`` or mutable dataclasses keep ``@dataclass``.
"""

from __future__ import annotations

import dataclasses
from _thread import get_ident
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

_T = TypeVar("_T")

# Per class: the getter of the compared fields, of the hashed fields, and the shown field names.
_EQ = "__frozen_eq__"
_HASH = "__frozen_hash__"
_REPR = "__frozen_repr__"


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def frozen(cls: type[_T]) -> type[_T]:
    """``@dataclass(frozen=True)`` with shared ``__eq__``, ``__hash__`` and ``__repr__``. A method the
    class defines itself wins, as with ``@dataclass`` (a class defining ``__eq__`` alone still gets
    the fields' hash, as ``@dataclass(frozen=True)`` gives it)."""
    own = cls.__dict__
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    if "__eq__" not in own:
        cls.__eq__ = _eq  # type: ignore[method-assign]
    if not explicit_hash:
        cls.__hash__ = _hash  # type: ignore[method-assign]
    if "__repr__" not in own:
        cls.__repr__ = _repr  # type: ignore[method-assign]
    made = dataclasses.dataclass(frozen=True, eq=False, repr=False)(cls)
    fields = dataclasses.fields(made)  # type: ignore[arg-type]
    compared = tuple(f.name for f in fields if f.compare)
    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    setattr(made, _EQ, _getter(compared))
    setattr(made, _HASH, _getter(hashed))
    setattr(made, _REPR, tuple(f.name for f in fields if f.repr))
    return made


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the tuple of these attributes (attrgetter gives a bare value for one name)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        name = names[0]
        return lambda obj: (getattr(obj, name),)
    return lambda _obj: ()


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = getattr(self.__class__, _EQ)
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(getattr(self.__class__, _HASH)(self))


_REPRESENTING: set[tuple[int, int]] = set()


def _repr(self: Any) -> str:
    # A value holding itself (through a list, say) shows "..." there, as dataclasses do.
    key = (id(self), get_ident())
    if key in _REPRESENTING:
        return "..."
    _REPRESENTING.add(key)
    try:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in getattr(self.__class__, _REPR))
    finally:
        _REPRESENTING.discard(key)
    return f"{self.__class__.__qualname__}({shown})"
