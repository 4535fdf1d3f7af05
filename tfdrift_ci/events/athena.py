"""``--events athena://WORKGROUP/DATABASE.TABLE``: CloudTrail logs queried in place with Athena.

For organisations whose trail is too big to download: the filter goes down as SQL — the
(eventSource, eventName) pairs, the time window on ``eventtime`` and on the table's date partition
(partition projection, ``"timestamp"`` as ``yyyy/MM/dd``; see docs/sources.md for the DDL), write
events only, and the known resource names when every declared resource's name is known. The query
is started, polled with backoff, its result pages read, and each row turned back into a CloudTrail
record and normalised like any other source.

Table columns follow the AWS DDL
(https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html):
``requestparameters``/``responseelements`` are STRING (JSON text), ``useridentity`` a STRUCT (read
field by field here, because Athena renders structs as non-JSON text).

Options after ``?``: ``output=s3://bucket/prefix/`` (when the workgroup sets no result location),
``partition=NAME`` (the date partition column, default ``timestamp``; empty for a table without
one), ``catalog=NAME`` (default ``AwsDataCatalog``), ``timeout=SECONDS`` (default 1800),
``region=REGION`` (the workgroup's region, default the AWS config region).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

from tfdrift_ci.errors import SourceError
from tfdrift_ci.events.base import Progress, Query
from tfdrift_ci.events.query_source import QuerySource, user_identity
from tfdrift_ci.events.records import Selector
from tfdrift_ci.events.s3 import DELIVERY_LAG
from tfdrift_ci.events.session import AwsSession
from tfdrift_ci.events.sql import UnsafeLiteral, identifier, in_list, iso_z, literal, pairs_condition
from tfdrift_ci.models import Event
from tfdrift_ci.textutil import one_line

# (alias, expression) — the record field each alias becomes is in _row_to_record.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("eventid", "eventid"),
    ("eventtime", "eventtime"),
    ("eventsource", "eventsource"),
    ("eventname", "eventname"),
    ("awsregion", "awsregion"),
    ("recipientaccountid", "recipientaccountid"),
    ("readonly", "readonly"),
    ("eventtype", "eventtype"),
    ("errorcode", "errorcode"),
    ("errormessage", "errormessage"),
    ("sourceipaddress", "sourceipaddress"),
    ("useragent", "useragent"),
    ("requestparameters", "requestparameters"),
    ("responseelements", "responseelements"),
    ("sessioncredentialfromconsole", "sessioncredentialfromconsole"),
    ("ui_type", "useridentity.type"),
    ("ui_principalid", "useridentity.principalid"),
    ("ui_arn", "useridentity.arn"),
    ("ui_accountid", "useridentity.accountid"),
    ("ui_invokedby", "useridentity.invokedby"),
    ("ui_accesskeyid", "useridentity.accesskeyid"),
    ("ui_username", "useridentity.username"),
    ("ui_issuer_type", "useridentity.sessioncontext.sessionissuer.type"),
    ("ui_issuer_arn", "useridentity.sessioncontext.sessionissuer.arn"),
    ("ui_issuer_username", "useridentity.sessioncontext.sessionissuer.username"),
    ("ui_issuer_accountid", "useridentity.sessioncontext.sessionissuer.accountid"),
    ("resource_arns", "json_format(CAST(transform(resources, r -> r.arn) AS JSON))"),
)
MAX_PUSHED_NAMES = 200
_POLL = (0.5, 1.0, 2.0, 3.0, 5.0)
_TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
ATHENA_ACTIONS = (
    "athena:StartQueryExecution, athena:GetQueryExecution, athena:GetQueryResults, glue:GetTable, "
    "s3:GetObject/s3:ListBucket on the trail bucket and s3:PutObject/s3:GetObject on the result location"
)


def parse_spec(spec: str) -> dict[str, str]:
    text = spec.strip()[len("athena://") :]
    path, _, query = text.partition("?")
    workgroup, _, table = path.partition("/")
    database, dot, table_name = table.partition(".")
    if not workgroup or not dot or not database or not table_name:
        raise SourceError(f"--events {spec!r}: expected athena://WORKGROUP/DATABASE.TABLE")
    options = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    unknown = set(options) - {"output", "partition", "catalog", "timeout", "region"}
    if unknown:
        raise SourceError(f"--events {spec!r}: unknown option(s) {', '.join(sorted(unknown))}")
    for value, what in ((workgroup, "workgroup"), (database, "database"), (table_name, "table")):
        identifier(value, what)
    partition = options.get("partition", "timestamp")
    if partition:
        identifier(partition, "partition column")
    output = options.get("output", "")
    if output and not output.startswith("s3://"):
        raise SourceError(f"--events {spec!r}: output must be an s3:// location")
    try:
        timeout = str(float(options.get("timeout", "1800")))
    except ValueError:
        raise SourceError(f"--events {spec!r}: timeout must be a number of seconds") from None
    catalog = options.get("catalog", "AwsDataCatalog")
    identifier(catalog, "catalog")
    region = options.get("region", "")
    if region and not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region):
        raise SourceError(f"--events {spec!r}: region {region!r} is not an AWS region name")
    return {
        "workgroup": workgroup,
        "database": database,
        "table": table_name,
        "partition": partition,
        "output": output,
        "catalog": catalog,
        "timeout": timeout,
        "region": region,
    }


# Columns of the current AWS DDL that tables created from older versions of the page lack: a query
# that fails on one of them is run again without it (the field is then simply absent).
OPTIONAL_COLUMNS = frozenset({"sessioncredentialfromconsole"})


def build_sql(
    query: Query,
    database: str,
    table: str,
    partition: str,
    columns: tuple[tuple[str, str], ...] = COLUMNS,
) -> str:
    """The SELECT for one run (validated literals only)."""
    by_source: dict[str, set[str]] = {}
    for source, name in query.event_names:
        by_source.setdefault(source, set()).add(name)
    select = ",\n       ".join(expr if expr == alias else f"{expr} AS {alias}" for alias, expr in columns)
    where = [
        pairs_condition(by_source, "eventsource", "eventname"),
        f"eventtime >= {literal(iso_z(query.window.since))}",
        f"eventtime < {literal(iso_z(query.window.until))}",
        "(readonly IS NULL OR readonly <> 'true')",
        "(eventtype IS NULL OR eventtype <> 'AwsServiceEvent')",
    ]
    if partition:
        # Folder dates are delivery days: a file delivered the day after the window still counts.
        first = query.window.since.strftime("%Y/%m/%d")
        last = (query.window.until - timedelta(microseconds=1) + DELIVERY_LAG).strftime("%Y/%m/%d")
        where.append(f'"{partition}" BETWEEN {literal(first)} AND {literal(last)}')
    names = names_condition(query)
    if names:
        where.append(names)
    return (
        f"SELECT {select}\nFROM {identifier(database, 'database')}.{identifier(table, 'table')}\n"
        f"WHERE " + "\n  AND ".join(where) + "\nORDER BY eventtime"
    )


def names_condition(query: Query) -> str | None:
    """``(eventname IN (<creating events>) OR strpos(requestparameters, 'api') > 0 OR …)`` when
    every declared resource's name is known (``Query.resource_names_complete``) and every name is a
    safe literal; else None (no push-down: slower, never incomplete). A substring match only
    narrows; exact matching stays in the engine."""
    names = query.resource_names
    if not query.resource_names_complete or not names or len(names) > MAX_PUSHED_NAMES:
        return None
    try:
        parts = [f"strpos(requestparameters, {literal(n)}) > 0" for n in sorted(set(names))]
    except UnsafeLiteral:
        return None
    if query.creating_events is None:
        return None  # which events create a resource is not known: narrowing could lose them
    # an undeclared resource created beside declared ones is a finding: creating events stay whole
    creating = sorted({n for s, n in query.event_names if (s, n) in query.creating_events})
    if creating:
        parts.insert(0, f"eventname IN {in_list(creating)}")
    return "(" + " OR ".join(parts) + ")"


class AthenaSource(QuerySource):
    service_label = "Athena"
    needed_actions = ATHENA_ACTIONS

    def __init__(
        self,
        session: AwsSession | None,
        spec: str,
        *,
        log: Callable[[str], None] | None = None,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.options = parse_spec(spec)
        super().__init__(session, spec, log=log, client=client, sleep=sleep)

    def events(self, query: Query, progress: Progress | None = None) -> Iterator[Event]:
        from botocore.exceptions import BotoCoreError, ClientError

        selector = Selector(query)
        self._begin(query)
        o = self.options
        client = self._get_client()
        columns = COLUMNS
        try:
            while True:
                self.sql = build_sql(query, o["database"], o["table"], o["partition"], columns)
                self._say(f"Athena workgroup {o['workgroup']} SQL:\n{self.sql}")
                params: dict[str, Any] = {
                    "QueryString": self.sql,
                    "WorkGroup": o["workgroup"],
                    "QueryExecutionContext": {"Database": o["database"], "Catalog": o["catalog"]},
                }
                if o["output"]:
                    params["ResultConfiguration"] = {"OutputLocation": o["output"]}
                started = self._count(client.start_query_execution(**params))
                qid = started.get("QueryExecutionId")
                if not qid:
                    self._not_the_service("a query id")
                    self._done = True
                    return
                self._say(f"query {qid} started")
                if self._wait(client, qid, float(o["timeout"])):
                    break
                missing = [c for c in OPTIONAL_COLUMNS if c in (self._problem or "").lower()]
                if columns is COLUMNS and missing:
                    self._say(
                        f"the table has no {', '.join(missing)} column (older DDL): querying without it"
                    )
                    self._problem = None
                    columns = tuple(c for c in COLUMNS if c[0] not in OPTIONAL_COLUMNS)
                    continue
                self._done = True
                return
            rows_read = 0
            token: str | None = None
            first = True
            while True:
                if self._spent_paging(qid, rows_read):
                    break
                self._meter.add_page()
                args: dict[str, Any] = {"QueryExecutionId": qid, "MaxResults": 1000}
                if token:
                    args["NextToken"] = token
                page = self._count(client.get_query_results(**args))
                result_set = page.get("ResultSet")
                if not isinstance(result_set, dict):
                    self._problem = f"Athena answered without a result set for {qid} (is it Athena?)"
                    break
                rows = result_set.get("Rows") or []
                if first and rows and _is_header(rows[0], columns):
                    rows = rows[1:]
                first = False
                for row in rows:
                    rows_read += 1
                    yield from self._take(_row_to_record(row, columns), selector)
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

    # -------------------------------------------------------------------------------------------

    def _wait(self, client: Any, qid: str, timeout: float) -> bool:
        deadline = self._meter.elapsed() + timeout
        for attempt in range(1_000_000):
            got = self._count(client.get_query_execution(QueryExecutionId=qid))
            status = (got.get("QueryExecution") or {}).get("Status") or {}
            state = status.get("State")
            if state is None:
                self._not_the_service(f"a query state for {qid}")
                return False
            if state == "SUCCEEDED":
                return True
            if state in _TERMINAL:
                reason = one_line(str(status.get("StateChangeReason") or ""), 300)
                self._problem = f"Athena query {qid} {state}: {reason}"
                return False
            if self._meter.elapsed() >= deadline:
                self._problem = (
                    f"Athena query {qid} still {state} after {timeout:g}s: gave up (not cancelled)"
                )
                return False
            if self._spent(f"while Athena query {qid} was {state} (not cancelled)"):
                return False
            self._sleep(_POLL[min(attempt, len(_POLL) - 1)])
        return False  # pragma: no cover

    def _get_client(self) -> Any:
        if self._client is None:
            assert self._session is not None
            self._client = self._session.client("athena", self.options["region"] or None)
        return self._client


def _cells(row: Mapping[str, Any]) -> list[str | None]:
    return [c.get("VarCharValue") for c in row.get("Data") or []]


def _is_header(row: Mapping[str, Any], columns: tuple[tuple[str, str], ...]) -> bool:
    return _cells(row) == [alias for alias, _ in columns]


def _row_to_record(row: Mapping[str, Any], columns: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """One result row → a CloudTrail-shaped record (camelCase keys) for ``normalise``."""
    import json

    values = dict(zip((alias for alias, _ in columns), _cells(row), strict=False))
    ident = user_identity(values)
    resources: list[dict[str, Any]] = []
    arns = values.get("resource_arns")
    if arns:
        try:
            resources = [{"ARN": a} for a in json.loads(arns) if isinstance(a, str)]
        except ValueError:
            resources = []
    record: dict[str, Any] = {
        "eventID": values.get("eventid"),
        "eventTime": values.get("eventtime"),
        "eventSource": values.get("eventsource"),
        "eventName": values.get("eventname"),
        "awsRegion": values.get("awsregion"),
        "recipientAccountId": values.get("recipientaccountid"),
        "readOnly": values.get("readonly"),
        "eventType": values.get("eventtype"),
        "errorCode": values.get("errorcode"),
        "errorMessage": values.get("errormessage"),
        "sourceIPAddress": values.get("sourceipaddress"),
        "userAgent": values.get("useragent"),
        "requestParameters": values.get("requestparameters"),
        "responseElements": values.get("responseelements"),
        "sessionCredentialFromConsole": values.get("sessioncredentialfromconsole"),
        "userIdentity": {k: v for k, v in ident.items() if v is not None},
        "resources": resources,
    }
    return record
