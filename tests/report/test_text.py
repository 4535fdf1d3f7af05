from __future__ import annotations

from dataclasses import replace

from report_loader import load_report

from tfdrift_ci.report import RenderOptions, render


def test_groups_by_resource_worst_first_with_actor_and_change_on_one_line() -> None:
    out = render(load_report(), "text", RenderOptions())
    lines = out.splitlines()
    headers = [ln for ln in lines if ln and not ln.startswith(" ")]
    assert headers[1].startswith("aws_ecs_task_definition.privileged_bad")  # the critical one first
    # Both findings on aws_ecr_repository.mutable_bad are under one header.
    assert sum(1 for h in headers if h.startswith("aws_ecr_repository.mutable_bad")) == 1
    change = next(ln for ln in lines if "PutImageTagMutability" in ln)
    assert "image_tag_mutability: IMMUTABLE → MUTABLE" in change
    assert "alice@example.com (console)" in change and "2026-11-19T09:14:03Z" in change
    assert "applying this PR reverts a manual change by alice@example.com" in out


def test_summary_line_exit_reason_and_what_was_not_checked() -> None:
    out = render(load_report(), "text", RenderOptions())
    assert out.rstrip().splitlines()[-1].endswith("exit 1: 4 findings at or above --fail-on high")
    assert "s3://trail-bucket/AWSLogs is incomplete: AccessDenied" in out
    assert "module terraform-aws-modules/vpc/aws was not followed: " in out
    assert "used by module.vpc (main.tf:40)" in out
    assert "1 module not followed" in out.rstrip().splitlines()[-2]
    assert "3 malformed records skipped" in out
    assert "Suppressed (1)" in out and "registry-level enhanced scanning" in out
    assert "ASIAFAKE" not in out  # access key ids are never rendered


def test_quiet_prints_only_the_summary() -> None:
    full = render(load_report(), "text", RenderOptions())
    quiet = render(load_report(), "text", RenderOptions(quiet=True))
    assert len(quiet.splitlines()) == 2
    assert full.endswith(quiet)


def test_colour_only_when_asked() -> None:
    assert "\x1b[" not in render(load_report(), "text", RenderOptions())
    coloured = render(load_report(), "text", RenderOptions(color=True))
    assert "\x1b[1;31mCRITICAL" in coloured


def test_clean_report_says_ok() -> None:
    clean = replace(load_report(), findings=(), exit_code=0)
    out = render(clean, "text", RenderOptions())
    assert "OK: no drift and no unsafe configuration found" in out
    assert out.rstrip().endswith("exit 0: no findings")


def test_fail_on_never_and_below_threshold_verdicts() -> None:
    r = load_report()
    never = render(replace(r, fail_on="never", exit_code=0), "text", RenderOptions(quiet=True))
    assert "not failing" in never and "exit 0: --fail-on never" in never
    low = replace(
        r, findings=tuple(f for f in r.findings if f.severity.value in ("low", "info")), exit_code=0
    )
    assert "below the high threshold" in render(low, "text", RenderOptions(quiet=True))


def test_a_file_that_could_not_be_read_shows_the_line() -> None:
    """The JSON has the syntax error's line; the terminal must show it too (under a `file X` header,
    the finding names `X:LINE`)."""
    report = load_report()
    broken = next(f for f in report.findings if f.rule_id == "TFD-ERR-001")
    assert broken.line
    lines = render(report, "text", RenderOptions()).splitlines()
    at = lines.index(f"file {broken.file}")
    assert lines[at + 1].endswith(f"({broken.file}:{broken.line})")
