"""Byte-exact edits: only the literal's characters change, whichever parser read the file, with CRLF
line endings or a byte-order mark; values are written in the old literal's style."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tfdrift_ci.fix import apply_edits
from tfdrift_ci.fix import locate as L
from tfdrift_ci.inventory import hcl, ts_parse
from tfdrift_ci.inventory.parsed import Block, ParsedFile

STYLES = Path(__file__).parents[1] / "fixtures" / "fix" / "styles" / "main.tf"
TEXT = STYLES.read_text(encoding="utf-8")

Parse = Callable[[str], ParsedFile]


def _ts(text: str) -> ParsedFile:
    parsed = ts_parse.parse_text(text, "main.tf")
    assert parsed is not None
    return parsed


def _hcl2(text: str) -> ParsedFile:
    return hcl.parse_text(text, "main.tf", hcl.ParseOptions(parser="hcl2", cache_dir=None))


PARSERS = pytest.mark.parametrize("parse", [_ts, _hcl2], ids=["tree-sitter", "python-hcl2"])


def _block(parsed: ParsedFile, kind: str, name: str) -> Block:
    return next(b for b in parsed.blocks if b.type == "resource" and b.labels == (kind, name))


def _adopt(parse: Parse, text: str, kind: str, name: str, path: str, *, value: Any) -> str:
    src = L.Source("main.tf", text)
    edits = L.block_edits(src, _block(parse(text), kind, name), L.steps(path), value)
    return apply_edits(src, edits)


@PARSERS
def test_a_string_literal_keeps_its_comment_and_alignment(parse: Parse) -> None:
    new = _adopt(parse, TEXT, "aws_ecr_repository", "api", "image_tag_mutability", value="MUTABLE")
    assert new == TEXT.replace(
        'image_tag_mutability = "IMMUTABLE" // releases', 'image_tag_mutability = "MUTABLE" // releases'
    )


@PARSERS
def test_a_bool_in_a_nested_block(parse: Parse) -> None:
    new = _adopt(
        parse, TEXT, "aws_ecr_repository", "api", "image_scanning_configuration.scan_on_push", value=False
    )
    assert new == TEXT.replace("scan_on_push = true", "scan_on_push = false")


@PARSERS
def test_a_number_from_an_api_string_stays_a_number(parse: Parse) -> None:
    new = _adopt(parse, TEXT, "aws_ecs_task_definition", "api", "memory", value="1024")
    assert new == TEXT.replace("memory = 512", "memory = 1024")


@PARSERS
def test_a_map_key_changed_added_and_removed(parse: Parse) -> None:
    changed = _adopt(parse, TEXT, "aws_ecr_repository", "api", "tags.team", value="growth")
    assert changed == TEXT.replace('team = "payments" # who pays', 'team = "growth" # who pays')
    added = _adopt(parse, TEXT, "aws_ecr_repository", "api", "tags.cost-center", value="42")
    assert added == TEXT.replace(
        "    # a comment inside the map\n  }", '    # a comment inside the map\n    cost-center = "42"\n  }'
    )
    removed = _adopt(parse, TEXT, "aws_ecr_repository", "api", "tags.team", value=None)
    assert removed == TEXT.replace('    team = "payments" # who pays\n', "")


@PARSERS
def test_a_one_line_map(parse: Parse) -> None:
    added = _adopt(parse, TEXT, "aws_ecr_repository", "oneline", "tags.owner", value="bob")
    assert added == TEXT.replace('env = "prod" }', 'env = "prod", owner = "bob" }')
    removed = _adopt(parse, TEXT, "aws_ecr_repository", "oneline", "tags.team", value=None)
    assert removed == TEXT.replace('{ team = "payments", env = "prod" }', '{ env = "prod" }')


@PARSERS
def test_a_jsonencode_policy_changes_only_the_changed_members(parse: Parse) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "PullFromCi", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}
        ],
    }
    new = _adopt(parse, TEXT, "aws_ecr_repository_policy", "encoded", "policy", value=policy)
    assert new == TEXT.replace('Principal = { AWS = "arn:aws:iam::111122223333:role/ci" }', 'Principal = "*"')


@PARSERS
def test_a_heredoc_policy_stays_a_heredoc(parse: Parse) -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny"}]}
    new = _adopt(parse, TEXT, "aws_ecr_repository_policy", "heredoc", "policy", value=policy)
    old_doc = '    {\n      "Version": "2012-10-17",\n      "Statement": []\n    }\n'
    new_doc = (
        '    {\n      "Version": "2012-10-17",\n      "Statement": [\n        {\n'
        '          "Effect": "Deny"\n        }\n      ]\n    }\n'
    )
    assert new == TEXT.replace(old_doc, new_doc)


@PARSERS
def test_a_container_definition_member(parse: Parse) -> None:
    image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:latest"
    new = _adopt(
        parse, TEXT, "aws_ecs_task_definition", "api", "container_definitions[api].image", value=image
    )
    assert new == TEXT.replace("api:1.0", "api:latest")
    env = _adopt(
        parse,
        TEXT,
        "aws_ecs_task_definition",
        "api",
        "container_definitions[api].environment",
        value={"APP_ENV": "staging"},
    )
    assert env == TEXT.replace('value = "production"', 'value = "staging"')


@PARSERS
def test_a_named_block(parse: Parse) -> None:
    new = _adopt(parse, TEXT, "aws_ecs_cluster", "main", "setting.containerInsights", value="disabled")
    assert new == TEXT.replace('value = "enabled"', 'value = "disabled"')


@PARSERS
def test_an_attribute_not_written_is_added_to_the_block(parse: Parse) -> None:
    new = _adopt(parse, TEXT, "aws_ecs_service", "api", "enable_execute_command", value=True)
    assert new == TEXT.replace(
        '  subnets       = ["subnet-a", "subnet-b"]\n',
        '  subnets       = ["subnet-a", "subnet-b"]\n  enable_execute_command = true\n',
    )


@PARSERS
def test_what_is_not_one_literal_is_for_a_person(parse: Parse) -> None:
    with pytest.raises(L.Manual, match=r"not a literal: `var\.count_of_api`"):
        _adopt(parse, TEXT, "aws_ecs_service", "api", "desired_count", value=3)
    with pytest.raises(L.Manual, match="nested blocks"):
        _adopt(parse, TEXT, "aws_ecs_cluster", "main", "setting", value=[{"name": "x", "value": "y"}])
    with pytest.raises(L.Manual, match="action, not a setting"):
        _adopt(parse, TEXT, "aws_ecs_service", "api", "force_new_deployment", value=True)


def test_crlf_and_bom_survive(tmp_path: Path) -> None:
    from tfdrift_ci.fix.adopt import read_source

    crlf = TEXT.replace("\n", "\r\n")
    (tmp_path / "main.tf").write_bytes(b"\xef\xbb\xbf" + crlf.encode("utf-8"))
    src = read_source(str(tmp_path), "main.tf", {})
    assert src.bom and src.text == crlf
    block = _block(_ts(src.text), "aws_ecs_service", "api")
    new = apply_edits(src, L.block_edits(src, block, ["enable_execute_command"], False))
    assert new == crlf.replace(
        '["subnet-a", "subnet-b"]\r\n', '["subnet-a", "subnet-b"]\r\n  enable_execute_command = false\r\n'
    )


def test_a_file_changed_since_it_was_read_is_not_edited() -> None:
    parsed = _ts(TEXT)
    moved = TEXT.replace('  name                 = "api"', '\n  name                 = "api"', 1)
    src = L.Source("main.tf", moved)
    with pytest.raises(L.Manual, match="not where the parser read it"):
        L.block_edits(src, _block(parsed, "aws_ecr_repository", "api"), ["image_tag_mutability"], "MUTABLE")


def test_strings_from_cloudtrail_cannot_become_code() -> None:
    hostile = 'x" \n ${file("/etc/passwd")} %{if true}\u202e\x1b[31m'
    new = _adopt(_ts, TEXT, "aws_ecr_repository", "api", "image_tag_mutability", value=hostile)
    line = next(ln for ln in new.splitlines() if "image_tag_mutability" in ln)
    assert line == (
        '  image_tag_mutability = "x\\" \\n $${file(\\"/etc/passwd\\")} %%{if true}\\u202e\\u001b[31m"'
        " // releases are immutable"
    )
    # and the written literal reads back as the value
    parsed = _ts(new)
    attr = _block(parsed, "aws_ecr_repository", "api").attribute("image_tag_mutability")
    assert attr is not None
    assert L.literal_value(L.parse_expr(attr)) == hostile
