"""The budget every event source honours (events/budget.py): durations, and the one meter's rules."""

from __future__ import annotations

import pytest

from tfdrift_ci.events.budget import (
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_RECORDS,
    DEFAULT_TIMEOUT,
    Budget,
    budget_from,
    duration,
    parse_count,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("600", 600.0),
        ("90s", 90.0),
        ("10m", 600.0),
        ("1h", 3600.0),
        ("1h30m", 5400.0),
        ("2.5s", 2.5),
        ("0.5", 0.5),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "ten", "10 minutes", "-5", "1d", "m", "1h 30m"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_zero_means_no_limit_and_none_the_default() -> None:
    assert parse_duration("0") == parse_duration(0) == 0.0
    assert parse_count("0") == 0 and parse_count("20,000,000") == parse_count("20_000_000") == 20_000_000
    assert budget_from() == Budget()
    unlimited = budget_from(0, 0, 0)
    assert (unlimited.timeout, unlimited.max_pages, unlimited.max_records) == (None, None, None)
    assert budget_from(90, 5, 7) == Budget(timeout=90, max_pages=5, max_records=7)


@pytest.mark.parametrize("text", ["-1", "1.5", "ten", ""])
def test_parse_count_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_count(text)


@pytest.mark.parametrize(
    ("seconds", "text"), [(600, "10m"), (90, "1m30s"), (5400, "1h30m"), (2.5, "2.5s"), (0, "0s")]
)
def test_duration_round_trips(seconds: float, text: str) -> None:
    assert duration(seconds) == text
    if seconds:
        assert parse_duration(text) == seconds


def test_defaults_fit_a_ci_job() -> None:
    b = Budget()
    assert (b.timeout, b.max_pages, b.max_records) == (
        DEFAULT_TIMEOUT,
        DEFAULT_MAX_PAGES,
        DEFAULT_MAX_RECORDS,
    )
    assert DEFAULT_TIMEOUT == 600.0


def test_meter_time_pages_and_records_with_a_fake_clock() -> None:
    now = [100.0]
    meter = Budget(timeout=30, max_pages=2, max_records=10, clock=lambda: now[0]).start()
    assert meter.spent(pages=True, records=True) is None
    meter.add_page()
    meter.add_records(9)
    assert meter.spent(pages=True, records=True) is None
    assert (meter.pages_left(), meter.records_left(), meter.remaining()) == (1, 1, 30.0)
    meter.add_records(1)
    assert meter.spent() is None  # records are only checked when asked
    assert meter.spent(records=True) == "record budget of 10 records reached (--events-max-records)"
    # once spent, the reason does not change
    now[0] += 31
    assert meter.spent(pages=True) == "record budget of 10 records reached (--events-max-records)"


def test_meter_time_first() -> None:
    now = [0.0]
    meter = Budget(timeout=90, max_pages=1, clock=lambda: now[0]).start()
    meter.add_page()
    now[0] = 90.0
    assert meter.spent(pages=True) == "time budget of 1m30s reached (--events-timeout)"
    assert meter.remaining() == 0.0


def test_no_limits() -> None:
    meter = Budget(timeout=None, max_pages=None, max_records=None).start()
    for _ in range(5):
        meter.add_page()
    meter.add_records(10**12)
    assert meter.spent(pages=True, records=True) is None
    assert (meter.remaining(), meter.pages_left(), meter.records_left()) == (None, None, None)


def test_page_budget() -> None:
    meter = Budget(max_pages=3).start()
    for _ in range(3):
        assert meter.spent(pages=True) is None
        meter.add_page()
    assert meter.spent(pages=True) == "page budget of 3 pages reached (--events-max-pages)"
