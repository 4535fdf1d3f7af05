"""The one small protocol every event source implements, and the query it is given.

A source yields normalised ``Event``s (see ``normalise``) inside the window and, once exhausted,
reports a ``SourceStatus`` saying honestly what it read and what it could not, whether it gave
nothing at all (``unusable``: an explicitly named source then stops the run with exit 2), and
notices a user should see although nothing failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import field
from typing import Protocol

from tfdrift_ci.events.budget import Budget
from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Event, SourceStatus, Window

Pair = tuple[str, str]  # (eventSource, eventName)


@frozen
class WriteEvents:
    """The CloudTrail write events the rules act on: per Terraform resource type, the
    (eventSource, eventName) pairs that can change it, and the pairs that create a resource.

    Derived from the drift rules (``tfdrift_ci.rules.drift.WRITE_EVENTS``) and passed down by the
    caller: the event sources only plan their queries with it (a lower layer never imports rules)."""

    by_type: Mapping[str, frozenset[Pair]]
    creating: frozenset[Pair]

    def for_types(self, resource_types: Iterable[str]) -> frozenset[Pair]:
        """The write events that can change any of these resource types."""
        return frozenset(p for t in resource_types for p in self.by_type.get(t, ()))

    @property
    def all(self) -> frozenset[Pair]:
        return self.for_types(self.by_type)


@frozen
class NamedResource:
    """A declared resource whose CloudTrail name is fully known: what a ``ResourceName`` lookup
    can ask for (the name, and the ARN once the account is known)."""

    name: str  # as requests carry it: repository name, service name, cluster name, family …
    event_source: str  # the service that logs its events: ecr.amazonaws.com, ecs.amazonaws.com …
    arn_resource: str | None = None  # "ecr:repository/app/api", "ecs:service/prod/api"; None: no ARN
    account: str | None = None
    region: str | None = None

    def arn(self, region: str, account: str | None) -> str | None:
        if self.arn_resource is None or not account:
            return None
        service, _, resource = self.arn_resource.partition(":")
        return f"arn:aws:{service}:{region}:{account}:{resource}"


@frozen
class Query:
    """What the run needs from CloudTrail: a source may push any of it down (SQL, lookup
    attributes, S3 prefixes) or filter on the client; it must never return less."""

    window: Window
    event_names: frozenset[Pair]  # the write events wanted (see WriteEvents)
    regions: tuple[str, ...] = ()  # regions the aws source queries (others: no filter)
    accounts: tuple[str, ...] = ()  # known accounts (informational; sources do not filter on it)
    resource_names: tuple[str, ...] = ()  # known names, for push-down where cheap (Athena/Lake)
    # True only when every declared resource is named by a fully known name listed in
    # resource_names (no Unknown parts, no registry-level resource): only then may a source push
    # the names down without losing events.
    resource_names_complete: bool = False
    # The wanted events that create a resource: never narrowed by name, because an undeclared
    # resource created beside declared ones is a finding of its own. None: not known, so a source
    # must not narrow any event by name.
    creating_events: frozenset[Pair] | None = None
    named_resources: tuple[NamedResource, ...] = ()  # the declared resources with known names
    # What each source may spend (time, pages, records) before it stops and says so.
    budget: Budget = field(default_factory=Budget)


# Called with (source name, units done, units total or None) as a source makes progress.
Progress = Callable[[str, int, int | None], None]


class EventSource(Protocol):
    name: str

    def events(self, query: Query, progress: Progress | None = None) -> Iterator[Event]:
        """Yield well-formed write events in ``query.window``; read-only ones may be dropped early."""
        ...

    def status(self) -> SourceStatus:
        """Valid after ``events`` is exhausted (or abandoned): counts, api calls, completeness."""
        ...

    def unusable(self) -> str | None:
        """After ``events``: why the source gave nothing at all because the source itself is wrong
        (no readable CloudTrail file in a path, an endpoint that cannot be reached or is not the
        service, a bucket that does not exist); None when it worked, even partly. Refusals (access
        denied, expired credentials) are not "unusable": the source is incomplete, with the reason."""
        ...

    def notices(self) -> list[str]:
        """After ``events``: one-line notices (every relevant record outside the window …)."""
        ...
