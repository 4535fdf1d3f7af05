"""tfdrift_ci/inventory/expr/syntax.py: source text → AST."""

from __future__ import annotations

import pytest

from tfdrift_ci.inventory.expr.syntax import (
    Binary,
    Call,
    Cond,
    ExprSyntaxError,
    ForNode,
    GetAttr,
    Index,
    Lit,
    ObjectNode,
    Splat,
    Template,
    TFor,
    TIf,
    TupleNode,
    Var,
    parse,
    parse_template,
)


def test_node_kinds_and_their_source_text() -> None:
    node = parse('var.a[0].b == "x" ? f(1, 2) : null')
    assert isinstance(node, Cond)
    assert isinstance(node.cond, Binary) and node.cond.op == "=="
    left = node.cond.left
    assert isinstance(left, GetAttr) and left.name == "b"
    assert isinstance(left.obj, Index) and isinstance(left.obj.obj, GetAttr)
    assert left.text == "var.a[0].b"
    assert isinstance(node.yes, Call) and node.yes.name == "f" and len(node.yes.args) == 2
    assert isinstance(node.no, Lit) and node.no.value is None


def test_precedence() -> None:
    node = parse("1 + 2 * 3 == 7 || false")
    assert isinstance(node, Binary) and node.op == "||"
    eq = node.left
    assert isinstance(eq, Binary) and eq.op == "=="
    add = eq.left
    assert isinstance(add, Binary) and add.op == "+" and isinstance(add.right, Binary)


def test_collections_for_and_splat() -> None:
    assert isinstance(parse("[1, 2,]"), TupleNode)
    obj = parse('{a = 1, "b": 2}')
    assert isinstance(obj, ObjectNode) and len(obj.items) == 2
    fnode = parse("{for k, v in var.m : k => v... if v != null}")
    assert isinstance(fnode, ForNode)
    assert (fnode.kvar, fnode.vvar, fnode.is_obj, fnode.group) == ("k", "v", True, True)
    assert fnode.cond is not None
    splat = parse("var.list[*].name")
    assert isinstance(splat, Splat) and splat.steps == [("attr", "name")]
    assert isinstance(parse("var.list.0"), Index)  # legacy index syntax
    assert isinstance(parse("provider::aws::arn_parse(x)"), Call)
    assert isinstance(parse("x # a comment\n"), Var)


def test_templates_nest_directives_and_apply_strip_markers() -> None:
    node = parse('"a ${x} %{ if c }y%{ else }n%{ endif } %{~ for i in l ~}  z  %{ endfor }"')
    assert isinstance(node, Template)
    # the space before "%{~ for" is trimmed away, and the literal after it loses its leading spaces
    assert [type(p).__name__ for p in node.parts] == ["str", "Var", "str", "TIf", "TFor"]
    tif = node.parts[3]
    assert isinstance(tif, TIf) and tif.yes == ["y"] and tif.no == ["n"]
    tfor = node.parts[4]
    assert isinstance(tfor, TFor) and tfor.vvar == "i" and tfor.body == ["z  "]


def test_escapes_and_literal_markers() -> None:
    node = parse('"\\t\\u00e9\\U0001F600 $${x} %%{y}"')
    assert isinstance(node, Template)
    assert node.parts == ["\t\u00e9\U0001f600 ${x} %{y}"]


def test_heredoc_and_template_file() -> None:
    node = parse("<<-EOT\n  a ${b}\n  EOT\n")
    assert isinstance(node, Template) and node.parts[0] == "a "
    tmpl = parse_template("x=${x}\n%{ for i in l }${i}%{ endfor }")
    assert [type(p).__name__ for p in tmpl.parts] == ["str", "Var", "str", "TFor"]


@pytest.mark.parametrize(
    "text",
    [
        "{ unbalanced",
        "a +",
        '"unterminated',
        '"bad \\q escape"',
        '"%{ if x }no end"',
        '"%{ endif }"',
        '"%{ while x }"',
        "<<EOF\nnever closed\n",
        "a b",
    ],
)
def test_syntax_errors(text: str) -> None:
    with pytest.raises(ExprSyntaxError):
        parse(text)


def test_parse_is_cached_by_text() -> None:
    assert parse("var.cached_example") is parse("var.cached_example")
