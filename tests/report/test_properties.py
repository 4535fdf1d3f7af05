"""Property-based: any text (controls, surrogates, markup, huge) in the untrusted fields renders in
every format without an exception, encodes as UTF-8 and keeps each format's invariants."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from injection_corpus import hostile_report
from mdcheck import assert_inert

from tfdrift_ci.report import RenderOptions, render
from tfdrift_ci.report.markdown import render_comment

# Everything, lone surrogates included (json.loads produces them from "\ud800" in a CloudTrail file),
# biased towards the characters that mean something to a renderer.
SPECIAL = [*"<>[]()`*_|#@!\\%:,&\"'~\r\n\t\x1b\x07\x9b\u202e\u2066\u200b\ud800", "::", "%0A", "](", "```"]
TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=5)), max_size=30).map("".join),
)
ANNOTATION = re.compile(r"^::(error|warning|notice) (?:[^:\r\n]*)::[^\r\n]*$")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(TEXT)
def test_text_and_annotations(value: str) -> None:
    report = hostile_report(value)
    text = render(report, "text", RenderOptions())
    text.encode("utf-8")
    assert not CONTROL.search(text.replace("\n", ""))
    lines = render(report, "github", RenderOptions()).split("\n")[:-1]
    assert sum(1 for ln in lines if ln.startswith("::")) == 4
    for ln in lines:
        assert ANNOTATION.match(ln) or ln.startswith("tfdrift-ci: "), ln
        ln.encode("utf-8")


@SETTINGS
@given(TEXT)
def test_json_and_sarif_keep_valid_json(value: str) -> None:
    report = hostile_report(value)
    out = render(report, "json", RenderOptions())
    out.encode("utf-8")
    data = json.loads(out)
    drift = next(f for f in data["findings"] if f["kind"] == "drift")
    assert drift["message"] == value  # exactly, surrogates included
    sarif = render(report, "sarif", RenderOptions())
    sarif.encode("utf-8")
    assert json.loads(sarif)["version"] == "2.1.0"


@SETTINGS
@given(TEXT)
@example("0:#")  # a value ending in # or @ next to another value (or a line break) starting with a digit
@example("0:@")
def test_markdown_and_comment_stay_inert(value: str) -> None:
    report = hostile_report(value)
    md = render(report, "markdown", RenderOptions())
    md.encode("utf-8")
    assert_inert(md)
    assert_inert(render_comment(report, RenderOptions()))
