"""The catalog: every config rule module registered, ids unique, docs complete, fixtures present."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import pytest

from tfdrift_ci.rules import config as config_rules
from tfdrift_ci.rules.catalog import BY_ID, RULES
from tfdrift_ci.rules.errors import ERROR_RULES

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rules"
_RESOURCE = re.compile(r'^resource\s+"(\w+)"\s+"(\w+)"', re.MULTILINE)


def test_every_config_module_is_registered() -> None:
    modules = {m.name for m in pkgutil.iter_modules(config_rules.__path__) if not m.name.startswith("_")}
    assert modules == set(config_rules.MODULES)
    for name, module in config_rules.MODULES.items():
        assert module.RULE in config_rules.CONFIG_RULES, name
        assert config_rules.CHECKS[module.RULE.id] is module.check, name


def test_ids_unique_across_config_drift_and_error() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert set(BY_ID) == set(ids)
    assert {"TFD-ERR-001", "TFD-ERR-002"} <= set(ids)
    assert all(r.kind == "config" for r in config_rules.CONFIG_RULES)
    assert all(r.kind == "error" for r in ERROR_RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_docs_complete(rule: object) -> None:
    from tfdrift_ci.rules.base import Rule

    assert isinstance(rule, Rule)
    for section in ("what", "why", "example", "fix"):
        assert getattr(rule.docs, section).strip(), f"{rule.id}: empty {section}"
    assert rule.title.strip() and rule.remediation.strip()


@pytest.mark.parametrize("rule", config_rules.CONFIG_RULES, ids=lambda r: r.id)
def test_config_rule_shape(rule: object) -> None:
    from tfdrift_ci.rules.base import Rule

    assert isinstance(rule, Rule)
    assert re.fullmatch(r"TFD-EC[RS]-\d{3}", rule.id)
    assert rule.resource_types and all(t.startswith(("aws_ecr", "aws_ecs")) for t in rule.resource_types)
    for peer in rule.peers.checkov:
        assert re.fullmatch(r"CKV2?_AWS_\d+", peer), peer
    for peer in rule.peers.trivy:
        assert re.fullmatch(r"AVD-AWS-\d{4}|aws-[a-z0-9-]+", peer), peer
    for peer in rule.peers.kics:
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", peer), peer
    for peer, note in rule.peers.notes:
        assert peer in rule.peers.all() and note.strip(), (peer, note)
    for technique in rule.mitre:
        assert re.fullmatch(r"T\d{4}(\.\d{3})?", technique), technique
    # the remediation names an attribute (snake_case Terraform or camelCase container key)
    assert re.search(r"[a-z]+_[a-z_]+|[a-z]+[A-Z][a-zA-Z]+", rule.remediation), rule.remediation


@pytest.mark.parametrize("module", sorted(config_rules.MODULES))
def test_every_config_rule_has_bad_and_ok_fixtures(module: str) -> None:
    directory = FIXTURES / module
    assert directory.is_dir(), f"missing fixture dir {directory}"
    text = "\n".join(p.read_text() for p in directory.rglob("*.tf"))
    types = set(config_rules.MODULES[module].RULE.resource_types)
    names = [name for rtype, name in _RESOURCE.findall(text) if rtype in types]
    assert any(n.endswith("_bad") for n in names), module
    assert any(n.endswith("_ok") for n in names), module


# The KICS queries for ECR/ECS (Checkmarx/kics assets/queries/terraform/aws/*/metadata.json) and the
# rule each one maps to. d40210ea… was removed from KICS in 2024 and stays listed, with a note.
KICS = {
    "d1846b12-20c5-4d45-8798-fc35b79268eb": "TFD-ECR-001",  # ECR Image Tag Not Immutable
    "9630336b-3fed-4096-8173-b9afdfe346a7": "TFD-ECR-002",  # Unscanned ECR Image
    "0e32d561-4b5a-4664-a6e3-a3fa85649157": "TFD-ECR-003",  # ECR Repository Not Encrypted With CMK
    "e86e26fc-489e-44f0-9bcd-97305e4ba69a": "TFD-ECR-004",  # ECR Repository Is Publicly Accessible
    "69e7c320-b65d-41bb-be02-d63ecc0bcc9d": "TFD-ECR-005",  # ECR Repository Without Policy
    "97cb0688-369a-4d26-b1f7-86c4c91231bc": "TFD-ECS-012",  # ECS Cluster w/ Container Insights Disabled
    "3206240f-2e87-4e58-8d24-3e19e7c83d7c": "TFD-ECS-015",  # ECS Service Admin Role Is Present
    "91f16d09-689e-4926-aca7-155157f634ed": "TFD-ECS-014",  # ECS Service Without Running Tasks
    "bafe7989-3c4b-47f0-910b-e6e1cba7f146": "TFD-ECS-011",  # ECS Services assigned with public IP
    "9f4a9409-9c60-4671-be96-9716dbf63db1": "TFD-ECS-005",  # ECS Task Def. Network Mode Not Recommended
    "4d46ff3b-7160-41d1-a310-71d6d370b08f": "TFD-ECS-010",  # ECS Task Definition Volume Not Encrypted
    # ECS Task Definition Container With Plaintext Password (removed upstream)
    "d40210ea-64b9-4cce-a4fb-e8604f3c062c": "TFD-ECS-007",
}


def test_every_kics_ecr_ecs_query_maps_to_its_rule() -> None:
    listed = {k: r.id for r in RULES for k in r.peers.kics}
    assert listed == KICS
    removed = BY_ID["TFD-ECS-007"].peers.note("d40210ea-64b9-4cce-a4fb-e8604f3c062c")
    assert removed and "removed" in removed
