"""The event window: ``--since 7d|48h|30m|ISO`` and ``--until ISO`` (default now)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tfdrift_ci.errors import ConfigError
from tfdrift_ci.models import Window

DEFAULT_SINCE = "7d"
_RELATIVE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_time(text: str, *, flag: str, now: datetime) -> datetime:
    """A relative span before ``now`` (7d, 48h, 30m) or an ISO 8601 date/time (UTC if no zone)."""
    m = _RELATIVE.match(text)
    if m:
        return now - timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"{flag} {text!r}: expected a span like 7d / 48h / 30m or an ISO time like 2026-11-01T00:00:00Z"
        ) from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC)


def parse_window(since: str | None, until: str | None, *, now: datetime | None = None) -> Window:
    now = now or datetime.now(UTC)
    end = parse_time(until, flag="--until", now=now) if until else now
    start = parse_time(since or DEFAULT_SINCE, flag="--since", now=end)
    if start >= end:
        raise ConfigError(
            f"--since ({start:%Y-%m-%dT%H:%M:%SZ}) must be before --until ({end:%Y-%m-%dT%H:%M:%SZ})"
        )
    return Window(since=start, until=end)
