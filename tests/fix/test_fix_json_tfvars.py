"""Adopting into a ``.tfvars.json`` file: only the characters of the value change (a nested key of
the same name, the other members, the layout and the line endings stay as written)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.fix.drift_plan import plan_for
from tfdrift_ci.fix import adopt, apply_edits
from tfdrift_ci.fix.jsonedit import tfvars_edits
from tfdrift_ci.fix.locate import Manual, Source
from tfdrift_ci.inventory import load
from tfdrift_ci.inventory.origin import origin_for

ROOT = Path(__file__).parents[1] / "fixtures" / "terraform" / "origin_json"
TFVARS = "terraform.tfvars.json"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "origin_json"
    shutil.copytree(ROOT, copy)
    return copy


def _adopted(root: Path, address: str, attribute: str, value: Any) -> tuple[adopt.Plan, str]:
    plan = plan_for(root, address, attribute, value)
    assert not plan.by_hand, plan.by_hand
    [adoption] = plan.adopted
    [file] = {e.file for e in adoption.edits}
    assert file == TFVARS
    return plan, apply_edits(plan.sources[file], list(adoption.edits))


def _changed_lines(old: str, new: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(old.splitlines(), new.splitlines(), strict=True) if a != b]


def test_the_origin_is_the_top_level_member_not_a_nested_key_of_the_same_name(root: Path) -> None:
    inv = load(str(root))
    res = next(r for r in inv.resources if r.address == "aws_ecr_repository.app")
    origin = origin_for(res, "image_scanning_configuration.scan_on_push")
    assert (origin.kind, origin.file, origin.line, origin.expr) == ("tfvars", TFVARS, 8, "false")
    assert origin.adoptable


def test_a_scalar_changes_and_nothing_else(root: Path) -> None:
    old = (root / TFVARS).read_text()
    _, new = _adopted(root, "aws_ecr_repository.app", "image_scanning_configuration.scan_on_push", True)
    assert _changed_lines(old, new) == [('  "scan_on_push": false,', '  "scan_on_push": true,')]
    _, new = _adopted(root, "aws_ecr_repository.app", "image_tag_mutability", "MUTABLE")
    assert _changed_lines(old, new) == [('  "mutability": "IMMUTABLE",', '  "mutability": "MUTABLE",')]


def test_a_map_gains_and_loses_keys_in_its_layout(root: Path) -> None:
    old = (root / TFVARS).read_text()
    _, new = _adopted(root, "aws_ecr_repository.app", "tags", {"team": "payments", "owner": "ops"})
    assert json.loads(new)["tags"] == {"team": "payments", "owner": "ops"}
    before, after = '"team": "payments",\n    "env": "dev"', '"team": "payments",\n    "owner": "ops"'
    assert new == old.replace(before, after)


def test_crlf_and_a_bom_survive(root: Path) -> None:
    path = root / TFVARS
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    tags = {"team": "payments", "env": "dev", "a": {"b": 1}}
    plan, new = _adopted(root, "aws_ecr_repository.app", "tags", tags)
    assert plan.sources[TFVARS].bom
    assert '"env": "dev",\r\n    "a": {\r\n      "b": 1\r\n    }\r\n  }' in new
    assert "\n" not in new.replace("\r\n", "")


@pytest.mark.parametrize(
    ("text", "path", "value", "expected"),
    [
        ('{"a": 1, "b": 2}', ["b"], None, '{"a": 1}'),
        ('{"a": 1, "b": 2}', ["a"], None, '{"b": 2}'),
        ('{"a": 1, "b": 2, "c": 3}', [], {"a": 1, "c": 4}, '{"a": 1, "c": 4}'),
        ('{"a":1,"b":2}', [], {"a": 1, "b": 2, "d": [1]}, '{"a":1,"b":2,"d": [1]}'),
        ('{"a": {}}', ["x"], 1, '{"a": {}, "x": 1}'),
        ('{"a": {}}', ["a", "k"], "v", '{"a": {"k": "v"}}'),
        ('{"l": [{"name": "x", "v": 1}, {"name": "y", "v": 2}]}', ["l", "[y]", "v"], 5,
         '{"l": [{"name": "x", "v": 1}, {"name": "y", "v": 5}]}'),
        ('{"tags": {"app.kubernetes.io/name": "a"}}', ["tags", "app", "kubernetes", "io/name"], "b",
         '{"tags": {"app.kubernetes.io/name": "b"}}'),
        ('{"s": "caf\\u00e9"}', ["s"], "th\u00e9\u202e", '{"s": "th\\u00e9\\u202e"}'),
    ],
)  # fmt: skip
def test_edits(text: str, path: list[str], value: Any, expected: str) -> None:
    """The value of the member ``doc`` is TEXT; PATH leads inside it."""
    src = Source("x.tfvars.json", '{"doc": ' + text + "}")
    got = apply_edits(src, tfvars_edits(src, "doc", path, value))
    assert got == '{"doc": ' + expected + "}"
    assert json.loads(got) is not None


def test_what_cannot_be_edited_is_for_a_person() -> None:
    for text, path in (('{"a": 1}', ["b"]), ("[1]", ["a"]), ('{"a": 1} x', ["a"]), ('{"a": [1]}', ["a", "k"]),
                       ('{"a": 1}', ["a", "k"]), ('{"a": [{"name": "x"}]}', ["a", "[y]", "k"])):
        with pytest.raises(Manual):
            tfvars_edits(Source("x.tfvars.json", text), path[0], path[1:], 2)
