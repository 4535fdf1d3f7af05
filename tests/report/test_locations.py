"""Every place a code host is told to show a finding is a file of the repository (report/locations.py,
rules/locate.py).

GitHub code scanning rejects a whole SARIF upload when one result has no location, and drops results
whose file is not in the repository; annotations and GitLab's code quality issues on a path that does
not exist are lost. These run every drift scenario (tests/fixtures/scenarios), the bundled example and
the module fixture (tests/fixtures/terraform/origin/live) through the engine and check SARIF against
GitHub's extra rules, and annotations and GitLab issues against the checkout."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tfdrift_ci.engine import CheckRequest, check
from tfdrift_ci.models import Report
from tfdrift_ci.report import render
from tfdrift_ci.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "tests" / "fixtures" / "scenarios"
ORIGIN = "tests/fixtures/terraform/origin/live"
CASES = [
    *(f"tests/fixtures/scenarios/{p.name}" for p in sorted(SCENARIOS.iterdir()) if (p / "main.tf").exists()),
    "examples/infra",
    ORIGIN,
]
_ANNOTATION = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::")


def _events(path: str) -> tuple[str, ...]:
    if path == "examples/infra":
        return ("examples/cloudtrail",)
    events = REPO / path / "events.json"
    return (str(events.relative_to(REPO)),) if events.exists() else ()


def _report(path: str, monkeypatch: pytest.MonkeyPatch) -> Report:
    monkeypatch.chdir(REPO)  # PATH relative to the repository root, as CI runs it
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    events = _events(path)
    plan = REPO / path / "plan.json"
    return check(
        CheckRequest(
            path=path,
            settings=Settings(),
            events=events,
            offline=not events,
            since="2026-11-01T00:00:00Z",
            until="2026-11-23T00:00:00Z",
            plan=str(plan.relative_to(REPO)) if plan.exists() else None,
        )
    )


def _existing_line(uri: str, line: int | None) -> None:
    """``uri`` is relative to the repository root and names a file of it (not under .terraform/);
    ``line`` is one of its lines."""
    assert uri and not uri.startswith("/") and "://" not in uri, uri
    assert ".." not in uri.split("/") and ".terraform" not in uri.split("/"), uri
    target = REPO / unquote(uri)
    assert target.is_file(), f"{uri} is not a file of the repository"
    if line is not None:
        assert 1 <= line <= len(target.read_text(encoding="utf-8").splitlines()), (uri, line)


def _github_rules(sarif: dict[str, Any]) -> list[dict[str, Any]]:
    """GitHub's rules on top of the SARIF schema: a location on every result, a relative uri, a rule id
    that the run's rules list (at its ruleIndex), a partial fingerprint."""
    (run,) = sarif["runs"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    results: list[dict[str, Any]] = run["results"]
    for res in results:
        assert res["ruleId"] in rules and rules[res["ruleIndex"]] == res["ruleId"]
        assert res["locations"], f"{res['ruleId']}: no location"
        for loc in res["locations"] + res.get("relatedLocations", []):
            physical = loc["physicalLocation"]
            assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
            _existing_line(physical["artifactLocation"]["uri"], physical.get("region", {}).get("startLine"))
        assert res["partialFingerprints"] and all(res["partialFingerprints"].values())
    return results


@pytest.mark.parametrize("path", CASES)
def test_every_location_is_a_file_of_the_repository(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report(path, monkeypatch)
    results = _github_rules(json.loads(render(report, "sarif")))
    assert len(results) == len(report.findings)
    for issue in json.loads(render(report, "gitlab")):
        _existing_line(issue["location"]["path"], issue["location"]["lines"]["begin"])
    for text in render(report, "github").splitlines():
        m = _ANNOTATION.match(text)
        if m is None:
            continue
        props = dict(p.split("=", 1) for p in m.group("props").split(",") if "=" in p)
        if "file" in props:
            _existing_line(unquote(props["file"]), int(props["line"]) if "line" in props else None)


def test_a_module_input_is_shown_at_the_calling_line(monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report(ORIGIN, monkeypatch)
    (f,) = [
        f
        for f in report.findings
        if f.rule_id == "TFD-ECR-001" and f.address == "module.app.module.inner.aws_ecr_repository.this"
    ]
    assert (f.file, f.line) == ("main.tf", 12)  # mutability = "MUTABLE" on module "app"
    (related,) = f.related
    assert (related.file, related.line, related.in_repository) == ("../modules/app/inner/main.tf", 11, True)
    assert related.note == "the resource in module module.app.module.inner (./inner)"
    results = json.loads(render(report, "sarif"))["runs"][0]["results"]
    res = next(r for r in results if r["ruleId"] == "TFD-ECR-001" and "inner" in r["properties"]["address"])
    physical = res["locations"][0]["physicalLocation"]
    assert (physical["artifactLocation"]["uri"], physical["region"]["startLine"]) == (f"{ORIGIN}/main.tf", 12)
    rel = res["relatedLocations"][0]["physicalLocation"]
    assert rel["artifactLocation"]["uri"] == "tests/fixtures/terraform/origin/modules/app/inner/main.tf"
    assert rel["region"]["startLine"] == 11


def test_a_downloaded_module_file_is_never_a_location(monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report(ORIGIN, monkeypatch)
    (f,) = [f for f in report.findings if f.address == "module.svc.aws_ecs_service.this"]
    # enable_execute_command = var.exec on the module block; var.exec defaults to true
    assert (f.file, f.line) == ("variables.tf", 22)
    (related,) = f.related
    assert related.file == ".terraform/modules/svc/main.tf" and not related.in_repository
    results = json.loads(render(report, "sarif"))["runs"][0]["results"]
    res = next(r for r in results if r["properties"].get("address") == "module.svc.aws_ecs_service.this")
    assert "relatedLocations" not in res  # the module's file is not the user's
    assert ".terraform" not in render(report, "github").split("::")[1]
    text = render(report, "text")
    assert "related: .terraform/modules/svc/main.tf:19" in text  # named in text, for people
    assert "note: value set by the default of var.exec (variables.tf:22)" in text


def test_a_finding_without_a_place_is_on_the_provider_block(monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report("tests/fixtures/scenarios/ecr_create_repository", monkeypatch)
    unmanaged = [f for f in report.findings if f.kind == "unmanaged"]
    assert unmanaged and all(f.file is None for f in unmanaged)
    results = json.loads(render(report, "sarif"))["runs"][0]["results"]
    placed = {
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
        if r["properties"]["kind"] == "unmanaged"
    }
    provider = next(
        n
        for n, line in enumerate(
            (SCENARIOS / "ecr_create_repository" / "main.tf").read_text().splitlines(), 1
        )
        if line.startswith("provider")
    )
    assert placed == {("tests/fixtures/scenarios/ecr_create_repository/main.tf", provider)}
