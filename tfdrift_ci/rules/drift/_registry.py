"""The drift rules' registry: rule modules in, the event table out.

``Registry.of`` reads each module's ``RULE``, ``EVENTS`` and optional ``grade``,
``SECURITY_ATTRIBUTES`` and ``QUIET_FORM_DEFAULTS`` (see ``_rows``), checks that the rows agree,
and derives, per (eventSource, eventName), which rules act on the event and what the event is
(its targets, whether it creates a resource, whether it can change a security setting); and, per
Terraform resource type, which write events the event sources must query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any

from tfdrift_ci.events.base import Pair, WriteEvents
from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule
from tfdrift_ci.rules.drift._rows import EventRow, Handler, Target

# grade(attribute, old, new, op) -> the severity of one change; None keeps the rule's default
Grader = Callable[[str | None, Any, Any, str], Severity | None]


@frozen
class DriftRule:
    """One drift rule module, read once."""

    rule: Rule
    rows: tuple[EventRow, ...] = ()
    grade: Grader | None = None
    security_attributes: frozenset[str] = frozenset()
    quiet_form_defaults: bool = False

    @classmethod
    def of(cls, module: ModuleType) -> DriftRule:
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            raise TypeError(f"drift rule module {module.__name__} has no RULE")
        rows = tuple(getattr(module, "EVENTS", ()))
        if not all(isinstance(r, EventRow) for r in rows):
            raise TypeError(f"{module.__name__}.EVENTS must hold EventRow values")
        return cls(
            rule=rule,
            rows=rows,
            grade=getattr(module, "grade", None),
            security_attributes=frozenset(getattr(module, "SECURITY_ATTRIBUTES", ())),
            quiet_form_defaults=bool(getattr(module, "QUIET_FORM_DEFAULTS", False)),
        )

    def severity(self, attribute: str | None, old: Any, new: Any, op: str) -> Severity:
        """The rule's grade for one change, else its default severity."""
        graded = self.grade(attribute, old, new, op) if self.grade is not None else None
        return graded or self.rule.severity


@frozen
class Watched:
    """One write event in the table: every rule that acts on it, and what the event is."""

    pair: Pair
    rows: tuple[tuple[DriftRule, EventRow], ...]  # in registry order
    targets: tuple[Target, ...]  # every row's targets, first seen first
    creates: str | None  # the resource type it creates
    security: bool  # some row says it can change a security setting
    by_arn: bool  # the resource is named by resourceArn
    handler: tuple[DriftRule, Handler] | None  # a rule that reads this event alone


@frozen
class Registry:
    """Every drift rule and the event table derived from them.

    ``failed`` and ``unmanaged`` are the rules two of the engine's own behaviours report under:
    failed calls on declared resources, and creations (events whose rows say what they create)
    that no declaration matches."""

    rules: tuple[DriftRule, ...]
    failed: DriftRule
    unmanaged: DriftRule
    table: Mapping[Pair, Watched]
    write_events: WriteEvents  # what the event sources must query, per resource type
    security_attributes: frozenset[str]  # every rule's SECURITY_ATTRIBUTES

    @classmethod
    def of(cls, modules: Iterable[ModuleType], *, failed: ModuleType, unmanaged: ModuleType) -> Registry:
        return cls.build(tuple(DriftRule.of(m) for m in modules), failed.RULE, unmanaged.RULE)

    @classmethod
    def build(cls, rules: tuple[DriftRule, ...], failed: Rule, unmanaged: Rule) -> Registry:
        ids = [r.rule.id for r in rules]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"drift rule ids registered twice: {', '.join(twice)}")
        by_id = {r.rule.id: r for r in rules}
        for special in (failed, unmanaged):
            if by_id.get(special.id) is None or by_id[special.id].rule is not special:
                raise ValueError(f"{special.id} is not among the registered drift rules")
        table = _table(rules)
        write_events: dict[str, set[Pair]] = {}
        for pair, watched in table.items():
            for t in dict.fromkeys(t for _, types in watched.targets for t in types):
                write_events.setdefault(t, set()).add(pair)
        return cls(
            rules=rules,
            failed=by_id[failed.id],
            unmanaged=by_id[unmanaged.id],
            table=table,
            write_events=WriteEvents(
                by_type={t: frozenset(pairs) for t, pairs in write_events.items()},
                creating=frozenset(p for p, w in table.items() if w.creates is not None),
            ),
            security_attributes=frozenset(a for r in rules for a in r.security_attributes),
        )

    def extended(self, modules: Iterable[ModuleType]) -> Registry:
        """This registry plus more rule modules (a plugin; a test's throwaway rule)."""
        more = tuple(DriftRule.of(m) for m in modules)
        return Registry.build(self.rules + more, self.failed.rule, self.unmanaged.rule)


def _table(rules: tuple[DriftRule, ...]) -> dict[Pair, Watched]:
    rows: dict[Pair, list[tuple[DriftRule, EventRow]]] = {}
    for rule in rules:
        seen: set[Pair] = set()
        for row in rule.rows:
            if row.pair in seen:
                raise ValueError(f"{rule.rule.id} lists {row.source} {row.name} twice")
            if (row.extract is None) == (row.handle is None):
                raise ValueError(f"{rule.rule.id}: {row.name} needs exactly one of extract and handle")
            seen.add(row.pair)
            rows.setdefault(row.pair, []).append((rule, row))
    return {pair: _watched(pair, tuple(rs)) for pair, rs in rows.items()}


def _watched(pair: Pair, rows: tuple[tuple[DriftRule, EventRow], ...]) -> Watched:
    where = f"{pair[0]} {pair[1]}"
    creates = {row.creates for _, row in rows if row.creates is not None}
    if len(creates) > 1:
        raise ValueError(f"{where}: rows disagree on the resource type it creates: {sorted(creates)}")
    if len({row.by_arn for _, row in rows}) > 1:
        raise ValueError(f"{where}: rows disagree on whether the resource is named by its ARN")
    handlers = [(rule, row.handle) for rule, row in rows if row.handle is not None]
    if handlers and len(rows) > 1:
        raise ValueError(f"{where}: a rule that handles an event alone shares it with other rules")
    return Watched(
        pair=pair,
        rows=rows,
        targets=tuple(dict.fromkeys(t for _, row in rows for t in row.targets)),
        creates=next(iter(creates), None),
        security=any(row.security for _, row in rows),
        by_arn=rows[0][1].by_arn,
        handler=handlers[0] if handlers else None,
    )
