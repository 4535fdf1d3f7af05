"""evaluate(inventory, events, settings) -> findings: static rules, drift rules, suppressions.

Plain glue: each rule family runs alone (``rules.config.run`` / ``rules.drift.run``) and a crash in
one rule becomes an ``error`` finding there, never a lost report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tfdrift_ci.models import Event, Finding, Inventory, Severity
from tfdrift_ci.rules.errors import parse_error_findings
from tfdrift_ci.settings import Settings


def evaluate(
    inventory: Inventory,
    events: Sequence[Event] | None,
    settings: Settings,
    *,
    today: date | None = None,
) -> tuple[list[Finding], list[str]]:
    """All findings, suppressions applied, sorted worst first; plus notices (e.g. expired ignores).

    ``events`` is None when offline: drift rules do not run at all.
    """
    from tfdrift_ci import suppress
    from tfdrift_ci.rules import config as config_rules

    findings = parse_error_findings(inventory, settings)
    findings.extend(config_rules.run(inventory, settings))
    if events is not None:
        from tfdrift_ci.rules import drift as drift_rules

        findings.extend(drift_rules.run(inventory, events, settings))
    findings, notices = suppress.apply(findings, inventory, settings, today=today or date.today())
    findings.sort(key=lambda f: f.sort_key)
    return findings, notices


def exit_code_for(findings: Sequence[Finding], fail_on: str, *, incomplete_fails: bool = False) -> int:
    """0 clean, 1 when an unsuppressed finding is at or above ``fail_on`` (or the event window is
    incomplete and ``--fail-on-incomplete`` was given). ``never`` always gives 0."""
    if fail_on == "never":
        return 0
    threshold = Severity.parse(fail_on).rank
    if any(not f.suppressed and f.severity.rank >= threshold for f in findings):
        return 1
    return 1 if incomplete_fails else 0
