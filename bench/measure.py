"""Process measurement helpers for the benchmarks: wall time, CPU time and peak RSS of one child
process (``os.wait4`` gives that child's own rusage, its reaped children included), medians, tables."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
VENV_BIN = Path(sys.executable).parent
TFDRIFT = str(VENV_BIN / "tfdrift-ci")
GNU_TIME = "/usr/bin/time"


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float
    rc: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None = None
    # Sum of the RSS of the command and all its descendants (worker processes), sampled every
    # ~10 ms: an upper bound (pages a forked worker shares with its parent count twice).
    tree_rss_mb: float = 0.0

    @property
    def sources(self) -> list[dict[str, Any]]:
        if not self.report:
            return []
        return list(self.report.get("scanned", {}).get("sources", []))

    @property
    def api_calls(self) -> int | None:
        calls = [s.get("api_calls") for s in self.sources if s.get("api_calls") is not None]
        return sum(calls) if calls else None

    @property
    def events_read(self) -> int:
        return sum(int(s.get("events_read", 0)) for s in self.sources)


def run(
    cmd: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    report: Path | None = None,
    timeout: float | None = None,
) -> Run:
    """Run ``cmd`` once; read the JSON report at ``report`` when given."""
    # Peak RSS: Linux keeps the larger of the parent's RSS at fork time and the child's own in the
    # child's ru_maxrss (exec does not reset it), so a runner holding a moto server or a seeded
    # LookupEvents server would inflate every child's figure. GNU time forks the command from a
    # tiny process, so its %M is the command's own peak.
    fd, rss_path = tempfile.mkstemp(prefix="tfdrift-bench-rss-")
    os.close(fd)
    if os.path.exists(GNU_TIME):
        cmd = [GNU_TIME, "-f", "%M", "-o", rss_path, *cmd]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), cwd=cwd, env=dict(env) if env is not None else None, stdout=out, stderr=err
        )
        deadline = None if timeout is None else t0 + timeout
        tree_rss = 0
        polls = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            polls += 1
            if polls % 5 == 1:
                tree_rss = max(tree_rss, _tree_rss(proc.pid))
            time.sleep(0.002)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        so, se = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    rss_mb = usage.ru_maxrss / 1024
    try:
        text = Path(rss_path).read_text().strip().splitlines()
        if text and text[-1].isdigit():
            rss_mb = int(text[-1]) / 1024
    finally:
        os.unlink(rss_path)
    data = None
    if report is not None and report.exists():
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except ValueError:
            data = None
    return Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mb=rss_mb,
        rc=proc.returncode,
        stdout=so,
        stderr=se,
        report=data,
        tree_rss_mb=max(tree_rss / (1 << 20), rss_mb),
    )


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and its descendants (Linux /proc; 0 elsewhere)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * _PAGE
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def base_env(**extra: str) -> dict[str, str]:
    """A clean environment: no real AWS credentials/profiles/endpoints leak into a benchmark."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TFDRIFT_", "GITHUB_"))}
    env["NO_COLOR"] = "1"
    # Bytecode as an installed tool has it: pip (and pre-commit's environments) write .pyc files at
    # install time, so a shell that sets PYTHONDONTWRITEBYTECODE would time the compiler instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def fake_aws(endpoint: str, region: str = "us-east-1", **extra: str) -> dict[str, str]:
    return base_env(
        AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_DEFAULT_REGION=region,
        AWS_ENDPOINT_URL=endpoint,
        **extra,
    )


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *row: Any) -> None:
        self.rows.append(list(row))

    def render(self) -> str:
        cells = [[_fmt(c) for c in r] for r in self.rows]
        widths = [
            max([len(h)] + [len(r[i]) for r in cells if i < len(r)]) for i, h in enumerate(self.columns)
        ]
        line = "  ".join(h.ljust(w) for h, w in zip(self.columns, widths, strict=True))
        out = [f"\n== {self.title}", line, "  ".join("-" * w for w in widths)]
        for r in cells:
            out.append(
                "  ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(r, widths, strict=False))
            )
        out.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(out)

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "columns": self.columns, "rows": self.rows, "notes": self.notes}


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if v >= 100:
            return f"{v:,.0f}"
        if v >= 10:
            return f"{v:.1f}"
        return f"{v:.2f}" if v >= 0.1 else f"{v:.3f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _numeric(s: str) -> bool:
    return (
        bool(s)
        and s.replace(",", "").replace(".", "").replace("-", "").replace("×", "").replace("%", "").isdigit()
    )


def median_runs(runs: list[Run]) -> Run:
    """The run with the median wall time (its other figures travel with it); RSS is the max seen."""
    ordered = sorted(runs, key=lambda r: r.wall)
    mid = ordered[(len(ordered) - 1) // 2]
    return Run(
        wall=statistics.median(r.wall for r in runs),
        cpu=statistics.median(r.cpu for r in runs),
        rss_mb=max(r.rss_mb for r in runs),
        rc=mid.rc,
        stdout=mid.stdout,
        stderr=mid.stderr,
        report=mid.report,
        tree_rss_mb=max(r.tree_rss_mb for r in runs),
    )


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"
