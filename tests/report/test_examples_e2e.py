"""The bundled examples/ project (Terraform + a CloudTrail export) end to end through the CLI, every
format compared with its golden file: the README's main command, as users see it. SARIF is checked
against the official schema rather than a golden file (it embeds the whole rule catalog's docs)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from report_loader import SCHEMAS, TESTS

from tfdrift_ci import cli

REPO = TESTS.parent
WINDOW = ["--since", "2026-11-01T00:00:00Z", "--until", "2026-11-23T00:00:00Z"]
FORMATS = {"text": "txt", "json": "json", "markdown": "md", "github": "github.txt", "sarif": "sarif"}


@pytest.fixture
def outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(REPO)
    for key in ("GITHUB_STEP_SUMMARY", "GITHUB_ACTIONS", "NO_COLOR"):
        monkeypatch.delenv(key, raising=False)
    args = ["check", "examples/infra", "--events", "examples/cloudtrail", *WINDOW, "--no-progress"]
    for fmt, ext in FORMATS.items():
        args += ["--format", fmt, "--output", str(tmp_path / f"examples.{ext}")]
    code = cli.main(args)
    out = {fmt: (tmp_path / f"examples.{ext}").read_text(encoding="utf-8") for fmt, ext in FORMATS.items()}
    out["exit_code"] = str(code)
    return out


def test_examples_end_to_end(outputs: dict[str, str], golden) -> None:
    report = json.loads(outputs["json"])
    assert outputs["exit_code"] == str(report["exit_code"]) == "1"
    for fmt, ext in FORMATS.items():
        if fmt != "sarif":
            golden.check(f"report/examples.{ext}", outputs[fmt])
    jsonschema.Draft202012Validator(
        json.loads((SCHEMAS / "report-schema.json").read_text(encoding="utf-8"))
    ).validate(report)
    jsonschema.Draft4Validator(
        json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    ).validate(json.loads(outputs["sarif"]))
    assert {f["kind"] for f in report["findings"]} >= {"drift", "attempt", "config"}
