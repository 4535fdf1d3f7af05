"""The rule catalog: every rule, listed explicitly (no discovery magic). A test checks that every
module under rules/config and rules/drift is registered, ids are unique and docs are complete."""

from __future__ import annotations

from tfdrift_ci.rules.base import Rule
from tfdrift_ci.rules.config import CONFIG_RULES
from tfdrift_ci.rules.drift import DRIFT_RULES
from tfdrift_ci.rules.errors import ERROR_RULES

RULES: tuple[Rule, ...] = CONFIG_RULES + DRIFT_RULES + ERROR_RULES
BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
