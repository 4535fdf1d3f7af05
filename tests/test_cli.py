"""The CLI contract as README.md states it: arguments, output pairing, exit codes, the main command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tfdrift_ci.cli import main

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "infra"
EXAMPLE_EVENTS = ROOT / "examples" / "cloudtrail"
WINDOW = ["--since", "2026-11-01T00:00:00Z", "--until", "2026-11-23T00:00:00Z"]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_readme_main_command_shows_drift_and_config_findings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        ["check", str(EXAMPLE), "--events", str(EXAMPLE_EVENTS), *WINDOW, "--format", "json"], capsys
    )
    report = json.loads(out)
    kinds = {f["kind"] for f in report["findings"]}
    assert {"drift", "config", "attempt"} <= kinds
    assert code == report["exit_code"] == 1
    assert report["scanned"]["sources"] and all(s["complete"] for s in report["scanned"]["sources"])
    drift = [f for f in report["findings"] if f["kind"] == "drift"]
    # Every drift finding names the resource, the file and line, the actor and the fix.
    for f in drift:
        assert f["address"] and f["file"] and f["line"] and f["actor"]["display"] and f["remediation"]
    assert err == ""


def test_offline_runs_only_static_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["check", str(EXAMPLE), "--offline", "--format", "json"], capsys)
    report = json.loads(out)
    assert report["scanned"]["window"] is None and report["scanned"]["sources"] == []
    assert {f["kind"] for f in report["findings"]} == {"config"}
    assert code == report["exit_code"]


@pytest.mark.parametrize(("fail_on", "code"), [("never", 0), ("critical", 0), ("high", 1), ("info", 1)])
def test_fail_on_threshold(fail_on: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["check", str(EXAMPLE), "--offline", "--fail-on", fail_on, "--quiet"], capsys)[0] == code


def test_several_formats_go_to_their_own_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", str(EXAMPLE), "--offline", "--format", "json", "--output", str(tmp_path / "r.json")]
    argv += ["--format", "sarif", "--output", str(tmp_path / "r.sarif"), "--format", "text"]
    code, out, _ = _run(argv, capsys)
    assert json.loads((tmp_path / "r.json").read_text())["exit_code"] == code
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"
    assert "FAIL" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "/nonexistent/infra"], "no such file or directory"),
        (["check", str(EXAMPLE), "--var", "novalue"], "--var expects NAME=VALUE"),
        (["check", str(EXAMPLE), "--since", "yesterday"], "--since"),
        (["check", str(EXAMPLE), "--format", "json", "--format", "sarif"], "several formats to stdout"),
        (["check", str(EXAMPLE), "--events", "ftp://nowhere"], "ftp://nowhere"),
        (["inventory", "/nonexistent/infra"], "no such file or directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(argv, capsys)
    assert code == 2
    assert err.startswith("tfdrift-ci: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_directory_without_terraform_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "README.md").write_text("not terraform\n")
    code, _, err = _run(["check", str(tmp_path), "--offline"], capsys)
    assert code == 2 and "no Terraform files" in err


def test_unknown_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--no-such-flag"])
    assert exc.value.code == 2
    assert "tfdrift-ci: error:" in capsys.readouterr().err


def test_rules_json_lists_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["rules", "--format", "json"], capsys)
    rules = json.loads(out)
    assert code == 0
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    assert {"config", "drift", "error"} <= {r["kind"] for r in rules}


def test_console_script_exit_status_reaches_the_shell(tmp_path: Path) -> None:
    exe = shutil.which("tfdrift-ci", path=str(Path(sys.executable).parent))
    assert exe, "tfdrift-ci is not installed next to this interpreter"
    done = subprocess.run(
        [exe, "check", str(EXAMPLE), "--events", str(EXAMPLE_EVENTS), *WINDOW, "--quiet", "--no-color"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("FAIL")


def test_readme_configuration_example_is_valid(tmp_path: Path) -> None:
    """The YAML shown in the README's Configuration section loads without a ConfigError."""
    from tfdrift_ci.config import load_settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / ".git").mkdir()
    (tmp_path / ".tfdrift.yml").write_text(example, encoding="utf-8")
    settings = load_settings(None, start=tmp_path)
    assert settings.fail_on == "high"
    assert settings.terraform_principals == ("arn:aws:iam::111122223333:role/terraform-ci",)
    assert not settings.rules["TFD-ECS-004"].enabled


# --------------------------------------------------------------------------------------------------
# Configuration that weakens the gate (issue 12 §6)

PR_CONFIG = ROOT / "tests" / "fixtures" / "gaps" / "pr-principals.tfdrift.yml"


def _pr_checkout(tmp_path: Path) -> Path:
    """The bundled example in a repository whose pull request adds ``terraform_principals: ["*"]``."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo / "infra")
    shutil.copytree(EXAMPLE_EVENTS, tmp_path / "events")
    (repo / ".git").mkdir()
    shutil.copy(PR_CONFIG, repo / ".tfdrift.yml")
    return repo


def test_a_pr_config_that_trusts_every_principal_is_named_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _pr_checkout(tmp_path)
    monkeypatch.chdir(repo)
    argv = ["check", "infra", "--events", str(tmp_path / "events"), *WINDOW]
    code, text, _ = _run([*argv, "--format", "text"], capsys)
    assert "Weakened by configuration" in text
    assert "terraform_principals: '*' matches any principal" in text
    assert "configuration .tfdrift.yml" in text.splitlines()[1]
    assert "weakened by configuration (1 setting)" in text.splitlines()[-2]
    # every principal is Terraform: the drift in the example's events is gone, only config findings
    _, md, _ = _run([*argv, "--format", "markdown"], capsys)
    assert "#### Weakened by configuration" in md and "matches any principal" in md
    assert "weakened by configuration \\(1 setting\\)" in md.splitlines()[0]
    assert "configuration .tfdrift.yml" in md.splitlines()[2]
    _, out, _ = _run([*argv, "--format", "json"], capsys)
    scanned = json.loads(out)["scanned"]
    assert scanned["config_files"] == [".tfdrift.yml"]
    (gap,) = scanned["gaps"]
    assert gap["kind"] == "config" and gap["subject"] == "terraform_principals" and gap["fails_incomplete"]
    assert scanned["incomplete"] is True
    assert code == 1  # high config findings (ECS-007) still fail the run
    with_flag = _run([*argv, "--fail-on", "critical", "--fail-on-incomplete", "--quiet"], capsys)
    assert with_flag[0] == 1 and "--fail-on-incomplete" in with_flag[1]
    assert _run([*argv, "--fail-on", "critical", "--quiet"], capsys)[0] == 0


def test_terraform_principals_mode_replace_ignores_the_configurations_principals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _pr_checkout(tmp_path)
    monkeypatch.chdir(repo)
    argv = ["check", "infra", "--events", str(tmp_path / "events"), *WINDOW, "--format", "json"]
    extend = json.loads(
        _run([*argv, "--terraform-principal", "arn:aws:iam::111122223333:role/ci"], capsys)[1]
    )
    assert not [f for f in extend["findings"] if f["kind"] == "drift"]  # '*' still in the list
    argv += [
        "--terraform-principals-mode",
        "replace",
        "--terraform-principal",
        "arn:aws:iam::111122223333:role/ci",
    ]
    replaced = json.loads(_run(argv, capsys)[1])
    assert [f for f in replaced["findings"] if f["kind"] == "drift"]
    assert replaced["scanned"]["gaps"] == [] and replaced["scanned"]["incomplete"] is False
