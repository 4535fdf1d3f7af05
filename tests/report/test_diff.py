"""tfdrift_ci/report/diff.py: the differing part of long strings, structural diffs of documents,
and that a diff never shows a secret the finding's message does not show. Cases are the file
tests/fixtures/report/diff/cases.json."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mdcheck import render_md
from report_loader import FIXTURES, load_report

from tfdrift_ci.models import Finding, Severity
from tfdrift_ci.report import RenderOptions, render
from tfdrift_ci.report import diff as d
from tfdrift_ci.report.escape import sarif_text

CASES: dict[str, dict[str, Any]] = {
    k: v
    for k, v in json.loads((FIXTURES / "diff" / "cases.json").read_text(encoding="utf-8")).items()
    if k != "_comment"
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name: str) -> None:
    case = CASES[name]
    vd = d.value_diff(case["old"], case["new"])
    if case.get("none"):
        assert vd is None
        return
    assert vd is not None
    if "text" in case:
        assert vd.kind == "text"
        assert [vd.old_excerpt, vd.new_excerpt] == case["text"]
    else:
        assert vd.kind == "structure"
        assert d.summary_lines(vd) == case["lines"]
        assert vd.unified.startswith("--- declared\n+++ observed\n@@")


def test_excerpts_of_different_values_always_differ_and_keep_the_difference() -> None:
    """The bug this module exists for: ``…/shop-prod-api:…`` → ``…/shop-prod-api:…``."""
    base = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop-prod-api:"
    a, b = d.excerpt(base + "1.4.2", base + "latest")
    assert a != b
    assert a.endswith("1.4.2") and b.endswith("latest")


@given(
    st.text(min_size=0, max_size=80),
    st.text(min_size=1, max_size=120),
    st.text(min_size=1, max_size=120),
    st.text(min_size=0, max_size=80),
)
def test_excerpt_properties(prefix: str, mid_a: str, mid_b: str, suffix: str) -> None:
    old, new = prefix + mid_a + suffix, prefix + mid_b + suffix
    a, b = d.excerpt(old, new)
    if old != new:
        assert a != b
    for whole, part in ((old, a), (new, b)):
        core = part.removeprefix("…").removesuffix("…")
        # Every excerpt is a piece of its value (or, for a long difference, a piece's beginning).
        assert core in whole or core.removesuffix("…") in whole
        assert len(part) <= d.MIDDLE + 3 * d.CONTEXT + 2


def test_masks_secret_looking_keys_and_environment_values() -> None:
    old = [{"name": "api", "environment": [{"name": "DB_PASSWORD", "value": "hunter2-prod"}]}]
    new = [
        {
            "name": "api",
            "environment": [{"name": "DB_PASSWORD", "value": "s3cr3t-new"}],
            "apiKey": "tfdriftFAKEapikey0001",
            "secrets": [{"name": "TOKEN", "valueFrom": "arn:aws:ssm:eu-west-1:111122223333:parameter/t"}],
        }
    ]
    vd = d.value_diff(old, new)
    assert vd is not None
    text = json.dumps(vd.as_dict()) + "\n".join(d.summary_lines(vd))
    for secret in ("hunter2-prod", "s3cr3t-new", "tfdriftFAKEapikey0001"):
        assert secret not in text
    # The change itself is still reported, and references to secrets (ARNs) are not secrets.
    paths = {c.path: c for c in vd.changes}
    assert paths["[0].environment[0].value"].masked
    assert paths["[0].apiKey"].masked
    assert "parameter/t" in text


def test_environment_values_and_log_options_are_masked_whatever_their_names() -> None:
    old = [
        {
            "name": "api",
            "environment": [{"name": "STRIPE", "value": "tfdriftFAKEold0001"}],
            "logConfiguration": {"logDriver": "splunk", "options": {"url": "tfdriftFAKEurl0001"}},
        }
    ]
    new = [
        {
            "name": "api",
            "environment": [
                {"name": "STRIPE", "value": "tfdriftFAKEnew0002"},
                {"name": "PLAIN", "value": "tfdriftFAKEadded0003"},
            ],
            "logConfiguration": {
                "logDriver": "splunk",
                "options": {"url": "tfdriftFAKEurl0001", "splunk-tok": "tfdriftFAKEtok0004"},
            },
        }
    ]
    vd = d.value_diff(old, new)
    assert vd is not None
    text = json.dumps(vd.as_dict()) + "\n".join(d.summary_lines(vd))
    assert "tfdriftFAKE" not in text, text
    paths = {c.path: c for c in vd.changes}
    assert paths["[0].environment[0].value"].masked
    assert set(paths) >= {"[0].environment[1]", "[0].logConfiguration.options.splunk-tok"}
    assert '"logDriver": "splunk"' in vd.unified


def test_a_finding_attribute_places_its_values_and_the_rules_markers_stay() -> None:
    """A drift finding's environment map (``{NAME: value}``) at ``…environment``: every value is
    masked except the markers tfdrift_ci/rules/redact.py wrote, which say what changed."""
    old = {"A": "(hidden)", "B": "tfdriftFAKEvalue0001"}
    new = {"A": "(hidden, changed: looks like a GitHub token)", "B": "tfdriftFAKEvalue0002"}
    vd = d.value_diff(old, new, "container_definitions[api].environment")
    assert vd is not None
    lines = d.summary_lines(vd)
    assert 'A: "(hidden)" → "(hidden, changed: looks like a GitHub token)"' in lines
    assert 'B: "****" → "****"' in lines
    assert "tfdriftFAKE" not in json.dumps(vd.as_dict())
    # the same values under another attribute are not environment values
    other = d.value_diff(old, new, "tags")
    assert other is not None and "tfdriftFAKEvalue0002" in json.dumps(other.as_dict())


def _drift(expected: Any, actual: Any, attribute: str = "policy") -> Finding:
    base = next(f for f in load_report().findings if f.kind == "drift")
    return replace(base, attribute=attribute, expected=expected, actual=actual, severity=Severity.HIGH)


def test_every_format_carries_the_diff() -> None:
    case = CASES["public_policy"]
    report = replace(load_report(), findings=(_drift(case["old"], case["new"]),))
    line = case["lines"][0]
    data = json.loads(render(report, "json"))
    assert data["findings"][0]["diff"]["changes"] == [
        {
            "path": "Statement[0].Principal.AWS",
            "op": "changed",
            "old": "arn:aws:iam::111122223333:root",
            "new": "*",
        }
    ]
    assert line in render(report, "text")
    sarif = json.loads(render(report, "sarif"))
    assert sarif_text(line) in sarif["runs"][0]["results"][0]["message"]["text"]
    shown = html.unescape(re.sub(r"<[^>]+>", "", render_md(render(report, "markdown", RenderOptions())).html))
    assert 'Statement[0].Principal.AWS: "arn:aws:iam::111122223333:root" → "*"' in shown


def test_json_diff_matches_the_report_schema() -> None:
    import jsonschema
    from report_loader import SCHEMAS

    schema = json.loads((SCHEMAS / "report-schema.json").read_text(encoding="utf-8"))
    findings = tuple(
        _drift(CASES[name]["old"], CASES[name]["new"])
        for name in ("public_policy", "image_tag", "statement_removed")
    )
    data = json.loads(render(replace(load_report(), findings=findings), "json"))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert {f["diff"]["kind"] for f in data["findings"]} == {"text", "structure"}
    removed = next(f for f in data["findings"] if f["diff"].get("changes", [{}])[0].get("op") == "removed")
    assert "new" not in removed["diff"]["changes"][0]  # absent, not null: the statement is gone


def test_text_lists_every_changed_path_of_a_document() -> None:
    case = CASES["container_definitions"]
    report = replace(load_report(), findings=(_drift(case["old"], case["new"], "container_definitions"),))
    text = render(report, "text")
    for line in case["lines"]:
        assert "~ " + line in text


def test_no_diff_for_config_findings_and_short_values() -> None:
    config = next(f for f in load_report().findings if f.kind == "config")
    assert d.finding_diff(replace(config, expected={"a": 1}, actual={"a": 2})) is None
    assert d.finding_diff(_drift("IMMUTABLE", "MUTABLE")) is None


def test_documents_nested_too_deep_give_no_diff_and_no_crash() -> None:
    deep = "[" * 5000 + "]" * 5000
    nested: Any = "x"
    for _ in range(5000):
        nested = [nested]
    vd = d.value_diff(deep, "[1]")  # the text stays text: at most a whole-value change
    assert vd is None or [c.path for c in vd.changes] == [""]
    assert d.value_diff(nested, ["y"]) is None
    report = replace(load_report(), findings=(_drift(deep, "[1]"),))
    for fmt in ("text", "json", "markdown", "sarif", "github", "html"):
        render(report, fmt)
