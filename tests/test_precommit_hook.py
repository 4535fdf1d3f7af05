"""The pre-commit hook as users get it: the manifest validates, and `pre-commit try-repo` installs
the hook from a copy of this repository (its working tree committed) and runs it on a project with a
bad and a good Terraform root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "report" / "precommit"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_NOSYSTEM": "1",
}  # fmt: skip


def test_manifest_validates_and_matches_the_contract() -> None:
    proc = subprocess.run(
        [*PRE_COMMIT, "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "tfdrift"
    assert hook["language"] == "python"
    assert hook["entry"] == "tfdrift-ci pre-commit"
    assert hook["files"] == r"\.(tf|tfvars)$"
    assert hook["require_serial"] is True


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)


def _snapshot_of_this_repo(dest: Path) -> Path:
    """try-repo installs HEAD of the repository it is given; the checkout's HEAD may lag its working
    tree, so commit the working tree (tracked + untracked, not ignored) into a fresh repository."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True, check=True
        )
        .stdout.decode()
        .split("\0")
    )
    for rel in filter(None, listed):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    _git(dest, "init", "-q", "-b", "main")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "snapshot")
    return dest


@pytest.mark.slow
def test_try_repo_fails_on_the_bad_root_and_passes_the_good_one(tmp_path: Path) -> None:
    hook_repo = _snapshot_of_this_repo(tmp_path / "hook-repo")
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "terraform")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_COLOR": "1",
    }

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*PRE_COMMIT, "try-repo", str(hook_repo), "tfdrift", "--files", *files],
            cwd=project, env=env, capture_output=True, text=True, check=False, timeout=900,
        )  # fmt: skip

    bad = try_repo("bad/main.tf")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "tfdrift-ci" in bad.stdout and "Failed" in bad.stdout
    assert "TFD-ECR-004" in bad.stdout and "aws_ecr_repository_policy.public_bad" in bad.stdout

    good = try_repo("good/main.tf")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout

    # The unsafe settings the tool exists for fail the default run on their own (graded high):
    # a root whose only problem is mutable tags, and one whose only problem is ECS Exec. The hook
    # environment installed above is reused (same PRE_COMMIT_HOME), so these cost seconds.
    for files, rule_id, address in (
        ("mutable/main.tf", "TFD-ECR-001", "aws_ecr_repository.mutable_bad"),
        ("exec/main.tf", "TFD-ECS-001", "aws_ecs_service.exec_bad"),
    ):
        run = try_repo(files)
        assert run.returncode == 1, files + "\n" + run.stdout + run.stderr
        assert "Failed" in run.stdout, run.stdout
        assert rule_id in run.stdout and address in run.stdout, run.stdout
        assert "HIGH" in run.stdout, run.stdout
