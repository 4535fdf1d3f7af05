"""``--events aws``: CloudTrail ``LookupEvents``, one source per region.

Facts that shape it (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html):
management events of the last 90 days, one lookup attribute per call, at most 50 events a page
(newest first), and **2 calls per second per account and region**. So the number of calls is what
costs, and the plan is built to keep it near the cheapest exact plan whatever the number of
declared resources (it never queries per resource):

* The query needs a set of (eventSource, eventName) pairs (``Query.event_names``). Per event source with
  few names (≤ ``DIRECT_BY_NAME``), query each name (``LookupAttributes=[{EventName: …}]``).
* Per event source with more names, *probe*: read the first page of ``EventSource=<source>``
  (newest first). If it reaches the window's start, that one call was the cheapest plan. If not,
  the page tells how dense the source is and how many of its events are wanted; extrapolate both
  plans over the part of the window not yet read and keep paging by source only while that is
  cheaper than one query per name. When by-name wins, the names are queried only over the part of
  the window the by-source pages did not reach. The estimate is re-checked after every page.

  Cost: one extra page at most compared with the better of the two plans (the probe), and by-name
  queries are shared between sources (``TagResource`` is both an ECR and an ECS event).

Calls are paced to ``RATE`` per region by a token bucket; throttling is retried by botocore's
standard retry mode and then by a bounded backoff here. An error that stops a query (access
denied, expired credentials, throttled past the retries) makes the source incomplete with the
reason; what was read is still returned. An invalid ``NextToken`` restarts the query from the
oldest event already read (events are de-duplicated by id), so no event is read twice or lost.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tfdrift_ci.events.base import Progress, Query
from tfdrift_ci.events.normalise import MalformedRecord
from tfdrift_ci.events.records import Selector, Tally, iter_records
from tfdrift_ci.events.session import ACCESS_DENIED, EXPIRED, NOT_ENABLED, AwsSession, error_code
from tfdrift_ci.models import Event, SourceStatus, Window
from tfdrift_ci.textutil import one_line

RATE = 2.0  # calls per second per account and region (LookupEvents quota)
PACE = RATE * 0.95  # what we send: a 5 % margin absorbs network jitter at the quota's edge
PAGE = 50  # MaxResults upper bound
RETENTION = timedelta(days=90)  # Event history keeps 90 days
DIRECT_BY_NAME = 2  # sources with at most this many names are queried by name directly
SWITCH_MARGIN = 0.95  # switch to by-name when it is estimated below 95 % of the by-source cost
BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0)  # own retries after botocore's, seconds (≤ 31 s per call)
MAX_TOKEN_RESTARTS = 3
_RETRYABLE = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "InternalFailure",
        "InternalError",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)


class TokenBucket:
    """``rate`` tokens per second, holding at most ``burst``; ``acquire`` blocks for one."""

    def __init__(
        self,
        rate: float,
        burst: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                wait = (1.0 - self._tokens) / self.rate
            self._sleep(wait)


class _Stop(Exception):
    """A query cannot go on. ``fatal`` stops the whole source (credentials, permissions)."""

    def __init__(self, reason: str, *, fatal: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fatal = fatal


@dataclass(frozen=True)
class _Page:
    items: list[Mapping[str, Any]]
    more: bool


class LookupSource:
    """LookupEvents in one region. ``client`` may be injected (botocore Stubber tests)."""

    def __init__(
        self,
        session: AwsSession | None,
        region: str,
        *,
        log: Callable[[str], None] | None = None,
        client: Any = None,
        rate: float = PACE,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.region = region
        self.name = f"aws:lookup-events:{region}"
        self._session = session
        self._client = client
        self._log = log
        self._sleep = sleep
        self._bucket = TokenBucket(rate, 1.0, clock=clock, sleep=sleep)
        self._now = now or (lambda: datetime.now(UTC))
        self._tally = Tally()
        self.api_calls = 0
        self.plan: list[str] = []  # human-readable queries made, for --debug and tests
        self._problems: list[str] = []
        self._answered = 0  # calls CloudTrail answered
        self._unreachable = False  # the endpoint never answered as CloudTrail
        self._done = False

    # -------------------------------------------------------------------------------------------

    def events(self, query: Query, progress: Progress | None = None) -> Iterator[Event]:
        selector = Selector(query)
        window = self._effective_window(query.window)
        if window is None:
            self._done = True
            return
        by_source: dict[str, set[str]] = {}
        for source, name in query.event_names:
            by_source.setdefault(source, set()).add(name)
        # name -> the newest time its by-name query must reach (inclusive)
        by_name: dict[str, datetime] = {}
        pages = 0
        try:
            for source in sorted(by_source):
                names_ = by_source[source]
                if len(names_) <= DIRECT_BY_NAME:
                    for n in names_:
                        by_name[n] = window.until
                    continue
                reached: datetime | None = None
                try:
                    for event, at, page_done in self._probe(source, names_, window, selector):
                        reached = at
                        if event is not None:
                            yield event
                        if page_done:
                            pages += 1
                            if progress:
                                progress(self.name, pages, None)
                except _Stop as stop:
                    if stop.fatal:
                        raise
                    self._problems.append(stop.reason)
                    continue
                if reached is not None:
                    for n in names_:
                        by_name[n] = max(by_name.get(n, reached), reached)
            for name in sorted(by_name):
                end = by_name[name]
                self._say(f"LookupEvents EventName={name} {_t(window.since)} .. {_t(end)}")
                try:
                    for page in self._pages(("EventName", name), window.since, end):
                        pages += 1
                        if progress:
                            progress(self.name, pages, None)
                        yield from self._take(page.items, selector)
                except _Stop as stop:
                    if stop.fatal:
                        raise
                    self._problems.append(stop.reason)
        except _Stop as stop:
            self._problems.append(stop.reason)
        self._done = True

    def status(self) -> SourceStatus:
        notes = list(dict.fromkeys(self._problems))  # the same reason once
        malformed = self._tally.malformed_note()
        if malformed:
            notes.append(malformed)
        incomplete = bool(self._problems) or not self._done
        if not self._done and not self._problems:
            notes.append("not read to the end")
        return SourceStatus(
            name=self.name,
            events_read=self._tally.events_read,
            api_calls=self.api_calls,
            complete=not incomplete,
            error="; ".join(notes) or None,
            malformed=self._tally.malformed,
        )

    def unusable(self) -> str | None:
        """The endpoint could not be reached, or never answered as CloudTrail."""
        if not self._unreachable:
            return None
        return "; ".join(dict.fromkeys(self._problems)) or "CloudTrail could not be reached"

    def notices(self) -> list[str]:
        return []

    # -------------------------------------------------------------------------------------------
    # planning

    def _effective_window(self, window: Window) -> Window | None:
        now = self._now()
        oldest = now - RETENTION + timedelta(minutes=1)
        since = window.since
        if since < oldest:
            self._problems.append(
                f"LookupEvents keeps 90 days of events: nothing before {_t(oldest)} was read "
                f"(window starts {_t(window.since)}); use s3://, athena:// or lake:// for older events"
            )
            since = oldest
        until = min(window.until, now)
        if since >= until:
            return None
        return Window(since, until)

    def _probe(
        self, source: str, names_: set[str], window: Window, selector: Selector
    ) -> Iterator[tuple[Event | None, datetime | None, bool]]:
        """Page ``EventSource=source`` while that is the cheaper plan. Yields events, and at the
        end of each page ``(None, reached, True)`` where ``reached`` is the (inclusive) time the
        remaining by-name queries must reach, None while the by-source query covers everything."""
        self._say(f"LookupEvents EventSource={source} {_t(window.since)} .. {_t(window.until)} (probe)")
        span = (window.until - window.since).total_seconds()
        seen: Counter[str] = Counter()
        pages = 0
        for page in self._pages(("EventSource", source), window.since, window.until):
            pages += 1  # noqa: SIM113 - pages is read after the loop's early returns too
            for item in page.items:
                if (
                    item.get("EventSource") == source
                    and item.get("EventName") in names_
                    and str(item.get("ReadOnly", "false")).lower() != "true"
                ):
                    seen[str(item["EventName"])] += 1
            for event in self._take(page.items, selector):
                yield event, None, False
            if not page.more or not page.items:
                yield None, None, True
                return
            oldest = min(_item_time(i) for i in page.items)
            covered = max((window.until - oldest).total_seconds(), 1.0)
            remaining = max((oldest - window.since).total_seconds(), 0.0)
            if remaining <= 0:
                yield None, None, True
                return
            scale = remaining / covered
            by_source_left = math.ceil(pages * scale)
            by_name_left = sum(max(1, math.ceil(seen[n] * scale / PAGE)) for n in names_)
            if by_name_left < by_source_left * SWITCH_MARGIN:
                self._say(
                    f"{source}: {pages} page(s) covered {covered / span:.1%} of the window; "
                    f"estimated {by_source_left} more by source vs {by_name_left} by name: "
                    f"switching to one query per name up to {_t(oldest)}"
                )
                yield None, oldest, True
                return
            yield None, None, True

    # -------------------------------------------------------------------------------------------
    # calling

    def _pages(self, attribute: tuple[str, str], start: datetime, end: datetime) -> Iterator[_Page]:
        """Every page of one lookup, newest first, with retries and NextToken recovery."""
        key, value = attribute
        token: str | None = None
        restarts = 0
        oldest: datetime | None = None
        while True:
            params: dict[str, Any] = {
                "LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}],
                "StartTime": start,
                "EndTime": end,
                "MaxResults": PAGE,
            }
            if token:
                params["NextToken"] = token
            try:
                response = self._call(params)
            except _Stop:
                raise
            except _BadToken:
                restarts += 1
                if restarts > MAX_TOKEN_RESTARTS or oldest is None:
                    raise _Stop(
                        f"LookupEvents {key}={value}: NextToken rejected {restarts} time(s); events "
                        f"between {_t(start)} and {_t(oldest or end)} may be missing"
                    ) from None
                # Restart below the oldest event read (EndTime is inclusive; ids de-duplicate).
                self._say(f"LookupEvents {key}={value}: invalid NextToken, restarting at {_t(oldest)}")
                end, token = oldest, None
                continue
            events = response.get("Events")
            if not isinstance(events, list):
                # CloudTrail always answers with an Events list (empty or not): anything else is not
                # CloudTrail (a proxy's page, a wrong AWS_ENDPOINT_URL) and must not read as "no events".
                self._unreachable = self._answered <= 1
                raise _Stop(
                    "LookupEvents answer has no Events list (is the endpoint CloudTrail? "
                    "check AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_CLOUDTRAIL)",
                    fatal=True,
                )
            items = list(events)
            token = response.get("NextToken") or None
            if items:
                page_oldest = min(_item_time(i) for i in items)
                oldest = page_oldest if oldest is None else min(oldest, page_oldest)
            more = token is not None and (oldest is None or oldest >= start)
            yield _Page(items, more)
            if not more:
                return

    def _call(self, params: dict[str, Any]) -> Mapping[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError
        from botocore.exceptions import ConnectionError as BotoConnectionError

        client = self._get_client()
        for attempt, pause in enumerate((*BACKOFF, None)):
            self._bucket.acquire()
            try:
                response: Mapping[str, Any] = client.lookup_events(**params)
            except ClientError as err:
                self.api_calls += 1 + _retries(err.response)
                code = error_code(err)
                if code == "InvalidNextTokenException":
                    raise _BadToken() from None
                if code in ACCESS_DENIED:
                    raise _Stop(
                        f"{code}: the credentials may not call cloudtrail:LookupEvents in "
                        f"{self.region} (grant cloudtrail:LookupEvents; see docs/iam-policy.json)",
                        fatal=True,
                    ) from None
                if code in NOT_ENABLED:
                    raise _Stop(
                        f"{code}: the region {self.region} is not enabled for this account", fatal=True
                    ) from None
                if code in EXPIRED:
                    raise _Stop(
                        f"the AWS credentials expired or are invalid ({code}) after {self.api_calls} "
                        "LookupEvents call(s): refresh them and run again",
                        fatal=True,
                    ) from None
                if code in _RETRYABLE and pause is not None:
                    self._say(f"LookupEvents {code}: retry {attempt + 1}/{len(BACKOFF)} in {pause:g}s")
                    self._sleep(pause)
                    continue
                if code in _RETRYABLE:
                    raise _Stop(
                        f"LookupEvents still failing with {code} after {len(BACKOFF)} retries "
                        f"(the quota is {RATE:g} calls/s per account and region, shared with other tools)"
                    ) from None
                raise _Stop(f"LookupEvents failed: {code or 'error'}: {_message(err)}") from None
            except BotoCoreError as err:
                self.api_calls += 1
                if isinstance(err, BotoConnectionError):
                    # botocore already retried the connection (bounded: see events.session);
                    # more waiting here only delays the verdict (this took 36 s before).
                    self._unreachable = self._answered == 0
                    raise _Stop(
                        f"cannot reach CloudTrail in {self.region}: {one_line(str(err), 300)}", fatal=True
                    ) from None
                if pause is not None:
                    self._say(f"LookupEvents {type(err).__name__}: retry in {pause:g}s")
                    self._sleep(pause)
                    continue
                raise _Stop(f"LookupEvents unreachable: {one_line(str(err), 300)}", fatal=True) from None
            self.api_calls += 1 + _retries(response)
            self._answered += 1
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _get_client(self) -> Any:
        if self._client is None:
            assert self._session is not None
            self._client = self._session.client("cloudtrail", self.region)
        return self._client

    def _take(self, items: list[Mapping[str, Any]], selector: Selector) -> Iterator[Event]:
        for item in items:
            for record in iter_records({"Events": [item]}, selector):
                try:
                    event = selector.select(record)
                except MalformedRecord as err:
                    self._tally.bad(str(err))
                    continue
                if event is not None and self._tally.add(event):
                    yield event

    def _say(self, message: str) -> None:
        self.plan.append(message)
        if self._log:
            self._log(f"{self.name}: {message}")


class _BadToken(Exception):
    pass


def _retries(response: Mapping[str, Any] | None) -> int:
    meta = (response or {}).get("ResponseMetadata") or {}
    try:
        return int(meta.get("RetryAttempts") or 0)
    except (TypeError, ValueError):
        return 0


def _message(err: Any) -> str:
    return one_line(str(err.response.get("Error", {}).get("Message", "")), 200)


def _item_time(item: Mapping[str, Any]) -> datetime:
    value = item.get("EventTime")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        t = datetime.fromisoformat(value)
        return t if t.tzinfo else t.replace(tzinfo=UTC)
    return datetime.min.replace(tzinfo=UTC)


def _t(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
