"""Settings: ``.tfdrift.yml`` (found from PATH up to the repository root), ``--config FILE``, or
``[tool.tfdrift]`` in pyproject.toml; then the command line wins. Errors name the exact key.

Only ``Settings`` and its parts are a shared contract here; ``load_settings`` is the one entry point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tfdrift_ci.models import Severity


@dataclass(frozen=True)
class RuleSetting:
    enabled: bool = True
    severity: Severity | None = None  # override of the rule's default


@dataclass(frozen=True)
class IgnoreEntry:
    rule: str  # rule id, or "*" (fnmatch)
    address: str = "*"  # fnmatch glob over the resource address
    reason: str | None = None
    expires: date | None = None  # after this date the entry stops suppressing (and says so)


@dataclass(frozen=True)
class DriftRuleSetting:
    """``drift_rules:`` entries: re-grade drift on some resource types/attributes."""

    name: str
    resource_types: tuple[str, ...] = ()  # empty = all
    watched_attributes: tuple[str, ...] = ()  # Terraform attribute paths; empty = all
    severity: Severity | None = None


@dataclass(frozen=True)
class Settings:
    fail_on: str = "high"  # a severity value or "never"
    fail_on_incomplete: bool = False
    rules: dict[str, RuleSetting] = field(default_factory=dict)  # rule id -> setting
    ignores: tuple[IgnoreEntry, ...] = ()
    terraform_principals: tuple[str, ...] = ()  # ARNs or globs
    drift_rules: tuple[DriftRuleSetting, ...] = ()
    show_ignored: bool = False  # list ignore_changes drift as info findings
    # Defaults the command line may override:
    events: tuple[str, ...] = ()
    since: str | None = None
    regions: tuple[str, ...] = ()
    config_file: str | None = None  # where these came from (for messages)
