from __future__ import annotations

from dataclasses import replace

from report_loader import load_report

from tfdrift_ci.report import RenderOptions, render
from tfdrift_ci.report.annotations import MAX_ANNOTATIONS


def test_one_command_per_active_finding_with_file_line_and_title() -> None:
    lines = render(load_report(), "github", RenderOptions()).splitlines()
    commands = [ln for ln in lines if ln.startswith("::")]
    assert len(commands) == 7  # 8 findings, 1 suppressed
    assert commands[0].startswith(
        "::error file=examples/infra/ecs.tf,line=30,title=TFD-ECS-002 Container runs privileged "
        "(aws_ecs_task_definition.privileged_bad)::"
    )
    kinds = [ln.split(" ", 1)[0] for ln in commands]
    assert kinds == ["::error"] * 4 + ["::warning", "::notice", "::notice"]
    # The unmanaged finding has no file: no file= property at all.
    assert commands[-1].startswith("::notice title=")
    assert lines[-1].startswith("tfdrift-ci: 4 findings at or above high")


def test_capped_with_a_pointer_to_the_full_report() -> None:
    base = load_report()
    many = tuple(replace(base.findings[0], address=f"aws_ecr_repository.r{i:03d}") for i in range(120))
    lines = render(replace(base, findings=many), "github", RenderOptions()).splitlines()
    commands = [ln for ln in lines if ln.startswith("::")]
    assert len(commands) == MAX_ANNOTATIONS == 50
    assert commands[-1].startswith("::notice title=tfdrift-ci::71 more findings are not annotated")
    assert "all 120" in commands[-1]
