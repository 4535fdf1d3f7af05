"""docs/rules.md is generated from the catalog and must be up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfdrift_ci.rules import docs
from tfdrift_ci.rules.catalog import RULES

DOCS = Path(__file__).parents[2] / "docs" / "rules.md"


def test_rules_md_is_current() -> None:
    assert DOCS.exists(), f"docs/rules.md is missing: run `{docs.REGENERATE}`"
    assert DOCS.read_text(encoding="utf-8") == docs.render(), (
        f"docs/rules.md is stale: run `{docs.REGENERATE}` and commit the result"
    )


def test_every_rule_has_a_section_with_its_parts() -> None:
    text = docs.render()
    for rule in RULES:
        assert f"### {rule.id}: {rule.title}" in text
        assert f'<a id="{rule.id.lower()}"></a>' in text
    assert "**What it checks.**" in text and "**Why it matters.**" in text
    assert "checkov `CKV_AWS_51`" in text
    assert "[T1525](https://attack.mitre.org/techniques/T1525/)" in text


def test_main_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "rules.md"
    assert docs.main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == docs.render()


def test_configuration_example_in_docs_is_valid(tmp_path: Path) -> None:
    from datetime import date

    from tfdrift_ci.config import load_settings
    from tfdrift_ci.suppress import parse_line

    text = docs.render()
    yaml_block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    f = tmp_path / ".tfdrift.yml"
    f.write_text(yaml_block)
    s = load_settings(str(f), start=tmp_path)
    assert s.rules["TFD-ECS-015"].enabled is False
    assert s.rules["TFD-ECR-005"].enabled is True  # `on` turns an opt-in rule on
    assert s.ignores[0].expires == date(2026, 12, 31)
    hcl_block = text.split("```hcl\n", 1)[1].split("```", 1)[0]
    directives = [d for n, line in enumerate(hcl_block.splitlines(), 1) for d in parse_line(line, n)]
    assert [(d.tool, d.ids) for d in directives] == [
        ("tfdrift", ("TFD-ECR-001",)),
        ("tfdrift", ("TFD-ECS-001", "TFD-ECS-002")),
        ("checkov", ("CKV_AWS_51",)),
        ("trivy", ("AVD-AWS-0031",)),
        ("tfsec", ("aws-ecr-enforce-immutable-repository",)),
    ]
    assert directives[1].expires == date(2026, 12, 31)
    assert directives[1].reason == "debugging until the end of the year"


def test_rules_command_shows_kics_ids_in_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from tfdrift_ci.cli import main

    assert main(["rules"]) == 0
    text = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert text["TFD-ECR-001"].endswith(
        "[checkov CKV_AWS_51; trivy AVD-AWS-0031, aws-ecr-enforce-immutable-repository; "
        "KICS d1846b12-20c5-4d45-8798-fc35b79268eb]"
    )
    assert "KICS d40210ea-64b9-4cce-a4fb-e8604f3c062c (query removed from KICS in 2024" in text["TFD-ECS-007"]
    assert text["TFD-ECR-006"].endswith("[-]")
    assert main(["rules", "--format", "json"]) == 0
    by_id = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert by_id["TFD-ECS-014"]["peer_ids"]["kics"] == ["91f16d09-689e-4926-aca7-155157f634ed"]
    assert by_id["TFD-ECS-007"]["peer_notes"]["d40210ea-64b9-4cce-a4fb-e8604f3c062c"].startswith(
        "query removed from KICS in 2024"
    )
    assert by_id["TFD-ECR-001"]["peer_notes"] == {}
    rendered = docs.render()
    assert "KICS `69e7c320-b65d-41bb-be02-d63ecc0bcc9d`" in rendered
    assert "# kics-scan ignore-block" in rendered
