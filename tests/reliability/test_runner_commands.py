"""Legacy runner commands mid-line (issue 13 §3): the Actions runner executes ``##[command]`` found
ANYWHERE in a log line (actions/runner ``ActionCommand.TryParse`` searches with ``IndexOf``) and
``::command::`` at the start of a line (after leading spaces). Nothing from CloudTrail, Terraform or
the command line may form either in what tfdrift-ci writes to stdout or stderr."""

from __future__ import annotations

import json
from pathlib import Path

import hostile_gen as gen
import inert
import pytest
from rel_support import CliRunner, findings

FORGED = "##[warning file=infra/ecs.tf;line=56;title=Security review]LGTM"
LEADING = "::warning file=infra/ecs.tf,line=56::LGTM"


def _failed_mutability_event(path: Path, value: str) -> Path:
    """A denied PutImageTagMutability whose requested value is the forged command."""
    rec = gen.record(
        errorCode="AccessDenied",
        errorMessage=f"not allowed to set {value}",
        requestParameters={"repositoryName": "drifted", "imageTagMutability": value},
        responseElements=None,
    )
    return gen.write_records(path, [rec])


def test_the_check_sees_commands_anywhere_in_the_line() -> None:
    """inert.py must catch what the runner catches (not only a command at the start of a line)."""
    with pytest.raises(AssertionError):
        inert.assert_no_workflow_commands(f"  x  drift: imageTagMutability → {FORGED}\n")
    with pytest.raises(AssertionError):
        inert.assert_no_workflow_commands(f"   {LEADING}\n")
    inert.assert_no_workflow_commands("a ::warning:: in the middle is not a command\n")
    inert.assert_no_workflow_commands("##\u200b[warning]x and :\u200b:warning::x are not commands\n")


def test_failed_call_value_in_default_text_output(cli: CliRunner, good_project: Path, tmp_path: Path) -> None:
    events = _failed_mutability_event(tmp_path / "events.json", FORGED)
    report = tmp_path / "report.json"
    run = cli(
        ["check", str(good_project), "--events", str(events), *gen.WINDOW, "--no-progress",
         "--format", "json", "--output", str(report), "--format", "text"],
        outputs=[report],
    )
    assert run.rc in (0, 1), run.err
    doc = run.report()
    # the value reached the report (else this test would prove nothing) and JSON keeps it intact
    assert FORGED in json.dumps(doc, ensure_ascii=False), "the failed call's value is not in the report"
    assert findings(doc, kind="drift") or any("AccessDenied" in json.dumps(f) for f in doc["findings"])
    assert "LGTM" in run.out, "the value is not shown in the text output"
    inert.assert_no_workflow_commands(run.out)
    inert.assert_no_workflow_commands(run.err)


@pytest.mark.parametrize("name", [FORGED, LEADING, f"x\n{LEADING}"])
def test_directory_name_in_error_message(cli: CliRunner, tmp_path: Path, name: str) -> None:
    run = cli(["check", str(tmp_path / name), "--offline", "--no-progress"])
    assert run.rc == 2
    assert "LGTM" in run.err, run.err
    inert.assert_no_workflow_commands(run.err)
    inert.assert_no_workflow_commands(run.out)


def test_usage_error_message(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tfdrift_ci.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["check", "--fail-on", FORGED])
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert "LGTM" in err
    inert.assert_no_workflow_commands(err)
    inert.assert_no_workflow_commands(out)


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "sarif", "github", "html", "gitlab", "falco"])
def test_every_format_on_stdout(cli: CliRunner, good_project: Path, tmp_path: Path, fmt: str) -> None:
    events = _failed_mutability_event(tmp_path / "events.json", f"{FORGED}\n{LEADING}")
    run = cli(["check", str(good_project), "--events", str(events), *gen.WINDOW, "--no-progress",
               "--format", fmt])
    assert run.rc in (0, 1), run.err
    if fmt == "github":
        inert.assert_annotations_inert(run.out, run.out.replace("##[", "").replace("LGTM", ""))
    else:
        inert.assert_no_workflow_commands(run.out)
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(run.out)  # still valid JSON, same values


@pytest.mark.parametrize("key", sorted(gen.PAYLOADS))
def test_rendered_text_has_no_command_anywhere(key: str) -> None:
    from tfdrift_ci.report import render

    out = render(gen.hostile_report(f"{gen.PAYLOADS[key]} {FORGED}"), "text")
    inert.assert_no_workflow_commands(out)
