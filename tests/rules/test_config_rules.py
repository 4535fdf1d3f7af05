"""One runner over every rule's fixture directory (tests/fixtures/rules/<rule module>/).

Each directory is loaded through the real inventory. For the rule the directory is named after:
every resource of the rule's types whose name ends in ``_bad`` gets that rule's finding, and no
resource whose name ends in ``_ok`` does. Resources named otherwise are scaffolding (a policy that
refers to a repository, a KMS key) and must not get the rule's finding either.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.config.helpers import fixture_outcomes
from tfdrift_ci import inventory
from tfdrift_ci.rules import config as config_rules
from tfdrift_ci.settings import Settings

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rules"
RULE_DIRS = sorted(config_rules.MODULES)


@pytest.mark.parametrize("module", RULE_DIRS)
def test_rule_fixture(module: str) -> None:
    rule_id = config_rules.MODULES[module].RULE.id
    bad, hit, everything = fixture_outcomes(FIXTURES / module, rule_id)
    assert bad, f"{module}: no _bad resource"
    assert any(a.split(".")[-1].split("[")[0].endswith("_ok") for a in everything), (
        f"{module}: no _ok resource"
    )
    missed = sorted(bad - hit)
    false_positives = sorted(hit - bad)
    assert not missed, f"{rule_id} missed {missed}"
    assert not false_positives, f"{rule_id} fired on {false_positives}"


def test_findings_carry_location_and_remediation() -> None:
    inv = inventory.load(str(FIXTURES / "ecr_tag_mutability"))
    findings = {f.address: f for f in config_rules.run(inv, Settings()) if f.rule_id == "TFD-ECR-001"}
    f = findings["aws_ecr_repository.mutable_bad"]
    assert (f.file, f.line, f.attribute, f.actual, f.expected) == (
        "main.tf",
        7,
        "image_tag_mutability",
        "MUTABLE",
        "IMMUTABLE",
    )
    assert f.root == "."
    assert f.resource_type == "aws_ecr_repository"
    assert f.remediation and "image_tag_mutability" in f.remediation
    omitted = findings["aws_ecr_repository.omitted_bad"]
    assert (omitted.line, omitted.actual) == (1, None)  # the block's line when the attribute is absent


def test_container_finding_points_at_the_offending_key() -> None:
    """Inside a heredoc JSON document the finding names the line of `"privileged": true` itself."""
    inv = inventory.load(str(FIXTURES / "ecs_privileged"))
    found = [
        f
        for f in config_rules.run(inv, Settings())
        if f.rule_id == "TFD-ECS-003" and f.address == "aws_ecs_task_definition.privileged_heredoc_bad"
    ]
    assert [(f.attribute, f.line) for f in found] == [("container_definitions[1].privileged", 24)]
    assert "'agent'" in found[0].message


def test_secret_values_never_reach_the_finding() -> None:
    inv = inventory.load(str(FIXTURES / "ecs_plaintext_secrets"))
    text = repr(config_rules.run(inv, Settings()))
    for secret in (
        "correct-horse-battery-staple",
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    ):
        assert secret[4:] not in text
