"""Where the sweep's records live: GitHub issues (the default in Actions) or a JSON file
(``--state FILE``, to run without GitHub: a local cron, another CI).

Both stores load a :class:`State` and carry out a :class:`Plan`; the decision itself
(:func:`tfdrift_ci.sweep.reconcile.reconcile`) never sees either. ``STORES`` is the registry.

GitHub failures never raise out of :meth:`GitHubStore.apply`: a token without ``issues: write``
(403) stops the writes with one clear warning, other failures are warned per issue, and the exit
code stays the one the findings decide.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Protocol

from tfdrift_ci.errors import ConfigError, GitHubError
from tfdrift_ci.github.comments import Client, GitHubApiError
from tfdrift_ci.github.context import Context
from tfdrift_ci.github.issues import Issue, Issues
from tfdrift_ci.models import iso
from tfdrift_ci.report.escape import one_line
from tfdrift_ci.sweep import render
from tfdrift_ci.sweep.reconcile import Action, Plan
from tfdrift_ci.sweep.records import (
    FORMAT,
    MARKER_PREFIX,
    SUMMARY_KEY,
    Record,
    State,
    decode_state,
    marker,
    parse_time,
    record_from_json,
)


@dataclass
class Applied:
    """What a store did: the issue of each record it wrote (for alerts), lines for the log, and
    warnings. ``ok`` is False when the store could not save the sweep's state."""

    issues: dict[str, tuple[int, str | None]] = field(default_factory=dict)  # key -> (number, url)
    done: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ok: bool = True


class Store(Protocol):
    name: str
    cap: int | None  # issues opened per run (None: no limit)

    def load(self) -> State: ...

    def apply(self, plan: Plan, until: datetime) -> Applied: ...

    def save(self, records: Sequence[Record], plan: Plan, until: datetime) -> list[str]:
        """Write changed records again (their alert state); returns warnings."""
        ...


# --------------------------------------------------------------------------------------------------
# --state FILE


class FileStore:
    """``{"format": 1, "last_until": ISO, "records": [...]}``, written atomically."""

    name = "state file"
    cap: int | None = None

    def __init__(self, path: str) -> None:
        self.path = path

    def load(self) -> State:
        try:
            with open(self.path, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            return State()  # the first sweep
        except (OSError, ValueError) as err:
            raise ConfigError(
                f"--state {self.path}: cannot read it: {getattr(err, 'strerror', None) or err}"
            ) from None
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or not isinstance(data.get("records"), list)
        ):
            raise ConfigError(f"--state {self.path}: not a tfdrift-ci sweep state file (format {FORMAT})")
        records: dict[str, Record] = {}
        for i, item in enumerate(data["records"]):
            record = record_from_json(item)
            if record is None:
                raise ConfigError(f"--state {self.path}: record {i} is damaged")
            records[record.key] = record
        return State(records=records, last_until=parse_time(data.get("last_until")))

    def _write(self, records: Mapping[str, Record], until: datetime) -> None:
        data = {
            "format": FORMAT,
            "last_until": iso(until),
            "records": [r.as_json() for _, r in sorted(records.items())],
        }
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        directory = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tfdrift-state-", dir=directory)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, self.path)
        except OSError as err:
            raise ConfigError(f"--state {self.path}: cannot write it: {err.strerror or err}") from None

    def apply(self, plan: Plan, until: datetime) -> Applied:
        self._write(plan.records, until)
        return Applied(done=[describe(a) for a in plan.actions])

    def save(self, records: Sequence[Record], plan: Plan, until: datetime) -> list[str]:
        merged = dict(plan.records)
        merged.update({r.key: r for r in records})
        self._write(merged, until)
        return []


def describe(action: Action, ref: str = "") -> str:
    r = action.record
    where = f" ({r.root})" if r.root not in (".", "") else ""
    words = {
        "open": "new drift",
        "update": "more drift" if action.new else "part of the drift gone",
        "close": "drift gone",
        "reopen": "drift returned",
        "pending": "new drift (over the cap: listed in the summary issue)",
        "drop": "drift gone before its issue was opened",
    }
    return f"{words[action.kind]}: {r.address}{where}{ref}"


# --------------------------------------------------------------------------------------------------
# GitHub issues


def _hint(err: GitHubApiError) -> str:
    if err.status == 403:
        return " (give the job `permissions: issues: write`)"
    if err.status == 404:
        return " (the issue is gone, or the token cannot see the repository)"
    if err.status == 410:
        return " (issues are turned off for this repository)"
    return ""


_KEY = re.compile(rf"^(?:[0-9a-f]{{20}}|{SUMMARY_KEY})$")


class GitHubStore:
    name = "GitHub issues"

    def __init__(
        self,
        ctx: Context,
        *,
        label: str,
        cap: int,
        template_dir: str | None = None,
        client: Client | None = None,
    ) -> None:
        self.label = label
        self.cap: int | None = cap
        self.template_dir = template_dir
        self.issues = Issues(client or Client(ctx))
        self.summary: Issue | None = None
        self._by_key: dict[str, Issue] = {}
        self._stopped: str | None = None  # why writes stopped (a 403)

    # ----------------------------------------------------------------------------------------------

    def load(self) -> State:
        warnings: list[str] = []
        records: dict[str, Record] = {}
        for issue in self.issues.labelled(self.label):
            text = issue.body.lstrip()
            if not text.startswith(MARKER_PREFIX):
                continue
            key = text[len(MARKER_PREFIX) :].split(" -->", 1)[0].strip()
            if not _KEY.match(key):
                warnings.append(f"issue #{issue.number}: its tfdrift-ci marker is damaged: ignored")
                continue
            if not issue.trusted:
                warnings.append(
                    f"issue #{issue.number} carries a tfdrift-ci marker but was not written by "
                    f"{self.issues.identity().login} (this token's identity): ignored"
                )
                continue
            if key in self._by_key or (key == SUMMARY_KEY and self.summary is not None):
                first = self.summary if key == SUMMARY_KEY else self._by_key[key]
                assert first is not None
                warnings.append(
                    f"issues #{first.number} and #{issue.number} carry the same key: "
                    f"#{issue.number} is ignored"
                )
                continue
            data = decode_state(text)
            if key == SUMMARY_KEY:
                self.summary = issue
                for item in data.get("pending", []) if isinstance(data, dict) else []:
                    record = record_from_json(item)
                    if record is not None and record.key not in records:
                        records[record.key] = replace(record, status="pending")
                continue
            self._by_key[key] = issue
            record = record_from_json(data)
            if record is None or record.key != key:
                warnings.append(
                    f"issue #{issue.number}: its hidden state is missing or damaged; rebuilt from new changes"
                )
                record = Record(key=key, root="", address="", resource_type="", status="open")
            records[key] = replace(record, status=issue.state, issue=issue.number, url=issue.url)
        swept = [r.swept for r in records.values() if r.swept is not None]
        return State(records=records, last_until=max(swept) if swept else None, warnings=tuple(warnings))

    # ----------------------------------------------------------------------------------------------

    def _try(self, out: Applied, what: str, fn: Callable[[], object]) -> bool:
        """Run one write; a failure becomes a warning (a 403 or a network failure stops the rest)."""
        if self._stopped is not None:
            return False
        try:
            fn()
            return True
        except GitHubApiError as err:
            out.ok = False
            out.warnings.append(f"{what}: {one_line(str(err), 300)}{_hint(err)}")
            if err.status in (401, 403):
                self._stopped = "no write access"
            return False
        except GitHubError as err:
            out.ok = False
            out.warnings.append(f"{what}: {one_line(str(err), 300)}")
            self._stopped = "GitHub unreachable"
            return False

    def _comments(self, out: Applied, number: int, action: Action) -> None:
        for text in render.comments(
            action.kind, action.record, action.new, action.resolved, template_dir=self.template_dir
        ):
            if not self._try(out, f"comment on issue #{number}", partial(self.issues.comment, number, text)):
                return

    def _body(self, record: Record) -> str:
        return render.body(record, template_dir=self.template_dir)

    def _one(self, out: Applied, action: Action) -> None:
        record = action.record
        prev = action.previous
        if action.kind in ("pending", "drop"):
            out.done.append(describe(action))
            return
        if action.kind == "open":
            created: list[Issue] = []
            body = self._body(record)
            ok = self._try(
                out,
                f"open an issue for {record.address}",
                lambda: created.append(
                    self.issues.create(
                        render.title(record), body, (self.label,), marker=body.split("\n", 1)[0]
                    )
                ),
            )
            if ok and created:
                out.issues[record.key] = (created[0].number, created[0].url)
                out.done.append(describe(action, f" → #{created[0].number}"))
            return
        if prev is None or prev.issue is None:
            return
        number = prev.issue
        out.issues[record.key] = (number, prev.url)
        body = self._body(record)
        changed_body = body != self._by_key[record.key].body if record.key in self._by_key else True
        update = partial(self.issues.update, number, body=body)
        if action.kind == "reopen":
            if not self._try(
                out, f"reopen issue #{number}", partial(update, state="open", state_reason="reopened")
            ):
                return
            self._comments(out, number, action)
        elif action.kind == "close":
            self._comments(out, number, action)
            if not self._try(
                out, f"close issue #{number}", partial(update, state="closed", state_reason="completed")
            ):
                return
        else:
            self._comments(out, number, action)
            if changed_body and not self._try(out, f"update issue #{number}", update):
                return
        out.done.append(describe(action, f" → #{number}"))

    def _summary(self, out: Applied, plan: Plan) -> None:
        pending = plan.pending
        issue = self.summary
        if not pending:
            if issue is not None and issue.state == "open":
                text = (
                    "**✅ Every resource listed here now has its own issue, or its drift is gone: closing.**"
                )
                self._try(
                    out,
                    f"close summary issue #{issue.number}",
                    lambda: self.issues.comment(issue.number, text),
                )
                self._try(
                    out,
                    f"close summary issue #{issue.number}",
                    lambda: self.issues.update(issue.number, state="closed", state_reason="completed"),
                )
            return
        assert self.cap is not None
        body = render.summary_body(pending, cap=self.cap, template_dir=self.template_dir)
        created: list[Issue] = []
        if issue is None:
            create = partial(
                self.issues.create,
                render.SUMMARY_TITLE,
                body,
                (self.label,),
                marker=marker(SUMMARY_KEY),
            )
            if self._try(out, "open the summary issue", lambda: created.append(create())):
                self.summary = created[0]
                out.done.append(
                    f"summary issue #{created[0].number}: {len(pending)} resource(s) waiting "
                    f"over the cap of {self.cap}"
                )
        elif issue.body != body or issue.state != "open":
            update = partial(self.issues.update, issue.number, body=body)
            if issue.state != "open":
                update = partial(update, state="open", state_reason="reopened")
            if self._try(out, f"update summary issue #{issue.number}", update):
                self.summary = replace(issue, body=body, state="open")

    def apply(self, plan: Plan, until: datetime) -> Applied:
        out = Applied()
        for action in plan.actions:
            self._one(out, action)
        self._summary(out, plan)
        out.warnings.extend(n for n in self.issues.client.notes if n not in out.warnings)
        return out

    def save(self, records: Sequence[Record], plan: Plan, until: datetime) -> list[str]:
        out = Applied()
        for record in records:
            if record.status == "pending":
                continue
            number = record.issue
            if number is None:
                continue
            self._try(
                out, f"update issue #{number}", partial(self.issues.update, number, body=self._body(record))
            )
        if any(r.status == "pending" for r in records):
            merged = dict(plan.records)
            merged.update({r.key: r for r in records})
            self._summary(out, replace(plan, records=merged))
        return out.warnings
