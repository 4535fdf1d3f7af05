"""tfdrift_ci/inventory/hcl.py: the python-hcl2 front end (blocks, expression text, line numbers)."""

from __future__ import annotations

from pathlib import Path

from tfdrift_ci.inventory import hcl


def test_blocks_attributes_and_lines(tf: Path) -> None:
    parsed = hcl.parse_file(str(tf / "flat" / "main.tf"))
    assert parsed.problem is None
    kinds = [(b.type, b.labels) for b in parsed.blocks]
    assert ("resource", ("aws_ecr_repository", "mutable_bad")) in kinds
    assert ("provider", ("aws",)) in kinds
    repo = next(b for b in parsed.blocks if b.labels == ("aws_ecr_repository", "mutable_bad"))
    assert (repo.line, repo.end_line) == (26, 35)
    name = repo.attribute("name")
    assert name is not None
    # the expression's source text, exactly as written (evaluated later)
    assert name.expr == '"${local.prefix}-api"'
    assert name.line == 27
    (scan,) = repo.children("image_scanning_configuration")
    assert scan.line == 30
    assert scan.attributes[0].name == "scan_on_push"
    assert scan.attributes[0].expr == "false"
    assert parsed.lines[25] == 'resource "aws_ecr_repository" "mutable_bad" {'


def test_heredoc_and_multiline_expressions_keep_their_text(tf: Path) -> None:
    parsed = hcl.parse_file(str(tf / "modules" / "modules" / "app" / "main.tf"))
    td = next(b for b in parsed.blocks if b.labels == ("aws_ecs_task_definition", "heredoc"))
    attr = td.attribute("container_definitions")
    assert attr is not None
    assert attr.expr.startswith("<<-EOT\n")
    assert attr.expr.rstrip().endswith("EOT")
    assert '"readonlyRootFilesystem": true' in attr.expr


def test_syntax_error_is_a_problem_with_a_line(tf: Path) -> None:
    parsed = hcl.parse_file(str(tf / "broken" / "bad.tf"))
    assert parsed.blocks == ()
    assert parsed.problem is not None
    assert parsed.problem.line == 4
    assert parsed.problem.message.startswith("HCL syntax error")
    assert "\n" not in parsed.problem.message


def test_invalid_utf8_names_the_line(tf: Path) -> None:
    parsed = hcl.parse_file(str(tf / "broken" / "latin1.tf"))
    assert parsed.problem is not None
    assert parsed.problem.line == 2
    assert "UTF-8" in parsed.problem.message


def test_crlf_and_bom_are_accepted(tmp_path: Path) -> None:
    f = tmp_path / "crlf.tf"
    f.write_bytes(b'\xef\xbb\xbfresource "aws_ecs_cluster" "c" {\r\n  name = "x"\r\n}\r\n')
    parsed = hcl.parse_file(str(f))
    assert parsed.problem is None
    (block,) = parsed.blocks
    attr = block.attribute("name")
    assert attr is not None
    assert attr.expr == '"x"'
    assert attr.line == 2


def test_tfvars_top_level_attributes(tf: Path) -> None:
    parsed = hcl.parse_file(str(tf / "variables" / "terraform.tfvars"))
    assert {a.name: a.expr for a in parsed.attributes}["from_tfvars"] == '"tfvars"'


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    parsed = hcl.parse_file(str(tmp_path / "nope.tf"))
    assert parsed.problem is not None
    assert "cannot read" in parsed.problem.message
