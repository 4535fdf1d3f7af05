"""The injection checks must be able to fail: feed them raw, unescaped renderings."""

from __future__ import annotations

import inert
import pytest


def test_markdown_check_catches_raw_html() -> None:
    with pytest.raises(AssertionError):
        inert.assert_markdown_inert(
            "| a | <img src=x onerror=alert(1)> |\n|---|---|\n", "| a | b |\n|---|---|\n"
        )


def test_markdown_check_catches_links_mentions_pipes_fences_markers() -> None:
    benign = "| a | b |\n|---|---|\n| c | d |\n"
    for hostile in (
        "| a | b |\n|---|---|\n| c | [x](javascript:alert(1)) |\n",
        "| a | b |\n|---|---|\n| c | [x](https://evil.invalid) |\n",
        "| a | b |\n|---|---|\n| c | @org/team |\n",
        "| a | b |\n|---|---|\n| c | x | y |\n",
        "| a | b |\n|---|---|\n| c | d |\n```\n",
        "| a | b |\n|---|---|\n| c | d <!-- tfdrift-ci --> |\n",
        "| a | b |\n|---|---|\n| c | \x1b[31md |\n",
        "| a | b |\n|---|---|\n| c | \u202ed |\n",
        "| a | b |\n|---|---|\n| c | d |\n::error::pwned\n",
        "| a | b |\n|---|---|\n| c | d ##[warning file=a.tf;line=1]LGTM |\n",
        "| a | b |\n|---|---|\n| c | d |\n   ::error::pwned\n",
    ):
        with pytest.raises(AssertionError):
            inert.assert_markdown_inert(hostile, benign)


def test_annotation_check_catches_forged_commands() -> None:
    benign = "::error file=a.tf,line=1::msg\n"
    for hostile in (
        "::error file=a.tf,line=1::msg\n::error::pwned\n",
        "::error file=a.tf,line=1,title=x\n::msg\n",
        "::error file=a.tf,evil=1::msg\n",
        "::error file=a.tf,line=1::msg\n##[error]pwned\n",
        "::error file=a.tf,line=1::msg ##[warning]pwned\n",
        "::error file=a.tf,line=1::\x1b[31mmsg\n",
    ):
        with pytest.raises(AssertionError):
            inert.assert_annotations_inert(hostile, benign)


def test_sarif_check_catches_embedded_links() -> None:
    ok = '{"version": "2.1.0", "runs": [{"results": [{"message": {"text": "a"}}]}]}'
    bad = '{"version": "2.1.0", "runs": [{"results": [{"message": {"text": "[x](javascript:alert(1))"}}]}]}'
    inert.assert_sarif_inert(ok, ok)
    with pytest.raises(AssertionError):
        inert.assert_sarif_inert(bad, ok)
    with pytest.raises(ValueError):
        inert.strict_json('{"a": NaN}')


def test_terminal_check_catches_escapes() -> None:
    inert.assert_terminal_safe("plain\ttext\n")
    for bad in ("\x1b[31mred", "a\u202eb", "bell\x07"):
        with pytest.raises(AssertionError):
            inert.assert_terminal_safe(bad)


def test_workflow_command_check_looks_anywhere_in_the_line() -> None:
    """The runner finds ##[cmd] anywhere in a line (IndexOf) and ::cmd:: after leading spaces."""
    for bad in ("x ##[warning]y", "  ::error::x", "\t::notice::x", "ok\n\u00a0::error::x"):
        with pytest.raises(AssertionError):
            inert.assert_no_workflow_commands(bad)
    inert.assert_no_workflow_commands("a ::error:: mid-line, ##\u200b[broken], #[one]")

