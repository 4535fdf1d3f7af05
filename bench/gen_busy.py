"""A "busy account" for the LookupEvents benchmark, generated in memory.

Per region and per 7 days (``scale=1``): ~50 declared ECR/ECS resources, ~3,000 write events on them,
~30,000 ECR/ECS writes on undeclared resources plus ~20,000 writes on other services, and ~300,000
read-only events (a fifth of the ECR/ECS reads touch declared resources, like image pulls do).
Event counts scale with ``days / 7 * scale``. Deterministic for a seed.

    python bench/gen_busy.py [--days 7] [--declared 50] [--scale 1] [--out DIR]   # writes the .tf root
                                                                                  # and prints counts
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ctrecords import Account, Factory, make_account, terraform_root

END = datetime(2026, 11, 22, tzinfo=UTC)
PER_WEEK = {"declared_writes": 3_000, "undeclared_writes": 30_000, "other_writes": 20_000, "reads": 300_000}


def busy_records(
    acc: Account,
    region: str,
    days: int = 7,
    scale: float = 1.0,
    seed: int = 3,
    end: datetime = END,
) -> list[dict[str, object]]:
    """Records for one region, sorted newest first (LookupEvents order)."""
    f = days / 7 * scale
    fac = Factory(acc, seed * 101 + sum(map(ord, region)))
    rng = random.Random(seed * 13 + sum(map(ord, region)))
    start = end - timedelta(days=days)
    span = int((end - start).total_seconds())
    decl_repos = [d.name for d in acc.declared if d.type == "aws_ecr_repository"]
    out: list[dict[str, object]] = []

    def t() -> datetime:
        return start + timedelta(seconds=rng.randrange(span))

    for _ in range(int(PER_WEEK["declared_writes"] * f)):
        out.append(fac.ecx_write(t(), region, declared=True))
    for _ in range(int(PER_WEEK["undeclared_writes"] * f)):
        out.append(fac.ecx_write(t(), region, declared=False))
    for _ in range(int(PER_WEEK["other_writes"] * f)):
        out.append(fac.other_write(t(), region))
    for _ in range(int(PER_WEEK["reads"] * f)):
        rec = fac.read(t(), region)
        # image pulls and describes on declared repositories: ECR reads carry resources[] too
        if rec["eventSource"] == "ecr.amazonaws.com" and decl_repos and rng.random() < 0.2:
            repo = rng.choice(decl_repos)
            rec["requestParameters"] = {"registryId": acc.account, "repositoryName": repo}
            rec["resources"] = [
                {"accountId": acc.account, "ARN": f"arn:aws:ecr:{region}:{acc.account}:repository/{repo}"}
            ]
        out.append(rec)
    out.sort(key=lambda r: str(r["eventTime"]), reverse=True)
    return out


def write_root(acc: Account, out: Path, region: str = "us-east-1") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    text = terraform_root(acc, region)
    main = out / "main.tf"
    if not main.exists() or main.read_text(encoding="utf-8") != text:
        main.write_text(text, encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--declared", type=int, default=50)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "busy" / "tf")
    a = ap.parse_args()
    acc = make_account(declared=a.declared)
    write_root(acc, a.out)
    t0 = time.perf_counter()
    recs = busy_records(acc, "us-east-1", a.days, a.scale)
    dt = time.perf_counter() - t0
    c = Counter((r["eventSource"], r["readOnly"]) for r in recs)
    print(f"{len(recs)} records in {dt:.1f}s; declared resources {len(acc.declared)}; root {a.out}")
    for (src, ro), n in sorted(c.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {src:<40} readOnly={ro!s:<5} {n}")


if __name__ == "__main__":
    main()
