"""``--events s3://bucket/prefix``: a CloudTrail trail's log files in S3 (or any S3-compatible store).

Layout (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html)::

    bucket/[prefix/]AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz

The prefix may stop anywhere above the date folders: the levels below it (``AWSLogs``, the
organisation id, accounts, ``CloudTrail``, regions) are discovered by delimiter listing. Only the
date folders the window needs are listed: the folder date is the file's *delivery* day (UTC) and a
file holds events from before it was delivered, so the days listed run from the window's first day
to the day after its end (``DELIVERY_LAG``: CloudTrail delivers within about 5 minutes on average,
"not guaranteed"; a day of margin covers late files). Events are then filtered on ``eventTime``,
never on the key. ``CloudTrail-Digest`` and ``CloudTrail-Insight`` trees are skipped.

Day folders are listed and objects downloaded in parallel, and decompressed as streams under the
size caps of ``records``. A key that cannot be read (access denied, truncated gzip, broken JSON)
is reported with the IAM action it needs and the rest is read; a missing bucket or a denied
listing makes the source incomplete with the reason.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tfdrift_ci.errors import SourceError
from tfdrift_ci.events.base import Progress, Query
from tfdrift_ci.events.budget import Meter, stop_note
from tfdrift_ci.events.files import skipped_key
from tfdrift_ci.events.records import MAX_DECOMPRESSED_BYTES, Selector, Tally, describe_problems, human_size
from tfdrift_ci.events.session import ACCESS_DENIED, EXPIRED, AwsSession, error_code
from tfdrift_ci.events.workers import (
    Outcome,
    Workers,
    in_order,
    outcome_of,
    parse_bytes,
    resolve_jobs,
    worth_a_pool,
)
from tfdrift_ci.models import Event, SourceStatus, Window
from tfdrift_ci.textutil import one_line

DELIVERY_LAG = timedelta(days=1)
WORKERS = 8
MAX_DISCOVERY_DEPTH = 6  # levels below the given prefix searched for AWSLogs/…/CloudTrail/<region>/
_SKIP_DIRS = frozenset({"CloudTrail-Digest", "CloudTrail-Insight"})


def parse_spec(spec: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → ("bucket", "some/prefix/")."""
    rest = spec.strip()[len("s3://") :]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise SourceError(f"--events {spec!r}: expected s3://BUCKET[/PREFIX]")
    prefix = prefix.strip("/")
    return bucket, (prefix + "/" if prefix else "")


class _Fatal(Exception):
    """The listing cannot go on. ``unusable``: the bucket does not exist or cannot be reached."""

    def __init__(self, message: str, *, unusable: bool = False) -> None:
        super().__init__(message)
        self.unusable = unusable


class S3Source:
    def __init__(
        self,
        session: AwsSession | None,
        spec: str,
        *,
        log: Callable[[str], None] | None = None,
        client: Any = None,
        workers: int = WORKERS,
        max_bytes: int = MAX_DECOMPRESSED_BYTES,
        jobs: int | None = 1,
    ) -> None:
        self.bucket, self.prefix = parse_spec(spec)
        self.name = spec.strip()
        self._session = session
        self._client = client
        self._log = log
        self._workers = max(1, workers)  # download threads
        self._jobs = resolve_jobs(jobs)  # processes decompressing and selecting (events.workers)
        self._sizes: dict[str, int] = {}  # key → size, from the listing
        self.pooled = False  # whether the last read used worker processes
        self._max_bytes = max_bytes
        self._tally = Tally()
        self._calls = 0
        self._calls_lock = threading.Lock()
        self._problems: list[tuple[str, str]] = []
        self._fatal: str | None = None
        self._unusable = False
        self._window: Window | None = None
        self._stopped: str | None = None  # the budget that stopped the reading, and what was left
        self._meter: Meter | None = None
        self._keys = 0
        self._records = 0
        self._skipped = 0  # records never decoded (the byte pre-filter: they cannot matter)
        self._done = False
        self.listed_prefixes: list[str] = []

    # -------------------------------------------------------------------------------------------

    def events(self, query: Query, progress: Progress | None = None) -> Iterator[Event]:
        selector = Selector(query)
        self._window = query.window
        meter = self._meter = query.budget.start()
        try:
            keys = list(self._keys_for(query))
        except _Fatal as err:
            self._fatal = str(err)
            self._unusable = err.unusable
            self._done = True
            return
        self._keys = len(keys)
        if progress:
            progress(self.name, 0, len(keys))
        sizes = [self._sizes.get(k) for k in keys]
        total = None if None in sizes else sum(s or 0 for s in sizes)
        self.pooled = worth_a_pool(self._jobs, len(keys), total)
        # Processes first (forked while this thread is the only one), then the download threads.
        with (
            Workers(self._jobs, selector, pool=self.pooled) as workers,
            ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="tfdrift-s3") as pool_dl,
        ):
            downloads = in_order(lambda key: pool_dl.submit(self._download, key), keys, 2 * self._workers)
            results = workers.ordered(
                parse_bytes, downloads, lambda item: (_body_or_problem(item[1]), self._max_bytes)
            )
            for index, ((key, _), future) in enumerate(results):
                # Checked before each object is taken, in key order: with any number of threads
                # and jobs, a record budget stops at the same object (those fetched ahead are
                # dropped unread).
                why = meter.spent(records=True)
                if why:
                    self._stopped = stop_note(
                        why, meter, done=index, total=len(keys), unit="objects", not_read=keys[index:]
                    )
                    results.close()
                    downloads.close()
                    break
                outcome = outcome_of(future)
                if progress:
                    progress(self.name, index + 1, len(keys))
                yield from self._take(key, outcome, meter)
        self._done = True

    def _take(self, key: str, outcome: Outcome, meter: Meter) -> Iterator[Event]:
        parsed = outcome.parsed
        if parsed is None:
            why = outcome.problem or f"not CloudTrail JSON ({outcome.not_cloudtrail})"
            self._problems.append((key, why))
            return
        self._records += parsed.records
        self._skipped += parsed.skipped
        meter.add_records(parsed.records)
        self._tally.misses.merge(parsed.misses)
        for reason in parsed.malformed:
            self._tally.bad(f"{key}: {reason}")
        for event in parsed.events:
            if self._tally.add(event):
                yield event

    def status(self) -> SourceStatus:
        notes: list[str] = [self._stopped] if self._stopped else []
        if self._fatal:
            notes.append(self._fatal)
        if self._problems:
            notes.append(describe_problems(self._problems, self._keys, "objects"))
        malformed = self._tally.malformed_note()
        if malformed:
            notes.append(malformed)
        complete = self._done and not self._fatal and not self._problems and not self._stopped
        if not self._done:
            notes.append("not read to the end")
        return SourceStatus(
            name=self.name,
            events_read=self._tally.events_read,
            api_calls=self._calls,
            complete=complete,
            error="; ".join(notes) or None,
            malformed=self._tally.malformed,
            records=self._records,
            records_skipped=self._skipped,
        )

    def unusable(self) -> str | None:
        """The bucket does not exist or S3 cannot be reached."""
        return self._fatal if self._unusable else None

    def notices(self) -> list[str]:
        missed = self._tally.window_notice(self._window) if self._window else None
        return [f"{self.name}: {missed}"] if missed else []

    @property
    def records_seen(self) -> int:
        """Records looked at (benchmarks divide by the elapsed time)."""
        return self._records

    # -------------------------------------------------------------------------------------------
    # listing

    def _keys_for(self, query: Query) -> Iterator[str]:
        # until is exclusive: a window ending at midnight does not need that day's folder itself
        days = _days(query.window.since, query.window.until - timedelta(microseconds=1) + DELIVERY_LAG)
        prefixes: list[str] = []
        for root, exact in self._roots(self.prefix, 0):
            prefixes.extend([root] if exact else [f"{root}{d:%Y/%m/%d}/" for d in days])
        seen: set[str] = set()
        # Day prefixes are many (days x regions x accounts): list them concurrently.
        with ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="tfdrift-s3-list") as pool:
            for keys in pool.map(lambda p: list(self._list(p)), prefixes):
                for key in keys:
                    if key not in seen and not skipped_key(key):
                        seen.add(key)
                        yield key

    def _roots(self, prefix: str, depth: int) -> Iterator[tuple[str, bool]]:
        """(prefix, exact): region roots (``…/CloudTrail/<region>/``, exact=False: list by date)
        or prefixes to list entirely (exact=True: below a region root, or not a trail layout)."""
        parts = prefix.rstrip("/").split("/") if prefix else []
        if "CloudTrail" in parts:
            after = len(parts) - 1 - parts.index("CloudTrail")
            if after == 1:
                yield prefix, False
                return
            if after > 1:
                yield prefix, True
                return
            for region in self._children(prefix)[0]:
                yield region, False
            return
        if depth > MAX_DISCOVERY_DEPTH:
            return
        children, has_objects = self._children(prefix)
        trail = [c for c in children if c.rstrip("/").rsplit("/", 1)[-1] == "AWSLogs"]
        if trail:
            # The trail layout starts here: files beside it are not CloudTrail's, and listing the
            # level whole would read the entire bucket.
            children = trail
        elif has_objects:
            # Files sit right here (a copied folder, not the trail layout): read them all.
            yield prefix, True
            return
        for child in children:
            name = child.rstrip("/").rsplit("/", 1)[-1]
            if name in _SKIP_DIRS:
                continue
            yield from self._roots(child, depth + 1)

    def _children(self, prefix: str) -> tuple[list[str], bool]:
        from botocore.exceptions import BotoCoreError, ClientError

        self._say(f"ListObjectsV2 s3://{self.bucket}/{prefix} (delimiter /)")
        children: list[str] = []
        has_objects = False
        token: str | None = None
        try:
            while True:
                self._check_time(f"listing s3://{self.bucket}/{prefix}")
                params: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix, "Delimiter": "/"}
                if token:
                    params["ContinuationToken"] = token
                page = self._count(self._get_client().list_objects_v2(**params))
                children.extend(p["Prefix"] for p in page.get("CommonPrefixes") or [])
                has_objects = has_objects or any(
                    not o["Key"].endswith("/") for o in page.get("Contents") or []
                )
                token = page.get("NextContinuationToken")
                if not token:
                    return children, has_objects
        except ClientError as err:
            self._count_error(err)
            raise self._list_error(err, prefix) from None
        except BotoCoreError as err:
            raise self._transport_error(err, prefix) from None

    def _list(self, prefix: str) -> Iterator[str]:
        from botocore.exceptions import BotoCoreError, ClientError

        with self._calls_lock:
            self.listed_prefixes.append(prefix)
        self._say(f"ListObjectsV2 s3://{self.bucket}/{prefix}")
        token: str | None = None
        try:
            while True:
                self._check_time(f"listing s3://{self.bucket}/{prefix}")
                params: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
                if token:
                    params["ContinuationToken"] = token
                page = self._count(self._get_client().list_objects_v2(**params))
                for obj in page.get("Contents") or []:
                    if not obj["Key"].endswith("/"):
                        if isinstance(obj.get("Size"), int):
                            self._sizes[obj["Key"]] = obj["Size"]
                        yield obj["Key"]
                token = page.get("NextContinuationToken")
                if not token:
                    return
        except ClientError as err:
            self._count_error(err)
            raise self._list_error(err, prefix) from None
        except BotoCoreError as err:
            raise self._transport_error(err, prefix) from None

    def _check_time(self, doing: str) -> None:
        why = self._meter.spent() if self._meter else None
        if why:
            raise _Fatal(f"stopped: {why} while {doing}; no object was read")

    def _list_error(self, err: Any, prefix: str) -> _Fatal:
        code = error_code(err)
        if code == "NoSuchBucket":
            return _Fatal(f"bucket {self.bucket!r} does not exist (NoSuchBucket)", unusable=True)
        if code in ACCESS_DENIED:
            return _Fatal(
                f"{code} listing s3://{self.bucket}/{prefix}: "
                f"grant s3:ListBucket on arn:aws:s3:::{self.bucket}"
            )
        if code in EXPIRED:
            return _Fatal(f"the AWS credentials expired or are invalid ({code})")
        return _Fatal(f"cannot list s3://{self.bucket}/{prefix}: {code or 'error'}")

    def _transport_error(self, err: Exception, prefix: str) -> _Fatal:
        from botocore.exceptions import ConnectionError as BotoConnectionError

        text = one_line(str(err), 300)
        if isinstance(err, BotoConnectionError) and not self._answered:
            return _Fatal(f"cannot reach S3: {text}", unusable=True)
        return _Fatal(f"cannot list s3://{self.bucket}/{prefix}: {text}")

    # -------------------------------------------------------------------------------------------
    # reading (worker threads)

    def _download(self, key: str) -> bytes:
        """The object's bytes as stored (compressed: the workers decompress them under the caps).
        Raises ``_KeyProblem`` with what the object needs."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            got = self._count(self._get_client().get_object(Bucket=self.bucket, Key=key))
            body = got["Body"]
            try:
                data: bytes = body.read(self._max_bytes + 1)
            finally:
                body.close()
        except ClientError as err:
            self._count_error(err)
            code = error_code(err)
            if code in ACCESS_DENIED:
                raise _KeyProblem(f"{code}: grant s3:GetObject") from None
            if code in ("NoSuchKey", "404"):
                raise _KeyProblem("deleted while reading (NoSuchKey)") from None
            raise _KeyProblem(code or "error") from None
        except (BotoCoreError, OSError) as err:
            raise _KeyProblem(f"download failed: {type(err).__name__}") from None
        if len(data) > self._max_bytes:
            raise _KeyProblem(f"larger than the {human_size(self._max_bytes)} cap")
        return data

    # -------------------------------------------------------------------------------------------

    def _get_client(self) -> Any:
        if self._client is None:
            assert self._session is not None
            self._client = self._session.client("s3", max_pool=self._workers + 2)
        return self._client

    def _count(self, response: Any) -> Any:
        retries = int(((response or {}).get("ResponseMetadata") or {}).get("RetryAttempts") or 0)
        with self._calls_lock:
            self._calls += 1 + retries
        return response

    @property
    def _answered(self) -> bool:
        """Whether S3 ever answered (a listing, an object, or an error response)."""
        return self._calls > 0

    def _count_error(self, err: Any) -> None:
        self._count(getattr(err, "response", None))

    def _say(self, message: str) -> None:
        if self._log:
            self._log(f"{self.name}: {message}")


class _KeyProblem(Exception):
    pass


def _body_or_problem(download: Future[bytes]) -> bytes | str:
    """The downloaded bytes, or why the object could not be downloaded (a problem for the key)."""
    try:
        return download.result()
    except _KeyProblem as problem:
        return str(problem)


def _days(since: datetime, until: datetime) -> list[date]:
    first = since.astimezone(UTC).date()
    last = until.astimezone(UTC).date()
    out = []
    d = first
    while d <= last:
        out.append(d)
        d += timedelta(days=1)
    return out
