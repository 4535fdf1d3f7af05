"""How much one event source may spend: a time budget and a page/record budget.

Anyone with an AWS identity can fill a window with events (failed calls are logged too: 1,500
denied ``UpdateService`` calls are 31 LookupEvents pages), and a trail copy can hold more records
than a CI job has time for. So every source stops at its budget, marks itself incomplete with the
reason (``scanned.sources[].error``), and the run goes on: ``--fail-on-incomplete`` then fails it.

- ``timeout``: seconds per source, from its first call (``--events-timeout``, ``events_timeout``).
- ``max_pages``: API result pages per source: LookupEvents pages (50 events) per region, Athena and
  CloudTrail Lake result pages (``--events-max-pages``, ``events_max_pages``).
- ``max_records``: records read per source, skipped ones included: files and S3 objects
  (``--events-max-records``, ``events_max_records``). A file or object that crosses it is read to
  its end; the next one is not started.

A ``Meter`` is one source's running account: it is the one clock helper every source uses (the
clock is injectable, so tests never sleep) and is safe to share between threads. A worker that
cannot share it (another process) gets ``meter.remaining()`` seconds and the records left.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import field

from tfdrift_ci.frozen import frozen

DEFAULT_TIMEOUT = 600.0  # 10 minutes: well inside a CI job, far above a normal week's reading
DEFAULT_MAX_PAGES = 1000  # LookupEvents: 50,000 events per region, ~9 minutes at 1.9 calls/s
DEFAULT_MAX_RECORDS = 20_000_000  # files/S3: ~1.5 minutes at the trail scanner's ~250k records/s


@frozen
class Budget:
    """Limits per source; None means no limit."""

    timeout: float | None = DEFAULT_TIMEOUT
    max_pages: int | None = DEFAULT_MAX_PAGES
    max_records: int | None = DEFAULT_MAX_RECORDS
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)

    def start(self) -> Meter:
        """A fresh account for one source, its clock started now."""
        return Meter(self)


class Meter:
    """One source's use of its ``Budget``. ``spent()`` is None while there is budget left, else
    the reason to stop (the same text every time once spent)."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.started = budget.clock()
        self.pages = 0
        self.records = 0
        self._reason: str | None = None
        self._lock = threading.Lock()

    # -------------------------------------------------------------------------------------------

    def elapsed(self) -> float:
        return self.budget.clock() - self.started

    def remaining(self) -> float | None:
        """Seconds left (never negative), None without a time budget."""
        if self.budget.timeout is None:
            return None
        return max(0.0, self.budget.timeout - self.elapsed())

    def pages_left(self) -> int | None:
        if self.budget.max_pages is None:
            return None
        return max(0, self.budget.max_pages - self.pages)

    def records_left(self) -> int | None:
        if self.budget.max_records is None:
            return None
        return max(0, self.budget.max_records - self.records)

    # -------------------------------------------------------------------------------------------

    def add_page(self) -> None:
        with self._lock:
            self.pages += 1

    def add_records(self, n: int) -> None:
        with self._lock:
            self.records += n

    def spent(self, *, pages: bool = False, records: bool = False) -> str | None:
        """Why to stop now, or None. Time is always checked; pages/records only when asked (an
        API source asks before each page, a file source before each file)."""
        with self._lock:
            if self._reason is None:
                self._reason = self._check(pages=pages, records=records)
            return self._reason

    def time_up(self) -> str:
        """The reason when the time budget is (about to be) spent."""
        return f"time budget of {duration(self.budget.timeout or 0.0)} reached (--events-timeout)"

    def _check(self, *, pages: bool, records: bool) -> str | None:
        b = self.budget
        if b.timeout is not None and self.elapsed() >= b.timeout:
            return self.time_up()
        if pages and b.max_pages is not None and self.pages >= b.max_pages:
            return f"page budget of {b.max_pages:,} pages reached (--events-max-pages)"
        if records and b.max_records is not None and self.records >= b.max_records:
            return f"record budget of {b.max_records:,} records reached (--events-max-records)"
        return None


def stop_note(why: str, meter: Meter, *, done: int, total: int, unit: str, not_read: Sequence[str]) -> str:
    """``stopped: record budget … reached after 57 of 200 files (…); not read: a, b, c …`` for the
    file and S3 sources, which read units (files, objects) in a known order."""
    shown = ", ".join(not_read[:3]) + (" …" if len(not_read) > 3 else "")
    return (
        f"stopped: {why} after {done:,} of {total:,} {unit} ({meter.records:,} records in "
        f"{duration(meter.elapsed())}); not read: {shown or 'nothing'}"
    )


def duration(seconds: float) -> str:
    """``10m``, ``90s``, ``1h30m``, ``2.5s``: how a budget is written back to the user."""
    if seconds < 60 and seconds != int(seconds):
        return f"{seconds:.3g}s"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h"] if hours else []
    if minutes:
        parts.append(f"{minutes}m")
    if secs or not parts:
        parts.append(f"{secs}s")
    return "".join(parts)


def budget_from(
    timeout: float | None = None, max_pages: int | None = None, max_records: int | None = None
) -> Budget:
    """The budget the flags and ``.tfdrift.yml`` set: None keeps the default, 0 means no limit."""

    def pick(value: float | None, default: float | None) -> float | None:
        if value is None:
            return default
        return None if value == 0 else value

    pages = pick(max_pages, DEFAULT_MAX_PAGES)
    records = pick(max_records, DEFAULT_MAX_RECORDS)
    return Budget(
        timeout=pick(timeout, DEFAULT_TIMEOUT),
        max_pages=None if pages is None else int(pages),
        max_records=None if records is None else int(records),
    )


def parse_count(text: str | int) -> int:
    """A page or record budget: a whole number ≥ 0 (0: no limit; ``20_000_000`` and ``20,000,000``
    are accepted). Raises ValueError."""
    value = str(text).strip().replace("_", "").replace(",", "")
    if not value.isdigit():
        raise ValueError(f"{text!r} is not a whole number ≥ 0 (0: no limit)")
    return int(value)


def parse_duration(text: str | float) -> float:
    """``600``, ``600s``, ``10m``, ``1h``, ``1h30m`` → seconds; ``0``: no limit. Raises ValueError
    (the caller names the flag or key)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if text < 0:
            raise ValueError(f"{text!r}: a time budget cannot be negative (0: no limit)")
        return float(text)
    value = str(text).strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        seconds = float(value)
    else:
        m = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?", value)
        if not value or m is None or not any(m.groups()):
            raise ValueError(f"{text!r} is not a duration (e.g. 600, 90s, 10m, 1h30m)")
        h, mi, s = m.groups()
        seconds = int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)
    return seconds
