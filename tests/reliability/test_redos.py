"""Pathological long values (30 KB runs that make backtracking regexes quadratic) in Terraform and
CloudTrail fields, through the whole CLI and every renderer. A hang guard (subprocess timeout), not a
speed assertion: a run that needs an hour for one 30 KB value is a denial of service on the
pipeline, since a pull request or any AWS caller chooses these values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import hostile_gen as gen
import pytest
from rel_support import TRACEBACK, base_env, run_cli

SHAPES = gen.REDOS

HANG_GUARD = 60


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_renderers_on_pathological_values(shape: str, tmp_path: Path) -> None:
    script = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "import hostile_gen as gen\n"
        "from tfdrift_ci.report import FORMATS, RenderOptions, render\n"
        "from tfdrift_ci.report.markdown import render_comment\n"
        f"payload = gen.REDOS[{shape!r}]\n"
        "report = gen.hostile_report(payload)\n"
        "for fmt in sorted(FORMATS):\n"
        "    render(report, fmt, RenderOptions())\n"
        "render(report, 'text', RenderOptions(color=True))\n"
        "render_comment(report, RenderOptions())\n"
        "print('ok')\n"
    )
    home = tmp_path / "home"
    home.mkdir()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", script],
            env=base_env(home),
            capture_output=True,
            timeout=HANG_GUARD,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"rendering a 30 KB {shape!r} value did not finish within {HANG_GUARD}s (ReDoS)")
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]


@pytest.mark.slow
def test_cli_end_to_end_on_pathological_values(tmp_path: Path) -> None:
    value = SHAPES["dotted"]
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "main.tf").write_text(
        'resource "aws_ecr_repository" "redos_bad" {\n'
        f'  name                 = "{value}"\n'
        '  image_tag_mutability = "MUTABLE"\n'
        "}\n",
        encoding="utf-8",
    )
    rec = gen.record(
        userAgent=value, requestParameters={"repositoryName": value, "imageTagMutability": "MUTABLE"}
    )
    rec["userIdentity"]["arn"] = f"arn:aws:sts::{gen.ACCOUNT}:assumed-role/R/{value}"
    events = gen.write_records(tmp_path / "events.json", [rec])
    home = tmp_path / "home"
    home.mkdir()
    outputs = [tmp_path / f"r.{fmt}" for fmt in ("json", "markdown", "sarif", "github", "falco")]
    args = ["check", str(proj), "--events", str(events), *gen.WINDOW, "--no-progress", "--fail-on", "never"]
    for path in outputs:
        args += ["--format", path.suffix[1:], "--output", str(path)]
    args += ["--format", "text"]
    try:
        run = run_cli(args, home=home, timeout=HANG_GUARD * 2, outputs=outputs)
    except subprocess.TimeoutExpired:
        pytest.fail("the CLI did not finish on 30 KB pathological values (ReDoS)")
    assert TRACEBACK not in run.err
    assert run.rc == 0, run.err[-2000:]
