"""Accuracy against other scanners' own test cases, and no false positive on clean modules.

tests/fixtures/rules/peers/<condition>/main.tf reproduces the published test cases of checkov /
trivy for one condition (its first line names our rule: ``# rule: TFD-…``); resources are named for
the outcome AWS semantics give (``ckv_mutable_bad``, ``trivy_immutable_ok``). Where a scanner
disagrees with AWS the file says so in a comment.

tests/fixtures/rules/clean/<name>/ are roots calling modules shaped like terraform-aws-modules/ecr
and /ecs with safe settings: they must produce no finding at all.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rules.config.helpers import fixture_outcomes
from tfdrift_ci import inventory
from tfdrift_ci.rules import config as config_rules
from tfdrift_ci.settings import Settings

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rules"
PEERS = sorted(p for p in (FIXTURES / "peers").iterdir() if p.is_dir())
CLEAN = sorted(p for p in (FIXTURES / "clean").iterdir() if p.is_dir())


def _rule_of(directory: Path) -> str:
    m = re.search(r"^# rule: (TFD-[A-Z]+-\d+)$", (directory / "main.tf").read_text(), re.MULTILINE)
    assert m, f"{directory}/main.tf must start with '# rule: TFD-…'"
    return m.group(1)


@pytest.mark.parametrize("directory", PEERS, ids=lambda p: p.name)
def test_peer_cases(directory: Path) -> None:
    rule_id = _rule_of(directory)
    bad, hit, everything = fixture_outcomes(directory, rule_id)
    assert bad and len(everything) > len(bad)
    assert sorted(bad - hit) == [], f"{rule_id} missed peer cases"
    assert sorted(hit - bad) == [], f"{rule_id} fired on peer cases that pass"


def test_peer_fixtures_cover_every_rule_with_peer_ids() -> None:
    """Every rule with a checkov or trivy id has a peer fixture. KICS ids are mapped from the
    queries' published metadata (id, title, description); KICS's own test cases are not reproduced
    here (its Go repository is not a package this project can install)."""
    covered = {_rule_of(d) for d in PEERS}
    with_peers = {r.id for r in config_rules.CONFIG_RULES if r.peers.checkov or r.peers.trivy}
    assert with_peers <= covered, f"no peer fixture for {sorted(with_peers - covered)}"


@pytest.mark.parametrize("directory", CLEAN, ids=lambda p: p.name)
def test_clean_module_has_no_finding(directory: Path) -> None:
    inv = inventory.load(str(directory))
    assert inv.problems == () and inv.unfollowed_modules == ()
    assert len(inv.resources) >= 3
    findings = config_rules.run(inv, Settings())
    assert [(f.rule_id, f.address, f.message) for f in findings] == []
