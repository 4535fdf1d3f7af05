"""``tfdrift-ci fix`` through the real CLI, on a copy of the README's example."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tfdrift_ci.cli import main

EXAMPLE = Path(__file__).parents[2] / "examples"
WINDOW = ["--since", "2026-11-01T00:00:00Z", "--until", "2026-11-23T00:00:00Z", "--no-progress"]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "examples")
    return tmp_path / "examples"


def _fix(capsys: pytest.CaptureFixture[str], example: Path, *args: str) -> tuple[int, str, str]:
    code = main(["fix", str(example / "infra"), "--events", str(example / "cloudtrail"), *WINDOW, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _texts(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.tf"))}


def test_dry_run_prints_the_diff_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], example: Path
) -> None:
    before = _texts(example)
    code, out, err = _fix(capsys, example, "--adopt", "--dry-run", "--allow-unsafe")
    assert _texts(example) == before
    assert code == 0
    assert '-  image_tag_mutability = "IMMUTABLE"\n+  image_tag_mutability = "MUTABLE"\n' in out
    assert out.startswith("--- a/ecr.tf\n+++ b/ecr.tf\n")
    assert "would adopt 2 drifted attribute(s) in 2 file(s)" in err
    assert "TFD-ECR-001" in err and "--allow-unsafe" in err


def test_an_unsafe_adoption_is_refused_and_named(capsys: pytest.CaptureFixture[str], example: Path) -> None:
    before = _texts(example)
    code, out, err = _fix(capsys, example, "--adopt")
    assert code == 1  # drift left to do by hand
    assert out == "" and _texts(example) == before
    assert "adopt by hand: aws_ecr_repository.api.image_tag_mutability (ecr.tf:4): adopting it makes" in err
    assert "TFD-ECR-001 (ECR repository allows mutable image tags) would fire" in err
    assert "TFD-ECS-001" in err


def test_allow_unsafe_writes_the_files(capsys: pytest.CaptureFixture[str], example: Path) -> None:
    before = _texts(example)
    code, out, _ = _fix(capsys, example, "--adopt", "--allow-unsafe")
    after = _texts(example)
    assert code == 0
    assert after["infra/ecr.tf"] == before["infra/ecr.tf"].replace(
        'image_tag_mutability = "IMMUTABLE"', 'image_tag_mutability = "MUTABLE"'
    )
    assert "enable_execute_command = true" in after["infra/ecs.tf"]
    assert set(after) == set(before)
    # a second run has nothing left to adopt
    code, out, err = _fix(capsys, example, "--adopt", "--allow-unsafe")
    assert (code, out) == (0, "")
    assert "adopted 0 drifted attribute(s) in 0 file(s); 0 to do by hand" in err


def test_revert_prints_terraform_apply_per_root(capsys: pytest.CaptureFixture[str], example: Path) -> None:
    before = _texts(example)
    code, out, _ = _fix(capsys, example, "--revert")
    assert code == 0 and _texts(example) == before
    infra = str(example / "infra")
    assert (
        f"terraform -chdir={infra} apply -target=aws_ecr_repository.api -target=aws_ecs_service.api\n" in out
    )
    assert "#   aws_ecr_repository.api.image_tag_mutability: MUTABLE → IMMUTABLE" in out


def test_offline_is_a_usage_error(capsys: pytest.CaptureFixture[str], example: Path) -> None:
    assert main(["fix", str(example / "infra"), "--adopt", "--offline"]) == 2
    err = capsys.readouterr().err
    assert err == "tfdrift-ci: error: fix acts on drift, which comes from events: drop --offline\n"


def test_check_output_options_are_refused(capsys: pytest.CaptureFixture[str], example: Path) -> None:
    assert main(["fix", str(example / "infra"), "--adopt", "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tfdrift-ci: error: fix prints a diff (--adopt) or terraform lines (--revert)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--adopt", "--revert"], "argument --revert: not allowed with argument --adopt"),
        ([], "one of the arguments --adopt --revert is required"),
    ],
)
def test_adopt_or_revert_exactly(
    capsys: pytest.CaptureFixture[str], example: Path, args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["fix", str(example / "infra"), *args])
    assert exit_info.value.code == 2
    assert f"tfdrift-ci: error: {message}" in capsys.readouterr().err
