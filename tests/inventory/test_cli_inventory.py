"""`tfdrift-ci inventory`: the CLI over inventory.load()/render() (exit codes, one-line errors)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tfdrift_ci.cli import main


def test_inventory_json(tf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["inventory", str(tf / "modules"), "--format", "json"])
    out = capsys.readouterr().out
    assert rc == 0
    doc = json.loads(out)
    assert doc["roots"] == ["live/prod"]
    assert doc["files"] == 5
    by = {r["address"]: r for r in doc["resources"]}
    svc = by["module.app.aws_ecs_service.this"]
    assert svc["file"] == "modules/app/main.tf"
    assert svc["line"] == 48
    assert svc["identity"] == {
        "kind": "service",
        "service": "checkout",
        "cluster": "prod-checkout",
        "region": "us-east-1",
    }
    assert svc["ignore_changes"] == ["desired_count"]
    assert svc["unknowns"] == ["cluster", "task_definition"]
    assert svc["attributes"]["cluster"] == {
        "unknown": "aws_ecs_cluster.this.arn",
        "pattern": "arn:aws*:ecs:*:*:cluster/prod-checkout",
    }
    assert doc["unfollowed_modules"][0]["address"] == "module.vpc"


def test_inventory_text_with_vars(tf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tf / "variables"
    var_file = str(project / "prod.tfvars")
    rc = main(["inventory", str(project), "--var-file", var_file, "--var", "from_cli=cli"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "aws_ecr_repository.cli_ok" in out
    assert "repository name=cli" in out
    assert "main.tf:67" in out


def test_inventory_with_plan(tf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = str(tf / "plans" / "modules-1.2.json")
    rc = main(["inventory", str(tf / "modules"), "--plan", plan, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0
    by = {r["address"]: r for r in doc["resources"]}
    assert by["module.app.aws_ecs_service.this"]["plan_actions"] == ["update"]


def test_bad_file_is_reported_not_fatal(tf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["inventory", str(tf / "broken"), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert [p["file"] for p in doc["problems"]] == ["bad.tf", "latin1.tf"]
    assert [r["address"] for r in doc["resources"]] == ["aws_ecr_repository.still_inventoried"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["inventory", "{tmp}/missing"], "missing"),
        (["inventory", "{tmp}/notes.txt"], "not a Terraform file"),
        (["inventory", "{tf}/flat", "--plan", "{tf}/plans/wrong-shape.json"], "wrong-shape.json"),
        (["inventory", "{tf}/flat", "--plan", "{tf}/plans/not-a-plan.json"], "not a Terraform plan"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, tf: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    argv = [a.format(tmp=tmp_path, tf=tf) for a in args]
    rc = main(argv)
    captured = capsys.readouterr()
    assert rc == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("tfdrift-ci: error: ")
    assert needle in lines[0]
    assert "Traceback" not in captured.err


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "infra"
    root.mkdir()
    # unique text: neither the in-process memo nor an earlier cache entry can answer for it
    (root / "main.tf").write_text(
        f'resource "aws_ecr_repository" "r" {{\n  name = "{tmp_path.name}"\n}}\n', encoding="utf-8"
    )
    return root


def test_environment_chooses_the_parser_and_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI reads TFDRIFT_PARSER / TFDRIFT_CACHE_DIR / TFDRIFT_NO_CACHE and passes them down."""
    from tfdrift_ci.inventory import ts_parse

    def refuse(text: str, path: str) -> None:
        raise AssertionError("tree-sitter must not run under TFDRIFT_PARSER=hcl2")

    monkeypatch.setattr(ts_parse, "parse_text", refuse)
    monkeypatch.setenv("TFDRIFT_PARSER", "hcl2")
    monkeypatch.setenv("TFDRIFT_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["inventory", str(_project(tmp_path)), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["resources"][0]["attributes"]["name"] == tmp_path.name
    assert list((tmp_path / "cache" / "parse").rglob("*.json"))  # python-hcl2's parse was cached


def test_no_cache_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TFDRIFT_PARSER", "hcl2")
    monkeypatch.setenv("TFDRIFT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TFDRIFT_NO_CACHE", "1")
    assert main(["inventory", str(_project(tmp_path)), "--format", "json"]) == 0
    capsys.readouterr()
    assert not (tmp_path / "cache").exists()


def test_inventory_lists_task_sets_of_an_ecs_module(tf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """terraform-aws-modules/ecs-shaped: each EXTERNAL service's task set (the module's ``this`` or
    ``ignore_task_definition`` variant), named by its service and cluster."""
    assert main(["inventory", str(tf / "tam_ecs")]) == 0
    text = capsys.readouterr().out
    assert "task_set service=checkout cluster=shop" in text and "task_set service=search cluster=shop" in text
    rc = main(["inventory", str(tf / "tam_ecs"), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0
    task_sets = {
        r["address"]: r["identity"]
        for r in doc["resources"]
        if r["type"] == "aws_ecs_task_set" and not r.get("declared_only")
    }
    assert task_sets == {
        'module.ecs.module.service["checkout"].aws_ecs_task_set.this[0]': {
            "kind": "task_set",
            "service": "checkout",
            "cluster": "shop",
            "region": "eu-west-1",
        },
        'module.ecs.module.service["search"].aws_ecs_task_set.ignore_task_definition[0]': {
            "kind": "task_set",
            "service": "search",
            "cluster": "shop",
            "region": "eu-west-1",
        },
    }


def test_inventory_lists_creation_templates_of_an_ecr_module(
    tf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["inventory", str(tf / "tam_ecr")])
    out = capsys.readouterr().out
    assert rc == 0
    for address, identity in (
        (
            'module.ecr_registry.aws_ecr_repository_creation_template.this["shop"]',
            "creation_template name=shop",
        ),
        (
            'module.ecr_registry.aws_ecr_repository_creation_template.this["cache"]',
            "creation_template name=ecr-public",
        ),
    ):
        line = next(line for line in out.splitlines() if address in line)
        assert identity in line


def test_creation_templates_are_checked_like_repositories(
    tf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The module's MUTABLE template fails tag mutability, and the template whose prefix no registry
    scanning rule covers fails scan on push; the covered one passes."""
    rc = main(["check", str(tf / "tam_ecr"), "--offline", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 1
    got = {
        (f["rule_id"], f["address"])
        for f in doc["findings"]
        if f["resource_type"] == "aws_ecr_repository_creation_template" and f["rule_id"] != "TFD-ECR-003"
    }
    assert got == {
        ("TFD-ECR-001", 'module.ecr_registry.aws_ecr_repository_creation_template.this["cache"]'),
        ("TFD-ECR-002", 'module.ecr_registry.aws_ecr_repository_creation_template.this["cache"]'),
    }
