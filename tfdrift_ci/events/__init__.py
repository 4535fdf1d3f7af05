"""Event sources: CloudTrail records from wherever a team keeps them, normalised to ``Event``s.

``fetch`` is what ``cli.py`` calls. ``SOURCES`` is the explicit registry: spec kind → factory
(``aws`` LookupEvents, ``file`` paths, ``s3://``, ``athena://``, ``lake://``). Every source
implements ``events.base.EventSource`` and reports a ``SourceStatus`` that says honestly what could
not be read. Nothing here imports boto3 at import time.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tfdrift_ci.errors import SourceError
from tfdrift_ci.events import names
from tfdrift_ci.events.base import EventSource, NamedResource, Progress, Query, WriteEvents
from tfdrift_ci.events.budget import Budget
from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Event, Identity, Inventory, SourceStatus, Window

if TYPE_CHECKING:
    from tfdrift_ci.events.session import AwsSession

__all__ = ["SOURCES", "Context", "FetchResult", "build_query", "fetch", "make_sources", "source_kind"]


@frozen
class FetchResult:
    events: list[Event]
    statuses: list[SourceStatus]
    notices: list[str]


@dataclass
class Context:
    """What factories need besides the spec. ``aws()`` opens the session on first use."""

    regions: tuple[str, ...]
    profile: str | None = None
    role_arn: str | None = None
    auto: bool = False
    log: Callable[[str], None] | None = None
    jobs: int | None = None  # worker processes for the file and S3 sources (None: one per core)
    _session: AwsSession | None = field(default=None, repr=False)

    def aws(self) -> AwsSession:
        if self._session is None:
            from tfdrift_ci.events.session import open_session

            got = open_session(self.profile, self.role_arn, require=True)
            assert got is not None  # require=True raises instead
            self._session = got
        return self._session


Factory = Callable[[str, Context], list[EventSource]]


def _aws(spec: str, ctx: Context) -> list[EventSource]:
    from tfdrift_ci.events.lookup import LookupSource

    session = ctx.aws()
    regions = ctx.regions or ((session.region,) if session.region else ())
    if not regions:
        raise SourceError(
            "--events aws: no region to query: pass --region, declare a region in the provider "
            "blocks, or set AWS_REGION / region in the AWS config"
        )
    # One source (and one rate limiter) per region, however often the region was named.
    return [LookupSource(session, region, log=ctx.log) for region in dict.fromkeys(regions)]


def _file(spec: str, ctx: Context) -> list[EventSource]:
    from tfdrift_ci.events.files import FileSource

    return [FileSource(spec, jobs=ctx.jobs)]


def _s3(spec: str, ctx: Context) -> list[EventSource]:
    from tfdrift_ci.events.s3 import S3Source

    return [S3Source(ctx.aws(), spec, log=ctx.log, jobs=ctx.jobs)]


def _athena(spec: str, ctx: Context) -> list[EventSource]:
    from tfdrift_ci.events.athena import AthenaSource

    return [AthenaSource(ctx.aws(), spec, log=ctx.log)]


def _lake(spec: str, ctx: Context) -> list[EventSource]:
    from tfdrift_ci.events.lake import LakeSource

    return [LakeSource(ctx.aws(), spec, log=ctx.log)]


SOURCES: dict[str, Factory] = {
    "aws": _aws,
    "file": _file,
    "s3": _s3,
    "athena": _athena,
    "lake": _lake,
}


def source_kind(spec: str) -> str:
    """``aws`` | ``s3`` | ``athena`` | ``lake`` | ``file`` for one ``--events`` value."""
    text = spec.strip()
    if text == "aws":
        return "aws"
    scheme, sep, _ = text.partition("://")
    if sep:
        if scheme in ("s3", "athena", "lake"):
            return scheme
        if scheme == "file":
            return "file"
        raise SourceError(
            f"--events {spec!r}: unknown scheme {scheme}://; use aws, a path, s3://bucket/prefix, "
            "athena://WORKGROUP/DATABASE.TABLE or lake://EVENT_DATA_STORE"
        )
    return "file"


def make_sources(specs: Sequence[str], ctx: Context) -> list[EventSource]:
    return [source for _, source in _make_sources(specs, ctx)]


def _make_sources(specs: Sequence[str], ctx: Context) -> list[tuple[str, EventSource]]:
    """(the ``--events`` value, source) for every source the specs make."""
    out: list[tuple[str, EventSource]] = []
    for spec in specs:
        kind = source_kind(spec)
        value = spec.strip()
        if kind == "file" and value.startswith("file://"):
            value = value[len("file://") :]
        out.extend((spec.strip(), source) for source in SOURCES[kind](value, ctx))
    return out


# --------------------------------------------------------------------------------------------------


# Identity kinds whose events carry no resource name to push down (registry-wide settings; the
# account setting's name is the setting, e.g. containerInsights, which may be absent from requests).
_UNNAMED_KINDS = frozenset({"registry", "account_setting"})


def build_query(
    inventory: Inventory,
    window: Window,
    write_events: WriteEvents,
    regions: Sequence[str] = (),
    budget: Budget | None = None,
) -> Query:
    """The write events that can change the inventory's resource types, and what may be pushed
    down to narrow them (names, when every one is known); ``budget``: what each source may spend."""
    types = {r.type for r in inventory.resources}
    names_: set[str] = set()
    accounts: set[str] = set()
    named: dict[NamedResource, None] = {}
    complete = bool(inventory.resources)
    for r in inventory.resources:
        ident: Identity | None = r.identity
        if ident is None or ident.kind in _UNNAMED_KINDS or not isinstance(ident.name, str):
            complete = False
        if ident is None:
            continue
        if ident.cluster is not None and not isinstance(ident.cluster, str):
            complete = False
        for value in (ident.name, ident.cluster):
            if isinstance(value, str) and value:
                names_.add(value)
        if ident.account:
            accounts.add(ident.account)
        one = _named(ident)
        if one is not None:
            named[one] = None
    return Query(
        window=window,
        event_names=(wanted := write_events.for_types(types)),
        regions=tuple(regions),
        accounts=tuple(sorted(accounts)),
        resource_names=tuple(sorted(names_)),
        resource_names_complete=complete,
        creating_events=wanted & write_events.creating,
        named_resources=tuple(named),
        budget=budget or Budget(),
    )


# ARN resource parts per identity kind ({n} name, {c} cluster): ECR and ECS ARN formats,
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
# (task definition ARNs carry a revision, so only the family is looked up).
_ARNS = {
    "repository": "ecr:repository/{n}",
    "cluster": "ecs:cluster/{n}",
    "service": "ecs:service/{c}/{n}",
    "capacity_provider": "ecs:capacity-provider/{n}",
}
# The service that logs the events of each named identity kind.
_EVENT_SOURCES = {
    "repository": names.ECR,
    "public_repository": names.ECR_PUBLIC,
    "pull_through_cache_rule": names.ECR,
    "creation_template": names.ECR,
    "ecr_account_setting": names.ECR,
    "pull_time_update_exclusion": names.ECR,
}


def _named(ident: Identity) -> NamedResource | None:
    if ident.kind in _UNNAMED_KINDS or not isinstance(ident.name, str) or not ident.name:
        return None
    cluster = ident.cluster if isinstance(ident.cluster, str) and ident.cluster else "default"
    template = _ARNS.get(ident.kind)
    arn = template.format(n=ident.name, c=cluster) if template else None
    source = _EVENT_SOURCES.get(ident.kind, names.ECS)
    return NamedResource(ident.name, source, arn, ident.account, ident.region)


def fetch(
    specs: Sequence[str],
    inventory: Inventory,
    window: Window,
    *,
    write_events: WriteEvents,
    regions: tuple[str, ...],
    auto: bool,
    profile: str | None,
    role_arn: str | None,
    progress: bool,
    debug: bool,
    env: Mapping[str, str],
    budget: Budget | None = None,
    jobs: int | None = None,
) -> FetchResult | None:
    """Read every source for the inventory's write events in ``window``: ``write_events`` (from the
    drift rules: ``rules.drift.WRITE_EVENTS``) says which events can change which resource types.

    Returns None only in auto mode (no ``--events``) when boto3 finds no credentials: the caller
    then runs static rules only and says so. ``env`` is the process environment boto3 reads itself
    (``AWS_*``); it is accepted for symmetry with the CLI and never printed. ``budget`` is what
    each source may spend (default: ``Budget()``, see ``events.budget``); ``jobs`` the worker
    processes of the file and S3 sources (None: one per core, see ``events.workers``).
    """
    del env  # boto3 reads os.environ; nothing else here depends on it
    log = _debug_log if debug else None
    kinds = [source_kind(s) for s in specs]  # validates specs before anything slow
    query_regions = tuple(regions) or tuple(inventory.regions)
    query = build_query(inventory, window, write_events, query_regions, budget)
    if not query.event_names:
        return FetchResult([], [], ["no ECR/ECS resources declared: no CloudTrail events fetched"])

    if auto and kinds == ["aws"]:
        from tfdrift_ci.events.session import open_session

        session = open_session(profile, role_arn, require=False)
        if session is None:
            return None
        ctx = Context(query_regions, profile, role_arn, auto, log, jobs, session)
    else:
        ctx = Context(query_regions, profile, role_arn, auto, log, jobs)

    try:
        made = _make_sources(specs, ctx)
    except SourceError as err:
        if not auto:
            raise
        # Nobody asked for events: a setup problem (no region…) must not fail a static run, but
        # the report says that drift was not checked.
        status = SourceStatus(name="aws:lookup-events", complete=False, error=str(err))
        return FetchResult([], [status], [f"events not read: {err}"])
    sources = [source for _, source in made]
    if log:
        for s in sources:
            log(
                f"source {s.name}: {len(query.event_names)} (eventSource, eventName) pairs, "
                f"window {window.since:%Y-%m-%dT%H:%M:%SZ} .. {window.until:%Y-%m-%dT%H:%M:%SZ}"
            )

    from tfdrift_ci.events.progress import Reporter

    reporter = Reporter(enabled=progress)
    try:
        results = run_sources(sources, query, reporter)
    finally:
        reporter.close()
    if not auto:
        # A source named on purpose that gave nothing at all is a wrong argument, not an empty
        # history: stop (exit 2) instead of reporting a clean window.
        spec_of = {id(source): spec for spec, source in made}
        unusable = [
            f"--events {spec_of[id(source)]}: {why}" for source, _, _ in results if (why := source.unusable())
        ]
        if unusable:
            raise SourceError("; ".join(unusable))
    return merge(results, query)


def run_sources(
    sources: Sequence[EventSource], query: Query, progress: Progress | None = None
) -> list[tuple[EventSource, list[Event], SourceStatus]]:
    """Run every source to the end, concurrently (each region's LookupEvents is its own source,
    so regions proceed in parallel while each paces its own calls)."""

    def one(source: EventSource) -> tuple[EventSource, list[Event], SourceStatus]:
        got = list(source.events(query, progress))
        return source, got, source.status()

    if len(sources) <= 1:
        return [one(s) for s in sources]
    with ThreadPoolExecutor(max_workers=min(8, len(sources)), thread_name_prefix="tfdrift-src") as pool:
        return list(pool.map(one, sources))


def merge(results: Sequence[tuple[EventSource, list[Event], SourceStatus]], query: Query) -> FetchResult:
    """De-duplicate by event id across sources (the first source wins), keep only wanted events
    in the window, oldest first."""
    seen: set[str] = set()
    events: list[Event] = []
    statuses: list[SourceStatus] = []
    notices: list[str] = []
    for source, got, status in results:
        statuses.append(status)
        notices.extend(source.notices())
        for e in got:
            if e.id in seen or (e.source, e.name) not in query.event_names:
                continue
            if not query.window.contains(e.time):
                continue
            seen.add(e.id)
            events.append(e)
    events.sort(key=lambda e: (e.time, e.id))
    return FetchResult(events, statuses, notices)


_LOG_LOCK = threading.Lock()


def _debug_log(message: str) -> None:
    """One stderr line per message, whole even when sources log from several threads. SQL keeps
    its line breaks (control characters are stripped from each line)."""
    from tfdrift_ci.textutil import one_line, runner_inert

    lines = [runner_inert(one_line(line, 4000)) for line in str(message).splitlines() or [""]]
    text = "".join(f"tfdrift-ci: debug: {line}\n" for line in lines)
    with _LOG_LOCK:
        sys.stderr.write(text)
        sys.stderr.flush()
