"""The drift rules' registry: every module registered, the event table derived from the rules (so
the write events the sources query and the events the engine reads cannot disagree), and a rule
added as one module through the public registry API."""

from __future__ import annotations

import importlib.util
import pkgutil
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from rules.drift.helpers import ACCT, REGION, drift, ecr, inventory, repo
from tfdrift_ci.events.names import ECR, ECR_PUBLIC, ECS
from tfdrift_ci.inventory import identity
from tfdrift_ci.models import Severity
from tfdrift_ci.rules import drift as drift_rules
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift import MODULES, REGISTRY, WRITE_EVENTS, DriftRule, EventRow, Registry, run
from tfdrift_ci.rules.drift._rows import REPOSITORY
from tfdrift_ci.settings import Settings

RULE_MODULES = Path(drift_rules.__file__).parent


def test_every_drift_module_is_registered() -> None:
    modules = {m.name for m in pkgutil.iter_modules(drift_rules.__path__) if not m.name.startswith("_")}
    assert modules == set(MODULES)
    assert [r.rule for r in REGISTRY.rules] == [m.RULE for m in MODULES.values()]


def test_rule_ids_unique_and_shaped() -> None:
    ids = [r.rule.id for r in REGISTRY.rules]
    assert len(ids) == len(set(ids))
    for r in REGISTRY.rules:
        assert re.fullmatch(r"TFD-DRIFT-\d{3}", r.rule.id)
        assert r.rule.kind in ("drift", "unmanaged", "attempt")


def test_no_drift_rule_id_outside_its_own_module() -> None:
    """A rule id is written once: in its module (docs and tests may name it)."""
    own = {path.name: MODULES[path.stem].RULE.id for path in RULE_MODULES.glob("[a-z]*.py")}
    package = RULE_MODULES.parents[1]
    for path in package.rglob("*.py"):
        ids = set(re.findall(r"TFD-DRIFT-\d{3}", path.read_text(encoding="utf-8")))
        expected = {own[path.name]} if path.parent == RULE_MODULES and path.name in own else set()
        assert ids <= expected, f"{path.relative_to(package)} names {sorted(ids - expected)}"


def test_rows_stay_within_their_rules_resource_types() -> None:
    """What a rule documents (its resource types) covers every resource its rows can change."""
    for r in REGISTRY.rules:
        for row in r.rows:
            assert set(row.types) <= set(r.rule.resource_types), (r.rule.id, row.name)


def test_every_event_row_belongs_to_a_registered_rule() -> None:
    registered = {id(r) for r in REGISTRY.rules}
    for pair, watched in REGISTRY.table.items():
        assert watched.rows, pair
        for rule, row in watched.rows:
            assert id(rule) in registered and row in rule.rows and row.pair == pair


def test_every_write_event_a_source_queries_has_a_rule() -> None:
    queried = WRITE_EVENTS.all
    assert queried == frozenset(REGISTRY.table)
    assert WRITE_EVENTS.creating <= queried
    for pair in queried:
        watched = REGISTRY.table[pair]
        assert watched.handler is not None or any(row.extract for _, row in watched.rows), pair
        assert pair[0] in (ECR, ECR_PUBLIC, ECS)


def test_creating_events_say_what_they_create_and_a_rule_reports_the_creation() -> None:
    for pair in WRITE_EVENTS.creating:
        watched = REGISTRY.table[pair]
        assert watched.creates is not None
        assert watched.creates in {t for _, types in watched.targets for t in types}, pair


def test_rows_agree_with_the_inventory_on_types_and_identities() -> None:
    """Every type a row names is one the inventory reads, with the identity kind the inventory gives
    it; and every type the inventory reads has write events (else its drift would pass silently)."""
    for watched in REGISTRY.table.values():
        for kind, types in watched.targets:
            for rtype in types:
                assert identity.KINDS[rtype][0] == kind, (watched.pair, rtype)
    assert set(WRITE_EVENTS.by_type) == set(identity.RESOURCE_TYPES)


def test_security_attributes_are_snake_case_terraform_names() -> None:
    assert REGISTRY.security_attributes
    for attribute in REGISTRY.security_attributes:
        assert re.fullmatch(r"[a-z][a-z_]*", attribute), attribute


def test_grade_is_optional() -> None:
    without = [r for r in REGISTRY.rules if r.grade is None]
    assert without, "rules that keep their default severity need no grade()"
    for r in without:
        assert r.severity("anything", 1, 2, "update") == r.rule.severity


# --------------------------------------------------------------------------------------------------
# The registry refuses rows that disagree


def _rule(rule_id: str) -> Rule:
    return Rule(
        id=rule_id,
        kind="drift",
        severity=Severity.MEDIUM,
        title="t",
        resource_types=("aws_ecr_repository",),
        docs=RuleDoc(what="w", why="y", example="e", fix="f"),
        remediation="r",
    )


def _nothing(*_: object) -> list[object]:
    return []


def _build(*rules: DriftRule) -> Registry:
    base = REGISTRY
    return Registry.build(base.rules + rules, base.failed.rule, base.unmanaged.rule)


def test_registry_refuses_a_duplicate_id() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        _build(DriftRule(REGISTRY.rules[0].rule))


def test_registry_refuses_rows_that_disagree_on_what_an_event_creates() -> None:
    row = EventRow(ECR, "CreateRepository", (REPOSITORY,), _nothing, creates="aws_ecs_cluster")
    with pytest.raises(ValueError, match="creates"):
        _build(DriftRule(_rule("TFD-DRIFT-901"), (row,)))


def test_registry_refuses_a_row_without_a_reader() -> None:
    with pytest.raises(ValueError, match="extract and handle"):
        _build(DriftRule(_rule("TFD-DRIFT-902"), (EventRow(ECR, "PutImage", (REPOSITORY,)),)))


def test_registry_refuses_a_second_rule_on_a_handled_event() -> None:
    row = EventRow(ECS, "ExecuteCommand", (("service", ("aws_ecs_service",)),), _nothing)
    with pytest.raises(ValueError, match="alone"):
        _build(DriftRule(_rule("TFD-DRIFT-903"), (row,)))


# --------------------------------------------------------------------------------------------------
# A throwaway rule: one module, written at test time, registered through the public API

THROWAWAY = '''
"""TFD-DRIFT-950: Image pushed to a declared repository by hand."""

from __future__ import annotations

from tfdrift_ci.events.names import ECR
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift import EventRow
from tfdrift_ci.rules.drift._attributes import Change
from tfdrift_ci.rules.drift._rows import REPOSITORY

RULE = Rule(
    id="TFD-DRIFT-950",
    kind="drift",
    severity=Severity.LOW,
    title="Image pushed to a declared repository by hand",
    resource_types=("aws_ecr_repository",),
    docs=RuleDoc(what="PutImage by anyone", why="pipelines push", example="-", fix="-"),
    remediation="Push from the pipeline.",
)


def extract(event: Event, resource: Resource) -> list[Change]:
    tag = event.request.get("imageTag")
    return [Change("info", None, tag, detail=f"pushed image tag {tag}")]


EVENTS = (EventRow(ECR, "PutImage", (REPOSITORY,), extract),)
'''


@pytest.fixture
def throwaway(tmp_path: Path) -> Iterator[ModuleType]:
    package = tmp_path / "throwaway_rules"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "ecr_image_pushed.py").write_text(THROWAWAY)
    spec = importlib.util.spec_from_file_location(
        "throwaway_rules.ecr_image_pushed", package / "ecr_image_pushed.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_a_new_rule_is_one_module(throwaway: ModuleType) -> None:
    push = ecr("PutImage", {"repositoryName": "api", "imageTag": "hotfix"}, region=REGION, account=ACCT)
    assert drift([repo()], [push]) == []  # not a rule of the shipped registry
    assert (ECR, "PutImage") not in WRITE_EVENTS.for_types({"aws_ecr_repository"})

    registry = REGISTRY.extended([throwaway])
    # the event sources are asked for the new event, derived from the module's rows
    assert (ECR, "PutImage") in registry.write_events.for_types({"aws_ecr_repository"})
    (finding,) = run(inventory(repo()), [push], Settings(), registry=registry)
    assert (finding.rule_id, finding.kind, finding.severity) == ("TFD-DRIFT-950", "drift", Severity.LOW)
    assert finding.address == "aws_ecr_repository.api"
    assert "pushed image tag hotfix" in finding.message
    # the shipped rules and their table are untouched
    assert len(registry.rules) == len(REGISTRY.rules) + 1 and REGISTRY.table.keys() < registry.table.keys()
