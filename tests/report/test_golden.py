"""Golden output for every format from ONE report fixture (tests/fixtures/report/report.json).
``pytest --update-golden`` rewrites them; review the diff."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest
from report_loader import GOLDEN_DIR, SCHEMAS, load_report

from tfdrift_ci.models import Report
from tfdrift_ci.report import FORMATS, RenderOptions, render
from tfdrift_ci.report.markdown import render_comment

CASES = [
    ("text", RenderOptions(), "report.txt"),
    ("text", RenderOptions(color=True), "report.color.txt"),
    ("text", RenderOptions(quiet=True), "report.quiet.txt"),
    ("json", RenderOptions(), "report.json"),
    ("markdown", RenderOptions(), "report.md"),
    ("sarif", RenderOptions(), "report.sarif"),
    ("github", RenderOptions(), "report.github.txt"),
    ("html", RenderOptions(), "report.html"),
]


def clean_report() -> Report:
    return replace(load_report(), findings=(), exit_code=0, notices=())


def offline_report() -> Report:
    r = load_report()
    kept = tuple(f for f in r.findings if f.kind in ("config", "error"))
    return replace(
        r,
        findings=kept,
        window=None,
        sources=(),
        unfollowed_modules=(),
        notices=("no AWS credentials found and no --events given: static rules only",),
    )


@pytest.mark.parametrize(("fmt", "options", "name"), CASES, ids=[c[2] for c in CASES])
def test_golden(fmt: str, options: RenderOptions, name: str, golden, fixed_catalog) -> None:
    golden.check(f"report/{name}", render(load_report(), fmt, options))


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif", "github"])
def test_golden_clean_and_offline(fmt: str, golden, fixed_catalog) -> None:
    ext = {"text": "txt", "json": "json", "markdown": "md", "sarif": "sarif", "github": "github.txt"}[fmt]
    golden.check(f"report/clean.{ext}", render(clean_report(), fmt))
    golden.check(f"report/offline.{ext}", render(offline_report(), fmt))


def test_golden_comment(golden) -> None:
    body = render_comment(
        load_report(), RenderOptions(), summary_url="https://github.com/o/r/actions/runs/42"
    )
    golden.check("report/comment.md", body)


def test_every_golden_json_matches_the_report_schema() -> None:
    schema = json.loads((SCHEMAS / "report-schema.json").read_text(encoding="utf-8"))
    files = sorted(GOLDEN_DIR.glob("*.json"))
    assert len(files) >= 3
    for path in files:
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
            json.loads(path.read_text(encoding="utf-8"))
        )


def test_every_golden_sarif_matches_the_sarif_schema() -> None:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    files = sorted(GOLDEN_DIR.glob("*.sarif"))
    assert len(files) >= 3
    for path in files:
        jsonschema.Draft4Validator(schema).validate(json.loads(path.read_text(encoding="utf-8")))


def test_renderers_are_deterministic_whatever_the_input_order(fixed_catalog) -> None:
    r = load_report()
    shuffled = replace(
        r,
        findings=tuple(reversed(r.findings)),
        resources=tuple(reversed(r.resources)),
        sources=tuple(reversed(r.sources)),
    )
    for fmt in FORMATS:
        if fmt == "falco":
            continue
        assert render(r, fmt) == render(shuffled, fmt), fmt
