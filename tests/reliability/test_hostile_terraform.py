"""Hostile Terraform input through the real CLI: every bad file becomes an ``error`` finding (or a
one-line exit-2 error when nothing else can be checked), the good resources next to it are still
reported, and nothing escapes as a traceback, a hang or a memory blow-up."""

from __future__ import annotations

import shutil
from pathlib import Path

import hostile_gen as gen
import pytest
from rel_support import (
    GOOD_TF,
    HOSTILE,
    TRACEBACK,
    CliRunner,
    Run,
    assert_clean_failure,
    findings,
    run_cli,
)

BAD = HOSTILE / "terraform" / "bad"
PLANS = HOSTILE / "plan"
GOOD_ADDRESS = "aws_ecr_repository.mutable_bad"


def _check(cli: CliRunner, target: Path, tmp_path: Path, *extra: str) -> Run:
    out = tmp_path / "report.json"
    return cli(
        [
            "check",
            str(target),
            "--offline",
            "--format",
            "json",
            "--output",
            str(out),
            "--format",
            "text",
            *extra,
        ],
        outputs=[out],
    )


def _check_sub(target: Path, tmp_path: Path, *extra: str, timeout: float = 300) -> Run:
    out = tmp_path / "report.json"
    home = tmp_path / "home-sub"
    home.mkdir(exist_ok=True)
    return run_cli(
        [
            "check",
            str(target),
            "--offline",
            "--format",
            "json",
            "--output",
            str(out),
            "--format",
            "text",
            *extra,
        ],
        home=home,
        timeout=timeout,
        outputs=[out],
    )


def assert_bad_file_reported(run: Run, name: str) -> None:
    """rc 1: an error finding naming ``name`` and the good config finding next to it."""
    assert_clean_failure(run)
    assert run.rc == 1, run.err
    report = run.report()
    errors = [f for f in findings(report, kind="error") if (f.get("file") or "").endswith(name)]
    assert errors, f"no error finding for {name}: {[(f['kind'], f.get('file')) for f in report['findings']]}"
    assert findings(report, kind="config", address=GOOD_ADDRESS), "good finding next to bad input lost"
    assert report["exit_code"] == run.rc
    assert name in run.out  # the text report names the file too


BAD_FILES = sorted(p.name for p in BAD.iterdir())


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_next_to_good_ones(cli: CliRunner, good_project: Path, tmp_path: Path, name: str) -> None:
    shutil.copy(BAD / name, good_project / name)
    run = _check(cli, good_project, tmp_path)
    if name == "utf16_bom.tf" and run.rc == 1 and not findings(run.report(), kind="error"):
        # Reading UTF-16 correctly is acceptable too; then its cluster must be in the inventory.
        assert any(r["address"] == "aws_ecs_cluster.utf16" for r in run.report()["resources"])
        return
    assert_bad_file_reported(run, name)


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_alone(cli: CliRunner, tmp_path: Path, name: str) -> None:
    proj = tmp_path / "alone"
    proj.mkdir()
    shutil.copy(BAD / name, proj / name)
    run = _check(cli, proj, tmp_path)
    assert_clean_failure(run)
    if run.rc == 2:
        assert name in run.err
    else:
        errors = [f for f in findings(run.report(), kind="error") if (f.get("file") or "").endswith(name)]
        assert errors or name == "utf16_bom.tf"


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_inventory_command(cli: CliRunner, good_project: Path, name: str) -> None:
    shutil.copy(BAD / name, good_project / name)
    run = cli(["inventory", str(good_project), "--format", "json"])
    assert_clean_failure(run)
    assert GOOD_ADDRESS in run.out or run.rc == 2


def test_single_bad_tf_file_as_path(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "one.tf"
    shutil.copy(BAD / "unterminated_string.tf", target)
    run = _check(cli, target, tmp_path)
    assert_clean_failure(run)
    assert run.rc in (1, 2)
    assert "one.tf" in (run.err if run.rc == 2 else run.out)


def test_debug_shows_no_traceback_for_input_errors(
    cli: CliRunner, good_project: Path, tmp_path: Path
) -> None:
    """Parse errors are findings, not crashes: even --debug has nothing to trace."""
    shutil.copy(BAD / "binary.tf", good_project / "binary.tf")
    run = _check(cli, good_project, tmp_path, "--debug")
    assert run.rc == 1
    assert TRACEBACK not in run.err


# --------------------------------------------------------------------------------------------------
# Generated big / pathological trees (subprocess: memory limit + hang guard)


@pytest.mark.slow
def test_50mb_single_line_string(good_project: Path, tmp_path: Path) -> None:
    gen.write_single_line_tf(good_project / "huge.tf")
    run = _check_sub(good_project, tmp_path)
    assert_clean_failure(run)
    assert run.rc == 1, run.err
    assert findings(run.report(), kind="config", address=GOOD_ADDRESS)


@pytest.mark.slow
def test_50mb_single_line_garbage(good_project: Path, tmp_path: Path) -> None:
    gen.write_single_line_garbage_tf(good_project / "garbage.tf")
    run = _check_sub(good_project, tmp_path)
    assert_bad_file_reported(run, "garbage.tf")


def test_deeply_nested_hcl(good_project: Path, tmp_path: Path) -> None:
    gen.write_deep_tf(good_project / "deep.tf")
    run = _check_sub(good_project, tmp_path)
    assert_clean_failure(run)
    assert run.rc == 1, run.err
    assert findings(run.report(), kind="config", address=GOOD_ADDRESS)


def test_symlink_loops_in_tree(good_project: Path, tmp_path: Path) -> None:
    gen.make_symlink_loops(good_project)
    run = _check_sub(good_project, tmp_path, timeout=120)
    assert_clean_failure(run)
    assert run.rc == 1, run.err
    report = run.report()
    assert findings(report, kind="config", address=GOOD_ADDRESS)
    # the loops must not multiply the same resource under several paths
    addresses = [r["address"] for r in report["resources"]]
    assert addresses.count(GOOD_ADDRESS) == 1, addresses


def test_module_cycle(tmp_path: Path) -> None:
    proj = tmp_path / "loop"
    shutil.copytree(HOSTILE / "terraform" / "module_loop", proj)
    run = _check_sub(proj, tmp_path, "--fail-on", "medium", timeout=120)
    assert_clean_failure(run)
    if run.rc == 2:
        assert "module" in run.err.lower()
        return
    assert run.rc == 1
    report = run.report()
    assert findings(report, kind="config", address=GOOD_ADDRESS)
    # the cycle is reported (an error finding or an unfollowed module with the reason), not cut silently
    reasons = [f["message"] for f in report["findings"] if f["kind"] == "error"]
    reasons += [m.get("reason", "") for m in report["scanned"].get("unfollowed_modules", [])]
    text = " ".join(reasons).lower()
    assert any(word in text for word in ("cycle", "itself", "recurs", "loop")), text
    # b calls "./" (itself): that call is not followed even once (it would duplicate b's resources)
    addresses = [r["address"] for r in report["resources"]]
    assert not [a for a in addresses if "module.self" in a], addresses


def test_strings_that_double_forty_times_stay_unknown(tmp_path: Path) -> None:
    """40 doubling locals (templates, join, format) would reach 2 TiB, and replace / indent / a
    repeated format verb / a template loop multiply a 1 MiB string: every built string is capped at
    1 MiB, larger ones are unknown with a notice, and the run finishes (the subprocess runs under
    the 4 GiB address-space guard; no time is asserted)."""
    proj = tmp_path / "doubling"
    shutil.copytree(HOSTILE / "terraform" / "doubling", proj)
    run = _check_sub(proj, tmp_path)
    assert_clean_failure(run)
    assert run.rc in (0, 1), run.err[-2000:]
    report = run.report()
    names = {r["address"]: r["identity"]["repositoryName"] for r in report["resources"]}
    assert names.pop("aws_ecr_repository.small") == "ab" * 8  # control: small strings are built
    assert len(names) == 10, names
    for address, name in names.items():
        assert isinstance(name, dict) and name.get("unknown"), (address, str(name)[:200])
    assert any("1 MiB" in n for n in report["scanned"]["notices"]), report["scanned"]["notices"]


@pytest.mark.slow
def test_5000_file_directory(tmp_path: Path) -> None:
    proj = tmp_path / "many"
    proj.mkdir()
    declared = gen.make_many_tf_files(proj, 5000)
    run = _check_sub(proj, tmp_path, "--fail-on", "medium", timeout=600)
    assert_clean_failure(run)
    assert run.rc == 1, run.err
    report = run.report()
    assert report["scanned"]["files"] == 5000
    found = {r["address"] for r in report["resources"]}
    assert len(found) == declared
    flagged = {
        f["address"]
        for f in report["findings"]
        if f["kind"] == "config" and "mutable_bad_" in (f["address"] or "")
    }
    assert len(flagged) == declared


def test_unreadable_file(cli: CliRunner, good_project: Path, tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads mode-000 files")
    locked = good_project / "locked.tf"
    locked.write_text('resource "aws_ecs_cluster" "x" {}\n')
    locked.chmod(0)
    run = _check(cli, good_project, tmp_path)
    assert_bad_file_reported(run, "locked.tf")


def test_directory_named_like_a_tf_file(cli: CliRunner, good_project: Path, tmp_path: Path) -> None:
    (good_project / "weird.tf").mkdir()
    run = _check(cli, good_project, tmp_path)
    assert_clean_failure(run)
    assert run.rc == 1
    assert findings(run.report(), kind="config", address=GOOD_ADDRESS)


# --------------------------------------------------------------------------------------------------
# Plans


STRICTLY_NOT_A_PLAN = ["empty.json", "not_json.json", "top_level_list.json", "not_a_plan.json"]


@pytest.mark.parametrize("name", sorted(p.name for p in PLANS.iterdir()))
def test_hostile_plan(cli: CliRunner, tmp_path: Path, name: str) -> None:
    run = _check(cli, GOOD_TF, tmp_path, "--plan", str(PLANS / name))
    assert_clean_failure(run)
    if name in STRICTLY_NOT_A_PLAN:
        assert run.rc == 2, f"{name} accepted as a plan: rc={run.rc}"
    if run.rc == 2:
        assert name in run.err.splitlines()[-1]


@pytest.mark.parametrize("name", sorted(p.name for p in PLANS.iterdir()))
def test_hostile_plan_inventory_alone(cli: CliRunner, tmp_path: Path, name: str) -> None:
    empty = tmp_path / "empty-root"
    empty.mkdir()
    run = cli(["inventory", str(empty), "--plan", str(PLANS / name), "--format", "json"])
    assert_clean_failure(run)


def test_deeply_nested_plan(tmp_path: Path) -> None:
    plan = gen.write_deep_plan(tmp_path / "deep-plan.json")
    run = _check_sub(GOOD_TF, tmp_path, "--plan", str(plan), timeout=120)
    assert_clean_failure(run)
    if run.rc == 2:
        assert "deep-plan.json" in run.err


def test_plan_is_a_directory(cli: CliRunner, tmp_path: Path) -> None:
    run = _check(cli, GOOD_TF, tmp_path, "--plan", str(tmp_path))
    assert_clean_failure(run)
    assert run.rc == 2


def test_binary_plan_garbage_without_terraform(cli: CliRunner, tmp_path: Path) -> None:
    plan = tmp_path / "tfplan"
    plan.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    run = cli(
        ["check", str(GOOD_TF), "--offline", "--plan", str(plan)],
        env={"PATH": str(tmp_path / "no-bin")},
    )
    assert_clean_failure(run)
    assert run.rc == 2
    assert "tfplan" in run.err or "terraform" in run.err


def test_special_files_and_device_symlinks(good_project: Path, tmp_path: Path) -> None:
    """A pull request can commit symlinks (git stores them): ``zero.tf -> /dev/zero`` would never
    end, ``stdin.tf -> /dev/stdin`` would wait forever, a FIFO blocks on open. None may hang the run
    or be read; each is reported, and the good resources are still checked."""
    import os

    os.symlink("/dev/zero", good_project / "zero.tf")
    os.symlink("/dev/urandom", good_project / "random.auto.tfvars")
    os.symlink("/dev/stdin", good_project / "stdin.tf")
    os.symlink("/etc/hostname", good_project / "host.tf")
    os.mkfifo(good_project / "fifo.tf")
    run = _check_sub(good_project, tmp_path, timeout=120)
    assert_clean_failure(run)
    assert run.rc == 1, run.err
    report = run.report()
    assert findings(report, kind="config", address=GOOD_ADDRESS)
    reported = {(f.get("file") or "").rsplit("/", 1)[-1] for f in findings(report, kind="error")}
    assert {"zero.tf", "stdin.tf", "fifo.tf", "host.tf"} <= reported, reported
