"""``--events aws``: CloudTrail ``LookupEvents``, one source per region.

Facts that shape it (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html):
management events of the last 90 days, one lookup attribute per call, at most 50 events a page
(newest first), and **2 calls per second per account and region**. So the number of calls is what
costs, and the plan is built to keep it near the cheapest exact plan whatever the number of
declared resources (its exact plan never queries per resource):

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

Each query is a *lane* (one lookup attribute over a time range, read newest first). Lanes take
turns, a lane not read yet first, then the one whose last page covered the most time, so a dense
lane cannot starve the others. Every source has a budget (``events.budget``: time, pages). When
the pages the open lanes still need (extrapolated) exceed what is left, the plan protects the rest
of the window from a flood (anyone can fill it with failed calls, which CloudTrail logs too):

* a dense lane hands the older part of its range to a new lane, starting a little below what it
  read (twice its last page's span, doubling down the chain), so the end of a burst is found in a
  few pages and what lies before it is read; the dense lane keeps its NextToken and stops where
  the new lane starts;
* with at most ``RESCUE_MAX_RESOURCES`` declared resources, all fully named, the flooded service's
  resources are also looked up by ``ResourceName`` (name and ARN, ``RESCUE_PAGES`` pages each):
  this reaches a drift *inside* the burst's time span when CloudTrail indexes the event by resource
  (ECR records name the repository; ECS records often carry no ``resources``), so it only adds
  events and never makes the source complete.

When the budget runs out, the source is incomplete and says, per query, which time range was not
read (and when most events read there were failed calls, that it looks like a flood).

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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tfdrift_ci.events.base import Progress, Query
from tfdrift_ci.events.budget import Budget, Meter, duration
from tfdrift_ci.events.normalise import MalformedRecord
from tfdrift_ci.events.records import Selector, Tally, iter_records
from tfdrift_ci.events.session import ACCESS_DENIED, EXPIRED, NOT_ENABLED, AwsSession, error_code
from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Event, SourceStatus, Window
from tfdrift_ci.textutil import one_line

RATE = 2.0  # calls per second per account and region (LookupEvents quota)
PACE = RATE * 0.95  # what we send: a 5 % margin absorbs network jitter at the quota's edge
PAGE = 50  # MaxResults upper bound
RETENTION = timedelta(days=90)  # Event history keeps 90 days
DIRECT_BY_NAME = 2  # sources with at most this many names are queried by name directly
# A flood (e.g. thousands of denied calls on one resource) may make the plan outgrow the budget:
# then the flooded service's declared resources are also looked up by ResourceName, when the root
# declares at most this many (each costs two queries of up to RESCUE_PAGES pages: ~21 pages for 10
# in the busy week of bench/README.md table 6b, 2 % of the default budget).
RESCUE_MAX_RESOURCES = 10
RESCUE_PAGES = 3  # pages per ResourceName lookup (150 events: a look, not a second full plan)
MIN_SPLIT = timedelta(minutes=1)  # a dense lane is not split into slices thinner than this
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


@frozen
class _Page:
    items: list[Mapping[str, Any]]
    more: bool


@dataclass
class _Lane:
    """One LookupEvents query: one lookup attribute, read newest first from ``end`` down to
    ``start`` (both inclusive). ``role``: ``probe`` (EventSource, may switch to one query per
    name), ``name`` (EventName) or ``rescue`` (ResourceName, not exact)."""

    key: str
    value: str
    start: datetime
    end: datetime
    role: str
    names: frozenset[str] = frozenset()  # probe: the wanted names of its event source
    pages: int = 0
    oldest: datetime | None = None  # oldest event read: (oldest, end] is read
    seen: Counter[str] = field(default_factory=Counter)  # probe: wanted write items per name
    wanted: int = 0  # wanted events read
    failed: int = 0  # of which failed calls (errorCode): a flood of denied calls
    last_span: float = 0.0  # seconds between the newest and the oldest event of the last page
    jump: float = 0.0  # seconds: how far below the read part a split starts (doubles per split)
    split_done: bool = False
    _query_start: datetime | None = None  # StartTime of the query as sent (start may rise: split)
    _it: Iterator[_Page] | None = None

    def label(self) -> str:
        return f"{self.key}={self.value}"

    def note(self) -> str:
        return {"probe": " (probe)", "rescue": " (by resource name, not exact)"}.get(self.role, "")

    @property
    def started(self) -> bool:
        return self._it is not None

    def start_reading(self, pages: Callable[[tuple[str, str], datetime, datetime], Iterator[_Page]]) -> None:
        self._query_start = self.start
        self._it = pages((self.key, self.value), self.start, self.end)

    def next_page(self) -> _Page:
        assert self._it is not None
        return next(self._it)

    def read(self, page: _Page) -> None:
        self.pages += 1
        times = [_item_time(item) for item in page.items]
        if times:
            self.last_span = max((max(times) - min(times)).total_seconds(), 1.0)
        for item, t in zip(page.items, times, strict=True):
            self.oldest = t if self.oldest is None else min(self.oldest, t)
            if (
                self.role == "probe"
                and item.get("EventSource") == self.value
                and item.get("EventName") in self.names
                and str(item.get("ReadOnly", "false")).lower() != "true"
            ):
                self.seen[str(item["EventName"])] += 1

    def count(self, event: Event) -> None:
        self.wanted += 1
        if event.error_code:
            self.failed += 1

    def reached_floor(self) -> bool:
        """After a split the lane stops where the split-off older lane starts."""
        return self.oldest is not None and self.start != self._query_start and self.oldest <= self.start

    def covered(self) -> float:
        """Seconds of the window read so far."""
        return 0.0 if self.oldest is None else max((self.end - self.oldest).total_seconds(), 0.0)

    def estimate(self) -> int:
        """Pages still needed, extrapolated from the pages read (1 for a lane not read yet)."""
        if self.oldest is None:
            return 1
        remaining = max((self.oldest - self.start).total_seconds(), 0.0)
        return math.ceil(self.pages * remaining / max(self.covered(), 1.0))

    def density(self) -> float:
        """Seconds of the window the next page is expected to cover, from the last page (higher:
        a page is worth more; a flood's pages cover seconds)."""
        return self.last_span

    def split(self) -> _Lane | None:
        """Hand the older part of the window to a new lane, ``jump`` below the part read (twice
        what the last page covered at least, doubling down a chain of splits: a burst's end is
        found in a few pages), so that a dense burst does not stop the rest of the window from
        being read. The lane keeps its NextToken and stops at
        the new lane's end. None when not worth it (once per lane; little left below)."""
        if self.split_done or self.oldest is None or self.estimate() <= 1:
            return None
        jump = max(self.jump, 2 * self.last_span, MIN_SPLIT.total_seconds())
        mid = self.oldest - timedelta(seconds=jump)
        if mid <= self.start + MIN_SPLIT:
            return None
        self.split_done = True
        older = _Lane(self.key, self.value, self.start, mid, self.role, self.names, jump=jump * 2)
        self.start = mid
        return older

    def unread(self) -> str:
        """``EventName=UpdateService 2026-11-20T10:00:00Z – 2026-11-20T10:14:30Z`` (what is left)."""
        top = self.oldest if self.oldest is not None else self.end
        return f"{self.label()} {_t(self.start)} – {_t(top)}"


def _next_lane(lanes: list[_Lane]) -> _Lane:
    """An exact lane not read yet first (in order), then a ResourceName one, else the lane whose
    pages cover the most time: a flood is read last, after everything a page covers more of."""
    fresh = [lane for lane in lanes if not lane.started]
    if fresh:
        return next((lane for lane in fresh if lane.role != "rescue"), fresh[0])
    return max(lanes, key=lambda lane: lane.density())


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
        self._meter = Budget().start()  # replaced by the query's budget when events() starts
        self._covered: dict[str, datetime] = {}  # EventName -> newest time planned from the start
        self._accounts: Counter[str] = Counter()  # accounts of the events read (for ARNs)
        self._rescue: list[str] = []  # ResourceName values looked up
        self._done = False

    # -------------------------------------------------------------------------------------------

    def events(self, query: Query, progress: Progress | None = None) -> Iterator[Event]:
        selector = Selector(query)
        window = self._effective_window(query.window)
        if window is None:
            self._done = True
            return
        self._meter = meter = query.budget.start()
        lanes = self._first_lanes(query, window)
        rescued: set[str] = set()  # event sources whose declared resources were looked up by name
        try:
            while lanes:
                lane = _next_lane(lanes)
                why = meter.spent(pages=True)
                if why:
                    self._cut(why, lanes)
                    break
                if not lane.started:
                    lane.start_reading(self._pages)
                    self._say(f"LookupEvents {lane.label()} {_t(lane.start)} .. {_t(lane.end)}{lane.note()}")
                try:
                    page = lane.next_page()
                except _Stop as stop:
                    if stop.fatal:
                        raise
                    self._problems.append(stop.reason)
                    lanes.remove(lane)
                    continue
                meter.add_page()
                if progress:
                    progress(self.name, meter.pages, None)
                lane.read(page)
                for event in self._take(page.items, selector):
                    self._accounts[event.account or ""] += 1
                    lane.count(event)
                    yield event
                self._after_page(lane, page.more, lanes, query=query, window=window, rescued=rescued)
        except _Stop as stop:
            self._problems.append(stop.reason)
            self._cut(None, lanes)
        self._done = True

    def _first_lanes(self, query: Query, window: Window) -> list[_Lane]:
        """The lanes a read starts with: one per event name for a service with few names, else one
        probe over the service's whole event source."""
        lanes: list[_Lane] = []
        self._covered = {}
        by_source: dict[str, set[str]] = {}
        for source, name in query.event_names:
            by_source.setdefault(source, set()).add(name)
        for source in sorted(by_source):
            names_ = by_source[source]
            if len(names_) <= DIRECT_BY_NAME:
                for n in sorted(names_):
                    lanes.extend(self._name_lanes(n, window.since, window.until))
            else:
                lanes.append(
                    _Lane("EventSource", source, window.since, window.until, "probe", frozenset(names_))
                )
        return lanes

    def _after_page(
        self,
        lane: _Lane,
        more: bool,
        lanes: list[_Lane],
        *,
        query: Query,
        window: Window,
        rescued: set[str],
    ) -> None:
        """What ``lane`` does after a page: done, turned from a probe into per-name lanes, or (when
        the budget is at risk) split so that a dense range does not starve the rest, with the
        flooded service's declared resources looked up by name once (``rescued``)."""
        if not more or lane.reached_floor():
            lanes.remove(lane)
            return
        if lane.role == "rescue" and lane.pages >= RESCUE_PAGES:
            lanes.remove(lane)  # a best-effort look: the newest events of that name only
            return
        if lane.role == "probe":
            switch = self._probe_switch(lane)
            if switch is not None:
                lanes.remove(lane)
                for n in sorted(lane.names):
                    if lane.start == window.since:
                        lanes.extend(self._name_lanes(n, window.since, switch))
                    else:
                        lanes.append(_Lane("EventName", n, lane.start, switch, "name"))
                return
        if lane.role != "rescue" and self._at_risk(lanes, self._meter):
            older = lane.split()
            if older is not None:
                self._say(
                    f"{lane.label()}: dense ({lane.pages} page(s) for {lane.covered():.0f}s of "
                    f"events); reading {_t(older.start)} .. {_t(older.end)} apart, so that the "
                    "rest of the window is not starved"
                )
                lanes.append(older)
            sources = self._sources_of(lane, query) - rescued
            if sources:
                rescued |= sources
                lanes.extend(self._rescue_lanes(query, window, sources))

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
        return self._problems[0] if self._problems else "CloudTrail could not be reached"

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

    def _name_lanes(self, name: str, since: datetime, until: datetime) -> list[_Lane]:
        """Lanes so that ``EventName=name`` is read over ``[since, until]``, not twice: a name
        shared by event sources (``TagResource``) is only extended above what is planned."""
        planned = self._covered.get(name)
        if planned is not None and planned >= until:
            return []
        self._covered[name] = until
        return [_Lane("EventName", name, planned or since, until, "name")]

    def _probe_switch(self, lane: _Lane) -> datetime | None:
        """After a probe page: the time down to which one query per name must read, when that is
        now estimated cheaper than paging by source; else None (keep probing). A probe split for
        a flood keeps its dense part by source (per name it would cost a page per name)."""
        oldest = lane.oldest
        if oldest is None or lane.split_done:
            return None
        span = (lane.end - lane.start).total_seconds()
        covered = max((lane.end - oldest).total_seconds(), 1.0)
        remaining = max((oldest - lane.start).total_seconds(), 0.0)
        scale = remaining / covered
        by_source_left = math.ceil(lane.pages * scale)
        by_name_left = sum(max(1, math.ceil(lane.seen[n] * scale / PAGE)) for n in lane.names)
        if by_name_left < by_source_left * SWITCH_MARGIN:
            self._say(
                f"{lane.value}: {lane.pages} page(s) covered {covered / max(span, 1.0):.1%} of the window; "
                f"estimated {by_source_left} more by source vs {by_name_left} by name: "
                f"switching to one query per name up to {_t(oldest)}"
            )
            return oldest
        return None

    def _at_risk(self, lanes: list[_Lane], meter: Meter) -> bool:
        """Whether the pages the open lanes still need (extrapolated from what each read) exceed
        the budget left (pages, or time at the paced rate): then dense lanes are split and the
        budget goes first where a page covers the most time."""
        needed = sum(lane.estimate() for lane in lanes)
        left = meter.pages_left()
        if left is not None and needed > left:
            return True
        seconds = meter.remaining()
        return seconds is not None and needed / self._bucket.rate > seconds

    @staticmethod
    def _sources_of(lane: _Lane, query: Query) -> set[str]:
        """The event sources (services) whose events a lane reads."""
        if lane.key == "EventSource":
            return {lane.value}
        return {source for source, name in query.event_names if name == lane.value}

    def _rescue_lanes(self, query: Query, window: Window, sources: set[str]) -> list[_Lane]:
        """``ResourceName`` lookups for the declared resources of a flooded service, when few and
        all fully named: a flood on one resource then cannot hide the others' events inside the
        flood's own time span. Not exact (CloudTrail does not index every event by resource name;
        ECS records often carry no ``resources``), so they add what they find and never make the
        source complete. The name and the ARN are both asked (which one CloudTrail indexes is not
        documented); the ARN's account is the resource's, else the one of the events read."""
        named = [r for r in query.named_resources if r.event_source in sources]
        if (
            not query.resource_names_complete
            or not named
            or len(query.named_resources) > RESCUE_MAX_RESOURCES
        ):
            return []
        account = next((a for a, _ in self._accounts.most_common() if a), None)
        values: dict[str, None] = {}
        for r in named:
            if r.region and r.region != self.region:
                continue
            values[r.name] = None
            arn = r.arn(self.region, r.account or account)
            if arn:
                values[arn] = None
        fresh = [v for v in values if v not in self._rescue]
        self._rescue.extend(fresh)
        if fresh:
            whose = ", ".join(sorted(sources))
            self._say(f"ResourceName lookups for the declared resources of {whose}: {', '.join(fresh)}")
        return [_Lane("ResourceName", v, window.since, window.until, "rescue") for v in fresh]

    def _cut(self, why: str | None, lanes: list[_Lane]) -> None:
        """The source stops with lanes unread: say what was not read, and why."""
        exact = [lane for lane in lanes if lane.role != "rescue"]
        if not exact:
            return
        parts = [lane.unread() for lane in sorted(exact, key=lambda x: (x.key, x.value, x.start))]
        shown = "; ".join(parts[:4]) + (f"; and {len(parts) - 4} more" if len(parts) > 4 else "")
        if why is not None:
            head = f"stopped: {why} after {self._meter.pages:,} page(s) in {duration(self._meter.elapsed())}"
        else:
            head = "stopped"
        note = f"{head}; not read: {shown}"
        failed = sum(lane.failed for lane in exact)
        wanted = sum(lane.wanted for lane in exact)
        if wanted and failed * 2 > wanted:
            note += f" ({failed:,} of the {wanted:,} events read there were failed calls: a flood?)"
        if self._rescue:
            note += (
                "; ResourceName lookups for the declared resources searched the whole window, but "
                "CloudTrail does not index every event by resource name"
            )
        self._problems.append(note)

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
                    self._pause(pause, code)
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
                    self._pause(pause, type(err).__name__)
                    continue
                raise _Stop(f"LookupEvents unreachable: {one_line(str(err), 300)}", fatal=True) from None
            self.api_calls += 1 + _retries(response)
            self._answered += 1
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _pause(self, seconds: float, why: str) -> None:
        """The own backoff, within the time budget: a pause that would outlast it stops now."""
        left = self._meter.remaining()
        if left is not None and seconds >= left:
            raise _Stop(f"{self._meter.time_up()} while LookupEvents was failing with {why}", fatal=True)
        self._sleep(seconds)

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
