"""Hostile text (tests/fixtures/report/injection.json) in every untrusted field, through every
renderer and the PR comment: it must come out inert — no markup, link, image, ping, annotation
command, escape sequence or bidi override — and still be there as text (JSON keeps it exactly)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime

import jsonschema
import pytest
from mdcheck import assert_inert
from report_loader import FIXTURES, SCHEMAS, load_report

from tfdrift_ci.models import Actor, Event, Finding, ModuleCall, Report, Severity, SourceStatus
from tfdrift_ci.report import RenderOptions, render
from tfdrift_ci.report.markdown import render_comment

CORPUS: dict[str, str] = {
    k: v
    for k, v in json.loads((FIXTURES / "injection.json").read_text(encoding="utf-8")).items()
    if k != "_comment"
}
ESC_OR_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u2028\u2029]")
ANNOTATION = re.compile(r"^::(error|warning|notice) (?:[^:\r\n]*)::[^\r\n]*$")


def hostile_report(value: str) -> Report:
    """The sample report with ``value`` in every field that comes from CloudTrail, Terraform or git."""
    base = load_report()
    actor = Actor(
        display=value, arn=value, type=value, role_arn=value, via="console", service=value,
        source_ip=value, user_agent=value, access_key_id="AKIAFAKEACCESSKEY123",
    )  # fmt: skip
    event = Event(
        id=value, name=value, source=value, time=datetime(2026, 11, 19, 9, 14, 3, tzinfo=UTC),
        region=value, account=value, actor=actor, error_code=value,
    )  # fmt: skip
    drift = Finding(
        rule_id="TFD-DRIFT-001", kind="drift", severity=Severity.HIGH, title="Changed outside Terraform",
        message=value, address=value, resource_type="aws_ecr_repository", file=value, line=3, root=value,
        attribute=value, expected=value, actual={"policy": value}, event=event, actor=actor,
        remediation=value, reverted_by_plan=True, notes=(value,),
    )  # fmt: skip
    config = replace(
        drift, rule_id="TFD-ECR-001", kind="config", event=None, actor=None, reverted_by_plan=None,
        severity=Severity.CRITICAL,
    )  # fmt: skip
    error = replace(config, rule_id="TFD-ERR-001", kind="error", address=None, attribute=None)
    unmanaged = replace(
        drift, kind="unmanaged", address=None, file=None, severity=Severity.INFO, reverted_by_plan=None
    )
    suppressed = replace(config, suppressed=True, suppression_reason=value, severity=Severity.MEDIUM)
    return replace(
        base,
        path=value,
        findings=(drift, config, error, unmanaged, suppressed),
        sources=(SourceStatus(name=value, events_read=1, complete=False, error=value, malformed=2),),
        unfollowed_modules=(ModuleCall(address=value, source=value, file=value, line=1, reason=value),),
        notices=(value,),
    )


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
