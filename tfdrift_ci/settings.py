"""What a run is configured with: the values ``.tfdrift.yml`` / ``[tool.tfdrift]`` and the command
line produce, read by the rules, the suppressions and the engine.

Bottom layer (beside models.py): plain frozen values, no loading. ``config.py`` reads and validates
files into them; the CLI applies its flags on top with ``dataclasses.replace``.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import SEVERITIES, Severity

# ``--fail-on`` / ``fail_on:``: a severity (worst first), or "never" (exit 0 whatever the findings).
FAIL_ON_VALUES: tuple[str, ...] = (*(s.value for s in SEVERITIES), "never")
DEFAULT_FAIL_ON = "high"


@frozen
class RuleSetting:
    enabled: bool = True
    severity: Severity | None = None  # override of the rule's default


@frozen
class IgnoreEntry:
    rule: str  # rule id, or "*" (fnmatch)
    address: str = "*"  # fnmatch glob over the resource address
    reason: str | None = None
    expires: date | None = None  # after this date the entry stops suppressing (and says so)


@frozen
class DriftRuleSetting:
    """``drift_rules:`` entries: re-grade drift on some resource types/attributes."""

    name: str
    resource_types: tuple[str, ...] = ()  # empty = all
    watched_attributes: tuple[str, ...] = ()  # Terraform attribute paths; empty = all
    severity: Severity | None = None


@frozen
class Settings:
    fail_on: str = DEFAULT_FAIL_ON  # one of FAIL_ON_VALUES
    fail_on_incomplete: bool = False
    rules: dict[str, RuleSetting] = field(default_factory=dict)  # rule id -> setting
    ignores: tuple[IgnoreEntry, ...] = ()
    terraform_principals: tuple[str, ...] = ()  # ARNs or globs
    drift_rules: tuple[DriftRuleSetting, ...] = ()
    show_ignored: bool = False  # list ignore_changes drift as info findings
    # Registry/git/archive modules: fetch what the module cache lacks? None: the command's default
    # (check and sweep fetch; the pre-commit hook uses the cache only).
    fetch_modules: bool | None = None
    # Defaults the command line may override:
    events: tuple[str, ...] = ()
    since: str | None = None
    regions: tuple[str, ...] = ()
    # Event source budgets (events/budget.py): None keeps the default, 0 means no limit.
    events_timeout: float | None = None  # seconds per source
    events_max_pages: int | None = None  # API result pages per source
    events_max_records: int | None = None  # records per file/S3 source
    # Worker processes reading trail files / S3 objects (events/workers.py); None or 0: one per core.
    jobs: int | None = None
    config_file: str | None = None  # where these came from (for messages)
    # The top-level keys the configuration file set (a command-line flag that overrides one removes
    # it): a weakening setting is only the file's doing when the file set it.
    config_keys: frozenset[str] = frozenset()
    # Configuration files higher up that config_file hides (discovery stops at the nearest one)
    config_shadowed: tuple[str, ...] = ()
