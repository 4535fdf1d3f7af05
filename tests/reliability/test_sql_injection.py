"""SQL injection through Terraform names: Athena/CloudTrail Lake push resource names down into SQL,
and those names come from a pull request. Whatever the names, the statement's structure does not
change; unsafe names are left out of the push-down (slower, never wrong)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SQL_PAYLOADS = [
    "x' OR '1'='1",
    "x'; DROP TABLE cloudtrail_logs; --",
    "api' UNION SELECT useridentity FROM t --",
    "a\\' OR 1=1 --",
    "api\n) OR (1=1",
    "api/* comment */",
    "api -- comment",
    "api%27",
    "ap\u02bci",  # modifier letter apostrophe
    "api\x00",
    "' || chr(39) || '",
]
names = st.lists(
    st.sampled_from(SQL_PAYLOADS) | st.text(max_size=20) | st.sampled_from(["api", "web-1", "x.y"]),
    max_size=6,
)


def _query(resource_names: list[str]):  # type: ignore[no-untyped-def]
    from tfdrift_ci.events.base import Query
    from tfdrift_ci.models import Window
    from tfdrift_ci.rules.drift import WRITE_EVENTS

    pairs = WRITE_EVENTS.all
    window = Window(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
    kwargs = {"window": window, "event_names": pairs, "resource_names": tuple(resource_names)}
    if "resource_names_complete" in Query.__dataclass_fields__:
        kwargs["resource_names_complete"] = True
        kwargs["creating_events"] = WRITE_EVENTS.creating
    return Query(**kwargs)


def _literals(sql: str) -> list[str]:
    """Single-quoted literals, with '' as an escaped quote; asserts the quotes balance."""
    out, i = [], 0
    while i < len(sql):
        if sql[i] == "'":
            j = i + 1
            buf = []
            while True:
                assert j < len(sql), f"unterminated literal in {sql!r}"
                if sql[j] == "'" and j + 1 < len(sql) and sql[j + 1] == "'":
                    buf.append("'")
                    j += 2
                    continue
                if sql[j] == "'":
                    break
                buf.append(sql[j])
                j += 1
            out.append("".join(buf))
            i = j + 1
        else:
            i += 1
    return out


def _structure(sql: str) -> str:
    """The statement with every literal replaced by ?, lists of literals collapsed, and the
    push-down of names (however many) collapsed to NAMES."""
    flat = re.sub(r"'(?:[^']|'')*'", "?", sql)
    flat = re.sub(r"\(\?(?:, \?)*\)", "(LIST)", flat)
    return re.sub(
        r"strpos\(requestparameters, \?\) > 0(?: OR strpos\(requestparameters, \?\) > 0)*", "NAMES", flat
    )


@settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(resource_names=names)
def test_athena_sql_structure_is_fixed(resource_names: list[str]) -> None:
    from tfdrift_ci.events import athena

    sql = athena.build_sql(_query(resource_names), "db", "cloudtrail_logs", "timestamp")
    reference = athena.build_sql(_query(["api"]), "db", "cloudtrail_logs", "timestamp")
    assert ";" not in sql
    assert _structure(sql) in (
        _structure(reference),
        _structure(athena.build_sql(_query([]), "db", "cloudtrail_logs", "timestamp")),
    )
    for literal in _literals(sql):
        assert re.fullmatch(r"[A-Za-z0-9_.:/*@+=,\- ]*", literal), f"unsafe literal reached SQL: {literal!r}"


@settings(max_examples=40, deadline=None, database=None)
@given(resource_names=names)
def test_lake_sql_structure_is_fixed(resource_names: list[str]) -> None:
    from tfdrift_ci.events import lake

    sql = lake.build_sql(_query(resource_names), "eds-0123")
    assert ";" not in sql
    assert _structure(sql) == _structure(lake.build_sql(_query([]), "eds-0123"))


@pytest.mark.parametrize(
    "spec",
    [
        "athena://wg/db.t;DROP TABLE x",
        'athena://wg/db."t"',
        "athena://wg/db.t?partition=x%22%20OR%201%3D1",
        "athena://wg/db.t?catalog=a'b",
        "athena://wg/db.t?output=http://evil.invalid/",
        "athena://wg/db.t?region=eu-west-1;x",
        "athena://w g/db.t",
        "lake://eds'; DROP",
        "lake://arn:aws:cloudtrail:eu-west-1:1:eventdatastore/x y",
        "lake://../../etc",
    ],
)
def test_hostile_source_specs_are_refused(spec: str) -> None:
    from tfdrift_ci.errors import SourceError
    from tfdrift_ci.events import athena, lake

    parse = athena.parse_spec if spec.startswith("athena://") else lake.parse_spec
    with pytest.raises(SourceError):
        parse(spec)
