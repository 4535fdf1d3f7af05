"""Markdown leftovers (issue 13 §4): GitHub cross-references that survived escaping (a backlink
written into a third-party repository's timeline) and invisible characters that passed ``clean()``.

The checks are written without the code under test's escape helpers: the reference patterns follow
GitHub's documented autolinked references
(https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/autolinked-references-and-urls)
and the invisible set comes from ``unicodedata`` (every "Cf" format character) plus the known
invisible fillers."""

from __future__ import annotations

import re
import sys
import unicodedata

import hostile_gen as gen
import inert
import pytest

# owner/repo#12, owner/repo@sha are cross-repository; #12, GH-12 and @user are linked too.
REFERENCE = re.compile(
    r"(?<![\w/.-])[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9_.-]+(?:#\d|@[0-9a-f]{7})"
    r"|(?<![\w&])#\d"
    r"|\bGH-\d"
    r"|(?<![\w`])@[A-Za-z0-9]"
    r"|[A-Za-z0-9-]+@[0-9a-f]{7}"
)

REFERENCES = {
    "cross_repo_issue": "see torvalds/linux#123 for details",
    "cross_repo_dotted": "kubernetes/kubernetes.github.io#9",
    "cross_repo_commit": "fixed in hashicorp/terraform@a5c3785ed8d6a35868bc169f07e40e889087fd2e",
    "user_commit": "octocat@a5c3785ed8d6a35868bc169f07e40e889087fd2e",
    "issue_in_parentheses": "(#123)",
    "gh_ref": "GH-42 and gh-7",
    "mention": "ping @octocat and @github/security",
}

FILLERS = "\u115f\u1160\u3164\uffa0"


def invisible_chars() -> str:
    """Every format (Cf) character this Python knows, and the invisible Hangul fillers."""
    cf = "".join(
        chr(cp) for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Cf"
    )
    return cf + FILLERS


INVISIBLE = invisible_chars()
# U+200B is what the escaping inserts on purpose (to break a mention or a link): count it apart.
ZWSP = "\u200b"
HIDDEN = "a\u200cb\u200dc\u2060d\u3164e\U000e0041\U000e0042f\u00adg\u180eh\ufeffi\u115fj\uffa0k"


def _shown(needle: str, out: str) -> bool:
    """``needle`` is in ``out`` once invisible characters and break opportunities are ignored."""
    return needle in "".join(ch for ch in out.replace("<wbr>", "") if ch not in INVISIBLE)


def _visible_text(text: str) -> str:
    return "".join(inert.markdown_structure(text).text_outside_code)


def _render(payload: str, fmt: str) -> str:
    from tfdrift_ci.report import render

    return render(gen.hostile_report(payload), fmt)


@pytest.mark.parametrize("key", sorted(REFERENCES))
def test_markdown_links_no_reference(key: str) -> None:
    value = REFERENCES[key]
    assert REFERENCE.search(value), "the check does not see the reference (the test would prove nothing)"
    out = _render(value, "markdown")
    text = _visible_text(out)
    assert _shown(value.split()[-1][:4], text), "the value is not shown (the test would prove nothing)"
    found = [m.group(0) for m in REFERENCE.finditer(text)]
    assert not found, f"GitHub would autolink {found[:5]!r}"


@pytest.mark.parametrize("key", sorted(REFERENCES))
def test_comment_links_no_reference(key: str) -> None:
    from tfdrift_ci.report import RenderOptions
    from tfdrift_ci.report.markdown import render_comment

    body = render_comment(gen.hostile_report(REFERENCES[key]), RenderOptions())
    assert body is not None
    found = [m.group(0) for m in REFERENCE.finditer(_visible_text(body))]
    assert not found, f"GitHub would autolink {found[:5]!r}"


def test_clean_drops_every_invisible_character() -> None:
    from tfdrift_ci.textutil import clean

    left = [f"U+{ord(ch):04X}" for ch in clean(INVISIBLE)]
    assert not left, f"invisible characters pass clean(): {left[:20]}"
    assert clean(HIDDEN) == "abcdefghijk"


@pytest.mark.parametrize("fmt", ["markdown", "html", "github", "text", "sarif", "gitlab"])
def test_no_invisible_character_reaches_an_output(fmt: str) -> None:
    out = _render(HIDDEN, fmt)
    assert _shown("abcdefghijk", out), "the value is not shown (the test would prove nothing)"
    if fmt == "sarif":  # what a viewer shows; locations and properties keep the data, as JSON does
        out = "\n".join(v for k, v in inert.strings(inert.strict_json(out)) if k in ("text", "markdown"))
        assert _shown("abcdefghijk", out)
    left = sorted({f"U+{ord(ch):04X}" for ch in out if ch in INVISIBLE and ch != ZWSP})
    assert not left, f"{fmt}: invisible characters from a value: {left}"


def test_mermaid_label_has_no_invisible_character() -> None:
    from tfdrift_ci.report.escape import mermaid_text

    assert mermaid_text(HIDDEN) == "abcdefghijk"
    assert mermaid_text("\u3164") != "\u3164"


def test_escape_keeps_a_short_commit_hash_copyable() -> None:
    """Bare hashes are left alone on purpose: GitHub links them only to this repository's own
    commits (no cross-repository backlink), and image tags are often short commit hashes."""
    from tfdrift_ci.report.escape import md

    assert md("a5c3785") == "a5c3785"
