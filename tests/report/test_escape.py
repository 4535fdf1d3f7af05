from __future__ import annotations

import pytest

from tfdrift_ci.report import escape


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain text", "plain text"),
        ("a|b", "a\\|b"),
        ("<img src=x>", "&lt;img src=x&gt;"),
        ("[x](javascript:alert(1))", "\\[x\\]\\(javascript\u200b:alert\\(1\\)\\)"),
        ("@octocat", "@\u200boctocat"),
        ("#12", "\\#\u200b12"),
        ("https://x.example", "https:\u200b//x.example"),
        ("www.x.example", "www\u200b.x.example"),
        ("`code`", "\\`code\\`"),
        ("a\nb\r\nc", "a b c"),
        ("&amp;", "&amp;amp;"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("ab\u202ecd", "abcd"),
    ],
)
def test_md(raw: str, expected: str) -> None:
    assert escape.md(raw) == expected


def test_md_limit_cuts_before_escaping() -> None:
    out = escape.md("<" * 50, limit=10)
    assert out == "&lt;" * 9 + "…"


def test_md_block_fence_is_longer_than_any_backtick_run() -> None:
    out = escape.md_block("x ```` y")
    assert out.startswith("`````text\n") and out.endswith("\n`````")


@pytest.mark.parametrize(
    ("raw", "message", "prop"),
    [
        ("a%b", "a%25b", "a%25b"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a\rb", "a%0Db", "a%0Db"),
        ("%0A::error::x", "%250A::error::x", "%250A%3A%3Aerror%3A%3Ax"),
        ("f.tf,line=9", "f.tf,line=9", "f.tf%2Cline=9"),
        ("\x1b[2Jx\x07", "x", "x"),
    ],
)
def test_annotation_escaping(raw: str, message: str, prop: str) -> None:
    assert escape.annotation_message(raw) == message
    assert escape.annotation_property(raw) == prop


def test_terminal_strips_every_escape_and_control() -> None:
    raw = "\x1b]8;;https://evil\x07link\x1b]8;;\x07 \x9b31m \x00\x07\x08 \u2066x\u2069 a\nb"
    assert escape.terminal(raw) == "link x a b"


def test_sarif_text_escapes_brackets() -> None:
    assert escape.sarif_text("see [docs](0) \\") == "see \\[docs\\](0) \\\\"


def test_comment_marker_value_cannot_close_the_comment() -> None:
    out = escape.comment_marker_value("a --> <b> -- c")
    assert "-->" not in out and "--" not in out and ">" not in out


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a ##[warning]b", "a ##\u200b[warning]b"),
        ("::error::x", ":\u200b:error::x"),
        ("  \u00a0::error::x", "  \u00a0:\u200b:error::x"),
        ("ok\r::error::x\n::warning::y", "ok\r:\u200b:error::x\n:\u200b:warning::y"),
        ("a ::b:: c", "a ::b:: c"),
        ("#[x] ## [y]", "#[x] ## [y]"),
    ],
)
def test_runner_inert(raw: str, expected: str) -> None:
    assert escape.runner_inert(raw) == expected
    assert escape.runner_inert(expected) == expected  # idempotent


def test_runner_inert_keeps_our_annotation_lines() -> None:
    kept = escape.runner_inert("::error file=a::x ##[y]", keep_line_commands=True)
    assert kept == "::error file=a::x ##\u200b[y]"


def test_json_safe_hides_legacy_commands_but_keeps_the_value() -> None:
    import json

    text = escape.json_safe(json.dumps({"v": "x ##[warning]y"}, ensure_ascii=False))
    assert "##[" not in text
    assert json.loads(text) == {"v": "x ##[warning]y"}
