from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from mdcheck import CONSOLE_LINK, assert_inert, render_md
from report_loader import load_report

from tfdrift_ci.errors import ConfigError
from tfdrift_ci.models import Finding, Severity
from tfdrift_ci.report import RenderOptions, render
from tfdrift_ci.report.markdown import render_comment, render_summary


def test_structure_verdict_tables_details_and_not_checked() -> None:
    md = render(load_report(), "markdown", RenderOptions())
    r = assert_inert(md)
    assert md.startswith("### ❌ tfdrift-ci: 4 findings at or above high")
    # The reverted-by-plan warning comes before every table.
    assert md.index("applying this PR reverts a manual change by alice") < md.index("| Resource |")
    assert "#### Changes made outside Terraform" in md and "#### Unsafe configuration" in md
    assert "#### What was not checked" in md
    assert r.tags.count("details") == 2  # details + suppressed
    assert "3f1c9a52-8b0e-4d7a-9c61-5e2b7d1a4f00" in md  # raw event ids in the details
    header = next(ln for ln in md.splitlines() if ln.startswith("| Resource | Attribute"))
    assert [c.strip() for c in header.split("|")[1:-1]] == [
        "Resource", "Attribute", "Old → new", "Who · how · when", "Event",
    ]  # fmt: skip
    # No table is wider than five columns (a ~900 px comment column).
    assert max(cells for cells, _ in r.rows) <= 5
    assert "#### Failed attempts" in md  # not in the changes table
    changes = md[md.index("#### Changes made") : md.index("#### Failed attempts")]
    assert "DeleteRepository was denied" not in changes


def _big_report(n: int) -> object:
    base = load_report()
    template = base.findings[0]
    many = tuple(
        replace(
            template, address=f"aws_ecr_repository.r{i:05d}", event=replace(template.event, id=f"id-{i:05d}")
        )
        for i in range(n)
    )
    return replace(base, findings=many)


def test_comment_fits_the_limit_and_keeps_the_verdict() -> None:
    report = _big_report(2000)
    full = render(report, "markdown", RenderOptions())
    assert len(full) > 65_536
    body = render_comment(report, RenderOptions(), summary_url="https://github.com/o/r/actions/runs/1")
    assert len(body) <= 65_536
    assert body.startswith("### ❌ tfdrift-ci: 2000 findings at or above high")
    assert "<details><summary>Details" not in body  # the details go first
    assert "more drift findings" in body
    assert "[job summary](https://github.com/o/r/actions/runs/1)" in body
    assert_inert(body, allowed_links=("https://github.com/o/r/actions/runs/1",))


def test_tiny_limit_still_keeps_the_headline() -> None:
    body = render_comment(_big_report(50), RenderOptions(), limit=300)
    assert len(body) <= 300
    assert body.startswith("### ❌ tfdrift-ci: 50 findings")


def test_summary_is_the_full_report() -> None:
    r = load_report()
    assert render_summary(r, RenderOptions()) == render(r, "markdown", RenderOptions())


def test_template_dir_overrides_and_values_are_still_escaped(tmp_path: Path) -> None:
    (tmp_path / "summary.md.j2").write_text(
        "custom: {% for row in view.details.rows %}{{ row.message }};{% endfor %}\n", encoding="utf-8"
    )
    hostile = Finding(
        rule_id="X", kind="config", severity=Severity.HIGH, title="t", message="<img src=x onerror=1> @team",
    )  # fmt: skip
    report = replace(load_report(), findings=(hostile,))
    out = render(report, "markdown", RenderOptions(template_dir=str(tmp_path)))
    assert out.startswith("custom: ")
    assert "<img" not in out and "@team" not in out
    # Templates the user did not copy still come from the package.
    assert render_comment(report, RenderOptions(template_dir=str(tmp_path))).startswith("### ")


def test_broken_user_template_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "summary.md.j2").write_text("{{ view.no_such_thing }}", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"summary\.md\.j2"):
        render(load_report(), "markdown", RenderOptions(template_dir=str(tmp_path)))


def test_unsafe_summary_url_is_not_linked() -> None:
    body = render_comment(load_report(), RenderOptions(), summary_url="javascript:alert(1)")
    assert "javascript" not in body
    assert not [h for h, _ in render_md(body).gfm_links if not CONSOLE_LINK.match(h)]


def test_rows_name_the_root_when_several_roots_are_checked() -> None:
    r = load_report()
    prod = replace(r.findings[0], root="prod")
    md = render(replace(r, findings=(prod,)), "markdown", RenderOptions())
    assert "#### Changes made outside Terraform in <code>prod</code>" in md


def test_missing_template_dir_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a directory"):
        render(load_report(), "markdown", RenderOptions(template_dir=str(tmp_path / "nope")))


def test_reverted_drift_is_the_first_drift_row() -> None:
    r = load_report()
    reverted = replace(r.findings[1], reverted_by_plan=True)  # the medium desired_count drift
    first = replace(r.findings[0], reverted_by_plan=None)
    md = render(replace(r, findings=(first, reverted)), "markdown", RenderOptions())
    rows = [ln for ln in md.splitlines() if ln.startswith("| 🟧") or ln.startswith("| 🟨")]
    assert "desired\\_<wbr>count" in rows[0]


def _drift_finding() -> Finding:
    return next(f for f in load_report().findings if f.kind == "drift")


def test_comment_keeps_every_note_the_text_output_has() -> None:
    r = load_report()
    noted = replace(
        _drift_finding(),
        notes=("Terraform set it back to IMMUTABLE on 2026-11-20 10:00 UTC (event e-1)",),
        matched_by_pattern=True,
    )
    report = replace(r, findings=(noted,))
    text = render(report, "text")
    shown = render_md(render_comment(report, RenderOptions())).html
    for note in ("Terraform set it back to IMMUTABLE on 2026-11-20 10:00 UTC", "matched by pattern"):
        assert note in text
        assert note in shown


def test_deleted_resource_reads_deleted_in_the_old_new_column() -> None:
    base = _drift_finding()
    assert base.event is not None
    gone = replace(
        base,
        attribute=None,
        expected=None,
        actual=None,
        message="bob deleted aws_ecr_repository.mutable_bad",
        event=replace(base.event, name="DeleteRepository"),
    )
    md = render(replace(load_report(), findings=(gone,)), "markdown")
    row = next(ln for ln in md.splitlines() if ln.startswith("| 🟧"))
    assert row.split(" | ")[2] == "**deleted**"


def test_who_when_is_one_cell_with_a_relative_time_and_the_exact_time_in_the_details() -> None:
    md = render(load_report(), "markdown")
    row = next(ln for ln in md.splitlines() if "mutable\\_<wbr>bad" in ln and "IMMUTABLE" in ln)
    assert "alice@<wbr>\u200bexample.<wbr>com · console · 1 day ago" in row
    assert "at 2026-11-19T09:14:03Z" in md  # exact UTC time in the details (no title attribute)


def test_hostile_event_ids_and_regions_are_never_linked() -> None:
    from tfdrift_ci.report.markdown import event_url

    base = _drift_finding().event
    assert base is not None
    assert event_url(base) is not None
    for region, event_id in (
        ("us-east-1", "x) [y](javascript:1"),
        ("evil.example/#", base.id),
        ("us-east-1", base.id + "?"),
    ):
        assert event_url(replace(base, region=region, id=event_id)) is None
