"""Generate CloudTrail trail files: N records (default 1,000,000) as ``.json.gz`` ``{"Records": [...]}``
files in a trail bucket's layout ``AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/``.

Mix (per record): ~85% read-only calls across services, ~13.5% writes on unrelated services,
~1.5% ECR/ECS writes (10% of those on the busy account's declared resources, the rest on undeclared
ones). One file per region per 5-minute delivery, like a real trail. Digest files are added too
(sources must skip them). Deterministic: the same seed gives the same bytes.

    python bench/gen_trail.py [--records N] [--out DIR] [--seed S] [--days D]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ctrecords import ACCOUNT, Factory, make_account

END = datetime(2026, 11, 22, tzinfo=UTC)
TRAIL_REGIONS = ("us-east-1", "eu-west-1")
P_READ, P_OTHER = 0.85, 0.135  # rest: ECR/ECS writes
P_DECLARED = 0.10


def _chunk(args: tuple[int, str, int, int, int, str]) -> int:
    """One (region, day): write its 288 five-minute files. Returns the records written."""
    seed, region, day_index, days, per_day, out = args
    acc = make_account(seed)
    fac = Factory(acc, seed * 1_000_003 + day_index * 7919 + TRAIL_REGIONS.index(region))
    rng = random.Random(seed * 31 + day_index * 17 + TRAIL_REGIONS.index(region))
    day = END - timedelta(days=days - day_index)
    folder = Path(out) / "AWSLogs" / ACCOUNT / "CloudTrail" / region / day.strftime("%Y/%m/%d")
    folder.mkdir(parents=True, exist_ok=True)
    n_files = 288
    written = 0
    for f in range(n_files):
        start = day + timedelta(minutes=5 * f)
        n = per_day // n_files + (1 if f < per_day % n_files else 0)
        recs = []
        secs = sorted(rng.randrange(300) for _ in range(n))
        for s in secs:
            t = start + timedelta(seconds=s)
            k = rng.random()
            if k < P_READ:
                recs.append(fac.read(t, region))
            elif k < P_READ + P_OTHER:
                recs.append(fac.other_write(t, region))
            else:
                recs.append(fac.ecx_write(t, region, declared=rng.random() < P_DECLARED))
        delivered = start + timedelta(minutes=5)
        name = f"{ACCOUNT}_CloudTrail_{region}_{delivered:%Y%m%dT%H%MZ}_{rng.getrandbits(64):016X}.json.gz"
        body = json.dumps({"Records": recs}, separators=(",", ":")).encode()
        (folder / name).write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
        written += n
    # one digest file per day: sources must skip CloudTrail-Digest keys
    dig = Path(out) / "AWSLogs" / ACCOUNT / "CloudTrail-Digest" / region / day.strftime("%Y/%m/%d")
    dig.mkdir(parents=True, exist_ok=True)
    digest = {"awsAccountId": ACCOUNT, "digestStartTime": day.isoformat(), "logFiles": []}
    (dig / f"{ACCOUNT}_CloudTrail-Digest_{region}_trail_{region}_{day:%Y%m%dT%H%M%SZ}.json.gz").write_bytes(
        gzip.compress(json.dumps(digest).encode(), mtime=0)
    )
    return written


def generate(out: Path, records: int, seed: int = 11, days: int = 7, workers: int = 2) -> int:
    per_chunk_total = records // (days * len(TRAIL_REGIONS))
    extra = records - per_chunk_total * days * len(TRAIL_REGIONS)
    jobs = []
    i = 0
    for region in TRAIL_REGIONS:
        for d in range(days):
            n = per_chunk_total + (1 if i < extra else 0)
            jobs.append((seed, region, d, days, n, str(out)))
            i += 1
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(_chunk, jobs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "trail")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    t0 = time.perf_counter()
    n = generate(a.out, a.records, a.seed, a.days, a.workers)
    print(f"wrote {n} records under {a.out} in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
