"""tfdrift_ci/inventory/expr/evaluate.py: evaluation of expressions, templates and special forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tfdrift_ci.inventory.expr.context import Ctx
from tfdrift_ci.inventory.expr.evaluate import evaluate_text
from tfdrift_ci.models import Unknown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"plain"', "plain"),
        ("42", 42),
        ("1.5", 1.5),
        ("true", True),
        ("null", None),
        ('"a\\"b\\u0041\\n"', 'a"bA\n'),
        ('"$${literal}"', "${literal}"),
        ("var.names[1]", "a"),
        ("var.names.0", "b"),
        ('var.m["x"] + 1', 2),
        ("var.obj.inner.port", 8080),
        ("-1 * 3 + 10 / 4", -0.5),
        ("5 % 3 == 2 && !false", True),
        ("7 - 2 >= 5 || false", True),
        ("2 < 1", False),
        ('var.m.x > 0 ? "yes" : "no"', "yes"),
        ("[for s in var.names : upper(s)]", ["B", "A"]),
        ('[for s in var.names : s if s != "a"]', ["b"]),
        ('{ for k, v in var.m : k => v if v != "" }', {"x": 1}),
        ("{ for s in var.names : substr(s, 0, 1) => s... }", {"a": ["a"], "b": ["b"]}),
        ("var.names[*]", ["b", "a"]),
        ("[var.obj][*].inner.port", [8080]),
        ('{"a" = 1, b: 2, (var.names[0]) = 3}', {"a": 1, "b": 3}),
        ('try(var.m.missing, "fallback")', "fallback"),
        ("can(var.m.missing)", False),
        ("can(var.m.x)", True),
        ('"%{ for n in var.names }${n};%{ endfor }"', "b;a;"),
        ('"%{ if var.m.x == 1 }one%{ else }other%{ endif }"', "one"),
        ('"a  ${~ "b" ~}  c"', "abc"),
        ("<<EOF\nhello ${var.names[0]}\nEOF\n", "hello b\n"),
        ("<<-EOT\n    indented\n      more\n    EOT\n", "indented\n  more\n"),
        ("max([3, 9, 4]...)", 9),
    ],
)
def test_known_values(ctx: Ctx, text: str, expected: Any) -> None:
    assert evaluate_text(text, ctx) == expected


def test_partly_known_template_has_a_pattern(ctx: Ctx) -> None:
    value = evaluate_text('"${var.env}-api"', ctx)
    assert value == Unknown('"${var.env}-api"', "*-api")


def test_glob_characters_in_known_parts_are_escaped(ctx: Ctx) -> None:
    value = evaluate_text('"[${var.env}]*"', ctx)
    assert isinstance(value, Unknown)
    assert value.pattern == "[[]*][*]"


def test_whole_unknown_has_no_pattern_and_names_the_reference(ctx: Ctx) -> None:
    assert evaluate_text("var.env", ctx) == Unknown("var.env")
    assert evaluate_text('"${var.env}"', ctx) == Unknown('"${var.env}"')


def test_unknown_propagates_without_guessing(ctx: Ctx) -> None:
    assert isinstance(evaluate_text("upper(var.env)", ctx), Unknown)
    assert isinstance(evaluate_text('var.env == "prod" ? 1 : 2', ctx), Unknown)
    # both branches equal: the result is known whatever the condition
    assert evaluate_text('var.env == "prod" ? 1 : 1', ctx) == 1
    # known entries of a collection stay known next to an unknown one
    assert evaluate_text("merge(var.m, {e = var.env})", ctx) == {"x": 1, "y": "", "e": Unknown("var.env")}
    # try() cannot tell whether an unknown would fail: unknown, not the fallback
    assert isinstance(evaluate_text('try(var.env, "fallback")', ctx), Unknown)
    # a known operand decides && and || on its own
    assert evaluate_text("false && var.env", ctx) is False
    assert evaluate_text("var.env || true", ctx) is True


def test_unknown_is_taken_as_non_null_in_null_checks(ctx: Ctx) -> None:
    assert evaluate_text("var.env != null", ctx) is True
    assert evaluate_text("var.env == null", ctx) is False


def test_unsupported_function_and_syntax_are_unknown_not_errors(ctx: Ctx) -> None:
    assert evaluate_text("timestamp()", ctx) == Unknown("timestamp()")
    assert evaluate_text('provider::aws::arn_parse("x")', ctx) == Unknown('provider::aws::arn_parse("x")')
    assert evaluate_text("{ unbalanced", ctx) == Unknown("{ unbalanced")


def test_errors_outside_try_make_the_expression_unknown(ctx: Ctx) -> None:
    assert evaluate_text("var.m.missing", ctx) == Unknown("var.m.missing")
    assert evaluate_text('1 + "x"', ctx) == Unknown('1 + "x"')
    assert evaluate_text("1 / 0", ctx) == Unknown("1 / 0")
    assert evaluate_text("try(1 / 0, 2 % 0)", ctx) == Unknown("try(1 / 0, 2 % 0)")


def test_deep_nesting_does_not_crash(ctx: Ctx) -> None:
    text = "[" * 500 + "]" * 500
    assert isinstance(evaluate_text(text, ctx), Unknown)


def test_templatefile_renders_with_only_its_variables(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "t.tpl").write_text("name=${name}%{ for x in xs },${x}%{ endfor }", encoding="utf-8")
    (tmp_path / "v.tpl").write_text("${var.names[0]}", encoding="utf-8")
    files = Ctx(ctx.resolve, cwd=str(tmp_path), allowed_dirs=(str(tmp_path),))
    assert evaluate_text('templatefile("t.tpl", {name = "n", xs = [1, 2]})', files) == "name=n,1,2"
    # the caller's names are not visible inside the template (as in Terraform)
    assert isinstance(evaluate_text('templatefile("v.tpl", {})', files), Unknown)
