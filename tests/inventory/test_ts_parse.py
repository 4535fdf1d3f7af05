"""The tree-sitter front end returns exactly what the python-hcl2 front end returns (equivalence, not
speed: speed is bench/'s business), and hands every file it cannot parse the same way back to
python-hcl2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfdrift_ci.inventory import hcl, ts_parse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TS_FIXTURES = FIXTURES / "ts_parse"
EVERY_TF = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".tf", ".tfvars") and p.is_file())


def _text(path: Path) -> str | None:
    text, problem = hcl.read_text(str(path))
    return text if problem is None else None


def test_there_are_fixtures_to_compare() -> None:
    assert len(EVERY_TF) >= 10
    assert ts_parse.available()


@pytest.mark.parametrize("path", EVERY_TF, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_same_result_as_python_hcl2(path: Path) -> None:
    text = _text(path)
    if text is None:
        pytest.skip("not UTF-8: read_text reports it before any parser runs")
    reference = hcl._parse_uncached(text, str(path))
    fast = ts_parse.parse_text(text, str(path))
    if fast is None:
        return  # tree-sitter declined: the caller uses python-hcl2, so the result is the reference
    assert reference.problem is None, "tree-sitter accepted a file python-hcl2 rejects"
    assert fast == reference


def test_rejected_files_go_back_to_python_hcl2() -> None:
    for name in ("heredoc_at_eof_no_newline.tf",):
        text = (TS_FIXTURES / name).read_text(encoding="utf-8")
        assert hcl._parse_uncached(text, name).problem is not None
        assert ts_parse.parse_text(text, name) is None
    broken = 'resource "aws_ecr_repository" "x" {\n  name = "a"\n'
    assert ts_parse.parse_text(broken, "broken.tf") is None


def test_binary_operation_spans_like_lark() -> None:
    """python-hcl2 lets a trailing binary operation take the comments and newlines after it; the
    expression text (before rstrip) and end line must match it exactly."""
    parsed = ts_parse.parse_text((TS_FIXTURES / "operators_and_comments.tf").read_text(), "x.tf")
    assert parsed is not None
    locals_ = parsed.blocks[0]
    doubled = locals_.attribute("doubled")
    assert doubled is not None
    assert doubled.expr.startswith("var.count * 2 # trailing comment")
    assert (doubled.line, doubled.end_line) == (4, 7)
    service = parsed.blocks[1]
    assert (service.type, service.labels) == ("resource", ("aws_ecs_service", "binary_end_ok"))
    assert [a.name for a in service.attributes] == ["name", "desired_count", "enable_execute_command"]


def test_labels_blocks_and_lines() -> None:
    parsed = ts_parse.parse_text((TS_FIXTURES / "unicode_and_labels.tf").read_text(encoding="utf-8"), "u.tf")
    assert parsed is not None
    types = [(b.type, b.labels, b.line, b.end_line) for b in parsed.blocks]
    assert types == [
        ("locals", (), 1, 4),
        ("resource", ("aws_ecs_cluster", "unicode_ok"), 6, 8),
        ("terraform", (), 10, 17),
        ("provider", ("aws",), 19, 22),
    ]
    cluster = parsed.blocks[1].attribute("name")
    assert cluster is not None and cluster.expr == '"clüster-✓"'


def test_parser_hcl2_switches_the_fast_front_end_off(monkeypatch: pytest.MonkeyPatch) -> None:
    simple = 'resource "aws_ecr_repository" "x" {\n  name = "a"\n}\n'
    assert ts_parse.parse_text(simple, "x.tf") is not None

    def refuse(text: str, path: str) -> None:
        raise AssertionError("tree-sitter must not run with parser='hcl2'")

    monkeypatch.setattr(ts_parse, "parse_text", refuse)
    parsed = hcl.parse_text(simple, "x.tf", hcl.ParseOptions(parser="hcl2"))
    assert parsed.blocks[0].labels == ("aws_ecr_repository", "x")
