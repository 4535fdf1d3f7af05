"""Property tests: no input text makes the expression evaluator or the HCL front end raise."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tfdrift_ci.inventory import hcl
from tfdrift_ci.inventory.expr.context import Ctx
from tfdrift_ci.inventory.expr.convert import EvalError
from tfdrift_ci.inventory.expr.evaluate import evaluate_text
from tfdrift_ci.models import Unknown

_TOKENS = ["${", "%{", "<<EOF\n", "\nEOF\n", "for ", " in ", "if ", "var.", "local."]
_TOKENS += ["=>", "...", "[*]", "null"]
HCL_CHARS = st.sampled_from([*'abcxyz_019 .,:?!=<>+-*/%&|()[]{}"\'$~#\\\n\t', *_TOKENS])
HCL_TEXT = st.lists(HCL_CHARS, max_size=60).map("".join)


def _resolve(name: str) -> object:
    if name == "var":
        return {"a": [1, {"b": "x"}], "u": Unknown("var.u"), "m": {"k": None}}
    raise EvalError(name)


CTX = Ctx(_resolve)


@settings(max_examples=400, deadline=None)
@given(HCL_TEXT)
def test_evaluate_text_never_raises(text: str) -> None:
    evaluate_text(text, CTX)


@settings(max_examples=150, deadline=None)
@given(HCL_TEXT)
def test_parse_text_never_raises(text: str) -> None:
    parsed = hcl.parse_text(f'resource "aws_ecr_repository" "r" {{\n  name = {text}\n}}\n', "fuzz.tf")
    assert parsed.problem is not None or parsed.blocks
