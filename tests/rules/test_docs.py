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
