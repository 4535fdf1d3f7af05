from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tfdrift_ci.errors import ConfigError
from tfdrift_ci.timeutil import parse_time, parse_window

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", NOW - timedelta(days=7)),
        ("48h", NOW - timedelta(hours=48)),
        ("30m", NOW - timedelta(minutes=30)),
        ("2w", NOW - timedelta(weeks=2)),
        ("2026-11-01T00:00:00Z", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T02:00:00+02:00", datetime(2026, 11, 1, tzinfo=UTC)),
    ],
)
def test_parse_time(text: str, expected: datetime) -> None:
    assert parse_time(text, flag="--since", now=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "7 days", "-3d", "2026-13-01"])
def test_parse_time_rejects_with_the_flag_name(text: str) -> None:
    with pytest.raises(ConfigError, match="--since"):
        parse_time(text, flag="--since", now=NOW)


def test_window_defaults_to_seven_days_before_now() -> None:
    w = parse_window(None, None, now=NOW)
    assert (w.since, w.until) == (NOW - timedelta(days=7), NOW)


def test_relative_since_counts_back_from_until() -> None:
    w = parse_window("1d", "2026-11-10T00:00:00Z", now=NOW)
    assert w.since == datetime(2026, 11, 9, tzinfo=UTC)


def test_window_is_half_open() -> None:
    w = parse_window("2026-11-01", "2026-11-02", now=NOW)
    assert w.contains(w.since)
    assert not w.contains(w.until)


def test_empty_window_is_an_error() -> None:
    with pytest.raises(ConfigError, match="must be before"):
        parse_window("2026-11-02", "2026-11-01", now=NOW)
