"""Every core for the file and S3 sources: trail payloads are decompressed, pre-filtered and
selected (``records.read_capped`` + ``records.select_payload``) in worker processes.

``Workers`` runs one function over many inputs and hands the results back **in input order**, with
at most ``ahead`` inputs in flight, so memory stays bounded (one decompressed payload per worker at
a time) and the output is the same whatever the number of jobs. Files go in batches of ~1 MiB
(``batched``): a task costs the caller ~0.25 ms of CPU, more than a small trail file's parsing.
With one job, or an input too small to pay for starting processes (``worth_a_pool``), the same
function runs in this process, lazily, one input at a time: tests and small folders never start a
process.

Worker processes are forked from this process when it runs a single thread (the usual CLI run of
one file source: fast, nothing to re-import), else from a fork server (``multiprocessing``'s
``forkserver``: a fresh interpreter that imports this module once), because forking a process whose
other threads may hold locks (several sources read concurrently, S3 download threads) can deadlock
the child. The pool's processes are all started at the first submit, before its own manager thread.

Payloads are never trusted more in a worker than in the caller: the same caps and checks run, and a
worker that dies (out of memory, killed) turns into a problem for the input it held, not a crash.
"""

from __future__ import annotations

import io
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import BrokenExecutor, Future
from typing import Any, Generic, TypeVar

from tfdrift_ci.events.records import (
    NotCloudTrail,
    Parsed,
    PayloadError,
    Selector,
    read_capped,
    select_payload,
)
from tfdrift_ci.frozen import frozen

T = TypeVar("T")
R = TypeVar("R")

# Below this many compressed bytes a folder/prefix is read in this process: starting the pool
# (~0.1 s on a loaded 2-core machine) costs more than it saves (~30,000 trail records).
MIN_POOL_BYTES = 4 << 20


def default_jobs() -> int:
    """The cores this process may use (its CPU affinity, e.g. a container's cpuset), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs: int | None) -> int:
    """``--jobs``: None or 0 means one per available core."""
    return default_jobs() if not jobs else max(1, jobs)


def worth_a_pool(jobs: int, inputs: int, compressed_bytes: int | None) -> bool:
    """Whether to start worker processes: more than one job, more than one input, and enough
    bytes to be worth it (unknown sizes count as enough)."""
    if jobs <= 1 or inputs <= 1:
        return False
    return compressed_bytes is None or compressed_bytes >= MIN_POOL_BYTES


# --------------------------------------------------------------------------------------------------
# what a worker does with one payload


@frozen
class Outcome:
    """One input's result, as plain data (exceptions with custom fields do not survive pickling):
    ``parsed``, or ``problem`` (could not be read), or ``not_cloudtrail`` (the reason)."""

    parsed: Parsed | None = None
    problem: str | None = None
    not_cloudtrail: str | None = None


_STATE: dict[str, Selector] = {}  # "selector": the pool's, set in each worker process by _init


def _init(selector: Selector) -> None:
    _STATE["selector"] = selector
    tune_malloc()


# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_TUNED: list[bool] = []


def tune_malloc() -> None:
    """Keep trail-sized buffers (up to 16 MiB) on the heap and up to 32 MiB of freed heap mapped.

    Every payload is a few hundred KB to a few MB, allocated and freed once per file. With glibc's
    defaults each one is a fresh mapping (or the heap top is trimmed right after), so every page is
    faulted in again: ~100,000 page faults for 200,000 records, a third of the reading's CPU time
    (measured: 1.55 s → 1.05 s for the bench's 200k-record folder). Set once per process, on glibc
    only (elsewhere nothing happens); it keeps at most 32 MiB of freed memory resident."""
    if _TUNED:
        return
    _TUNED.append(True)
    try:
        import ctypes

        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_THRESHOLD, 16 << 20)
        libc.mallopt(_M_TRIM_THRESHOLD, 32 << 20)
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no glibc to tune
        return


def _selector(given: Selector | None) -> Selector:
    return given if given is not None else _STATE["selector"]


def parse_file(path: str, max_bytes: int, selector: Selector | None = None) -> Outcome:
    """Read, decompress and select one file (in a worker: the pool's selector; in-process: given)."""
    try:
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > max_bytes:  # over the cap whatever it holds: stream it to say how
                data = read_capped(stream, compressed_size=size, limit=max_bytes)
            else:
                # Whole, then inflated from memory: reading in 1 MiB steps made zlib twice as slow
                # here (each step's buffer is a fresh mapping of its own).
                data = read_capped(io.BytesIO(stream.read()), compressed_size=size, limit=max_bytes)
        return Outcome(parsed=select_payload(data, _selector(selector)))
    except NotCloudTrail as err:
        return Outcome(not_cloudtrail=err.reason)
    except PayloadError as err:
        return Outcome(problem=str(err))
    except OSError as err:
        return Outcome(problem=err.strerror or type(err).__name__)


def parse_files(paths: list[str], max_bytes: int, selector: Selector | None = None) -> list[Outcome]:
    """``parse_file`` for a few files at once: one task per ~1 MiB, not per file (a task costs
    ~0.25 ms of the caller's CPU; a 5-minute trail file of a quiet region is a few KB)."""
    return [parse_file(path, max_bytes, selector) for path in paths]


# A batch of files for one task: up to this many compressed bytes, or this many files.
BATCH_BYTES = 1 << 20
BATCH_FILES = 32


def batched(items: list[T], sizes: list[int]) -> list[list[T]]:
    """Consecutive items grouped into batches of about ``BATCH_BYTES`` (order kept)."""
    out: list[list[T]] = []
    current: list[T] = []
    total = 0
    for item, size in zip(items, sizes, strict=True):
        current.append(item)
        total += size
        if total >= BATCH_BYTES or len(current) >= BATCH_FILES:
            out.append(current)
            current, total = [], 0
    if current:
        out.append(current)
    return out


def parse_bytes(data: bytes | str, max_bytes: int, selector: Selector | None = None) -> Outcome:
    """Decompress and select one downloaded object (its bytes as stored); a str is why it could not
    be downloaded, passed through in order."""
    if isinstance(data, str):
        return Outcome(problem=data)
    try:
        payload = read_capped(io.BytesIO(data), compressed_size=len(data), limit=max_bytes)
        return Outcome(parsed=select_payload(payload, _selector(selector)))
    except NotCloudTrail as err:
        return Outcome(not_cloudtrail=err.reason)
    except PayloadError as err:
        return Outcome(problem=str(err))


def outcome_of(future: Future[Outcome]) -> Outcome:
    """The future's outcome; a worker process that died (killed, out of memory) is a problem for the
    input it held (and those after it), never a crash of the run."""
    try:
        return future.result()
    except BrokenExecutor as err:
        return Outcome(problem=f"worker process failed ({type(err).__name__})")


def outcomes_of(future: Future[list[Outcome]], count: int) -> list[Outcome]:
    """``outcome_of`` for a batch of ``count`` inputs."""
    try:
        return future.result()
    except BrokenExecutor as err:
        return [Outcome(problem=f"worker process failed ({type(err).__name__})")] * count


# --------------------------------------------------------------------------------------------------
# the pool


class _Lazy(Future[R], Generic[R]):
    """A future computed when its result is first asked for (in-process runs: one input at a time,
    in order, nothing computed ahead)."""

    def __init__(self, fn: Callable[..., R], args: tuple[Any, ...]) -> None:
        super().__init__()
        self._call: tuple[Callable[..., R], tuple[Any, ...]] | None = (fn, args)

    def result(self, timeout: float | None = None) -> R:
        if self._call is not None:
            fn, args = self._call
            self._call = None
            try:
                self.set_result(fn(*args))
            except BaseException as err:  # noqa: BLE001 - handed to the caller like a pool's future
                self.set_exception(err)
        return super().result(timeout)


class Workers:
    """``with Workers(jobs, selector, pool=…) as w: for item, future in w.ordered(fn, items): …``

    ``pool=False`` (one job, small input) runs in-process. Leaving the ``with`` block early (a
    budget stopped the reading) cancels what was not started and waits for what was."""

    def __init__(self, jobs: int, selector: Selector, *, pool: bool) -> None:
        self.jobs = jobs if pool else 1
        self._selector = selector.for_workers()
        self._executor: Any = None
        self._pool = pool and jobs > 1

    def __enter__(self) -> Workers:
        tune_malloc()  # in-process runs read the same payloads
        if self._pool:
            import multiprocessing
            import threading
            from concurrent.futures import ProcessPoolExecutor

            ctx: Any
            if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
                ctx = multiprocessing.get_context("fork")
            else:
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload([__name__])
            self._executor = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=ctx, initializer=_init, initargs=(self._selector,)
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def submit(self, fn: Callable[..., R], *args: Any) -> Future[R]:
        if self._executor is None:
            return _Lazy(fn, (*args, self._selector))
        future: Future[R] = self._executor.submit(fn, *args)
        return future

    def ordered(
        self, fn: Callable[..., R], items: Iterable[T], args: Callable[[T], tuple[Any, ...]], ahead: int = 0
    ) -> Generator[tuple[T, Future[R]], None, None]:
        """(item, future) in input order; at most ``ahead`` (default 2 per job) submitted and not
        yet handed back. Closing the iterator early cancels the futures not handed back."""
        return in_order(lambda item: self.submit(fn, *args(item)), items, ahead or 2 * self.jobs)


def in_order(
    submit: Callable[[T], Future[R]], items: Iterable[T], ahead: int
) -> Generator[tuple[T, Future[R]], None, None]:
    """(item, future) in input order, with up to ``ahead`` submitted before they are taken (any
    executor: the process pool here, the S3 download threads). Closing the iterator early cancels
    the futures not taken."""
    window: deque[tuple[T, Future[R]]] = deque()
    try:
        for item in items:
            window.append((item, submit(item)))
            if len(window) >= ahead:
                yield window.popleft()
        while window:
            yield window.popleft()
    finally:
        for _, future in window:
            future.cancel()
