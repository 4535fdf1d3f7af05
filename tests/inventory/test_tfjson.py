"""tfdrift_ci/inventory/tfjson.py: Terraform JSON configuration syntax (*.tf.json)."""

from __future__ import annotations

from pathlib import Path

from tfdrift_ci import inventory
from tfdrift_ci.inventory import hcl
from tfdrift_ci.inventory.tfjson import _template_text


def test_json_syntax_project(tf: Path) -> None:
    inv = inventory.load(str(tf / "json_syntax"))
    assert inv.problems == ()
    assert inv.files == 2
    res = {r.address: r for r in inv.resources}
    repo = res["aws_ecr_repository.json_bad"]
    # variable defaults are literal in JSON syntax: "${...}" there is not a template
    assert repo.attributes["name"] == "json-${not-a-template}-api"
    assert repo.attributes["image_scanning_configuration"] == [{"scan_on_push": False}]
    assert repo.attributes["tags"] == {"team": "web"}  # an object attribute, not a block
    assert repo.ignore_changes == ("tags",)
    assert (repo.file, repo.line) == ("main.tf.json", 18)
    assert repo.attribute_lines["image_scanning_configuration.scan_on_push"] == 21
    assert repo.identity is not None and repo.identity.region == "eu-north-1"
    td = res["aws_ecs_task_definition.json_td"]
    assert td.provider == "aws.use1"
    assert td.identity is not None and td.identity.region == "us-east-1"
    (container,) = td.attributes["container_definitions"]
    assert container == {"name": "app", "image": "nginx:1.27", "privileged": True}
    svc = res["module.svc.aws_ecs_service.from_json_module"]
    assert svc.attributes["desired_count"] == 2


def test_json_syntax_hook_scan_finds_module_callers(tf: Path) -> None:
    roots = inventory.roots_for_files([str(tf / "json_syntax" / "svc" / "main.tf")], repo_root=str(tf))
    assert roots == [str(tf / "json_syntax")]


def test_invalid_json_is_a_problem_with_a_line(tmp_path: Path) -> None:
    (tmp_path / "bad.tf.json").write_text('{\n  "resource": {\n    "x": [1,\n}\n', encoding="utf-8")
    (tmp_path / "ok.tf").write_text('resource "aws_ecs_cluster" "ok" {\n  name = "ok"\n}\n', encoding="utf-8")
    inv = inventory.load(str(tmp_path))
    assert [r.address for r in inv.resources] == ["aws_ecs_cluster.ok"]
    (problem,) = inv.problems
    assert problem.file == "bad.tf.json"
    assert problem.line == 4


def test_template_text_keeps_interpolations_raw() -> None:
    assert _template_text('a"b ${x["k"]}-%{ if y }z%{ endif } $${lit}') == (
        '"a\\"b ${x["k"]}-%{ if y }z%{ endif } $${lit}"'
    )
    parsed = hcl.parse_text('{"output": {"o": {"value": "${1 + 1}"}}}', "o.tf.json")
    (block,) = parsed.blocks
    assert (block.type, block.labels) == ("output", ("o",))
    value = block.attribute("value")
    assert value is not None and value.expr == '"${1 + 1}"'
