"""tfdrift_ci/inventory/expressions.py: HCL expression parsing and evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tfdrift_ci.inventory import expressions as ex
from tfdrift_ci.models import Unknown

VARS: dict[str, Any] = {
    "env": Unknown("var.env"),
    "names": ["b", "a"],
    "m": {"x": 1, "y": ""},
    "obj": {"inner": {"port": 8080}},
}


def _resolve(name: str) -> Any:
    if name == "var":
        return VARS
    raise ex.EvalError(name)


CTX = ex.Ctx(_resolve)


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
        ('var.m.x > 0 ? "yes" : "no"', "yes"),
        ("[for s in var.names : upper(s)]", ["B", "A"]),
        ('[for s in var.names : s if s != "a"]', ["b"]),
        ("{ for k, v in var.m : k => v if v != \"\" }", {"x": 1}),
        ("{ for s in var.names : substr(s, 0, 1) => s... }", {"a": ["a"], "b": ["b"]}),
        ("var.names[*]", ["b", "a"]),
        ("[var.obj][*].inner.port", [8080]),
        ('{"a" = 1, b: 2, (var.names[0]) = 3}', {"a": 1, "b": 3}),
        ("toset(var.names)", ["a", "b"]),
        ('try(var.m.missing, "fallback")', "fallback"),
        ("can(var.m.missing)", False),
        ('lookup(var.m, "z", "d")', "d"),
        ('merge(var.m, {z = 3})', {"x": 1, "y": "", "z": 3}),
        ('coalesce(null, "", "c")', "c"),
        ('format("%s-%03d", "app", 7)', "app-007"),
        ('join("-", concat(var.names, ["c"]))', "b-a-c"),
        ('jsonencode({a = [1, true, null]})', '{"a":[1,true,null]}'),
        ('jsondecode("{\\"k\\": [1]}")', {"k": [1]}),
        ("length(var.names)", 2),
        ('element(var.names, 3)', "a"),
        ('replace("a-b-c", "-", "_")', "a_b_c"),
        ('split(",", "x,y")', ["x", "y"]),
        ('trimspace("  t  ")', "t"),
        ("keys(var.m)", ["x", "y"]),
        ("flatten([[1], [2, [3]]])", [1, 2, 3]),
        ("distinct([1, 1, 2])", [1, 2]),
        ('contains(["a"], "a")', True),
        ("max(1, 5, 3)", 5),
        ('tonumber("12")', 12),
        ("tostring(true)", "true"),
        ('"%{ for n in var.names }${n};%{ endfor }"', "b;a;"),
        ('"%{ if var.m.x == 1 }one%{ else }other%{ endif }"', "one"),
        ("<<EOF\nhello ${var.names[0]}\nEOF\n", "hello b\n"),
        ("<<-EOT\n    indented\n      more\n    EOT\n", "indented\n  more\n"),
    ],
)
def test_known_values(text: str, expected: Any) -> None:
    assert ex.evaluate_text(text, CTX) == expected


def test_partly_known_template_has_a_pattern() -> None:
    value = ex.evaluate_text('"${var.env}-api"', CTX)
    assert value == Unknown('"${var.env}-api"', "*-api")


def test_glob_characters_in_known_parts_are_escaped() -> None:
    value = ex.evaluate_text('"[${var.env}]*"', CTX)
    assert isinstance(value, Unknown)
    assert value.pattern == "[[]*][*]"


def test_whole_unknown_has_no_pattern_and_names_the_reference() -> None:
    assert ex.evaluate_text("var.env", CTX) == Unknown("var.env")
    assert ex.evaluate_text('"${var.env}"', CTX) == Unknown('"${var.env}"')


def test_unknown_propagates_without_guessing() -> None:
    assert isinstance(ex.evaluate_text("upper(var.env)", CTX), Unknown)
    assert isinstance(ex.evaluate_text('var.env == "prod" ? 1 : 2', CTX), Unknown)
    # both branches equal: the result is known whatever the condition
    assert ex.evaluate_text('var.env == "prod" ? 1 : 1', CTX) == 1
    # known entries of a collection stay known next to an unknown one
    assert ex.evaluate_text("merge(var.m, {e = var.env})", CTX) == {"x": 1, "y": "", "e": Unknown("var.env")}
    # try() cannot tell whether an unknown would fail: unknown, not the fallback
    assert isinstance(ex.evaluate_text('try(var.env, "fallback")', CTX), Unknown)


def test_unknown_is_taken_as_non_null_in_null_checks() -> None:
    assert ex.evaluate_text("var.env != null", CTX) is True
    assert ex.evaluate_text("var.env == null", CTX) is False


def test_unsupported_function_and_syntax_are_unknown_not_errors() -> None:
    assert ex.evaluate_text("timestamp()", CTX) == Unknown("timestamp()")
    assert ex.evaluate_text('provider::aws::arn_parse("x")', CTX) == Unknown('provider::aws::arn_parse("x")')
    assert ex.evaluate_text("{ unbalanced", CTX) == Unknown("{ unbalanced")
    # regex replacement: Python's backtracking engine must not run patterns from the config
    assert isinstance(ex.evaluate_text('replace("aaa", "/(a+)+$/", "b")', CTX), Unknown)


def test_errors_outside_try_make_the_expression_unknown() -> None:
    assert ex.evaluate_text("var.m.missing", CTX) == Unknown("var.m.missing")
    assert ex.evaluate_text('1 + "x"', CTX) == Unknown('1 + "x"')


def test_file_and_templatefile_relative_to_cwd(tmp_path: Path) -> None:
    (tmp_path / "doc.json").write_text('{"a": 1}', encoding="utf-8")
    (tmp_path / "t.tpl").write_text("name=${name}%{ for x in xs },${x}%{ endfor }", encoding="utf-8")
    ctx = ex.Ctx(_resolve, cwd=str(tmp_path), allowed_dirs=(str(tmp_path),))
    assert ex.evaluate_text('jsondecode(file("doc.json"))', ctx) == {"a": 1}
    assert ex.evaluate_text('templatefile("t.tpl", {name = "n", xs = [1, 2]})', ctx) == "name=n,1,2"
    assert ex.evaluate_text('fileexists("doc.json")', ctx) is True
    assert ex.evaluate_text('file("missing.json")', ctx) == Unknown('file("missing.json")')


def test_file_outside_the_project_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cr3t", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    ctx = ex.Ctx(_resolve, cwd=str(project), allowed_dirs=(str(project),))
    value = ex.evaluate_text('file("../secret.txt")', ctx)
    assert isinstance(value, Unknown)
    assert "s3cr3t" not in repr(value)


def test_deep_nesting_does_not_crash() -> None:
    text = "[" * 500 + "]" * 500
    assert isinstance(ex.evaluate_text(text, CTX), Unknown)


def test_unknown_paths() -> None:
    value = {"a": [1, Unknown("x")], "b": {"c": Unknown("y")}, "d": 2}
    assert ex.unknown_paths(value) == ["a.1", "b.c"]


def test_format_keeps_a_pattern_for_unknown_arguments() -> None:
    value = ex.evaluate_text('format("%s-api-%d", var.env, 3)', CTX)
    assert value == Unknown('format("%s-api-%d", var.env, 3)', "*-api-3")
    assert ex.evaluate_text('format("%d", var.env)', CTX) == Unknown('format("%d", var.env)')


def test_hostile_sizes_stay_small() -> None:
    assert isinstance(ex.evaluate_text('format("%0999999999d", 1)', CTX), Unknown)
    assert isinstance(ex.evaluate_text('indent(999999999, "a\\nb")', CTX), Unknown)
    assert isinstance(ex.evaluate_text("range(0, 1000000000)", CTX), Unknown)
    assert isinstance(ex.evaluate_text("pow(10, 100000)", CTX), Unknown)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('strcontains("hello", "ell")', True),
        ('setsubtract(["a", "b"], ["b"])', ["a"]),
        ('setproduct(["a"], [1, 2])', [["a", 1], ["a", 2]]),
        ('urlencode("a b/c")', "a%20b%2Fc"),
        (
            'yamldecode("containers:\\n  - name: web\\n    privileged: true\\n")',
            {"containers": [{"name": "web", "privileged": True}]},
        ),
        ('matchkeys(["i1", "i2"], ["us", "eu"], ["eu"])', ["i2"]),
    ],
)
def test_more_functions(text: str, expected: Any) -> None:
    assert ex.evaluate_text(text, CTX) == expected


def test_yaml_billion_laughs_is_unknown() -> None:
    doc = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n"
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        refs = ", ".join([f"*{prev}"] * 10)
        doc += f"{name}: &{name} [{refs}]\\n"
    value = ex.evaluate_text(f"yamldecode({json.dumps(doc)})", CTX)
    assert isinstance(value, Unknown)
