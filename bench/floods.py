"""Floods: LookupEvents under a burst of denied calls, within page budgets (bench/run.py --only floods).

Anyone with an AWS identity can fill a window: CloudTrail logs failed calls too. A busy week (the
api benchmark's account at 1/10 of its traffic) gets a burst of ``n`` denied calls on one declared
resource in 15 minutes, one day before the end of the window, and a real change on another declared
resource either two days before the end (before the burst) or inside the burst's 15 minutes.

Run in process against the local LookupEvents endpoint without pacing: the figure is the number of
calls (at 2 calls/s per region, wall time = calls / 2). Also measured: what a ``ResourceName``
lookup costs per declared resource in the busy week, which sets how many declared resources may be
looked up by name when a flood threatens the budget (``lookup.RESCUE_MAX_RESOURCES``).
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from ctrecords import CONSOLE_UA, Factory, make_account
from gen_busy import END, busy_records, write_root
from measure import OUT, REPO, Table

FLOOD_MINUTES = 15


@contextlib.contextmanager
def _endpoint(records: list[dict[str, Any]]) -> Iterator[Any]:
    if str(REPO / "tests") not in sys.path:
        sys.path.insert(0, str(REPO / "tests"))
    from support.lookup_server import LookupServer  # type: ignore[import-not-found]

    with LookupServer(rate=None) as server:
        server.add(records)
        saved = {k: os.environ.get(k) for k in server.env()}
        os.environ.update(server.env())
        try:
            yield server
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def _read(root: Path, region: str, max_pages: int | None) -> tuple[set[str], Any, list[str]]:
    """Run the LookupEvents source as ``check`` would (same query), unpaced."""
    from tfdrift_ci import inventory
    from tfdrift_ci.events import build_query
    from tfdrift_ci.events.budget import Budget
    from tfdrift_ci.events.lookup import LookupSource
    from tfdrift_ci.events.session import open_session
    from tfdrift_ci.models import Window
    from tfdrift_ci.rules.drift import WRITE_EVENTS

    inv = inventory.load(str(root))
    window = Window(END - timedelta(days=7), END)
    budget = Budget(timeout=None, max_pages=max_pages, max_records=None)
    query = build_query(inv, window, WRITE_EVENTS, (region,), budget)
    src = LookupSource(open_session(None, None), region, rate=1e9, now=lambda: END + timedelta(hours=1))
    ids = {e.id for e in src.events(query)}
    return ids, src.status(), src.plan


def _scenario(fac: Factory, acc: Any, region: str, n: int, kind: str) -> tuple[list[dict[str, Any]], str]:
    """The burst (``n`` denied calls on one declared resource) and the change to find."""
    burst = END - timedelta(days=1)
    step = FLOOD_MINUTES * 60 / n
    if kind == "ecs":
        services = [d for d in acc.declared if d.type == "aws_ecs_service"]
        a, b = services[0], services[1]

        def make(t: Any, d: Any, denied: bool) -> dict[str, Any]:
            req = {"cluster": d.cluster, "service": d.name, "desiredCount": 9}
            return fac.record(t, region, "ecs.amazonaws.com", "UpdateService", False, req)

        drift_at = END - timedelta(days=2)
    else:
        repos = [d for d in acc.declared if d.type == "aws_ecr_repository"]
        a, b = repos[0], repos[1]

        def make(t: Any, d: Any, denied: bool) -> dict[str, Any]:
            arn = f"arn:aws:ecr:{region}:{acc.account}:repository/{d.name}"
            req = {"repositoryName": d.name, "registryId": acc.account, "imageTagMutability": "MUTABLE"}
            return fac.record(
                t,
                region,
                "ecr.amazonaws.com",
                "PutImageTagMutability",
                False,
                req,
                dict(req),
                [{"accountId": acc.account, "ARN": arn}],
            )

        drift_at = burst + timedelta(minutes=FLOOD_MINUTES / 2)
    out = []
    for i in range(n):
        rec = make(burst + timedelta(seconds=i * step), a, True)
        rec.update(
            errorCode="AccessDeniedException",
            errorMessage="User: intern is not authorized",
            responseElements=None,
            userAgent="aws-cli/2.17.40",
        )
        rec.pop("sessionCredentialFromConsole", None)
        out.append(rec)
    drift = make(drift_at, b, False)
    drift.pop("errorCode", None)
    drift.update(eventID="bench-the-drift", userAgent=CONSOLE_UA)
    out.append(drift)
    return out, "bench-the-drift"


def bench_floods(quick: bool, repeat_n: int) -> list[Table]:
    del repeat_n  # call counts are deterministic
    region = "us-east-1"
    declared = 10
    acc = make_account(declared=declared)
    root = write_root(acc, OUT / f"busy-{declared}" / "tf")
    scale = 0.02 if quick else 0.1
    week = busy_records(acc, region, days=7, scale=scale)
    t = Table(
        f"6a. Floods: LookupEvents within a page budget ({len(week):,} records a week, {declared} declared resources)",
        [
            "burst",
            "change on another resource",
            "page budget",
            "calls",
            "events_read",
            "complete",
            "change found",
            "ResourceName calls",
        ],
    )
    sizes = (1_500,) if quick else (1_500, 15_000)
    budgets: tuple[int | None, ...] = (None, 1000, 100, 50, 20)
    for kind, where in (("ecs", "2 days before the burst"), ("ecr", "inside the burst")):
        for n in sizes:
            fac = Factory(acc, 99)
            extra, drift_id = _scenario(fac, acc, region, n, kind)
            name = "UpdateService" if kind == "ecs" else "PutImageTagMutability"
            with _endpoint([*week, *extra]) as server:
                for pages in budgets:
                    server.reset_counters()
                    ids, status, _ = _read(root, region, pages)
                    by_name = sum(
                        1
                        for r in server.requests
                        if r["LookupAttributes"][0]["AttributeKey"] == "ResourceName"
                    )
                    t.add(
                        f"{n:,} denied {name}",
                        where,
                        "none" if pages is None else f"{pages:,}",
                        server.calls,
                        status.events_read,
                        "yes" if status.complete else "no",
                        "yes" if drift_id in ids else "NO",
                        by_name,
                    )
    t.notes.append(
        "in process, unpaced, against tests/support/lookup_server.py: calls are the figure (wall = calls / 2 at "
        "the 2 calls/s quota); 'none' = no page budget (the exact plan reads the whole burst)"
    )
    t.notes.append(
        "ECS records carry no resources[], so ResourceName lookups cannot reach an ECS change inside a burst; "
        "ECR records name the repository (found by its ARN)"
    )

    # 6b. what a ResourceName lookup costs per declared resource in a busy week
    big = make_account(declared=50)
    full = busy_records(big, region, days=7, scale=1.0 if not quick else 0.1)
    t2 = Table(
        f"6b. ResourceName lookups in a busy week ({len(full):,} records): pages per declared resource",
        [
            "declared resources looked up",
            "values (name + ARN)",
            "pages uncapped",
            "pages at 3 per value",
            "share of the 1,000-page budget",
        ],
    )
    pages_per: list[tuple[int, int]] = []  # per resource: (uncapped pages, capped pages) over its values
    names_arns = []
    rng = random.Random(5)
    order = list(big.declared)
    rng.shuffle(order)  # resource types mixed, as a root declares them
    for d in order:
        values = [d.name]
        if d.type == "aws_ecr_repository":
            values.append(f"arn:aws:ecr:{region}:{big.account}:repository/{d.name}")
        elif d.type == "aws_ecs_service":
            values.append(f"arn:aws:ecs:{region}:{big.account}:service/{d.cluster}/{d.name}")
        elif d.type == "aws_ecs_cluster":
            values.append(f"arn:aws:ecs:{region}:{big.account}:cluster/{d.name}")
        names_arns.append(values)
    counts: dict[str, int] = {}
    for rec in full:
        for r in rec.get("resources") or ():
            counts[str(r.get("ARN"))] = counts.get(str(r.get("ARN")), 0) + 1
    for values in names_arns:
        unc = cap = 0
        for v in values:
            p = max(1, math.ceil(counts.get(v, 0) / 50))
            unc += p
            cap += min(3, p)
        pages_per.append((unc, cap))
    for k in (1, 5, 10, 20, 50):
        unc = sum(p for p, _ in pages_per[:k])
        cap = sum(c for _, c in pages_per[:k])
        vals = sum(len(v) for v in names_arns[:k])
        t2.add(k, vals, unc, cap, f"{cap / 10:.1f} %")
    t2.notes.append(
        "the busy account's ECR reads (image pulls, describes) on declared repositories carry resources[]: "
        "a repository's ARN lookup pages through them all, hence the cap of 3 pages per value"
    )
    t2.notes.append(
        "counted from the seeded records the way tests/support/lookup_server.py matches ResourceName (the ARN)"
    )
    return [t, t2]
