"""tfdrift_ci/inventory/unresolved.py: what a check of one .tf file could not resolve."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tfdrift_ci import inventory
from tfdrift_ci.cli import main
from tfdrift_ci.inventory.unresolved import Unresolved, single_file_unresolved


def test_a_file_read_alone_names_the_values_it_could_not_resolve(tf: Path) -> None:
    path = str(tf / "single_file" / "ecr.tf")
    found = single_file_unresolved(inventory.load(path), path)
    assert found is not None
    assert found.names == ("local.scan", "var.mutability", "var.name")
    assert found.attributes == 3 and found.resources == ("aws_ecr_repository.api",)
    assert "3 attributes of 1 resource depend on local.scan, var.mutability, var.name" in found.reason
    assert "check its directory" in found.reason


def test_computed_values_of_other_resources_are_not_counted(tf: Path) -> None:
    """kms_key = aws_kms_key.ecr.arn is unknown in a directory check too: not this gap."""
    path = str(tf / "single_file" / "ecr.tf")
    found = single_file_unresolved(inventory.load(path), path)
    assert found is not None and not any("aws_kms_key" in n for n in found.names)


def test_the_directory_resolves_them(tf: Path) -> None:
    path = str(tf / "single_file")
    assert single_file_unresolved(inventory.load(path), path) is None


def test_a_long_list_of_names_is_shortened() -> None:
    names = tuple(f"var.v{i}" for i in range(7))
    many = Unresolved(file="x.tf", attributes=7, resources=("a", "b"), names=names)
    assert "var.v0, var.v1, var.v2, var.v3, var.v4 and 2 more" in many.reason


def test_a_single_file_check_says_what_it_could_not_resolve(
    tf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The directory fails on mutable tags and no scan on push; its file alone used to read 'OK'."""
    folder = tf / "single_file"
    target = str(folder / "ecr.tf")
    assert main(["check", str(folder), "--offline", "--quiet"]) == 1
    capsys.readouterr()
    assert main(["check", target, "--offline", "--format", "json"]) == 0
    scanned = json.loads(capsys.readouterr().out)["scanned"]
    values = [g for g in scanned["gaps"] if g["kind"] == "values"]
    assert len(values) == 1 and scanned["incomplete"] is True
    assert values[0]["subject"] == values[0]["file"] == target and values[0]["fails_incomplete"] is True
    assert "3 attributes of 1 resource depend on local.scan, var.mutability, var.name" in values[0]["reason"]
    main(["check", target, "--offline"])
    out = capsys.readouterr().out
    assert "the file was read alone: 3 attributes of 1 resource" in out  # under "Not checked"
    assert out.rstrip().splitlines()[-2] == (
        "PASS: no drift and no unsafe configuration found in what could be resolved; "
        "1 file read alone: values not resolved"
    )
    main(["check", target, "--offline", "--format", "markdown"])
    heading = capsys.readouterr().out.splitlines()[0]
    assert heading.startswith("### ⚠️ tfdrift-ci: no drift and no unsafe configuration found in")


def test_fail_on_incomplete_fails_a_file_read_alone(tf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(tf / "single_file" / "ecr.tf"), "--offline", "--quiet", "--fail-on-incomplete"])
    assert code == 1
    assert "(--fail-on-incomplete)" in capsys.readouterr().out


def test_a_directory_check_has_no_such_gap(tf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(tf / "single_file"), "--offline", "--format", "json"])
    gaps = json.loads(capsys.readouterr().out)["scanned"]["gaps"]
    assert not any(g["kind"] == "values" for g in gaps)
