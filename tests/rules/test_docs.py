"""docs/rules.md is generated from the catalog and must be up to date."""

from __future__ import annotations

from pathlib import Path

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
    assert s.rules["TFD-ECR-005"].enabled is False
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
