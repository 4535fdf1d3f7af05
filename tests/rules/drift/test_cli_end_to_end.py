"""The bundled example (README's first command) and a scenario through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tfdrift_ci.cli import main

ROOT = Path(__file__).parents[3]
EXAMPLE = ROOT / "examples"
WINDOW = ["--since", "2026-11-01T00:00:00Z", "--until", "2026-11-23T00:00:00Z"]


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", *args, "--no-progress"])
    return code, capsys.readouterr().out


def _drift(report: dict[str, Any]) -> list[tuple[str, str, str | None, str | None]]:
    return sorted(
        (f["rule_id"], f["severity"], f["address"], f["attribute"])
        for f in report["findings"]
        if f["kind"] in ("drift", "attempt", "unmanaged")
    )


def test_readme_example_shows_drift_and_config_findings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _check(
        capsys, str(EXAMPLE / "infra"), "--events", str(EXAMPLE / "cloudtrail"), *WINDOW, "--format", "json"
    )
    report = json.loads(out)
    assert code == 1 == report["exit_code"]
    assert _drift(report) == [
        ("TFD-DRIFT-001", "high", "aws_ecr_repository.api", "image_tag_mutability"),
        ("TFD-DRIFT-010", "medium", "aws_ecs_service.api", "desired_count"),
        ("TFD-DRIFT-012", "high", "aws_ecs_service.api", "enable_execute_command"),
        ("TFD-DRIFT-028", "medium", "aws_ecr_repository.api", "image_scanning_configuration.scan_on_push"),
    ]
    # Terraform's own UpdateService, the autoscaling scale of the ignored service and the read-only
    # DescribeServices are not findings; config rules report the plaintext DB_PASSWORD
    events = {f["event"]["name"] for f in report["findings"] if f.get("event")}
    assert "DescribeServices" not in events
    assert not any(
        f["address"] == "aws_ecs_service.worker" and f["kind"] == "drift" for f in report["findings"]
    )
    assert any(f["kind"] == "config" for f in report["findings"])
    mutable = next(f for f in report["findings"] if f["rule_id"] == "TFD-DRIFT-001")
    assert mutable["actor"]["display"] == "alice@example.com" and mutable["actor"]["via"] == "console"
    assert (mutable["expected"], mutable["actual"], mutable["file"]) == ("IMMUTABLE", "MUTABLE", "ecr.tf")
    assert "password" not in out.lower().replace("db_password", "")  # no secret value echoed
    assert "hunter2-prod" not in out


def test_readme_example_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _check(capsys, str(EXAMPLE / "infra"), "--events", str(EXAMPLE / "cloudtrail"), *WINDOW)
    assert code == 1
    assert "TFD-DRIFT-001" in out and "alice@example.com" in out


def test_falco_format_on_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _check(
        capsys, str(EXAMPLE / "infra"), "--events", str(EXAMPLE / "cloudtrail"), *WINDOW, "--format", "falco"
    )
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(x["event"], x["resource"], x["changes"]) for x in lines] == [
        (
            "PutImageTagMutability",
            "aws_ecr_repository.api",
            {"image_tag_mutability": ["IMMUTABLE", "MUTABLE"]},
        ),
        ("UpdateService", "aws_ecs_service.api", {"desired_count": [2, 6]}),
        ("UpdateService", "aws_ecs_service.api", {"enable_execute_command": [False, True]}),
    ]
    assert lines[0]["user"] == "alice@example.com" and lines[0]["service"] == "ecr"
    assert lines[0]["timestamp"] == "2026-11-04T09:14:03Z"


def test_terraform_principal_flag_distrusts_the_user_agent(capsys: pytest.CaptureFixture[str]) -> None:
    # the example's Terraform run is from role github-actions-terraform; configuring another
    # principal makes its UpdateService (taskDefinition api:12, desiredCount 2) drift
    _, out = _check(
        capsys,
        str(EXAMPLE / "infra"),
        "--events",
        str(EXAMPLE / "cloudtrail"),
        *WINDOW,
        "--format",
        "json",
        "--terraform-principal",
        "arn:aws:iam::111122223333:role/other-pipeline",
    )
    report = json.loads(out)
    spoof = [f for f in report["findings"] if f["event"] and f["event"]["id"].startswith("7c6d5e4f")]
    assert spoof and all(
        "not a configured Terraform principal" in " ".join(f.get("notes", [])) for f in spoof
    )


def test_multi_event_scenario_through_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    scenario = ROOT / "tests" / "fixtures" / "scenarios" / "ecs_update_service"
    code, out = _check(
        capsys,
        str(scenario),
        "--events",
        str(scenario / "events.json"),
        "--since",
        "2026-11-20T00:00:00Z",
        "--until",
        "2026-11-21T00:00:00Z",
        "--format",
        "json",
        "--fail-on",
        "critical",
    )
    report = json.loads(out)
    assert code == 0 == report["exit_code"]  # nothing critical
    drift = {f["attribute"] for f in report["findings"] if f["kind"] == "drift"}
    assert {
        "desired_count",
        "enable_execute_command",
        "task_definition",
        "network_configuration.assign_public_ip",
    } <= drift
    # outside the window: no drift at all
    code, out = _check(
        capsys,
        str(scenario),
        "--events",
        str(scenario / "events.json"),
        "--since",
        "2026-11-21T00:00:00Z",
        "--until",
        "2026-11-22T00:00:00Z",
        "--format",
        "json",
    )
    assert not [f for f in json.loads(out)["findings"] if f["kind"] == "drift"]


def test_drift_rules_from_the_config_file_regrade(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "tfdrift.yml"
    config.write_text(
        "drift_rules:\n"
        "  - name: no-manual-scaling\n"
        "    resource_types: [aws_ecs_service]\n"
        "    watched_attributes: [desired_count]\n"
        "    severity: critical\n",
        encoding="utf-8",
    )
    _, out = _check(
        capsys,
        str(EXAMPLE / "infra"),
        "--events",
        str(EXAMPLE / "cloudtrail"),
        *WINDOW,
        "--format",
        "json",
        "--config",
        str(config),
    )
    scale = next(f for f in json.loads(out)["findings"] if f["rule_id"] == "TFD-DRIFT-010")
    assert scale["severity"] == "critical"
    assert any("no-manual-scaling" in n for n in scale.get("notes", []))
