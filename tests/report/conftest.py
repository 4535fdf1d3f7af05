from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Helpers next to these tests (report_loader, mdcheck, injection_corpus) are imported by name; pytest
# runs in importlib mode, which does not put test directories on sys.path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_loader import FIXTURES, load_report

from tfdrift_ci.models import Report, Severity
from tfdrift_ci.report import sarif
from tfdrift_ci.rules.base import PeerIds, Rule, RuleDoc


def fixture_rules() -> tuple[Rule, ...]:
    """A fixed catalog from tests/fixtures/report/rules.json: golden SARIF must not change each time
    a rule is added to the real catalog (test_sarif also checks the real one)."""
    data = json.loads((FIXTURES / "rules.json").read_text(encoding="utf-8"))
    return tuple(
        Rule(
            id=r["id"],
            kind=r["kind"],
            severity=Severity(r["severity"]),
            title=r["title"],
            resource_types=tuple(r["resource_types"]),
            docs=RuleDoc(**r["docs"]),
            remediation=r["remediation"],
            peers=PeerIds(**{k: tuple(v) for k, v in r.get("peers", {}).items()}),
            mitre=tuple(r.get("mitre", ())),
        )
        for r in data
    )


@pytest.fixture
def report() -> Report:
    return load_report()


@pytest.fixture
def fixed_catalog(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Rule, ...]]:
    rules = fixture_rules()
    monkeypatch.setattr(sarif, "_catalog", lambda: rules)
    yield rules
