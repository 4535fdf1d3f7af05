"""``@frozen``: the project's frozen dataclass, cheaper to define.

A class decorated with :func:`frozen` is a dataclass that behaves as ``@dataclass(frozen=True)``:
``dataclasses.fields``, ``replace``, ``asdict`` and pickling work, assigning or deleting a field
raises ``FrozenInstanceError``, and ``==``, ``hash()`` and ``repr()`` give the same answers (the
fields a dataclass compares, hashes and shows, in declaration order). The difference is where the
methods come from: ``__eq__``, ``__hash__``, ``__repr__``, ``__setattr__`` and ``__delattr__`` are
one shared function each instead of five generated per class; only ``__init__`` is generated.

Why: Python 3.11's ``dataclasses`` writes the source of six methods for every frozen class and
compiles each one with ``exec`` when the class is defined (about a millisecond a class, most of it
the compiler). The pre-commit hook defines some forty-five of these classes before it reads a file,
so a good part of its own work was compiling methods it hardly calls (``bench/README.md``, section
8, has the figures). The price is paid per call instead: comparing two values goes through
``operator.attrgetter`` and one more Python call (0.7 µs against 0.3 µs for a 16-field ``Event``),
and building one costs 2.4 µs against 2.1 µs; no hot path compares or builds many.

How a field stays frozen without a generated ``__setattr__``: the dataclass is made with
``frozen=False``, so its ``__init__`` assigns with ``self.name = value``; the shared ``__setattr__``
lets a field that ``__init__`` assigns be assigned only while it has no value yet (what ``__init__``
does) and raises ``FrozenInstanceError`` afterwards, or for any other name, as the generated one
does.

A ``@frozen`` class is subclassed with ``@frozen`` (``dataclasses`` sees it as not frozen, so a
``@dataclass(frozen=True)`` subclass is refused). Classes needing ``slots=True`` or mutable
dataclasses keep ``@dataclass``.
"""

from __future__ import annotations

import dataclasses
from _thread import get_ident
from collections.abc import Callable
from dataclasses import MISSING
from operator import attrgetter
from typing import Any, TypeVar, cast, dataclass_transform

_T = TypeVar("_T")


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def frozen(cls: type[_T]) -> type[_T]:
    """``@dataclass(frozen=True)`` with shared methods. An ``__eq__``, ``__hash__`` or ``__repr__``
    the class defines itself wins, as with ``@dataclass`` (a class defining ``__eq__`` alone still
    gets the fields' hash, as ``@dataclass(frozen=True)`` gives it)."""
    own = cls.__dict__
    for name in ("__setattr__", "__delattr__"):
        if name in own:
            raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
    for base in cls.__mro__[1:]:
        params = base.__dict__.get("__dataclass_params__")
        if params is not None and not params.frozen and "__frozen_owner__" not in base.__dict__:
            raise TypeError("cannot inherit frozen dataclass from a non-frozen one")
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    if "__eq__" not in own:
        cls.__eq__ = _eq  # type: ignore[method-assign]
    if not explicit_hash:
        cls.__hash__ = _hash  # type: ignore[method-assign]
    if "__repr__" not in own:
        cls.__repr__ = _repr  # type: ignore[method-assign]
    # What the shared methods read, per class: the getters of the compared and of the hashed fields,
    # the shown fields, all the fields, the ones __init__ assigns, and the decorated class itself.
    made: Any = dataclasses.dataclass(eq=False, repr=False)(cls)
    made.__setattr__ = _setattr
    made.__delattr__ = _delattr
    fields = dataclasses.fields(made)
    made.__frozen_eq__ = _getter(tuple(f.name for f in fields if f.compare))
    made.__frozen_hash__ = _getter(tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash)))
    made.__frozen_repr__ = tuple(f.name for f in fields if f.repr)
    made.__frozen_fields__ = frozenset(f.name for f in fields)
    # __init__ assigns the init fields and the default_factory ones; a default of an init=False field
    # stays on the class, so nothing may ever assign it
    made.__frozen_init__ = frozenset(f.name for f in fields if f.init or f.default_factory is not MISSING)
    made.__frozen_owner__ = made  # a plain subclass inherits it: it may hold other attributes
    return cast("type[_T]", made)


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the tuple of these attributes (attrgetter gives a bare value for one name)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        name = names[0]
        return lambda obj: (getattr(obj, name),)
    return lambda _obj: ()


def _setattr(self: Any, name: str, value: Any) -> None:
    instance = self.__dict__
    cls = self.__class__
    if name not in instance and name in cls.__frozen_init__:
        instance[name] = value  # __init__ giving the field its value
        return
    if name in cls.__frozen_fields__ or cls is cls.__frozen_owner__:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, value)


def _delattr(self: Any, name: str) -> None:
    cls = self.__class__
    if name in cls.__frozen_fields__ or cls is cls.__frozen_owner__:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
    object.__delattr__(self, name)


def _eq(self: Any, other: Any) -> Any:
    cls = self.__class__
    if other.__class__ is cls:
        key = cls.__frozen_eq__
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__class__.__frozen_hash__(self))


_REPRESENTING: set[tuple[int, int]] = set()


def _repr(self: Any) -> str:
    # A value holding itself (through a list, say) shows "..." there, as dataclasses do.
    key = (id(self), get_ident())
    if key in _REPRESENTING:
        return "..."
    _REPRESENTING.add(key)
    try:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__class__.__frozen_repr__)
    finally:
        _REPRESENTING.discard(key)
    return f"{self.__class__.__qualname__}({shown})"
