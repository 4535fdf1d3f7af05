"""``--events PATH``: CloudTrail records from a file or a folder read recursively.

Any layout works, a copy of a trail bucket's ``AWSLogs/…`` tree included. Formats are recognised by
content (see ``records``). Files are read one at a time, so a folder of a million records never sits
in memory at once; digest and Insights files of a trail copy are skipped
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html).

A file that cannot be read (truncated gzip, broken JSON, over the size cap) makes the source
incomplete with the file named; every other file is still read. Files that are not JSON at all
(a README next to the exports) are skipped and mentioned.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from tfdrift_ci.errors import SourceError
from tfdrift_ci.events.base import Progress, Query
from tfdrift_ci.events.budget import Meter, stop_note
from tfdrift_ci.events.records import MAX_DECOMPRESSED_BYTES, Selector, Tally, describe_problems
from tfdrift_ci.events.workers import (
    Outcome,
    Workers,
    batched,
    outcomes_of,
    parse_files,
    resolve_jobs,
    worth_a_pool,
)
from tfdrift_ci.models import Event, SourceStatus, Window

# Path parts that mark files which are not event records (trail copies): integrity digests and
# CloudTrail Insights files.
SKIP_PARTS = ("CloudTrail-Digest", "CloudTrail-Insight")


def skipped_key(path: str) -> bool:
    return any(part in path for part in SKIP_PARTS)


class FileSource:
    """One ``--events PATH``. ``name`` is ``file:PATH`` as given on the command line."""

    def __init__(self, path: str, *, max_bytes: int = MAX_DECOMPRESSED_BYTES, jobs: int | None = 1) -> None:
        self.path = path
        self.name = f"file:{path}"
        self.max_bytes = max_bytes
        self.jobs = resolve_jobs(jobs)  # worker processes (None/0: one per core); see events.workers
        self.pooled = False  # whether the last read used worker processes
        root = Path(path)
        if not root.exists():
            raise SourceError(f"--events {path}: no such file or directory")
        self._root = root
        self._tally = Tally()
        self._files = 0
        self._problems: list[tuple[str, str]] = []
        self._unrecognised: list[tuple[str, str]] = []  # (file, why it is not CloudTrail)
        self._special: list[str] = []  # FIFOs, devices, dangling links: never opened, but reported
        self._records = 0
        self._skipped = 0  # records never decoded (the byte pre-filter: they cannot matter)
        self._readable = 0  # files that held CloudTrail (an empty trail file included)
        self._empty: list[str] = []  # empty trail files / lookup outputs ({"Records": []})
        self._no_records: list[tuple[str, str]] = []  # files whose every record is malformed
        self._window: Window | None = None
        self._stopped: str | None = None  # the budget that stopped the reading, and what was left
        self._done = False

    # ----------------------------------------------------------------------------------------------

    def events(self, query: Query, progress: Progress | None = None) -> Iterator[Event]:
        selector = Selector(query)
        self._window = query.window
        files = self._list()
        self._files = len(files)
        if progress:
            progress(self.name, 0, len(files))
        meter = query.budget.start()
        sizes = [_size(f) or 0 for f in files]
        self.pooled = worth_a_pool(self.jobs, len(files), sum(sizes))
        with Workers(self.jobs, selector, pool=self.pooled) as workers:
            batches = batched(files, sizes) if self.pooled else [[f] for f in files]
            results = workers.ordered(parse_files, batches, lambda b: ([str(f) for f in b], self.max_bytes))
            i = 0
            for batch, future in results:
                for file, outcome in zip(batch, outcomes_of(future, len(batch)), strict=True):
                    i += 1
                    # Checked before each file is taken, as if read one by one: with any number
                    # of jobs, a record budget stops at the same file (those parsed ahead are
                    # dropped).
                    why = meter.spent(records=True)
                    if why:
                        rest = [self._rel(f) for f in files[i - 1 :]]
                        self._stopped = stop_note(
                            why, meter, done=i - 1, total=len(files), unit="files", not_read=rest
                        )
                        results.close()
                        break
                    if progress:
                        progress(self.name, i, len(files))
                    yield from self._take(self._rel(file), outcome, meter)
                if self._stopped:
                    break
        self._done = True

    def _take(self, rel: str, outcome: Outcome, meter: Meter) -> Iterator[Event]:
        if outcome.not_cloudtrail is not None:
            if self._root.is_dir():
                self._unrecognised.append((rel, outcome.not_cloudtrail))
            else:
                self._problems.append((rel, f"not CloudTrail JSON ({outcome.not_cloudtrail})"))
            return
        parsed = outcome.parsed
        if parsed is None:
            self._problems.append((rel, outcome.problem or "unreadable"))
            return
        self._records += parsed.records
        self._skipped += parsed.skipped
        meter.add_records(parsed.records)
        self._tally.misses.merge(parsed.misses)
        if parsed.readable:
            self._readable += 1
            if parsed.empty:
                self._empty.append(rel)
        else:
            self._no_records.append((rel, f"{parsed.records} record(s), none a CloudTrail record"))
        for reason in parsed.malformed:
            self._tally.bad(f"{rel}: {reason}")
        for event in parsed.events:
            if self._tally.add(event):
                yield event

    def status(self) -> SourceStatus:
        notes: list[str] = [self._stopped] if self._stopped else []
        if self._problems:
            notes.append(describe_problems(self._problems, self._files, "files"))
        malformed = self._tally.malformed_note()
        if malformed:
            notes.append(malformed)
        if self._unrecognised:
            names = [rel for rel, _ in self._unrecognised]
            shown = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
            notes.append(f"{len(names)} file(s) skipped: not CloudTrail JSON ({shown})")
        if self._special:
            shown = ", ".join(self._special[:3]) + (" …" if len(self._special) > 3 else "")
            notes.append(f"{len(self._special)} entry(ies) skipped: not a regular file ({shown})")
        if self._files == 0:
            notes.append("no files found")
        return SourceStatus(
            name=self.name,
            events_read=self._tally.events_read,
            api_calls=None,
            complete=not self._problems and not self._stopped and self._done,
            error="; ".join(notes) or (None if self._done else "not read to the end"),
            malformed=self._tally.malformed,
            records=self._records,
            records_skipped=self._skipped,
        )

    def unusable(self) -> str | None:
        """Why this path gave no CloudTrail at all (no file, or no file that is CloudTrail), once
        read to the end; None when at least one file was a CloudTrail document."""
        if not self._done or self._readable or self._stopped:
            return None
        if self._files == 0 and not self._special:
            return "no files found" if self._root.is_dir() else "nothing to read"
        why = [
            *((rel, reason) for rel, reason in self._problems),
            *self._unrecognised,
            *self._no_records,
            *((rel, "not a regular file") for rel in self._special),
        ]
        if not self._root.is_dir() and len(why) == 1:
            return why[0][1]
        shown = "; ".join(f"{rel} ({reason})" for rel, reason in why[:3])
        more = f"; and {len(why) - 3} more" if len(why) > 3 else ""
        return f"no readable CloudTrail file among its {len(why)} file(s): {shown}{more}"

    def notices(self) -> list[str]:
        """What a user should know although nothing failed: every relevant record outside the
        window, or files that hold no records at all."""
        out: list[str] = []
        if self._window is not None:
            missed = self._tally.window_notice(self._window)
            if missed:
                out.append(f"{self.name}: {missed}")
        if self._empty and self._tally.events_read == 0 and not self._tally.misses.count:
            shown = ", ".join(self._empty[:3]) + (" …" if len(self._empty) > 3 else "")
            out.append(
                f"{self.name}: {len(self._empty)} file(s) hold no records at all ({shown}): "
                "an empty trail file or lookup-events output"
            )
        return out

    @property
    def records_seen(self) -> int:
        """Records looked at (benchmarks divide by the elapsed time)."""
        return self._records

    # ----------------------------------------------------------------------------------------------

    def _list(self) -> list[Path]:
        if self._root.is_file():
            return [self._root]
        found: list[Path] = []
        # os.walk does not follow directory symlinks by default, so a symlink loop cannot trap us.
        for folder, dirs, names in os.walk(self._root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_PARTS)
            for name in sorted(names):
                if name.startswith("."):
                    continue
                full = Path(folder) / name
                if skipped_key(full.as_posix()):
                    continue
                if not full.is_file():
                    # Opening a FIFO or /dev/stdin would block, /dev/zero never ends: skip them,
                    # and say so, so that a folder of events never silently shrinks.
                    self._special.append(self._rel(full))
                    continue
                found.append(full)
        return found

    def _rel(self, file: Path) -> str:
        if file == self._root:
            return file.name
        try:
            return file.relative_to(self._root).as_posix()
        except ValueError:
            return file.as_posix()


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def create(spec: str) -> FileSource:
    return FileSource(spec)
