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
