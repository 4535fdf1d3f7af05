"""The drift engine: events × declared resources → drift / unmanaged / attempt findings.

The event table comes from the rules (``_registry``): per (eventSource, eventName), the rules that
act on the event, the identity it names and the resource types it can change. The loop is then the
same for every event:

1. read-only events, service events (ECR lifecycle expiry) and events no rule acts on are skipped;
   a rule that handles its event alone (ECS Exec sessions) is given it;
2. the event's key is matched to declared resources (``_match``);
3. failed calls become ``attempt`` findings, never drift;
4. Terraform's own calls (configured principal, else the provider's user agent) are not drift;
   Application Auto Scaling and CodeDeploy are named as such (``_actors``);
5. each rule acting on the event extracts its changes; a change whose new value differs from the
   declared one is a finding (``_decide``), worded by ``_phrasing``; a create that no declaration
   matches is ``unmanaged``.
"""

from __future__ import annotations

import bisect
import fnmatch
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from tfdrift_ci.models import Event, Finding, Gap, Inventory, Resource, SetBack, TerraformApply, Unknown
from tfdrift_ci.rules.drift import _match as M
from tfdrift_ci.rules.drift import _unknown as U
from tfdrift_ci.rules.drift._actors import Classified, classify, describe
from tfdrift_ci.rules.drift._attributes import Change
from tfdrift_ci.rules.drift._decide import attempt_severity, decide, sets_back
from tfdrift_ci.rules.drift._phrasing import attempt_finding, drift_finding, set_back_note, unmanaged_finding
from tfdrift_ci.rules.drift._registry import DriftRule, Registry, Watched
from tfdrift_ci.rules.errors import crash_finding, describe_error
from tfdrift_ci.settings import Settings

# A finding, and the (address, attribute) whose later set-back it may note.
Pending = tuple[Finding, str | None, str | None]


@dataclass
class _Ctx:
    inventory: Inventory
    settings: Settings
    registry: Registry
    now: datetime
    # (address, attribute) -> [(time, new value, event, who)] for "set back since" notes
    sets: dict[tuple[str, str], list[tuple[datetime, Any, Event, str]]] = field(default_factory=dict)
    accounts: set[str] = field(default_factory=set)  # accounts the events come from
    regions: set[str] = field(default_factory=set)
    # identity kind -> (exact name -> resources, resources whose name is not a plain string)
    index: dict[str, tuple[dict[str, list[Resource]], list[Resource]]] = field(default_factory=dict)
    applies: list[TerraformApply] | None = None  # Terraform's own writes, when the caller asks
    # task sets created by others (CodeDeploy, an external controller): never a declared one
    foreign_task_sets: frozenset[str] = frozenset()
    # address -> how a resource whose name is unknown was matched by elimination (a finding note)
    bound_notes: dict[str, str] = field(default_factory=dict)

    # (address, attribute, declared value as JSON) -> (times, events, who), the events that set the
    # attribute to the declared value, in time order
    _set_back_cache: dict[tuple[str, str, str], tuple[list[datetime], list[Event], list[str]]] = field(
        default_factory=dict
    )

    def set_backs(
        self, address: str, attribute: str, declared: Any
    ) -> tuple[list[datetime], list[Event], list[str]]:
        key = (address, attribute, json.dumps(declared, sort_keys=True, default=str))
        found = self._set_back_cache.get(key)
        if found is None:
            rows = [
                (when, ev, who)
                for when, value, ev, who in self.sets.get((address, attribute), [])
                if sets_back(attribute, value, declared)
            ]
            found = ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
            self._set_back_cache[key] = found
        return found

    def build_index(self) -> None:
        """Resolve identities once (cluster references) and index by kind and name, so that each
        event looks at the few resources that can match instead of the whole inventory."""
        for declared in self.inventory.resources:
            ident = M.identity_of(declared, self.inventory)
            if ident is None:
                continue
            res = declared if ident is declared.identity else replace(declared, identity=ident)
            exact, other = self.index.setdefault(ident.kind, ({}, []))
            if isinstance(ident.name, str):
                exact.setdefault(ident.name, []).append(res)
            else:
                other.append(res)

    def resolve_unknown(self, events: Sequence[Event]) -> list[U.Subject]:
        """Match resources whose name is unknown by elimination where unambiguous (``_unknown``):
        rebind them in the index, remember the note each finding on them carries. Returns the
        subjects that stay unresolved (with candidate events): gaps of the report."""
        pending = U.subjects((r, r.identity) for _, other in self.index.values() for r in other if r.identity)
        if not pending:
            return []

        def claimed(key: M.Key) -> bool:
            return any(r.identity is not None and M.matches(key, r.identity)[0] for r in self.candidates(key))

        U.collect(pending, events, self.registry, claimed)
        unresolved: list[U.Subject] = []
        for subject in pending:
            name = subject.bound_name()
            if name is None:
                if subject.names:
                    unresolved.append(subject)
                continue
            exact, other = self.index[subject.ident.kind]
            for member in subject.members:
                other.remove(member)
                assert member.identity is not None
                exact.setdefault(name, []).append(
                    replace(member, identity=replace(member.identity, name=name))
                )
                self.bound_notes[member.address] = U.bound_note(subject, name)
        return unresolved

    def candidates(self, key: M.Key) -> list[Resource]:
        exact, other = self.index.get(key.kind, ({}, []))
        if key.kind == "registry" or key.name is None:
            return [r for rs in exact.values() for r in rs] + other
        return exact.get(key.name, []) + other

    def of_kind(self, kind: str) -> list[Resource]:
        exact, other = self.index.get(kind, ({}, []))
        return [r for rs in exact.values() for r in rs] + other


def run(
    inventory: Inventory,
    events: Sequence[Event],
    settings: Settings,
    registry: Registry,
    *,
    now: datetime | None = None,
    applies: list[TerraformApply] | None = None,
    gaps: list[Gap] | None = None,
) -> list[Finding]:
    ctx = _Ctx(inventory, settings, registry, now or datetime.now(UTC), applies=applies)
    ctx.build_index()
    ctx.accounts = {e.account for e in events if e.account}
    ctx.regions = {e.region for e in events if e.region}
    seen: set[str] = set()
    ordered = sorted(events, key=lambda e: (e.time, e.id))
    ctx.foreign_task_sets = M.created_task_sets(
        ordered, lambda e: classify(e.actor, settings.terraform_principals).cls == "terraform"
    )
    unresolved = ctx.resolve_unknown(ordered)
    pending: list[Pending] = []
    for event in ordered:
        if event.id and event.id in seen:
            continue  # trails may deliver the same record twice
        seen.add(event.id)
        try:
            pending.extend(_one_event(ctx, event))
        except (RecursionError, ValueError, TypeError, KeyError, AttributeError, IndexError) as err:
            # One event the engine cannot handle (untrusted shapes) must not lose the report; it is
            # reported as an error finding naming the event.
            pending.append((_crash(event, err), None, None))
    out = [_annotate_set_back(ctx, finding, address, attribute) for finding, address, attribute in pending]
    out = [_bound_note(ctx, f) for f in out]
    for subject in unresolved:
        out.extend(U.unmatched_findings(subject, settings))
        if gaps is not None:
            gaps.append(U.gap(subject))
    return [f for f in (_apply_settings(ctx, f) for f in out) if f is not None]


def _bound_note(ctx: _Ctx, f: Finding) -> Finding:
    note = ctx.bound_notes.get(f.address or "") if f.address else None
    return replace(f, notes=(note, *f.notes)) if note else f


def _crash(event: Event, err: BaseException) -> Finding:
    return crash_finding(
        f"the drift engine could not evaluate {event.name} event {event.id} "
        f"({describe_error(err, 200)}); other events were evaluated",
        event=event,
        remediation="Report the event (without secrets) to the tfdrift-ci maintainers.",
    )


def _matches(ctx: _Ctx, event: Event, watched: Watched) -> list[M.Match]:
    if watched.by_arn:
        parsed = M.key_from_arn(event, event.request.get("resourceArn"))
        found = [] if parsed is None else M.find(parsed[0], ctx.candidates(parsed[0]), (parsed[1],))
        # resources that name the tagged resource by its ARN (aws_ecs_tag)
        for kind, types in watched.targets:
            if kind == "resource_tag":
                for key in M.event_keys(event, kind):
                    found += M.find(key, ctx.candidates(key), types)
        return found
    matches: list[M.Match] = []
    seen: set[str] = set()
    for kind, types in watched.targets:
        for key in M.event_keys(event, kind):
            if key.kind == "task_set" and key.member in ctx.foreign_task_sets:
                continue  # another task set of the service (CodeDeploy's, an external controller's)
            for m in M.find(key, ctx.candidates(key), types):
                if m.resource.address not in seen:
                    seen.add(m.resource.address)
                    matches.append(m)
    return matches


def extract(event: Event, resource: Resource, watched: Watched) -> list[tuple[DriftRule, Change]]:
    """Every change the rules acting on ``event`` read from it for one matched resource, each with
    its rule, in ``Change.order`` (then registry) order."""
    out: list[tuple[DriftRule, Change]] = []
    for rule, row in watched.rows:
        if row.extract is None or resource.type not in row.types:
            continue
        out.extend((rule, change) for change in row.extract(event, resource))
    out.sort(key=lambda pair: pair[1].order)
    return out


def _one_event(ctx: _Ctx, event: Event) -> list[Pending]:
    if event.read_only or event.event_type == "AwsServiceEvent":
        return []
    watched = ctx.registry.table.get((event.source, event.name))
    if watched is None:
        return []
    if watched.handler is not None:
        return [(f, None, None) for f in watched.handler[1](event, ctx)]
    matches = _matches(ctx, event, watched)
    who = classify(event.actor, ctx.settings.terraform_principals)
    if who.cls == "terraform":
        if not event.error_code:
            _remember_terraform(ctx, event, matches, watched)
        return []  # Terraform's own calls, failed ones included, are not out-of-band
    if event.error_code:
        if who.cls == "autoscaling":
            return []  # a scaling action or permission probe that failed: operational, not an attempt
        return [(_attempt(ctx, event, m, watched), m.resource.address, None) for m in matches]
    if not matches:
        return _unmanaged(ctx, event, watched, who)
    out: list[Pending] = []
    for m in matches:
        for rule, change in extract(event, m.resource, watched):
            _remember(ctx, event, m.resource.address, change, describe(event.actor))
            verdict = decide(rule, event, m.resource, change, who, show_ignored=ctx.settings.show_ignored)
            if verdict is None:
                continue
            finding = drift_finding(
                rule.rule,
                verdict,
                event,
                m,
                change,
                who=who,
                accounts=len(ctx.accounts),
                regions=len(ctx.regions),
                now=ctx.now,
            )
            out.append((finding, m.resource.address, change.attribute))
    return out


def _remember(ctx: _Ctx, event: Event, address: str, change: Change, who: str) -> None:
    if change.attribute and change.op == "update":
        ctx.sets.setdefault((address, change.attribute), []).append((event.time, change.new, event, who))


TERRAFORM = "Terraform"  # who set an attribute back, when it was Terraform's own apply


def _remember_terraform(ctx: _Ctx, event: Event, matches: list[M.Match], watched: Watched) -> None:
    for m in matches:
        if ctx.applies is not None:
            ctx.applies.append(
                TerraformApply(m.resource.address, m.resource.root, event.time, event.name, event.id)
            )
        for _, change in extract(event, m.resource, watched):
            _remember(ctx, event, m.resource.address, change, TERRAFORM)


def _attempt(ctx: _Ctx, event: Event, match: M.Match, watched: Watched) -> Finding:
    rule = ctx.registry.failed.rule
    extracted = [change for _, change in extract(event, match.resource, watched)]
    severity = attempt_severity(
        rule.severity,
        extracted,
        event,
        security_event=watched.security,
        security_attributes=ctx.registry.security_attributes,
    )
    return attempt_finding(rule, severity, event, match, extracted)


def _unmanaged(ctx: _Ctx, event: Event, watched: Watched, who: Classified) -> list[Pending]:
    if watched.creates is None or who.cls != "other":
        return []
    kind = watched.targets[0][0]
    key = M.event_key(event, kind)
    if key is None or not M.same_place(key, ctx.of_kind(kind), (watched.creates,)):
        return []
    if key.kind == "service" and not _declared_cluster(ctx, key.cluster):
        return []  # a service in a cluster this project does not use: another team's business
    return [(unmanaged_finding(ctx.registry.unmanaged.rule, event, key, watched.creates, who), None, None)]


def _declared_cluster(ctx: _Ctx, cluster: str | None) -> bool:
    names = {r.identity.name for r in ctx.of_kind("cluster") if r.identity is not None}
    names |= {
        r.identity.cluster or M.DEFAULT_CLUSTER for r in ctx.of_kind("service") if r.identity is not None
    }
    return cluster in names or any(isinstance(n, Unknown) for n in names)


def _annotate_set_back(ctx: _Ctx, f: Finding, address: str | None, attribute: str | None) -> Finding:
    """Note the first later event that set the attribute back to the declared value.

    Linear overall: per (address, attribute, declared value) the set-back candidates are filtered
    once, and each finding bisects them by time (events are recorded in time order), instead of
    comparing every finding with every event (quadratic on busy resources)."""
    if address is None or attribute is None or f.event is None or f.kind != "drift":
        return f
    candidates = ctx.set_backs(address, attribute, f.expected)
    i = bisect.bisect_right(candidates[0], f.event.time)
    for when, ev, who in zip(*(c[i:] for c in candidates), strict=True):
        if when > f.event.time and ev.id != f.event.id:
            back = SetBack(who, ev.time, ev.id, terraform=who == TERRAFORM)
            return replace(f, notes=(*f.notes, set_back_note(who, f.expected, ev)), set_back=back)
    return f


# --------------------------------------------------------------------------------------------------
# Settings: drift_rules re-grading and per-rule overrides


def _apply_settings(ctx: _Ctx, f: Finding) -> Finding | None:
    settings = ctx.settings
    rs = settings.rules.get(f.rule_id)
    if rs is not None and not rs.enabled:
        return None
    for entry in settings.drift_rules:
        if entry.resource_types and f.resource_type not in entry.resource_types:
            continue
        if entry.watched_attributes:
            attr = f.attribute or ""
            if not any(
                attr == w or attr.startswith(w + ".") or fnmatch.fnmatchcase(attr, w)
                for w in entry.watched_attributes
            ):
                continue
        if f.kind != "drift":
            continue
        note = f"drift rule {entry.name!r} applies"
        if entry.severity is not None:
            f = replace(
                f, severity=entry.severity, notes=(*f.notes, f"{note}: severity {entry.severity.value}")
            )
        else:
            f = replace(f, notes=(*f.notes, note))
        break
    if rs is not None and rs.severity is not None:
        f = replace(f, severity=rs.severity)
    return f
