"""tfdrift_ci/inventory/expr/functions/: Terraform's functions, family by family."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tfdrift_ci.inventory.expr import functions
from tfdrift_ci.inventory.expr.context import Ctx
from tfdrift_ci.inventory.expr.evaluate import evaluate_text
from tfdrift_ci.inventory.expr.functions import (
    collection,
    conversion,
    crypto,
    encoding,
    filesystem,
    numeric,
    strings,
)
from tfdrift_ci.models import Unknown

FAMILIES = (numeric, strings, collection, encoding, filesystem, crypto, conversion)


def test_the_registry_is_every_family_and_names_are_unique() -> None:
    names = [name for family in FAMILIES for name in family.FUNCTIONS]
    names += list(filesystem.FILE_FUNCTIONS)
    assert len(names) == len(set(names))
    assert set(functions.FUNCTIONS) | set(functions.FILE_FUNCTIONS) == set(names)
    assert not set(functions.FUNCTIONS) & {"try", "can", "templatefile"}  # evaluated in evaluate.py


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # numeric
        ("max(1, 5, 3)", 5),
        ("min(4, 2.5)", 2.5),
        ("abs(-3)", 3),
        ("ceil(1.2)", 2),
        ("floor(1.8)", 1),
        ("pow(2, 10)", 1024),
        ("signum(-7)", -1),
        ('parseint("ff", 16)', 255),
        # strings
        ('format("%s-%03d", "app", 7)', "app-007"),
        ('formatlist("%s-x", ["a", "b"])', ["a-x", "b-x"]),
        ('replace("a-b-c", "-", "_")', "a_b_c"),
        ('split(",", "x,y")', ["x", "y"]),
        ('join("-", concat(var.names, ["c"]))', "b-a-c"),
        ('trimspace("  t  ")', "t"),
        ('trimprefix("pre-x", "pre-")', "x"),
        ('substr("hello", 1, 3)', "ell"),
        ('title("hello world")', "Hello World"),
        ('strcontains("hello", "ell")', True),
        ('indent(2, "a\\nb")', "a\n  b"),
        # collection
        ('lookup(var.m, "z", "d")', "d"),
        ("merge(var.m, {z = 3})", {"x": 1, "y": "", "z": 3}),
        ('coalesce(null, "", "c")', "c"),
        ("length(var.names)", 2),
        ("element(var.names, 3)", "a"),
        ("keys(var.m)", ["x", "y"]),
        ("flatten([[1], [2, [3]]])", [1, 2, 3]),
        ("distinct([1, 1, 2])", [1, 2]),
        ('contains(["a"], "a")', True),
        ('setsubtract(["a", "b"], ["b"])', ["a"]),
        ('setproduct(["a"], [1, 2])', [["a", 1], ["a", 2]]),
        ('matchkeys(["i1", "i2"], ["us", "eu"], ["eu"])', ["i2"]),
        ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
        ("range(3)", [0, 1, 2]),
        ("sum([1, 2.5])", 3.5),
        ('transpose({a = ["1", "2"], b = ["2"]})', {"1": ["a"], "2": ["a", "b"]}),
        # encoding
        ("jsonencode({a = [1, true, null]})", '{"a":[1,true,null]}'),
        ('jsondecode("{\\"k\\": [1]}")', {"k": [1]}),
        ('base64decode(base64encode("x"))', "x"),
        ('urlencode("a b/c")', "a%20b%2Fc"),
        (
            'yamldecode("containers:\\n  - name: web\\n    privileged: true\\n")',
            {"containers": [{"name": "web", "privileged": True}]},
        ),
        ('yamldecode("when: 2024-01-02")', {"when": "2024-01-02"}),
        # hash
        ('md5("a")', "0cc175b9c0f1b6a831c399e269772661"),
        # type conversion
        ("toset(var.names)", ["a", "b"]),
        ('tonumber("12")', 12),
        ("tostring(true)", "true"),
        ('tobool("false")', False),
        ("nonsensitive(sensitive(1))", 1),
        # filesystem (path arithmetic)
        ('basename("a/b.tf")', "b.tf"),
        ('dirname("a/b.tf")', "a"),
    ],
)
def test_known_values(ctx: Ctx, text: str, expected: Any) -> None:
    assert evaluate_text(text, ctx) == expected


def test_file_functions_read_relative_to_cwd(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "doc.json").write_text('{"a": 1}', encoding="utf-8")
    reads: set[str] = set()
    files = Ctx(ctx.resolve, cwd=str(tmp_path), allowed_dirs=(str(tmp_path),), reads=reads)
    assert evaluate_text('jsondecode(file("doc.json"))', files) == {"a": 1}
    assert evaluate_text('filebase64("doc.json")', files) == "eyJhIjogMX0="
    assert evaluate_text('fileexists("doc.json")', files) is True
    assert evaluate_text('file("missing.json")', files) == Unknown('file("missing.json")')
    assert str(tmp_path / "doc.json") in reads  # a change to it selects the root


def test_file_outside_the_project_is_never_read(ctx: Ctx, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cr3t", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    files = Ctx(ctx.resolve, cwd=str(project), allowed_dirs=(str(project),))
    value = evaluate_text('file("../secret.txt")', files)
    assert isinstance(value, Unknown)
    assert "s3cr3t" not in repr(value)


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ("infra/policy.json", None),
        (".terraform/modules/ecs/templates/td.json", None),  # a module terraform init installed
        (".git/config", "under .git/"),
        (".GIT/config", "under .git/"),
        ("modules/x/.git/HEAD", "under .git/"),
        (".terraform/terraform.tfstate", "under .terraform/"),
        (".terraform/environment", "under .terraform/"),
        ("prod.tfstate", "a Terraform state file"),
        ("infra/terraform.tfstate.backup", "a Terraform state file"),
        ("plan.tfplan", "a saved Terraform plan"),
        (".env", "an environment file"),
        ("infra/.env.production", "an environment file"),
    ],
)
def test_file_functions_refuse_what_a_checkout_keeps_beside_the_configuration(
    ctx: Ctx, tmp_path: Path, path: str, refused: str | None
) -> None:
    notices: dict[str, None] = {}
    files = Ctx(ctx.resolve, cwd=str(tmp_path), allowed_dirs=(str(tmp_path),), notices=notices)
    assert filesystem.refusal(files, str(tmp_path / path)) == (None if refused is None else (path, refused))


def test_a_symlink_is_judged_by_its_target_and_by_its_name(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("token", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("fine", encoding="utf-8")
    (tmp_path / "innocent.txt").symlink_to(tmp_path / ".git" / "config")
    (tmp_path / ".env").symlink_to(tmp_path / "ok.txt")
    notices: dict[str, None] = {}
    files = Ctx(ctx.resolve, cwd=str(tmp_path), allowed_dirs=(str(tmp_path),), notices=notices)
    assert isinstance(evaluate_text('file("innocent.txt")', files), Unknown)
    assert isinstance(evaluate_text('file(".env")', files), Unknown)
    assert isinstance(evaluate_text('fileexists("/etc/hostname")', files), Unknown)
    assert evaluate_text('file("ok.txt")', files) == "fine"
    assert list(notices) == [
        "file() did not read innocent.txt → .git/config (under .git/): values built from it are unknown",
        "file() did not read .env → ok.txt (an environment file): values built from it are unknown",
        "fileexists() did not look for a path outside the repository: values built from it are unknown",
    ]


def test_regex_replacement_is_unknown(ctx: Ctx) -> None:
    # Python's backtracking engine must not run patterns from the configuration
    assert isinstance(evaluate_text('replace("aaa", "/(a+)+$/", "b")', ctx), Unknown)


def test_format_keeps_a_pattern_for_unknown_arguments(ctx: Ctx) -> None:
    value = evaluate_text('format("%s-api-%d", var.env, 3)', ctx)
    assert value == Unknown('format("%s-api-%d", var.env, 3)', "*-api-3")
    assert evaluate_text('format("%d", var.env)', ctx) == Unknown('format("%d", var.env)')


def test_hostile_sizes_stay_small(ctx: Ctx) -> None:
    assert isinstance(evaluate_text('format("%0999999999d", 1)', ctx), Unknown)
    assert isinstance(evaluate_text('indent(999999999, "a\\nb")', ctx), Unknown)
    assert isinstance(evaluate_text("range(0, 1000000000)", ctx), Unknown)
    assert isinstance(evaluate_text("pow(10, 100000)", ctx), Unknown)


def test_yaml_billion_laughs_is_unknown(ctx: Ctx) -> None:
    doc = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n"
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        refs = ", ".join([f"*{prev}"] * 10)
        doc += f"{name}: &{name} [{refs}]\\n"
    value = evaluate_text(f"yamldecode({json.dumps(doc)})", ctx)
    assert isinstance(value, Unknown)
