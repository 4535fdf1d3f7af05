"""The one way a rule's result becomes a ``Finding``: the rule supplies id, kind, severity, title and
remediation; the resource its address, type, file, line and root; the event itself and its actor.
Every argument after ``message`` overrides one of those defaults, so a caller states only what differs
(a per-hit severity, a more precise line, a phrased title)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tfdrift_ci.models import Event, Finding, FindingKind, Resource, Severity
from tfdrift_ci.rules.base import Rule


def make_finding(
    rule: Rule,
    message: str,
    *,
    resource: Resource | None = None,
    event: Event | None = None,
    kind: FindingKind | None = None,
    severity: Severity | None = None,
    title: str | None = None,
    remediation: str | None = None,
    attribute: str | None = None,
    expected: Any = None,
    actual: Any = None,
    line: int | None = None,
    file: str | None = None,
    root: str | None = None,
    resource_type: str | None = None,
    notes: Iterable[str] = (),
    reverted_by_plan: bool | None = None,
    matched_by_pattern: bool = False,
) -> Finding:
    """A finding of ``rule`` (its kind, severity, title and remediation unless given).

    With a ``resource``: its address, type, file and root, and its block's first line unless ``line``
    names a more precise one (the offending attribute's). With an ``event``: the event and its actor.
    ``file``/``root``/``resource_type`` override the resource's, or stand alone without one (a file
    that could not be parsed; a resource created outside Terraform has a type but no address)."""
    return Finding(
        rule_id=rule.id,
        kind=kind or rule.kind,
        severity=severity or rule.severity,
        title=title or rule.title,
        message=message,
        address=resource.address if resource is not None else None,
        resource_type=resource_type or (resource.type if resource is not None else None),
        file=file or (resource.file if resource is not None else None),
        line=line if line is not None else (resource.line if resource is not None else None),
        root=root or (resource.root if resource is not None else None),
        attribute=attribute,
        expected=expected,
        actual=actual,
        event=event,
        actor=event.actor if event is not None else None,
        remediation=remediation or rule.remediation,
        notes=tuple(notes),
        reverted_by_plan=reverted_by_plan,
        matched_by_pattern=matched_by_pattern,
    )
