"""One drift finding on a resource of a root, and the adoption plan for it (tests of ``fix``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tfdrift_ci.fix import adopt
from tfdrift_ci.inventory import load
from tfdrift_ci.models import Finding, Report, Severity


def plan_for(root: Path, address: str, attribute: str, value: Any) -> adopt.Plan:
    """The plan adopting ``value`` for ``attribute`` of the resource ``address`` in ``root``."""
    inv = load(str(root))
    res = next(r for r in inv.resources if r.address == address)
    finding = Finding(
        "TFD-DRIFT-001", "drift", Severity.HIGH, "t", "m", address=address, attribute=attribute, actual=value,
        file=res.file, line=res.line,
    )  # fmt: skip
    return adopt.plan(Report("test", str(root), inv.files, inv.resources, (finding,), None, (), 0, "high"))
