"""``--format gitlab`` (GitLab Code Quality): valid against the format's schema for every drift
scenario, the report fixture and the bundled example; fingerprints unique and stable across runs and
line moves; paths relative to the repository root; suppressed findings left out; hostile text inert."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from injection_corpus import CORPUS, hostile_report
from report_loader import SCHEMAS, load_report

from tfdrift_ci import cli
from tfdrift_ci.models import Severity
from tfdrift_ci.report import render
from tfdrift_ci.report.gitlab import SEVERITY

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "tests" / "fixtures" / "scenarios"
SCENARIO_NAMES = sorted(p.name for p in SCENARIOS.iterdir() if (p / "main.tf").exists())
SCHEMA = json.loads((SCHEMAS / "gitlab-codequality.json").read_text(encoding="utf-8"))


def validate(issues: Any) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(issues)
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints), "fingerprints must be unique in a report"


def _run(path: Path, events: Path | None, tmp_path: Path, *extra: str, cwd: Path | None = None) -> list[Any]:
    out = tmp_path / f"gitlab-{len(list(tmp_path.glob('gitlab-*')))}.json"
    argv = ["check", str(path), "--no-progress", "--format", "gitlab", "--output", str(out), *extra]
    if events is not None:
        argv += [
            "--events",
            str(events),
            "--since",
            "2026-11-01T00:00:00Z",
            "--until",
            "2026-11-23T00:00:00Z",
        ]
    else:
        argv.append("--offline")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        mp.chdir(cwd or REPO)
        code = cli.main(argv)
    assert code in (0, 1), code
    issues: list[Any] = json.loads(out.read_text(encoding="utf-8"))
    return issues


def test_golden(golden) -> None:
    golden.check("report/report.gitlab", render(load_report(), "gitlab"))  # not *.json: not a report


def test_the_report_fixture_validates_and_leaves_suppressed_findings_out() -> None:
    report = load_report()
    issues = json.loads(render(report, "gitlab"))
    validate(issues)
    assert len(issues) == len(report.active) < len(report.findings)  # the fixture has a suppressed one
    assert {i["check_name"] for i in issues} == {f.rule_id for f in report.active}


def test_a_clean_report_is_an_empty_array() -> None:
    assert json.loads(render(replace(load_report(), findings=(), exit_code=0), "gitlab")) == []


def test_severities_map_onto_gitlab_order() -> None:
    assert [SEVERITY[s] for s in Severity] == ["blocker", "critical", "major", "minor", "info"]


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_every_scenario_validates(name: str, tmp_path: Path) -> None:
    folder = SCENARIOS / name
    extra = ["--plan", str(folder / "plan.json")] if (folder / "plan.json").exists() else []
    issues = _run(folder, folder / "events.json", tmp_path, *extra)
    validate(issues)
    prefix = f"tests/fixtures/scenarios/{name}"
    for issue in issues:
        path = issue["location"]["path"]
        assert path == prefix or path.startswith(prefix + "/"), path


def test_the_bundled_example_paths_are_relative_to_the_repository(tmp_path: Path) -> None:
    issues = _run(REPO / "examples" / "infra", REPO / "examples" / "cloudtrail", tmp_path)
    validate(issues)
    assert {i["location"]["path"] for i in issues} == {"examples/infra/ecr.tf", "examples/infra/ecs.tf"}
    mutability = next(i for i in issues if i["check_name"] == "TFD-DRIFT-001")
    assert mutability["severity"] == "critical"  # high
    assert mutability["location"]["lines"]["begin"] == 4  # image_tag_mutability's line in ecr.tf
    assert (
        "image_tag_mutability: IMMUTABLE → MUTABLE, by alice@example.com (console)"
        in mutability["description"]
    )
    attempt = next(i for i in issues if i["check_name"] == "TFD-DRIFT-028")
    assert "failed: AccessDeniedException" in attempt["description"]


def test_fingerprints_are_stable_across_runs_and_line_moves(tmp_path: Path) -> None:
    """GitLab compares the merge request's report with the base branch's by fingerprint: the same
    findings must keep theirs when lines move above them."""
    project = tmp_path / "repo" / "infra"
    shutil.copytree(REPO / "examples" / "infra", project)
    (tmp_path / "repo" / ".git").mkdir()  # the repository root the paths are relative to
    first = _run(project, REPO / "examples" / "cloudtrail", tmp_path)
    again = _run(project, REPO / "examples" / "cloudtrail", tmp_path)
    assert first == again
    for tf in project.glob("*.tf"):
        tf.write_text("# a comment\n# and another\n\n" + tf.read_text(encoding="utf-8"), encoding="utf-8")
    moved = _run(project, REPO / "examples" / "cloudtrail", tmp_path)
    assert {i["fingerprint"] for i in moved} == {i["fingerprint"] for i in first}
    assert [i["location"]["lines"]["begin"] for i in moved] == [
        i["location"]["lines"]["begin"] + 3 for i in first
    ]
    assert {i["location"]["path"] for i in first} == {"infra/ecr.tf", "infra/ecs.tf"}


def test_two_roots_with_the_same_address_keep_apart(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    for root in ("a", "b"):
        (tmp_path / "repo" / root).mkdir(parents=True)
        shutil.copy(
            REPO / "tests" / "fixtures" / "report" / "action-project" / "main.tf", tmp_path / "repo" / root
        )
    issues = _run(tmp_path / "repo", None, tmp_path)
    validate(issues)
    by_path = {i["location"]["path"] for i in issues}
    assert {"a/main.tf", "b/main.tf"} <= by_path


@pytest.mark.parametrize("key", sorted(CORPUS))
def test_hostile_text_is_one_inert_line(key: str) -> None:
    out = render(hostile_report(CORPUS[key]), "gitlab")
    issues = json.loads(out)
    validate(issues)
    for issue in issues:
        text = issue["description"] + issue["location"]["path"] + issue["check_name"]
        assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]", text), repr(text)
        assert len(issue["description"]) <= 500
    assert "\x1b" not in out and "\u202e" not in out
