"""What an alert carries, where it goes, and the one HTTP POST every notifier uses.

Webhook URLs are secrets (a Slack or Teams webhook URL is all it takes to post to the channel): they
are read only from environment variables named on the command line (never from repository config),
kept out of every ``repr``, and never printed — an error names the target as given on the command
line (``slack:SLACK_WEBHOOK_URL``), never the URL, not even with ``--debug``.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import field
from typing import Any, Literal

from tfdrift_ci import __version__
from tfdrift_ci.errors import TfdriftError
from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Window
from tfdrift_ci.textutil import one_line

TIMEOUT = 15.0
MAX_ATTEMPTS = 3
MAX_WAIT = 30.0  # a longer Retry-After is not waited for
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


class NotifyError(TfdriftError):
    """An alert that could not be delivered (the message never holds the URL)."""


@frozen
class Line:
    """One drifted attribute, as the chat messages show it."""

    attribute: str
    declared: str
    actual: str
    who: str
    via: str
    when: str  # 2026-11-04 09:14 UTC
    event_name: str


@frozen
class Alert:
    """New (or returned) drift on one resource."""

    status: Literal["new", "reopened"]
    root: str
    address: str
    resource_type: str
    severity: str
    lines: tuple[Line, ...]
    findings: tuple[Mapping[str, Any], ...]  # the JSON report's finding objects
    issue_number: int | None = None
    issue_url: str | None = None


@frozen
class Alerts:
    alerts: tuple[Alert, ...]
    window: Window
    repository: str | None = None  # owner/name on GitHub
    run_url: str | None = None  # the workflow run, when known
    tool_version: str = __version__


@frozen
class Target:
    """One ``--notify KIND:URL_ENV[:SECRET_ENV]``. ``spec`` (env var names only) is what is shown."""

    kind: str
    spec: str
    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)


@frozen
class Message:
    body: bytes
    headers: Mapping[str, str]


def check_url(url: str, spec: str) -> None:
    """https only (plain http to a loopback address is allowed for local receivers and tests), and
    no space or control character inside (urllib would refuse it later with the URL in its message)."""
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url.strip()):
        raise NotifyError(
            f"--notify {spec}: the URL holds spaces or control characters (the value is not shown)"
        )
    try:
        parts = urllib.parse.urlsplit(url.strip())
    except ValueError:
        raise NotifyError(f"--notify {spec}: the variable does not hold a URL") from None
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host in LOOPBACK:
        return
    raise NotifyError(f"--notify {spec}: the URL must start with https:// (the value is not shown)")


def _reason(err: BaseException, url: str) -> str:
    """An exception's text with the URL, its path and its query taken out."""
    text = str(getattr(err, "reason", err))
    parts = urllib.parse.urlsplit(url)
    for secret in (url, parts.path, parts.query):
        if secret and len(secret) > 1:
            text = text.replace(secret, "…")
    return one_line(f"{type(getattr(err, 'reason', err)).__name__}: {text}", 200)


def post(target: Target, message: Message, *, sleep: Any = None) -> None:
    """POST ``message`` to ``target``; retried on 5xx, 429 and connection errors. Raises
    :class:`NotifyError` naming ``target.spec`` only."""
    headers = {"User-Agent": f"tfdrift-ci/{__version__}", **message.headers}
    attempt = 0
    while True:
        url = target.url.strip()
        request = urllib.request.Request(url, data=message.body, method="POST", headers=headers)
        wait: float | None
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as resp:
                resp.read()
                return
        except urllib.error.HTTPError as err:
            status = err.code
            retry_after = err.headers.get("retry-after") if err.headers else None
            err.close()
            if status == 429 or status >= 500:
                try:
                    wait = float(retry_after) if retry_after is not None else float(2**attempt)
                except ValueError:
                    wait = float(2**attempt)
            else:
                wait = None
            problem = f"HTTP {status}"
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as err:
            wait = float(2**attempt)
            problem = f"cannot deliver ({_reason(err, target.url)})"
        except (http.client.HTTPException, ValueError) as err:
            # A URL or a response urllib refuses; its message may quote the URL: never shown.
            raise NotifyError(f"--notify {target.spec}: cannot deliver ({type(err).__name__})") from None
        if wait is None or attempt + 1 >= MAX_ATTEMPTS or wait > MAX_WAIT:
            raise NotifyError(f"--notify {target.spec}: {problem}")
        (sleep or _sleep)(wait)
        attempt += 1
