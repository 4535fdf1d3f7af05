"""Declared resources whose name is not known statically (issue 12 §3): matched by elimination when
unambiguous, else named as not checked with TFD-ERR-003 info findings; never silently absent.

Through the real CLI, on a copy of the bundled example with ``name = regex("[a-z]+", "api")``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tfdrift_ci.cli import main

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples"
ANOTHER = ROOT / "tests" / "fixtures" / "gaps" / "unknown-name"
WINDOW = ["--since", "2026-11-01T00:00:00Z", "--until", "2026-12-01T00:00:00Z"]
REGEX = 'regex("[a-z]+", "api")'


def _example(tmp_path: Path, file: str, old: str, new: str) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "example")
    tf = tmp_path / "example" / "infra" / file
    text = tf.read_text(encoding="utf-8")
    assert text.count(old) == 1
    tf.write_text(text.replace(old, new), encoding="utf-8")
    return tmp_path / "example"


def _check(example: Path, capsys: pytest.CaptureFixture[str], *more: str) -> tuple[int, dict[str, Any]]:
    argv = ["check", str(example / "infra"), "--events", str(example / "cloudtrail"), *WINDOW]
    code = main([*argv, *more, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _repository_unknown(tmp_path: Path) -> Path:
    return _example(tmp_path, "ecr.tf", 'name                 = "api"', f"name                 = {REGEX}")


def test_one_unknown_repository_and_one_unclaimed_name_is_matched_by_elimination(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = _check(_repository_unknown(tmp_path), capsys)
    ecr = [f for f in report["findings"] if f["address"] == "aws_ecr_repository.api" and f["event"]]
    assert sorted(f["rule_id"] for f in ecr) == ["TFD-DRIFT-001", "TFD-DRIFT-028"]
    for f in ecr:
        assert f["notes"][0].startswith(f"matched by elimination: the declared name is {REGEX}")
    assert report["scanned"]["gaps"] == [] and code == 1


def test_names_that_cannot_be_told_apart_are_named_not_checked_and_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = _repository_unknown(tmp_path)
    shutil.copy(ANOTHER / "another-repository.json", example / "cloudtrail" / "another-repository.json")
    code, report = _check(example, capsys, "--fail-on", "critical")
    assert code == 0
    assert not [f for f in report["findings"] if f["rule_id"] == "TFD-DRIFT-001"]
    (gap,) = report["scanned"]["gaps"]
    assert (gap["kind"], gap["subject"], gap["file"], gap["line"]) == (
        "identity",
        "aws_ecr_repository.api",
        "ecr.tf",
        2,
    )
    assert "the events name 2 repositories that no declared repository has ('api', 'web')" in gap["reason"]
    assert report["scanned"]["incomplete"] is True
    unmatched = [f for f in report["findings"] if f["rule_id"] == "TFD-ERR-003"]
    assert [(f["severity"], f["kind"], f["address"]) for f in unmatched] == [
        ("info", "error", "aws_ecr_repository.api")
    ] * 2
    messages = sorted((f["message"] for f in unmatched), key=lambda m: m.split(" on ")[1])
    assert messages[0].startswith(
        "2 write events on 'api' (PutImageScanningConfiguration, PutImageTagMutability) could be "
        f"aws_ecr_repository.api's, whose name is {REGEX} (not known statically), and could not be matched"
    )
    assert messages[0].endswith("the latest by bob via the AWS CLI (it failed: AccessDeniedException)")
    assert messages[1].startswith(
        "1 write event on 'web' (PutImageTagMutability) could be aws_ecr_repository"
    )
    assert "the latest by alice@example.com via the console" in messages[1]
    # --fail-on-incomplete: the resource not identified fails the run, and the verdict says why
    assert main(["check", str(example / "infra"), "--events", str(example / "cloudtrail"), *WINDOW,
                 "--fail-on", "critical", "--fail-on-incomplete", "--quiet"]) == 1  # fmt: skip
    verdict = capsys.readouterr().out
    assert "1 resource not identified (drift not checked) and --fail-on-incomplete is set" in verdict


def test_a_known_cluster_with_an_unknown_service_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = _example(
        tmp_path, "ecs.tf", 'name                   = "api"', f"name                   = {REGEX}"
    )
    _, report = _check(example, capsys)
    exec_on = [f for f in report["findings"] if f["rule_id"] == "TFD-DRIFT-012"]
    assert [f["address"] for f in exec_on] == ["aws_ecs_service.api"]
    assert "matched by elimination" in exec_on[0]["notes"][0]
    # the worker's autoscaling events name a declared service: never a candidate for the unknown one
    assert report["scanned"]["gaps"] == []


def test_two_unknown_repositories_are_both_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = _repository_unknown(tmp_path)
    extra = 'resource "aws_ecr_repository" "other" {\n  name = regex("[a-z]+", "web")\n}\n'
    (example / "infra" / "other.tf").write_text(extra, encoding="utf-8")
    _, report = _check(example, capsys)
    gaps = report["scanned"]["gaps"]
    assert [g["subject"] for g in gaps] == ["aws_ecr_repository.api", "aws_ecr_repository.other"]
    assert all(
        "other declared repositories with unknown names could be named 'api'" in g["reason"] for g in gaps
    )


def test_no_event_could_be_the_resources_so_nothing_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = _example(
        tmp_path, "ecs.tf", 'family                   = "api"', f"family                   = {REGEX}"
    )
    _, report = _check(example, capsys)
    assert report["scanned"]["gaps"] == []
    assert not [f for f in report["findings"] if f["rule_id"] == "TFD-ERR-003"]
