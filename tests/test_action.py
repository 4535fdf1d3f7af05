"""action.yml: schema-valid, inputs only through env, and its scripts run for real (bash) against a
stub CLI (argument handling, injection) and against the installed tfdrift-ci."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ACTION = REPO / "action.yml"
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]  # how the runner starts `shell: bash`


def action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def step(name: str) -> dict[str, Any]:
    return next(s for s in action()["runs"]["steps"] if s.get("name") == name)


def test_validates_against_the_github_actions_schema() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_expression_is_interpolated_into_a_script() -> None:
    steps = action()["runs"]["steps"]
    scripts = [s["run"] for s in steps if "run" in s]
    assert len(scripts) == 3
    for script in scripts:
        assert "${{ inputs." not in script
        assert "${{" not in script, "expressions belong in env:, never in run:"


def test_inputs_and_outputs() -> None:
    a = action()
    assert a["runs"]["using"] == "composite"
    for name in (
        "path", "plan", "events", "since", "regions", "terraform-principals", "fail-on", "comment",
        "github-token", "sarif-file", "config", "version",
    ):  # fmt: skip
        assert name in a["inputs"], name
    assert a["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert set(a["outputs"]) == {"findings", "highest-severity", "exit-code", "report-json", "sarif-file"}
    install = step("Install tfdrift-ci")["run"]
    assert '"$GITHUB_ACTION_PATH"' in install and '"tfdrift-ci==$TFDRIFT_VERSION"' in install
    # Every input the run step uses arrives through env.
    env = step("Run tfdrift-ci")["env"]
    assert env["GITHUB_TOKEN"] == "${{ inputs.github-token }}"
    for value in env.values():
        assert re.fullmatch(r"\$\{\{ [a-z.\-_]+ \}\}|1", str(value)), value


def _stub(tmp_path: Path) -> Path:
    """A fake tfdrift-ci: records its arguments (NUL-separated), writes the golden JSON report to the
    --output that follows ``--format json`` and exits 1 like a run with findings."""
    stub = tmp_path / "tfdrift-ci-stub"
    golden = REPO / "tests" / "golden" / "report" / "report.json"
    stub.write_text(
        "#!/bin/bash\n"
        f'printf "%s\\0" "$@" > "{tmp_path}/args"\n'
        'prev=""; fmt=""\n'
        'for a in "$@"; do\n'
        '  if [ "$prev" = --format ]; then fmt="$a"; fi\n'
        f'  if [ "$prev" = --output ] && [ "$fmt" = json ]; then cp "{golden}" "$a"; fi\n'
        '  prev="$a"\n'
        "done\n"
        "exit 1\n",
        encoding="utf-8",
    )
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    return stub


def _run_step(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    script = tmp_path / "run.sh"
    script.write_text(step("Run tfdrift-ci")["run"], encoding="utf-8")
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    base = {
        "PATH": os.environ["PATH"],
        "RUNNER_TEMP": str(tmp_path / "runner_temp"),
        "GITHUB_OUTPUT": str(output),
        "TFDRIFT_PY": sys.executable,
        "HOME": str(tmp_path),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
    }
    (tmp_path / "runner_temp").mkdir(exist_ok=True)
    proc = subprocess.run(
        [*BASH, str(script)], env={**base, **env}, cwd=tmp_path, capture_output=True, text=True, check=False,
        timeout=120,
    )  # fmt: skip
    outputs = dict(
        line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line
    )
    return proc, outputs


def _inputs(**overrides: str) -> dict[str, str]:
    base = {
        "INPUT_PATH": "infra", "INPUT_PLAN": "", "INPUT_EVENTS": "", "INPUT_SINCE": "7d", "INPUT_REGIONS": "",
        "INPUT_TERRAFORM_PRINCIPALS": "", "INPUT_FAIL_ON": "high", "INPUT_COMMENT": "false",
        "INPUT_SARIF_FILE": "tfdrift-ci.sarif", "INPUT_CONFIG": "", "GITHUB_TOKEN": "ghs_FAKE",
    }  # fmt: skip
    return {**base, **overrides}


def test_run_step_builds_the_command_and_the_outputs(tmp_path: Path) -> None:
    env = _inputs(
        INPUT_EVENTS="aws,\n  s3://trail/AWSLogs  \n\nevents/",
        INPUT_REGIONS="us-east-1, eu-west-1",
        INPUT_TERRAFORM_PRINCIPALS="arn:aws:iam::111122223333:role/terraform-*",
        INPUT_PLAN="plan.json",
        INPUT_COMMENT="true",
        GITHUB_EVENT_NAME="pull_request",
        TFDRIFT_BIN=str(_stub(tmp_path)),
    )
    proc, outputs = _run_step(tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    args = (tmp_path / "args").read_text(encoding="utf-8").split("\0")[:-1]
    report = str(tmp_path / "runner_temp" / "tfdrift-ci" / "report.json")
    assert args[:9] == [
        "check", "infra", "--no-progress", "--format", "json", "--output", report, "--format", "sarif",
    ]  # fmt: skip
    joined = " ".join(args)
    assert "--plan plan.json" in joined and "--since 7d" in joined and "--fail-on high" in joined
    assert "--comment" in args
    assert "--events aws --events s3://trail/AWSLogs --events events/" in joined
    assert "--region us-east-1 --region eu-west-1" in joined
    assert "--terraform-principal arn:aws:iam::111122223333:role/terraform-*" in joined
    assert outputs == {
        "exit-code": "1",
        "report-json": report,
        "sarif-file": "tfdrift-ci.sarif",
        "findings": "7",
        "highest-severity": "critical",
    }


def test_no_comment_outside_pull_requests(tmp_path: Path) -> None:
    env = _inputs(INPUT_COMMENT="true", GITHUB_EVENT_NAME="push", TFDRIFT_BIN=str(_stub(tmp_path)))
    proc, _ = _run_step(tmp_path, env)
    assert "--comment" not in (tmp_path / "args").read_text(encoding="utf-8").split("\0")
    assert "push event is not a pull request" in proc.stdout


def test_inputs_cannot_inject_shell(tmp_path: Path) -> None:
    evil = f"$(touch {tmp_path}/pwned1)`touch {tmp_path}/pwned2`; touch {tmp_path}/pwned3"
    env = _inputs(
        INPUT_PATH=evil, INPUT_EVENTS=evil, INPUT_REGIONS=evil, INPUT_CONFIG=evil, INPUT_SINCE=evil,
        TFDRIFT_BIN=str(_stub(tmp_path)),
    )  # fmt: skip
    proc, _ = _run_step(tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    assert not list(tmp_path.glob("pwned*"))
    args = (tmp_path / "args").read_text(encoding="utf-8").split("\0")
    assert args[1] == evil  # passed through as one literal argument


def test_missing_report_leaves_empty_outputs(tmp_path: Path) -> None:
    stub = tmp_path / "crash"
    stub.write_text("#!/bin/bash\necho 'tfdrift-ci: error: boom' >&2\nexit 2\n", encoding="utf-8")
    stub.chmod(0o755)
    proc, outputs = _run_step(tmp_path, _inputs(TFDRIFT_BIN=str(stub)))
    assert proc.returncode == 0
    assert outputs["exit-code"] == "2" and outputs["findings"] == "" and outputs["highest-severity"] == ""


@pytest.mark.parametrize(("code", "expected"), [("0", 0), ("1", 1), ("2", 2), ("3", 3), ("", 3)])
def test_fail_step_fails_on_findings_and_errors(tmp_path: Path, code: str, expected: int) -> None:
    script = tmp_path / "fail.sh"
    script.write_text(step("Fail on findings or errors")["run"], encoding="utf-8")
    proc = subprocess.run(
        [*BASH, str(script)], env={"PATH": os.environ["PATH"], "TFDRIFT_EXIT": code}, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == expected
    if expected:
        assert proc.stdout.startswith("::error title=tfdrift-ci::")


def test_run_step_with_the_real_cli(tmp_path: Path) -> None:
    """End to end with the installed tfdrift-ci on a bad .tf: exit 1, outputs, JSON, SARIF, summary.
    No AWS credentials in the environment: static rules only."""
    cli = shutil.which("tfdrift-ci", path=str(Path(sys.executable).parent))
    assert cli, "tfdrift-ci is not installed in this environment"
    infra = tmp_path / "infra"
    infra.mkdir()
    fixture = REPO / "tests" / "fixtures" / "report" / "action-project" / "main.tf"
    shutil.copy(fixture, infra / "main.tf")
    summary = tmp_path / "summary.md"
    env = _inputs(
        TFDRIFT_BIN=cli,
        GITHUB_STEP_SUMMARY=str(summary),
        INPUT_SARIF_FILE=str(tmp_path / "out.sarif"),
        INPUT_FAIL_ON="medium",  # mutable tags are medium in the catalog
    )
    proc, outputs = _run_step(tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    assert outputs["exit-code"] == "1", proc.stdout + proc.stderr
    assert int(outputs["findings"]) >= 1 and outputs["highest-severity"] in ("critical", "high", "medium")
    report = json.loads(Path(outputs["report-json"]).read_text(encoding="utf-8"))
    assert report["exit_code"] == 1
    assert json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert any(
        line.startswith(("::error file=infra/main.tf", "::warning file=infra/main.tf"))
        for line in proc.stdout.splitlines()
    ), proc.stdout
    assert summary.read_text(encoding="utf-8").startswith("### ❌ tfdrift-ci")
