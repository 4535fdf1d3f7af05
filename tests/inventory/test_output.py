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
