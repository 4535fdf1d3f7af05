"""Declared resources whose name is not known statically (``name = regex(…)``, a data source): their
events are matched by elimination where that is unambiguous, and never dropped without a word.

A resource whose identity name is an ``Unknown`` without a pattern matches no event by name. Before
the engine reads the events, every write event naming a resource that no declared resource of that
kind claims (by exact name or pattern) is a *candidate* for the unidentified resources of that kind
in the same account, region (and, for a service, cluster). Then, per unidentified resource (a
resource that refers to another one's name, ``repository = aws_ecr_repository.api.name``, goes with
it):

- exactly one candidate name, and no other unidentified resource the same events could belong to:
  the name is taken as the resource's, its events are matched like any other, and each finding
  says how (a note);
- otherwise: the resource is a gap ("not checked", incomplete under ``--fail-on-incomplete``), and
  each candidate event from someone other than Terraform becomes a ``TFD-ERR-003`` info finding
  ("could not be matched to a declared resource");
- no candidate at all: no event in the window can be the resource's, so nothing was missed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from tfdrift_ci.models import Event, Finding, Gap, Identity, IdentityKind, Resource, Unknown
from tfdrift_ci.rules.drift import _match as M
from tfdrift_ci.rules.drift._actors import classify, describe
from tfdrift_ci.rules.drift._registry import Registry, Watched
from tfdrift_ci.rules.errors import UNMATCHED_EVENT, severity_under
from tfdrift_ci.rules.finding import make_finding
from tfdrift_ci.settings import Settings

# ``aws_ecr_repository.api.name`` / ``aws_ecs_cluster.main["x"].arn``: a reference to another
# declared resource's name, in the same module
_REF = re.compile(
    r"^\$?\{?\s*(aws_[a-z0-9_]+\.[\w-]+(?:\[[^\]]*\])?)\.(?:name|id|arn|family|repository_url)\s*\}?$"
)
NAMES_SHOWN = 5  # candidate names listed in a gap's reason before "and N more"
FINDINGS_PER_RESOURCE = 20  # TFD-ERR-003 findings (one per candidate name) per resource at most


def unidentified(ident: Identity | None) -> bool:
    """A name that matches no event: unknown, with no pattern to match by."""
    return (
        ident is not None
        and ident.kind != "registry"
        and isinstance(ident.name, Unknown)
        and not ident.name.pattern
    )


@dataclass
class Subject:
    """One unidentified resource, with the resources that refer to its name."""

    resource: Resource  # the one whose own name is unknown
    ident: Identity
    members: list[Resource] = field(default_factory=list)  # itself and those referring to it
    names: dict[str, list[Event]] = field(default_factory=dict)  # candidate name -> its events
    rivals: set[str] = field(default_factory=set)  # candidate names another subject could have too

    @property
    def expr(self) -> str:
        name = self.ident.name
        return name.expr if isinstance(name, Unknown) else str(name)

    def fits(self, key: M.Key) -> bool:
        """Whether an event's key could name this resource (kind, account, region, cluster)."""
        ident = self.ident
        if key.kind != ident.kind or not (_same(key.account, ident.account)):
            return False
        if key.kind != "public_repository" and not _same(key.region, ident.region):
            return False
        if key.kind == "service" and key.cluster is not None:
            cluster = ident.cluster if ident.cluster is not None else M.DEFAULT_CLUSTER
            if isinstance(cluster, str) and cluster != key.cluster:
                return False
        return True

    def bound_name(self) -> str | None:
        """The one candidate name, when no other subject could have it."""
        if len(self.names) == 1 and not self.rivals:
            return next(iter(self.names))
        return None


def _same(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def subjects(resources: Iterable[tuple[Resource, Identity]]) -> list[Subject]:
    """The unidentified resources, each with those that take their name from it."""
    pairs = [(r, i) for r, i in resources if unidentified(i)]
    by_address: dict[str, Subject] = {}
    refer: list[tuple[Resource, Identity, str]] = []
    for res, ident in pairs:
        assert isinstance(ident.name, Unknown)
        m = _REF.match(ident.name.expr.strip())
        if m is None:
            by_address[res.address] = Subject(res, ident, [res])
        else:
            prefix = "".join(f"module.{p}." for p in res.module_path)
            refer.append((res, ident, prefix + m.group(1)))
    for res, ident, target in refer:
        owner = by_address.get(target)
        if owner is not None and owner.ident.kind == ident.kind:
            owner.members.append(res)
        else:
            by_address[res.address] = Subject(res, ident, [res])
    return list(by_address.values())


def collect(
    found: list[Subject],
    events: Sequence[Event],
    registry: Registry,
    claimed: Callable[[M.Key], bool],
) -> None:
    """Record, per subject, the names of unclaimed resources the write events touch (``claimed``:
    a declared resource with a known name or pattern matches the key)."""
    kinds = {s.ident.kind for s in found}
    for event in events:
        if event.read_only or event.event_type == "AwsServiceEvent":
            continue
        watched = registry.table.get((event.source, event.name))
        if watched is None or watched.handler is not None:
            continue
        try:
            keys = _keys(event, watched, kinds)
        except (RecursionError, ValueError, TypeError, KeyError, AttributeError, IndexError):
            continue  # an event of untrusted shape: the engine's own pass reports it (TFD-ERR-002)
        for key in keys:
            if key.name is None or key.kind not in kinds or claimed(key):
                continue
            fitting = [s for s in found if s.fits(key)]
            for s in fitting:
                events_of = s.names.setdefault(key.name, [])
                if event not in events_of:
                    events_of.append(event)
                if len(fitting) > 1:
                    s.rivals.add(key.name)


def _keys(event: Event, watched: Watched, kinds: set[IdentityKind]) -> list[M.Key]:
    if watched.by_arn:
        parsed = M.key_from_arn(event, event.request.get("resourceArn"))
        return [parsed[0]] if parsed is not None else []
    return [k for kind, _ in watched.targets if kind in kinds for k in M.event_keys(event, kind)]


def bound_note(subject: Subject, name: str) -> str:
    kind = subject.ident.kind.replace("_", " ")
    return (
        f"matched by elimination: the declared name is {subject.expr} (not known statically); "
        f"{name!r} is the only {kind} name in the events that no declared {kind} has"
    )


def gap(subject: Subject) -> Gap:
    """The subject as a "not checked" gap: why its events could not be matched."""
    kind = subject.ident.kind.replace("_", " ")
    names = sorted(subject.names)
    shown = ", ".join(repr(n) for n in names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += f" and {len(names) - NAMES_SHOWN} more"
    if subject.rivals:
        why = f"other declared {_plural(2, kind)[2:]} with unknown names could be named {shown} as well"
    else:
        why = f"the events name {_plural(len(names), kind)} that no declared {kind} has ({shown})"
    res = subject.resource
    return Gap(
        "identity",
        res.address,
        f"its name is {subject.expr} (not known statically) and {why}: those events are listed as "
        f"{UNMATCHED_EVENT.id}",
        root=res.root,
        file=res.file,
        line=res.line,
    )


def unmatched_findings(subject: Subject, settings: Settings) -> list[Finding]:
    """A ``TFD-ERR-003`` info finding per candidate name (at most ``FINDINGS_PER_RESOURCE``) with
    the events on it not made by Terraform itself; the latest one is the finding's event."""
    severity = severity_under(UNMATCHED_EVENT, settings)
    if severity is None:
        return []
    out: list[Finding] = []
    names = sorted(subject.names)
    shown = names[:FINDINGS_PER_RESOURCE]
    for name in shown:
        events = [
            e
            for e in subject.names[name]
            if classify(e.actor, settings.terraform_principals).cls != "terraform"
        ]
        if not events:
            continue
        latest = max(events, key=lambda e: (e.time, e.id))
        failed = f" (it failed: {latest.error_code})" if latest.error_code else ""
        calls = ", ".join(sorted({e.name for e in events}))
        more_names = len(names) - len(shown) if name == shown[-1] else 0
        more = f"; {_plural(more_names, 'more name')} not listed" if more_names > 0 else ""
        message = (
            f"{_plural(len(events), 'write event')} on {name!r} ({calls}) could be "
            f"{subject.resource.address}'s, whose name is {subject.expr} (not known statically), "
            f"and could not be matched; the latest by {describe(latest.actor)}{failed}{more}"
        )
        out.append(make_finding(UNMATCHED_EVENT, message, resource=subject.resource, event=latest,
                                severity=severity))  # fmt: skip
    return out


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"
