"""``--events lake://EVENT_DATA_STORE``: CloudTrail Lake, queried with SQL.

The event data store is given by its id or ARN (the ARN's region picks the endpoint). The
(eventSource, eventName) pairs and the window go down as SQL; the query is started with
``StartQuery`` and polled and paged with ``GetQueryResults`` (whose ``QueryStatus`` says when it has
finished), so the source needs only ``cloudtrail:StartQuery`` and ``cloudtrail:GetQueryResults``
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-run-query.html). Lake keeps
``requestParameters``/``responseElements`` as maps; their text is parsed back (JSON, or the
``{key=value, …}`` rendering), and what cannot be parsed leaves the event marked ``truncated``
(values unknown) instead of guessed. Delivery to Lake takes about 5 minutes, like trails.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tfdrift_ci.errors import SourceError
from tfdrift_ci.events.base import Progress, Query
from tfdrift_ci.events.query_source import QuerySource, user_identity
from tfdrift_ci.events.records import Selector
from tfdrift_ci.events.session import AwsSession
from tfdrift_ci.events.sql import SAFE_IDENTIFIER, pairs_condition, timestamp_literal
from tfdrift_ci.models import Event
from tfdrift_ci.textutil import one_line

COLUMNS: tuple[tuple[str, str], ...] = (
    ("eventID", "eventID"),
    ("eventTime", "eventTime"),
    ("eventSource", "eventSource"),
    ("eventName", "eventName"),
    ("awsRegion", "awsRegion"),
    ("recipientAccountId", "recipientAccountId"),
    ("readOnly", "readOnly"),
    ("eventType", "eventType"),
    ("errorCode", "errorCode"),
    ("errorMessage", "errorMessage"),
    ("sourceIPAddress", "sourceIPAddress"),
    ("userAgent", "userAgent"),
    ("requestParameters", "requestParameters"),
    ("responseElements", "responseElements"),
    ("sessionCredentialFromConsole", "sessionCredentialFromConsole"),
    ("ui_type", "userIdentity.type"),
    ("ui_principalid", "userIdentity.principalid"),
    ("ui_arn", "userIdentity.arn"),
    ("ui_accountid", "userIdentity.accountid"),
    ("ui_invokedby", "userIdentity.invokedby"),
    ("ui_accesskeyid", "userIdentity.accesskeyid"),
    ("ui_username", "userIdentity.username"),
    ("ui_issuer_type", "userIdentity.sessioncontext.sessionissuer.type"),
    ("ui_issuer_arn", "userIdentity.sessioncontext.sessionissuer.arn"),
    ("ui_issuer_username", "userIdentity.sessioncontext.sessionissuer.username"),
    ("ui_issuer_accountid", "userIdentity.sessioncontext.sessionissuer.accountid"),
)
_POLL = (0.5, 1.0, 2.0, 3.0, 5.0)
LAKE_ACTIONS = "cloudtrail:StartQuery and cloudtrail:GetQueryResults on the event data store"


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``lake://ID`` or ``lake://arn:aws:cloudtrail:REGION:ACCT:eventdatastore/ID`` → (id, region)."""
    text = spec.strip()[len("lake://") :].strip("/")
    region: str | None = None
    if text.startswith("arn:"):
        parts = text.split(":")
        if len(parts) < 6 or not parts[5].startswith("eventdatastore/"):
            raise SourceError(f"--events {spec!r}: expected lake://EVENT_DATA_STORE_ID or its ARN")
        region = parts[3] or None
        text = parts[5].split("/", 1)[1]
    if not text or not SAFE_IDENTIFIER.match(text):
        raise SourceError(f"--events {spec!r}: expected lake://EVENT_DATA_STORE_ID or its ARN")
    return text, region


def build_sql(query: Query, store: str) -> str:
    by_source: dict[str, set[str]] = {}
    for source, name in query.event_names:
        by_source.setdefault(source, set()).add(name)
    select = ",\n       ".join(expr if expr == alias else f"{expr} AS {alias}" for alias, expr in COLUMNS)
    if not SAFE_IDENTIFIER.match(store):
        raise SourceError(f"invalid event data store id {store!r}")
    where = [
        pairs_condition(by_source, "eventSource", "eventName"),
        f"eventTime >= {timestamp_literal(query.window.since)}",
        f"eventTime < {timestamp_literal(query.window.until)}",
    ]
    return f"SELECT {select}\nFROM {store}\nWHERE " + "\n  AND ".join(where) + "\nORDER BY eventTime"


class LakeSource(QuerySource):
    service_label = "CloudTrail Lake"
    needed_actions = LAKE_ACTIONS

    def __init__(
        self,
        session: AwsSession | None,
        spec: str,
        *,
        log: Callable[[str], None] | None = None,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 1800.0,
    ) -> None:
        self.store, self.region = parse_spec(spec)
        self._timeout = timeout
        super().__init__(session, spec, log=log, client=client, sleep=sleep)

    def events(self, query: Query, progress: Progress | None = None) -> Iterator[Event]:
        from botocore.exceptions import BotoCoreError, ClientError

        selector = Selector(query)
        self._begin(query)
        self.sql = build_sql(query, self.store)
        self._say(f"CloudTrail Lake SQL:\n{self.sql}")
        client = self._get_client()
        try:
            qid = self._count(client.start_query(QueryStatement=self.sql)).get("QueryId")
            if not qid:
                self._not_the_service("a query id")
                self._done = True
                return
            self._say(f"query {qid} started")
            deadline = self._meter.elapsed() + self._timeout
            token: str | None = None
            attempt = 0
            rows_read = 0
            while True:
                if token and self._spent_paging(qid, rows_read):
                    break
                args: dict[str, Any] = {"QueryId": qid}
                if token:
                    args["NextToken"] = token
                page = self._count(client.get_query_results(**args))
                state = page.get("QueryStatus")
                if state in ("QUEUED", "RUNNING"):
                    if self._meter.elapsed() >= deadline:
                        self._problem = f"CloudTrail Lake query {qid} still {state} after {self._timeout:g}s"
                        break
                    if self._spent(f"while CloudTrail Lake query {qid} was {state} (not cancelled)"):
                        break
                    self._sleep(_POLL[min(attempt, len(_POLL) - 1)])
                    attempt += 1
                    continue
                if state != "FINISHED":
                    reason = one_line(str(page.get("ErrorMessage") or ""), 300)
                    self._problem = f"CloudTrail Lake query {qid} {state}: {reason}"
                    break
                self._meter.add_page()
                for row in page.get("QueryResultRows") or []:
                    rows_read += 1
                    yield from self._take(row_to_record(row), selector)
                if progress:
                    progress(self.name, rows_read, None)
                token = page.get("NextToken")
                if not token:
                    break
        except ClientError as err:
            self._problem = self._client_error(err)
        except BotoCoreError as err:
            self._problem = self._transport_error(err)
        self._done = True

    def _get_client(self) -> Any:
        if self._client is None:
            assert self._session is not None
            self._client = self._session.client("cloudtrail", self.region)
        return self._client


def row_to_record(row: list[Mapping[str, Any]]) -> dict[str, Any]:
    """One ``QueryResultRows`` row (a list of one-key dicts) → a CloudTrail-shaped record."""
    values: dict[str, Any] = {}
    for cell in row:
        if isinstance(cell, Mapping):
            values.update(cell)
    ident = user_identity(values)
    record: dict[str, Any] = {alias: values.get(alias) for alias, _ in COLUMNS if not alias.startswith("ui_")}
    record["userIdentity"] = {k: v for k, v in ident.items() if v not in (None, "")}
    for key in ("requestParameters", "responseElements"):
        record[key] = parse_map_text(record.get(key))
    return record


def parse_map_text(value: Any) -> Any:
    """Lake map text → dict. JSON passes through; ``{k=v, k2={a=1}}`` is split at top-level commas,
    with each value read as JSON when it is JSON. Anything else is returned unchanged (a string the
    normaliser then marks as truncated/unknown)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text or text == "null":
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    if not (text.startswith("{") and text.endswith("}")):
        return value
    out: dict[str, Any] = {}
    for part in _split_top(text[1:-1]):
        key, eq, raw = part.partition("=")
        if not eq or not key.strip():
            return value
        item = raw.strip()
        try:
            out[key.strip()] = json.loads(item)
        except ValueError:
            nested = parse_map_text(item) if item.startswith("{") else item
            out[key.strip()] = nested
    return out


def _split_top(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    quote = False
    start = 0
    for i, ch in enumerate(text):
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quote = not quote
        elif not quote and ch in "{[":
            depth += 1
        elif not quote and ch in "}]":
            depth -= 1
        elif not quote and depth == 0 and ch == ",":
            parts.append(text[start:i])
            start = i + 1
    tail = text[start:]
    if tail.strip():
        parts.append(tail)
    return [p.strip() for p in parts if p.strip()]
