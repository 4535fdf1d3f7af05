"""Independent checks that rendered output is inert: written without the code under test's escape
helpers, so that a bug there cannot hide itself here."""

from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser
from typing import Any

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.|\x9b")
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
MENTION = re.compile(r"(?<![\w`])@(?:org|admin)\b")
MARKER = re.compile(r"<!--\s*tfdrift-ci")
# The runner (actions/runner ActionCommand.TryParseV2 / TryParse) runs "::cmd::" at the start of a
# line after leading whitespace, and the legacy "##[cmd]" ANYWHERE in a line (it searches with IndexOf).
WORKFLOW_CMD = re.compile(r"^\s*::|##\[")
ANNOTATION = re.compile(r"^::(?P<cmd>[a-z-]+)(?: (?P<props>[^:\r\n]*))?::(?P<data>.*)$")
ANNOTATION_PROPS = {"file", "line", "endLine", "col", "endColumn", "title"}


def strip_controls(text: str) -> str:
    return CONTROLS.sub("", ANSI.sub("", text))


def workflow_command_lines(text: str) -> list[str]:
    """Lines the Actions runner would execute as workflow commands (``::x::`` and legacy ``##[x]``)."""
    return [ln for ln in text.splitlines() if WORKFLOW_CMD.search(ln)]


def assert_no_workflow_commands(text: str) -> None:
    lines = workflow_command_lines(text)
    assert not lines, f"output would run workflow commands in GitHub Actions: {lines[:3]!r}"


def assert_terminal_safe(text: str) -> None:
    assert "\x1b" not in text and "\x9b" not in text, "escape sequence in non-TTY output"
    bad = CONTROLS.findall(text.replace("\n", "").replace("\t", "").replace("\r", ""))
    assert not bad, f"control/bidi characters in output: {bad[:5]!r}"


# --------------------------------------------------------------------------------------------------
# Markdown → HTML (CommonMark + GFM tables, raw HTML allowed as GitHub does before sanitising)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.bad: list[str] = []
        self.text_outside_code: list[str] = []
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "wbr":  # line-break opportunities the renderer adds in long values: not structure
            return
        self.tags[tag] += 1
        if tag in ("code", "pre"):
            self._code += 1
        if tag in ("img", "script", "iframe", "object", "embed", "style", "svg", "math", "form", "input"):
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.bad.append(f"{tag}[{name}]")
            v = re.sub(r"[\s\x00-\x20]", "", (value or "")).lower()
            if name.lower() in ("href", "src", "action", "formaction") and v.startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.bad.append(f"{tag}[{name}={value}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "pre") and self._code:
            self._code -= 1

    def handle_data(self, data: str) -> None:
        if not self._code:
            self.text_outside_code.append(data)


def markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    return str(md.render(text))


def markdown_structure(text: str) -> _Collector:
    c = _Collector()
    c.feed(markdown_html(text))
    c.close()
    return c


SCRIPT_LINK = re.compile(r"(?<!\\)\]\(\s*<?\s*(?:javascript|data|vbscript):", re.IGNORECASE)
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def table_cell_counts(text: str) -> list[int]:
    """Unescaped pipes per table line (GFM silently drops cells beyond the header's count, so an
    injected ``|`` can hide text without changing the HTML element counts)."""
    return sorted(len(UNESCAPED_PIPE.findall(ln)) for ln in text.splitlines() if ln.lstrip().startswith("|"))


def assert_markdown_inert(text: str, benign: str) -> None:
    """Hostile values add no HTML element, no link, no mention, no marker, no escape sequence."""
    got, ref = markdown_structure(text), markdown_structure(benign)
    assert table_cell_counts(text) == table_cell_counts(benign), "untrusted values added table cells"
    # markdown-it (like GitHub) refuses javascript: hrefs, so look at the source as well
    assert not SCRIPT_LINK.search(text), "javascript:/data: link in Markdown source"
    assert not got.bad, f"active markup from untrusted values: {got.bad[:5]}"
    assert got.tags == ref.tags, (
        "untrusted values changed the document structure: "
        f"extra={dict(got.tags - ref.tags)} missing={dict(ref.tags - got.tags)}"
    )
    pings = [t for t in got.text_outside_code if MENTION.search(t)]
    assert not pings, f"@mention would ping: {pings[:3]!r}"
    assert len(MARKER.findall(text)) == len(MARKER.findall(benign)), "sticky-comment marker spoofed"
    assert "\x1b" not in text
    assert not BIDI.search(text), "bidi override in markdown"
    assert_no_workflow_commands(text)


# --------------------------------------------------------------------------------------------------
# GitHub workflow commands


def annotation_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.startswith("::")]


def assert_annotations_inert(text: str, benign: str) -> None:
    lines = annotation_lines(text)
    assert len(lines) == len(annotation_lines(benign)), "untrusted values added or removed commands"
    assert not [ln for ln in text.splitlines() if "##[" in ln], "legacy ##[command] in an annotation"
    assert not [ln for ln in text.splitlines() if ln.lstrip().startswith("::") and not ln.startswith("::")]
    for line in lines:
        m = ANNOTATION.match(line)
        assert m, f"malformed workflow command: {line[:200]!r}"
        assert m.group("cmd") in ("error", "warning", "notice", "group", "endgroup"), line[:200]
        for prop in filter(None, (m.group("props") or "").split(",")):
            key, sep, value = prop.partition("=")
            assert sep and key in ANNOTATION_PROPS, f"forged/broken property {prop[:100]!r} in {line[:200]!r}"
            assert "\r" not in value and "\n" not in value
    assert "\x1b" not in text
    assert not BIDI.search(text)


# --------------------------------------------------------------------------------------------------
# JSON / SARIF


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def strict_json(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant)


def strings(value: Any, key: str | None = None) -> list[tuple[str | None, str]]:
    """Every (key, string) pair in a JSON document."""
    out: list[tuple[str | None, str]] = []
    if isinstance(value, str):
        out.append((key, value))
    elif isinstance(value, dict):
        for k, v in value.items():
            out.append((None, k))
            out.extend(strings(v, k))
    elif isinstance(value, list):
        for v in value:
            out.extend(strings(v, key))
    return out


EMBEDDED_LINK = re.compile(r"(?<!\\)\[(?:[^\]\\]|\\.)*(?<!\\)\]\(")


def assert_sarif_inert(text: str, benign: str) -> None:
    doc, ref = strict_json(text), strict_json(benign)
    assert doc["version"] == "2.1.0"
    links = sum(len(EMBEDDED_LINK.findall(s)) for k, s in strings(doc) if k == "text")
    ref_links = sum(len(EMBEDDED_LINK.findall(s)) for k, s in strings(ref) if k == "text")
    assert links == ref_links, "untrusted values formed SARIF embedded links"
    for key, s in strings(doc):
        if key in ("text", "markdown"):
            assert "\x1b" not in s and not BIDI.search(s), f"control characters in SARIF {key}: {s[:80]!r}"
    md_doc = [s for k, s in strings(doc) if k == "markdown"]
    md_ref = [s for k, s in strings(ref) if k == "markdown"]
    if md_doc:
        assert_markdown_inert("\n\n".join(md_doc), "\n\n".join(md_ref))
    assert_no_workflow_commands(text)
