"""LookupEvents query plans and their page floors, computed from the seeded records.

LookupEvents takes ONE lookup attribute per call and returns at most 50 events a page, 2 calls/s per
account and region (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
A plan is a set of queries; its cost is Σ max(1, ceil(matching events / 50)) calls per region. A
plan is *exact* when the union of its results holds every relevant event (a write event with a
wanted (eventSource, eventName) on a declared resource). The page floor is the cheapest exact plan.

Matching follows LookupEvents: ``EventName`` / ``EventSource`` compare the record's fields;
``ResourceName`` matches the names CloudTrail extracts into ``resources`` (ECR records carry the
repository ARN there; ECS records usually carry none, so per-resource lookups miss ECS events).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PAGE = 50


@dataclass(frozen=True)
class Plan:
    name: str
    calls: int
    exact: bool
    queries: int


def _resource_names(rec: Mapping[str, Any]) -> set[str]:
    out: set[str] = set()
    for r in rec.get("resources") or ():
        arn = str(r.get("ARN") or r.get("arn") or "")
        if arn:
            out.add(arn)
            tail = arn.split(":", 5)[-1]
            out.add(tail.split("/", 1)[-1] if "/" in tail else tail)
    return out


def declared_key(rec: Mapping[str, Any]) -> str | None:
    """The resource name a write record acts on (repository, service, family, cluster), or None."""
    req = rec.get("requestParameters") or {}
    if not isinstance(req, Mapping):
        return None
    for k in ("repositoryName", "serviceName", "service", "family", "clusterName"):
        v = req.get(k)
        if isinstance(v, str):
            return v
    td = req.get("taskDefinition")
    if rec.get("eventName") == "DeregisterTaskDefinition" and isinstance(td, str):
        return td.rsplit("/", 1)[-1].split(":", 1)[0]
    arn = req.get("resourceArn")
    if isinstance(arn, str):
        return arn.rsplit("/", 1)[-1]
    c = req.get("cluster")
    return c if isinstance(c, str) else None


def plans(
    records: list[Mapping[str, Any]],
    wanted: frozenset[tuple[str, str]],
    declared: Mapping[str, str],  # name -> resource type
) -> list[Plan]:
    """The per-resource, per-event-source, per-event-name and mixed plans for one region."""
    by_name: Counter[str] = Counter()
    by_source: Counter[str] = Counter()
    by_resource: Counter[str] = Counter()
    relevant: set[str] = set()
    found_by_name: set[str] = set()
    found_by_resource: set[str] = set()
    names = {n for _, n in wanted}
    sources = {s for s, _ in wanted}
    for rec in records:
        eid = str(rec.get("eventID"))
        name, source = rec.get("eventName"), rec.get("eventSource")
        by_name[str(name)] += 1
        by_source[str(source)] += 1
        rnames = _resource_names(rec) & declared.keys()
        for rn in rnames:
            by_resource[rn] += 1
        if (source, name) in wanted and not rec.get("readOnly") and declared_key(rec) in declared:
            relevant.add(eid)
            if name in names:
                found_by_name.add(eid)
            if rnames:
                found_by_resource.add(eid)

    def pages(n: int) -> int:
        return max(1, math.ceil(n / PAGE))

    out: list[Plan] = []
    out.append(
        Plan(
            "one query per resource (ResourceName)",
            sum(pages(by_resource[r]) for r in declared),
            relevant <= found_by_resource,
            len(declared),
        )
    )
    out.append(
        Plan(
            "one query per event source (EventSource)",
            sum(pages(by_source[s]) for s in sources),
            True,
            len(sources),
        )
    )
    out.append(
        Plan(
            "one query per event name (EventName)",
            sum(pages(by_name[n]) for n in names),
            relevant <= found_by_name,
            len(names),
        )
    )
    # mixed: ResourceName for ECR repositories (their records name the repository), EventName for the rest
    other_names = {n for s, n in wanted if not s.startswith("ecr")}
    repos = [r for r, t in declared.items() if t.startswith("aws_ecr")]
    if repos and other_names:
        # exact iff every relevant ECR event names its repository in resources[]
        mixed_calls = sum(pages(by_resource[r]) for r in repos) + sum(pages(by_name[n]) for n in other_names)
        out.append(
            Plan(
                "mixed: ResourceName for ECR repos + EventName for ECS",
                mixed_calls,
                relevant <= (found_by_resource | _ids_for(records, other_names, relevant)),
                len(repos) + len(other_names),
            )
        )
    return out


def _ids_for(records: Iterable[Mapping[str, Any]], names: set[str], relevant: set[str]) -> set[str]:
    return {
        str(r.get("eventID"))
        for r in records
        if r.get("eventName") in names and str(r.get("eventID")) in relevant
    }


def floor(ps: list[Plan]) -> Plan:
    exact = [p for p in ps if p.exact]
    return min(exact, key=lambda p: p.calls)


def relevant_count(
    records: Iterable[Mapping[str, Any]], wanted: frozenset[tuple[str, str]], declared: Mapping[str, str]
) -> int:
    return sum(
        1
        for rec in records
        if (rec.get("eventSource"), rec.get("eventName")) in wanted
        and not rec.get("readOnly")
        and declared_key(rec) in declared
    )
