"""``@frozen`` answers as ``@dataclass(frozen=True)`` does: each case defines the same class both
ways and compares what ``==``, ``hash()``, ``repr()``, ``replace``, pickling and assignment give."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest

from tfdrift_ci.frozen import frozen


def _pair(body: dict[str, Any], annotations: dict[str, Any], name: str = "Thing") -> tuple[type, type]:
    """The same class as @frozen and as @dataclass(frozen=True)."""

    def make(decorate: Any) -> type:
        namespace = {"__annotations__": dict(annotations), **body, "__module__": __name__}
        namespace["__qualname__"] = name
        return decorate(type(name, (), namespace))

    return make(frozen), make(dataclass(frozen=True))


CASES: dict[str, tuple[dict[str, Any], dict[str, Any], tuple[tuple[Any, ...], ...]]] = {
    "no fields": ({}, {}, ((),)),
    "one field": ({}, {"a": "int"}, ((1,), (2,))),
    "several fields": ({"c": 3}, {"a": "int", "b": "str", "c": "int"}, ((1, "x"), (1, "y"), (1, "x", 4))),
    "compare=False": (
        {"b": field(default=0, compare=False)},
        {"a": "int", "b": "int"},
        ((1, 0), (1, 5), (2, 0)),
    ),
    "repr=False and hash=False": (
        {"b": field(default="s", repr=False), "c": field(default=0, hash=False)},
        {"a": "int", "b": "str", "c": "int"},
        ((1, "s", 0), (1, "s", 9), (1, "t", 0)),
    ),
    "hash=True on a compare=False field": (
        {"b": field(default=0, compare=False, hash=True)},
        {"a": "int", "b": "int"},
        ((1, 0), (1, 1)),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_same_answers_as_a_frozen_dataclass(case: str) -> None:
    body, annotations, argsets = CASES[case]
    mine, theirs = _pair(body, annotations)
    ours = [mine(*args) for args in argsets]
    reference = [theirs(*args) for args in argsets]
    for i, (a, ra) in enumerate(zip(ours, reference, strict=True)):
        assert repr(a) == repr(ra)
        assert hash(a) == hash(ra)  # the same tuple of fields is hashed
        for b, rb in zip(ours, reference, strict=True):
            assert (a == b) == (ra == rb)
            assert (a != b) == (ra != rb)
        assert a != ra  # another class: never equal, as between two dataclasses
        assert (a == (1,)) is False
        assert dataclasses.replace(a) == a
        assert dataclasses.astuple(a) == dataclasses.astuple(ra)
        for name in annotations:
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(a, name, i)
            with pytest.raises(dataclasses.FrozenInstanceError):
                delattr(a, name)


@frozen
class Point:
    """A module-level class: pickling needs to find it."""

    x: int
    y: int = 0
    tags: tuple[str, ...] = ()


@frozen
class Labelled(Point):
    label: str = ""


def test_pickle_replace_and_subclasses() -> None:
    p = Point(1, 2, ("a",))
    assert pickle.loads(pickle.dumps(p)) == p
    assert hash(pickle.loads(pickle.dumps(p))) == hash(p)
    assert dataclasses.replace(p, y=3) == Point(1, 3, ("a",))
    labelled = Labelled(1, 2, ("a",), "l")
    assert repr(labelled) == "Labelled(x=1, y=2, tags=('a',), label='l')"
    assert labelled != p and p != labelled  # a subclass is another class, as with dataclasses
    assert labelled == Labelled(1, 2, ("a",), "l")
    assert {labelled, Labelled(1, 2, ("a",), "l")} == {labelled}
    assert [f.name for f in dataclasses.fields(labelled)] == ["x", "y", "tags", "label"]


def test_methods_the_class_defines_win() -> None:
    @frozen
    class Own:  # noqa: PLW1641 - the point: @frozen supplies the hash, as @dataclass does
        a: int

        def __eq__(self, other: object) -> bool:
            return True

        def __repr__(self) -> str:
            return "own"

    # As with @dataclass(frozen=True): an explicit __eq__ alone still leaves the fields' hash.
    assert Own(1) == Own(2) and repr(Own(1)) == "own"
    assert hash(Own(1)) == hash((1,)) and hash(Own(1)) != hash(Own(2))

    @frozen
    class OwnHash:
        a: int

        def __hash__(self) -> int:
            return 7

    assert hash(OwnHash(1)) == 7 and OwnHash(1) != OwnHash(2)


def test_a_value_holding_itself_shows_dots() -> None:
    @frozen
    class Box:
        items: list[Any]

    box = Box([])
    box.items.append(box)
    assert repr(box) == "test_a_value_holding_itself_shows_dots.<locals>.Box(items=[...])"


def test_assignment_and_deletion_fail_as_on_a_frozen_dataclass() -> None:
    mine, theirs = _pair({"b": field(default=0, init=False)}, {"a": "int", "b": "int"})
    for cls in (mine, theirs):
        obj = cls(1)
        for name in ("a", "b", "other"):
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(obj, name, 2)
            with pytest.raises(dataclasses.FrozenInstanceError):
                delattr(obj, name)
        assert (obj.a, obj.b) == (1, 0)

        class Plain(cls):  # type: ignore[valid-type,misc]
            """Not a dataclass itself: may hold other attributes, never touch the fields."""

        plain = Plain(1)
        plain.other = 3
        assert plain.other == 3
        del plain.other
        with pytest.raises(dataclasses.FrozenInstanceError):
            plain.a = 2


def test_refused_as_dataclasses_refuses() -> None:
    with pytest.raises(TypeError, match="__setattr__"):

        @frozen
        class OwnSetattr:
            a: int

            def __setattr__(self, name: str, value: Any) -> None:
                object.__setattr__(self, name, value)

    @dataclass
    class Mutable:
        a: int

    with pytest.raises(TypeError, match="non-frozen"):

        @frozen
        class FrozenChild(Mutable):
            b: int = 0
