"""What the SQL sources (Athena, CloudTrail Lake) share: start a query, count API calls, turn rows
into events through the one selector, and report honestly what was read.

Each subclass supplies the service-specific parts (building the SQL, polling, paging, mapping a row
to a CloudTrail-shaped record) and calls ``_take`` for every record and ``_fail`` on a ClientError.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tfdrift_ci.events.base import Query
from tfdrift_ci.events.budget import Budget
from tfdrift_ci.events.normalise import MalformedRecord
from tfdrift_ci.events.records import Selector, Tally
from tfdrift_ci.events.session import ACCESS_DENIED, EXPIRED, AwsSession, error_code
from tfdrift_ci.models import Event, SourceStatus
from tfdrift_ci.textutil import one_line


class QuerySource:
    service_label = "query"  # "Athena", "CloudTrail Lake": used in messages
    needed_actions = ""  # the IAM actions named when access is denied

    def __init__(
        self,
        session: AwsSession | None,
        spec: str,
        *,
        log: Callable[[str], None] | None = None,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = spec.strip()
        self._session = session
        self._client = client
        self._log = log
        self._sleep = sleep
        self._meter = Budget().start()  # replaced by the query's budget when events() starts
        self._tally = Tally()
        self.api_calls = 0
        self.sql: str | None = None
        self._problem: str | None = None
        self._unusable = False  # the endpoint never answered as the service
        self._done = False

    def status(self) -> SourceStatus:
        notes = [self._problem] if self._problem else []
        malformed = self._tally.malformed_note()
        if malformed:
            notes.append(malformed)
        if not self._done:
            notes.append("not read to the end")
        return SourceStatus(
            name=self.name,
            events_read=self._tally.events_read,
            api_calls=self.api_calls,
            complete=self._done and self._problem is None,
            error="; ".join(notes) or None,
            malformed=self._tally.malformed,
        )

    def unusable(self) -> str | None:
        """The service could not be reached, or never answered as itself."""
        return self._problem if self._unusable else None

    def notices(self) -> list[str]:
        return []

    def _begin(self, query: Query) -> None:
        self._meter = query.budget.start()

    def _spent(self, doing: str, *, pages: bool = False) -> bool:
        """Whether the budget (time; result pages when ``pages``) is spent; if so, the problem
        says so, with ``doing`` (what was going on)."""
        why = self._meter.spent(pages=pages)
        if why:
            self._problem = f"stopped: {why} {doing}"
        return why is not None

    def _spent_paging(self, qid: str, rows_read: int) -> bool:
        """Before the next result page: whether the budget (time or pages) is spent."""
        doing = (
            f"after {self._meter.pages:,} result page(s) ({rows_read:,} rows) of query {qid}; "
            "the other rows were not read"
        )
        return self._spent(doing, pages=True)

    def _not_the_service(self, what: str) -> None:
        """An answer without ``what``: not this service (a proxy's page, a wrong endpoint URL)."""
        label = self.service_label
        self._problem = f"{label} answered without {what} (is the endpoint {label}?)"
        self._unusable = self.api_calls <= 1

    def _transport_error(self, err: Exception) -> str:
        """One line for a BotoCoreError that stopped the query (after botocore's bounded retries);
        an endpoint that never answered makes the source unusable."""
        from botocore.exceptions import ConnectionError as BotoConnectionError

        if isinstance(err, BotoConnectionError) and not self.api_calls:
            self._unusable = True
            return f"cannot reach {self.service_label}: {one_line(str(err), 300)}"
        return f"{self.service_label} unreachable: {one_line(str(err), 300)}"

    def _take(self, record: Mapping[str, Any], selector: Selector) -> Iterator[Event]:
        try:
            event = selector.select(record)
        except MalformedRecord as err:
            self._tally.bad(str(err))
            return
        if event is not None and self._tally.add(event):
            yield event

    def _client_error(self, err: Any) -> str:
        """One line for a ClientError that stopped the query (the API call is counted here)."""
        self._count(getattr(err, "response", None))
        code = error_code(err)
        message = one_line(str(err.response.get("Error", {}).get("Message", "")), 300)
        if code in ACCESS_DENIED:
            return f"{code}: {message} (needs {self.needed_actions})"
        if code in EXPIRED:
            return f"the AWS credentials expired or are invalid ({code})"
        return f"{self.service_label} {code or 'error'}: {message}"

    def _count(self, response: Any) -> Any:
        retries = int(((response or {}).get("ResponseMetadata") or {}).get("RetryAttempts") or 0)
        self.api_calls += 1 + retries
        return response

    def _say(self, message: str) -> None:
        if self._log:
            self._log(f"{self.name}: {message}")


def user_identity(values: Mapping[str, Any]) -> dict[str, Any]:
    """``userIdentity`` rebuilt from the flattened ``ui_*`` columns both SQL sources select."""
    ident: dict[str, Any] = {
        "type": values.get("ui_type"),
        "principalId": values.get("ui_principalid"),
        "arn": values.get("ui_arn"),
        "accountId": values.get("ui_accountid"),
        "invokedBy": values.get("ui_invokedby"),
        "accessKeyId": values.get("ui_accesskeyid"),
        "userName": values.get("ui_username"),
    }
    if values.get("ui_issuer_arn"):
        ident["sessionContext"] = {
            "sessionIssuer": {
                "type": values.get("ui_issuer_type"),
                "arn": values.get("ui_issuer_arn"),
                "userName": values.get("ui_issuer_username"),
                "accountId": values.get("ui_issuer_accountid"),
            }
        }
    return ident
