"""The exit-code contract: 0 clean · 1 findings at/above --fail-on · 2 input/usage/config error ·
3 internal error. A crash can never look like a pass, ``--fail-on never`` does not hide errors, and
the JSON report's ``exit_code`` is the process's."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import hostile_gen as gen
import pytest
from rel_support import GOOD_TF, HOSTILE, TRACEBACK, CliRunner, base_env, findings

SECRETISH = "boom-internal-detail"


def _boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError(SECRETISH)


def _json_run(cli: CliRunner, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any] | None, str]:
    out = tmp_path / "r.json"
    out.unlink(missing_ok=True)
    run = cli(["check", *args, "--format", "json", "--output", str(out)], outputs=[out])
    return run.rc, (json.loads(run.files["r.json"]) if "r.json" in run.files else None), run.err


CRASH_POINTS = [
    ("tfdrift_ci.engine", "evaluate"),
    ("tfdrift_ci.inventory", "load"),
    ("tfdrift_ci.report", "render"),
    ("tfdrift_ci.events", "fetch"),
]


@pytest.mark.parametrize(("module", "name"), CRASH_POINTS)
@pytest.mark.parametrize("fail_on", ["high", "never"])
def test_crash_is_exit_3_without_traceback(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, module: str, name: str, fail_on: str
) -> None:
    monkeypatch.setattr(f"{module}.{name}", _boom)
    run = cli(
        [
            "check",
            str(GOOD_TF),
            "--events",
            str(HOSTILE / "events" / "good.json"),
            *gen.WINDOW,
            "--fail-on",
            fail_on,
        ]
    )
    assert run.rc == 3, (run.rc, run.err)
    assert TRACEBACK not in run.err
    lines = [ln for ln in run.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("tfdrift-ci: internal error"), run.err
    assert "--debug" in lines[0]


@pytest.mark.parametrize(("module", "name"), CRASH_POINTS)
def test_crash_with_debug_shows_traceback(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, module: str, name: str
) -> None:
    monkeypatch.setattr(f"{module}.{name}", _boom)
    run = cli(
        ["check", str(GOOD_TF), "--events", str(HOSTILE / "events" / "good.json"), *gen.WINDOW, "--debug"]
    )
    assert run.rc == 3
    assert TRACEBACK in run.err
    assert SECRETISH in run.err


@pytest.mark.parametrize("exc", [MemoryError, RecursionError, KeyError, AssertionError, UnicodeDecodeError])
def test_any_exception_type_is_exit_3(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, exc: type[BaseException]
) -> None:
    def raise_it(*_a: Any, **_k: Any) -> Any:
        if exc is UnicodeDecodeError:
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        raise exc("x")

    monkeypatch.setattr("tfdrift_ci.engine.evaluate", raise_it)
    run = cli(["check", str(GOOD_TF), "--offline", "--fail-on", "never"])
    assert run.rc == 3
    assert TRACEBACK not in run.err


def test_crash_in_one_rule_is_an_error_finding(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tfdrift_ci.rules import config as config_rules
    from tfdrift_ci.rules.config import ecr_scan_on_push, ecr_tag_mutability

    monkeypatch.setitem(config_rules.CHECKS, ecr_scan_on_push.RULE.id, _boom)  # type: ignore[index]
    rc, report, err = _json_run(cli, tmp_path, str(GOOD_TF), "--offline")
    assert rc == 1, err
    assert report is not None and report["exit_code"] == 1
    errors = findings(report, kind="error")
    assert errors, "a crashing rule vanished without a trace"
    assert any(ecr_scan_on_push.RULE.id in (f["message"] + f["title"] + f["rule_id"]) for f in errors)
    ids = {f["rule_id"] for f in findings(report, address="aws_ecr_repository.mutable_bad")}
    assert ecr_tag_mutability.RULE.id in ids, "other rules' findings were lost"


def test_crash_in_one_rule_fails_even_when_findings_are_below_threshold(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An error finding from a crashed rule is not something --fail-on critical may wave through
    silently: either it fails the run, or it is at least reported."""
    from tfdrift_ci.rules import config as config_rules
    from tfdrift_ci.rules.config import ecr_tag_mutability

    monkeypatch.setitem(config_rules.CHECKS, ecr_tag_mutability.RULE.id, _boom)  # type: ignore[index]
    rc, report, _ = _json_run(cli, tmp_path, str(GOOD_TF), "--offline", "--fail-on", "critical")
    assert report is not None and report["exit_code"] == rc
    assert findings(report, kind="error")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--offline"], 1),
        (["--offline", "--fail-on", "never"], 0),
        (["--offline", "--fail-on", "critical"], 0),
        (["--events", str(HOSTILE / "events" / "good.json"), *gen.WINDOW], 1),
        (["--events", str(HOSTILE / "events" / "good.json"), *gen.WINDOW, "--fail-on", "never"], 0),
    ],
)
def test_json_exit_code_equals_process_exit_code(
    cli: CliRunner, tmp_path: Path, extra: list[str], expected: int
) -> None:
    rc, report, err = _json_run(cli, tmp_path, str(GOOD_TF), *extra)
    assert rc == expected, err
    assert report is not None and report["exit_code"] == rc


def test_clean_project_exits_0(cli: CliRunner, tmp_path: Path) -> None:
    proj = tmp_path / "clean"
    proj.mkdir()
    (proj / "main.tf").write_text('variable "x" {\n  default = 1\n}\n')
    rc, report, err = _json_run(cli, tmp_path, str(proj), "--offline")
    assert (rc, report and report["exit_code"]) == (0, 0), err


def test_incomplete_source_with_fail_on_incomplete(cli: CliRunner, tmp_path: Path) -> None:
    """No finding reaches --fail-on critical, but part of the window could not be read: with
    --fail-on-incomplete that fails the run (and without it, it does not)."""
    folder = tmp_path / "trail"
    gen.write_truncated_gzip(folder / "cut.json.gz", [gen.record(eventID=f"c{i}") for i in range(200)])
    # A folder with nothing readable at all is exit 2; one readable (empty) file keeps it "partly cut".
    gen.write_records(folder / "quiet.json", [])
    common = [str(GOOD_TF), "--events", str(folder), *gen.WINDOW, "--fail-on", "critical"]
    rc, report, _ = _json_run(cli, tmp_path, *common, "--fail-on-incomplete")
    assert report is not None
    assert not all(s["complete"] for s in report["scanned"]["sources"]), "the cut gzip was not reported"
    assert (rc, report["exit_code"]) == (1, 1)
    rc, report, _ = _json_run(cli, tmp_path, *common)
    assert report is not None and (rc, report["exit_code"]) == (0, 0)


@pytest.mark.parametrize(
    "args",
    [
        ["check", "/nonexistent/path"],
        ["check", str(GOOD_TF), "--plan", str(HOSTILE / "plan" / "not_json.json")],
        ["check", str(GOOD_TF), "--since", "yesterday-ish"],
        ["check", str(GOOD_TF), "--events", "ftp://nowhere/x"],
        ["check", str(GOOD_TF), "--config", "/nonexistent/.tfdrift.yml"],
        ["check", str(GOOD_TF), "--var", "novalue"],
        ["check", str(GOOD_TF), "--bogus-flag"],
        ["check", str(GOOD_TF), "--format", "json", "--format", "text"],
    ],
)
@pytest.mark.parametrize("fail_on", ["high", "never"])
def test_input_errors_are_exit_2_even_with_fail_on_never(
    cli: CliRunner, args: list[str], fail_on: str
) -> None:
    run = (
        cli([*args, "--fail-on", fail_on])
        if args[-1] != "--bogus-flag"
        else _argparse_run(cli, [*args, "--fail-on", fail_on])
    )
    assert run.rc == 2, (run.rc, run.err)
    assert TRACEBACK not in run.err
    assert run.err.strip().splitlines()[-1].startswith("tfdrift-ci: error: ")


def _argparse_run(cli: CliRunner, args: list[str]) -> Any:
    try:
        return cli(args)
    except SystemExit as stop:  # argparse exits by itself
        from rel_support import Run

        return Run(int(stop.code or 0), "", "tfdrift-ci: error: " + str(stop))


def test_config_error_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    proj = tmp_path / "p"
    proj.mkdir()
    (proj / "main.tf").write_text("")
    (proj / ".tfdrift.yml").write_text("fail_on: sometimes\nrules: [1, 2\n")
    run = cli(["check", str(proj), "--offline", "--fail-on", "never"])
    assert run.rc == 2
    assert TRACEBACK not in run.err


def test_broken_pipe_does_not_turn_findings_into_a_pass(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tfdrift-ci check . | head -1`` under ``set -o pipefail``: the reader going away early must
    not make a failing check exit 0."""

    class ClosedPipe(io.StringIO):
        def write(self, s: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    run = cli(["check", str(GOOD_TF), "--offline"])
    assert run.rc != 0, "a closed stdout turned a failing check into exit 0"


def test_keyboard_interrupt_is_not_a_pass(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*_a: Any, **_k: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr("tfdrift_ci.engine.evaluate", interrupt)
    run = cli(["check", str(GOOD_TF), "--offline", "--fail-on", "never"])
    assert run.rc != 0


def test_real_process_exit_status_matches(tmp_path: Path) -> None:
    """The console entry point passes main()'s code to the OS (not swallowed by a wrapper)."""
    home = tmp_path / "home"
    home.mkdir()
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tfdrift_ci",
            "check",
            str(GOOD_TF),
            "--offline",
            "--format",
            "json",
            "--output",
            str(out),
        ],
        env=base_env(home),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(out.read_text())["exit_code"] == proc.returncode
