"""SQL text for the Athena and CloudTrail Lake sources: literals are validated, never interpolated
blindly. Event names come from the drift rules (our constants) but resource names come from
Terraform, i.e. from a pull request: anything outside ``SAFE_LITERAL`` is refused (and the push-down
that needed it is dropped, which costs speed, never completeness)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from tfdrift_ci.errors import SourceError

SAFE_LITERAL = re.compile(r"^[A-Za-z0-9_.:/*@+=,-]{1,512}$")
SAFE_IDENTIFIER = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


class UnsafeLiteral(ValueError):
    pass


def literal(value: str) -> str:
    """A single-quoted SQL string literal for a value made only of ``SAFE_LITERAL`` characters
    (no quote, backslash, whitespace or comment marker can reach the statement)."""
    if not SAFE_LITERAL.match(value):
        raise UnsafeLiteral(f"refusing to put {value[:60]!r} in SQL")
    return "'" + value.replace("'", "''") + "'"


def identifier(value: str, what: str) -> str:
    """A double-quoted identifier (workgroup/database/table/event data store)."""
    if not SAFE_IDENTIFIER.match(value):
        raise SourceError(f"invalid {what} {value!r}: use letters, digits, '_' and '-' only")
    return '"' + value + '"'


def in_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(literal(v) for v in sorted(set(values))) + ")"


def pairs_condition(by_source: Mapping[str, Iterable[str]], source_col: str, name_col: str) -> str:
    """``(src = 'ecs…' AND name IN (…)) OR (…)`` for the query's (eventSource, eventName) pairs."""
    parts = [
        f"({source_col} = {literal(source)} AND {name_col} IN {in_list(names)})"
        for source, names in sorted(by_source.items())
    ]
    return "(" + " OR ".join(parts) + ")"


def iso_z(t: datetime) -> str:
    """``2026-11-21T09:14:03Z`` (how CloudTrail writes eventTime, so string order is time order)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def timestamp_literal(t: datetime) -> str:
    """``'2026-11-21 09:14:03'`` (CloudTrail Lake's eventTime format), quoted. Built from a datetime,
    so it can hold nothing but digits, '-', ':' and one space."""
    return "'" + t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + "'"
