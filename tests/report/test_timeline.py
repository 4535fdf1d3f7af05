"""tfdrift_ci/report/timeline.py: the Mermaid gantt block in the PR comment and the SVG of the HTML
report. The block is checked line by line against the shapes the renderer may emit (a grammar
check), and, when ``mmdc`` (@mermaid-js/mermaid-cli) and Chromium are installed, parsed and drawn
by Mermaid itself, the hostile corpus included."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from injection_corpus import CORPUS, hostile_report
from report_loader import load_report

from tfdrift_ci.models import Finding, Report, SetBack, TerraformApply
from tfdrift_ci.report import RenderOptions, render, timeline
from tfdrift_ci.report.markdown import render_comment

REPO = Path(__file__).resolve().parents[2]

# Every line the renderer may emit inside the block. Labels: no ":" "#" ";" "%" "{" "}" "<" ">" or
# quotes (gantt.jison: ":" starts a task's data, "#" and "%%" comments, ";" ends a statement).
_LABEL = r"[^:#;%{}<>\"`\n\\]+"
LINE_SHAPES = [
    re.compile(r"^```mermaid$"),
    re.compile(r"^gantt$"),
    re.compile(rf"^    title {_LABEL}$"),
    re.compile(r"^    dateFormat YYYY-MM-DD HH:mm$"),
    re.compile(r"^    axisFormat (?:%m-%d|%H:%M|%m-%d %H:%M)$"),
    re.compile(r"^    todayMarker off$"),
    re.compile(rf"^    section {_LABEL}$"),
    re.compile(rf"^    [●○↺▲] {_LABEL} :(?:crit|active|done), milestone, \d{{4}}-\d\d-\d\d \d\d:\d\d, 0m$"),
    re.compile(r"^```$"),
]


def mermaid_block(markdown: str) -> str | None:
    m = re.search(r"^```mermaid\n.*?^```$", markdown, re.S | re.M)
    return m.group(0) if m else None


def assert_grammar(block: str) -> None:
    for line in block.splitlines():
        assert any(p.match(line) for p in LINE_SHAPES), f"unexpected Mermaid line: {line!r}"


def _drifts(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.kind in ("drift", "unmanaged", "attempt")]


def test_comment_has_a_timeline_of_the_drift() -> None:
    body = render_comment(load_report(), RenderOptions())
    block = mermaid_block(body)
    assert block is not None
    assert_grammar(block)
    assert "section aws_ecr_repository.mutable_bad" in block
    assert "● alice@example.com∶ image_tag_mutability :crit, milestone, 2026-11-19 09:14, 0m" in block
    assert "○ mallory tried DeleteRepository (AccessDenied) :active, milestone" in block


def test_no_drift_draws_nothing() -> None:
    r = load_report()
    static = replace(r, findings=tuple(f for f in r.findings if f.kind in ("config", "error")))
    assert timeline.build(static) is None
    assert "```mermaid" not in render_comment(static, RenderOptions())
    assert "```mermaid" not in render(static, "markdown")


def test_set_back_is_marked() -> None:
    r = load_report()
    f = next(f for f in r.findings if f.kind == "drift")
    back = SetBack("Terraform", datetime(2026, 11, 20, 10, 0, 30, tzinfo=UTC), "e-9", terraform=True)
    noted = replace(
        f, notes=("Terraform set it back to IMMUTABLE on 2026-11-20 10:00 UTC (event e-9)",), set_back=back
    )
    block = mermaid_block(render(replace(r, findings=(noted,)), "markdown"))
    assert block is not None
    assert_grammar(block)
    assert "↺ Terraform set image_tag_mutability back :done, milestone, 2026-11-20 10:00, 0m" in block


def test_capped_with_and_n_more() -> None:
    r = load_report()
    f = next(f for f in r.findings if f.kind == "drift")
    assert f.event is not None
    many = tuple(
        replace(f, event=replace(f.event, id=f"e{i}", time=f.event.time - timedelta(minutes=i)))
        for i in range(45)
    )
    t = timeline.build(replace(r, findings=many))
    assert t is not None and t.marks == timeline.CAP and t.more == 15
    md = render(replace(r, findings=many), "markdown")
    assert "… and 15 earlier events" in md
    block = mermaid_block(md)
    assert block is not None and block.count("milestone") == timeline.CAP


@pytest.mark.parametrize("key", sorted(CORPUS))
def test_hostile_text_stays_inside_its_label(key: str) -> None:
    block = mermaid_block(render(hostile_report(CORPUS[key]), "markdown"))
    assert block is not None
    assert_grammar(block)
    # No statement but ours: every line starts with one of our keywords or a symbol of ours.
    assert not re.search(r"^\s*(?:click|call|href|%%|#)", block, re.M)


def _mmdc() -> list[str] | None:
    """The Mermaid CLI: $TFDRIFT_MMDC, the copy .ci/run installs, or one on PATH."""
    for candidate in (
        os.environ.get("TFDRIFT_MMDC"),
        str(REPO / ".ci" / "node" / "node_modules" / ".bin" / "mmdc"),
        shutil.which("mmdc"),
    ):
        if candidate and Path(candidate).exists():
            return [candidate]
    return None


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
def test_mermaid_cli_parses_and_draws_the_blocks(tmp_path: Path) -> None:
    """Mermaid itself (through mermaid-cli and headless Chromium, offline) parses what we emit:
    the sample report's block and the hostile corpus in one diagram each."""
    mmdc, browser = _mmdc(), _chromium()
    if mmdc is None or browser is None:
        pytest.skip("needs mmdc (npm @mermaid-js/mermaid-cli, installed by .ci/run) and Debian chromium")
    puppeteer = tmp_path / "puppeteer.json"
    puppeteer.write_text(
        json.dumps({"executablePath": browser, "args": ["--no-sandbox", "--disable-gpu", "--headless"]}),
        encoding="utf-8",
    )
    reports = {"sample": load_report()} | {
        k: hostile_report(CORPUS[k]) for k in ("marker_spoof", "md_code_fence", "policy_text", "mention_user")
    }
    hostile_all = "\n".join(CORPUS.values())
    reports["everything"] = hostile_report(hostile_all)
    for name, report in reports.items():
        block = mermaid_block(render(report, "markdown"))
        assert block is not None
        src = tmp_path / f"{name}.mmd"
        src.write_text(block.removeprefix("```mermaid\n").removesuffix("\n```") + "\n", encoding="utf-8")
        out = tmp_path / f"{name}.svg"
        run = subprocess.run(
            [*mmdc, "-p", str(puppeteer), "-i", str(src), "-o", str(out), "-q"],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert run.returncode == 0, f"{name}: {run.stderr[-2000:]}"
        svg = out.read_text(encoding="utf-8")
        assert 'aria-roledescription="gantt"' in svg
        assert "Syntax error" not in svg
    # A control: a broken diagram does fail, so the passes above mean something.
    bad = tmp_path / "bad.mmd"
    bad.write_text("gantt\n    dateFormat YYYY-MM-DD HH:mm\n    section a\n    x :crit, milestone, nope\n")
    run = subprocess.run(
        [*mmdc, "-p", str(puppeteer), "-i", str(bad), "-o", str(tmp_path / "bad.svg"), "-q"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode != 0 or "rror" in (tmp_path / "bad.svg").read_text(
        encoding="utf-8", errors="replace"
    )


def test_svg_is_escaped_and_has_a_mark_per_event() -> None:
    t = timeline.build(hostile_report(CORPUS["html_script"]))
    assert t is not None
    out = timeline.svg(t)
    assert "<script" not in out
    assert out.count('class="mark ') == t.marks
    ok = timeline.build(load_report())
    assert ok is not None
    assert timeline.svg(ok).count("<circle") + timeline.svg(ok).count("<rect") == ok.marks
    assert _drifts(load_report())


def test_terraform_applies_on_drifted_resources_are_marked() -> None:
    r = load_report()
    f = next(f for f in r.findings if f.kind == "drift")
    assert f.event is not None and f.address is not None
    when = f.event.time + timedelta(hours=3)
    applies = (
        TerraformApply(f.address, f.root or ".", when, "PutImageTagMutability", "tf-1"),
        # another resource that did not drift: not drawn
        TerraformApply("aws_ecr_repository.elsewhere", ".", when, "PutImageTagMutability", "tf-2"),
        # the same event as a set-back: drawn once, as the set-back
        TerraformApply(f.address, f.root or ".", when + timedelta(hours=1), "PutImageTagMutability", "tf-3"),
    )
    back = SetBack("Terraform", when + timedelta(hours=1), "tf-3", terraform=True)
    report = replace(r, findings=(replace(f, set_back=back),), terraform_applies=applies)
    block = mermaid_block(render(report, "markdown"))
    assert block is not None
    assert_grammar(block)
    assert block.count("▲ Terraform PutImageTagMutability :done, milestone") == 1
    assert block.count("↺ Terraform set image_tag_mutability back :done, milestone") == 1
    assert "elsewhere" not in block
    t = timeline.build(report)
    assert t is not None
    assert 'class="mark terraform"' in timeline.svg(t)


def test_the_engine_reports_terraform_applies(tmp_path: Path) -> None:
    """The examples project: Terraform's own UpdateService (which set desired_count back) reaches the
    report as an apply, through the real pipeline."""
    from tfdrift_ci.engine import CheckRequest, check

    report = check(
        CheckRequest(
            path=str(REPO / "examples" / "infra"),
            events=(str(REPO / "examples" / "cloudtrail"),),
            since="2026-11-01T00:00:00Z",
            until="2026-11-23T00:00:00Z",
        )
    )
    assert [(a.address, a.event_name) for a in report.terraform_applies] == [
        ("aws_ecs_service.api", "UpdateService")
    ]
    drift = next(f for f in report.findings if f.attribute == "desired_count")
    assert drift.set_back is not None and drift.set_back.terraform
    assert drift.set_back.event_id == report.terraform_applies[0].event_id
