from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
from report_loader import SCHEMAS, load_report

from tfdrift_ci.report import RenderOptions, render, sarif


def _sarif(report=None) -> dict:
    return json.loads(render(report or load_report(), "sarif", RenderOptions()))


def test_one_rule_per_catalog_entry_with_help_and_security_severity(fixed_catalog) -> None:
    run = _sarif()["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    for rule in fixed_catalog:
        d = rules[rule.id]
        assert d["shortDescription"]["text"] == rule.title
        assert rule.docs.why in d["help"]["text"] and rule.docs.fix in d["help"]["markdown"]
        assert "security" in d["properties"]["tags"]
    assert rules["TFD-ECS-002"]["properties"]["security-severity"] == "9.5"
    assert rules["TFD-ECR-001"]["properties"]["security-severity"] == "8.0"
    assert "security-severity" not in rules["TFD-INFO-999"]["properties"]
    assert "external/mitre/T1525" in rules["TFD-ECR-001"]["properties"]["tags"]
    # Rule ids not in the catalog still get a descriptor (engine-made errors, rules not yet registered).
    assert {"TFD-ERR-001", "TFD-ATTEMPT-001", "TFD-UNMANAGED-001"} <= set(rules)
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_results_at_file_and_line_relative_to_the_repository(fixed_catalog) -> None:
    results = _sarif()["runs"][0]["results"]
    first = results[0]
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "examples/infra/ecs.tf", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 30}
    assert first["level"] == "error"
    levels = {r["properties"]["severity"]: r["level"] for r in results}
    assert levels == {
        "critical": "error",
        "high": "error",
        "medium": "warning",
        "low": "note",
        "info": "note",
    }


def test_fingerprints_survive_line_moves_and_differ_between_findings(fixed_catalog) -> None:
    r = load_report()
    moved = replace(r, findings=tuple(replace(f, line=(f.line or 0) + 40) for f in r.findings))
    prints = [x["partialFingerprints"] for x in _sarif(r)["runs"][0]["results"]]
    assert prints == [x["partialFingerprints"] for x in _sarif(moved)["runs"][0]["results"]]
    values = [p[sarif.FINGERPRINT_KEY] for p in prints]
    assert len(set(values)) == len(values)


def test_suppressed_findings_carry_a_suppression(fixed_catalog) -> None:
    results = _sarif()["runs"][0]["results"]
    suppressed = [x for x in results if "suppressions" in x]
    assert len(suppressed) == 1
    assert suppressed[0]["suppressions"][0]["kind"] == "inSource"
    assert "enhanced scanning" in suppressed[0]["suppressions"][0]["justification"]


def test_incomplete_sources_become_tool_notifications(fixed_catalog) -> None:
    inv = _sarif()["runs"][0]["invocations"][0]
    texts = [n["message"]["text"] for n in inv["toolExecutionNotifications"]]
    assert any("s3://trail-bucket/AWSLogs is incomplete" in t for t in texts)
    assert inv["executionSuccessful"] is True and inv["exitCode"] == 1


def test_the_real_catalog_validates_whatever_it_holds_today() -> None:
    """No fixed catalog here: whatever rules/catalog.py has (or fails to import) must give valid SARIF."""
    data = _sarif()
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(data)
    ids = [r["id"] for r in data["runs"][0]["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids))
    assert len(ids) >= len(sarif._catalog())


def test_absolute_path_is_made_relative_to_the_git_work_tree(tmp_path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "infra").mkdir()
    assert sarif.artifact_uri(str(tmp_path / "infra"), "main.tf") == "infra/main.tf"
    assert sarif.artifact_uri(".", "modules/x/main.tf") == "modules/x/main.tf"
    assert sarif.artifact_uri("infra/main.tf", "main.tf") == "infra/main.tf"
