"""Every string of the injection corpus (tests/fixtures/report/injection.json), written as an HCL
literal by ``fix --adopt`` (``report/escape.hcl_string``), reads back as exactly that value, is one
line, and holds no control, bidi or invisible character and no live interpolation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tfdrift_ci.fix.locate import literal_value
from tfdrift_ci.inventory.expr import syntax
from tfdrift_ci.report.escape import hcl_string

CORPUS = {
    k: v
    for k, v in json.loads(
        (Path(__file__).parents[1] / "fixtures" / "report" / "injection.json").read_text(encoding="utf-8")
    ).items()
    if k != "_comment"
}
INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]")


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_a_hostile_value_is_an_inert_literal(name: str) -> None:
    value = CORPUS[name]
    text = hcl_string(value)
    assert not INVISIBLE.search(text)
    node = syntax.parse(text)
    assert isinstance(node, syntax.Template)
    assert all(isinstance(p, str) for p in node.parts), "an interpolation or directive survived"
    assert literal_value(node) == value


def test_a_lone_surrogate_is_refused() -> None:
    with pytest.raises(ValueError, match="lone surrogate"):
        hcl_string("a\ud800b")
