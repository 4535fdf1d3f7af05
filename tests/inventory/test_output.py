"""tfdrift_ci/inventory/output.py: `inventory --format text|json` renderings (golden files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Golden
from tfdrift_ci import inventory


def test_text_golden(tf: Path, golden: Golden) -> None:
    inv = inventory.load(str(tf / "flat"))
    text = inventory.render(inv, "text").replace(str(tf), "<fixtures>")
    golden.check("inventory/flat.txt", text)


def test_json_golden(tf: Path, golden: Golden, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tf.parents[2])  # the repository: PATH as a user would type it
    inv = inventory.load("tests/fixtures/terraform/expansion")
    out = inventory.render(inv, "json")
    doc = json.loads(out)
    assert doc["resources"][-1]["declared_only"] is True
    golden.check("inventory/expansion.json", out)


def test_unknown_values_render_as_objects(tf: Path) -> None:
    inv = inventory.load(str(tf / "variables"))
    doc = json.loads(inventory.render(inv, "json"))
    by = {r["address"]: r for r in doc["resources"]}
    assert by["aws_ecr_repository.unset_unknown"]["identity"]["repositoryName"] == {
        "unknown": '"${var.unset}-api"',
        "pattern": "*-api",
    }


def test_text_has_a_root_column_that_tells_apart_roots_calling_one_module(tf: Path) -> None:
    text = inventory.render(inventory.load(str(tf / "shared_module")), "text")
    header, *rows = text.split("\n\n")[0].splitlines()
    assert header.split() == ["ADDRESS", "ROOT", "TYPE", "LOCATION", "IDENTITY", "UNKNOWNS"]
    assert [row.split()[1] for row in rows] == ["dev", "prod", "staging"]
    rest = {tuple(cell for i, cell in enumerate(row.split()) if i != 1) for row in rows}
    assert len(rest) == 1  # apart from ROOT, the three rows are the same


def test_text_cells_from_terraform_are_one_inert_line(tf: Path) -> None:
    text = inventory.render(inventory.load(str(tf / "hostile_names")), "text")
    assert "\x1b" not in text and "\x07" not in text
    row = text.splitlines()[1]
    assert row.startswith("aws_ecr_repository.evil ") and "name=api" in row and "FAKE: all good" in row
    assert not any(line.startswith("FAKE") for line in text.splitlines())
