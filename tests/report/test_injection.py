"""Hostile text (tests/fixtures/report/injection.json) in every untrusted field, through every
renderer and the PR comment: it must come out inert — no markup, link, image, ping, annotation
command, escape sequence or bidi override — and still be there as text (JSON keeps it exactly)."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from injection_corpus import CORPUS, hostile_report
from mdcheck import assert_inert
from report_loader import SCHEMAS

from tfdrift_ci.report import RenderOptions, render
from tfdrift_ci.report.markdown import render_comment

ESC_OR_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u2028\u2029]")
ANNOTATION = re.compile(r"^::(error|warning|notice) (?:[^:\r\n]*)::[^\r\n]*$")


IDS = sorted(CORPUS)


@pytest.mark.parametrize("key", IDS)
def test_text_is_inert(key: str) -> None:
    report = hostile_report(CORPUS[key])
    for options in (RenderOptions(), RenderOptions(quiet=True)):
        out = render(report, "text", options)
        assert not ESC_OR_CONTROL.search(out.replace("\n", "")), repr(
            ESC_OR_CONTROL.search(out.replace("\n", ""))
        )
    coloured = render(report, "text", RenderOptions(color=True))
    # Only our own SGR codes survive: remove them, and nothing escape-like may remain.
    stripped = re.sub(r"\x1b\[(?:0|1|2|31|33|36|32|1;31)m", "", coloured)
    assert "\x1b" not in stripped and "\x9b" not in stripped


@pytest.mark.parametrize("key", IDS)
def test_annotations_are_inert(key: str) -> None:
    out = render(hostile_report(CORPUS[key]), "github", RenderOptions())
    lines = out.split("\n")
    assert lines[-1] == ""
    commands = [ln for ln in lines[:-1] if ln.startswith("::")]
    others = [ln for ln in lines[:-1] if not ln.startswith("::")]
    # One command per active finding (4), nothing else starts a line with "::".
    assert len(commands) == 4
    for ln in commands:
        assert ANNOTATION.match(ln), ln
        assert "\r" not in ln
    assert len(others) == 1 and others[0].startswith("tfdrift-ci: ")
    assert not ESC_OR_CONTROL.search(out.replace("\n", ""))


@pytest.mark.parametrize("key", IDS)
def test_markdown_is_inert(key: str) -> None:
    report = hostile_report(CORPUS[key])
    assert_inert(render(report, "markdown", RenderOptions()))
    url = "https://github.com/o/r/actions/runs/1"
    assert_inert(render_comment(report, RenderOptions(), summary_url=url), allowed_links=(url,))


@pytest.mark.parametrize("key", IDS)
def test_sarif_is_inert_and_valid(key: str, fixed_catalog) -> None:
    out = render(hostile_report(CORPUS[key]), "sarif", RenderOptions())
    data = json.loads(out)
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(data)
    for result in data["runs"][0]["results"]:
        text = result["message"]["text"]
        # No unescaped bracket: SARIF's embedded-link syntax [text](id) cannot form.
        assert not re.search(r"(?<!\\)(?:\\\\)*\[", text), text
        assert not ESC_OR_CONTROL.search(text.replace("\n", ""))


@pytest.mark.parametrize("key", IDS)
def test_json_keeps_the_value_exactly_and_stays_valid(key: str) -> None:
    value = CORPUS[key]
    out = render(hostile_report(value), "json", RenderOptions())
    # Raw bidi/C1 characters are written as \\uXXXX escapes: the file cannot reorder a terminal.
    assert not re.search("[\x80-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]", out)
    data = json.loads(out)
    schema = json.loads((SCHEMAS / "report-schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    drift = next(f for f in data["findings"] if f["kind"] == "drift")
    assert drift["message"] == value
    assert drift["actor"]["user_agent"] == value
    assert "access_key_id" not in drift["actor"]
    assert "AKIAFAKEACCESSKEY123" not in out


def test_the_corpus_covers_every_attack_named_in_the_issue() -> None:
    joined = "\n".join(CORPUS.values())
    for needle in (
        "<img",
        "onerror",
        "](javascript:",
        "@octo-org/",
        "```",
        "%0A::error::",
        "\x1b[",
        "\u202e",
        "\r",
    ):
        assert needle in joined, needle
