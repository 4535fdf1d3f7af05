"""A small HTTPS client for registry requests and archive downloads (the standard library's urllib:
nothing to add to the install for a few GET requests).

- bounded: a connect/read timeout, at most 5 redirects, a byte cap on every body;
- a bearer token is sent with ``add_unredirected_header``: never to the target of a redirect;
- proxies come from the environment passed in (``HTTPS_PROXY``/``HTTP_PROXY``), as for git and boto3;
- errors are one line naming the host and path, never a query string or a token.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import field
from email.message import Message
from typing import IO

from tfdrift_ci.frozen import frozen
from tfdrift_ci.inventory.fetch.addresses import redact_url

USER_AGENT = "tfdrift-ci (module fetcher; Terraform registry protocol)"
TIMEOUT = 20.0  # seconds to connect, and between two reads
MAX_JSON_BYTES = 4 * 1024 * 1024
MAX_REDIRECTS = 5


class HttpError(Exception):
    """A request that failed: ``str()`` is safe to show (no token, no query)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@frozen
class Response:
    status: int
    url: str  # after redirects
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS


class Http:
    def __init__(self, env: Mapping[str, str], *, timeout: float = TIMEOUT, retries: int = 1) -> None:
        proxies = {}
        for scheme in ("http", "https"):
            value = env.get(f"{scheme}_proxy") or env.get(f"{scheme.upper()}_PROXY")
            if value:
                proxies[scheme] = value
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies), _Redirects())
        self.timeout = timeout
        self.retries = retries
        self.requests = 0  # made so far (for --debug and tests)

    def get(
        self,
        url: str,
        *,
        token: str | None = None,
        accept: str | None = None,
        max_bytes: int = MAX_JSON_BYTES,
        headers: Mapping[str, str] | None = None,
        sink: IO[bytes] | None = None,
    ) -> Response:
        """GET ``url``. 2xx/304 return (the body is written to ``sink`` when given, else kept); any
        other status, an unreachable host or a body over ``max_bytes`` raise :class:`HttpError`."""
        if not url.startswith(("https://", "http://")):
            raise HttpError(f"not an http(s) URL: {redact_url(url)}")
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(
                    url, token=token, accept=accept, max_bytes=max_bytes, headers=headers or {}, sink=sink
                )
            except HttpError as err:
                transient = err.status is None or err.status >= 500
                if not transient or attempt > self.retries or sink is not None:
                    raise
                time.sleep(0.3 * attempt)

    def _once(
        self,
        url: str,
        *,
        token: str | None,
        accept: str | None,
        max_bytes: int,
        headers: Mapping[str, str],
        sink: IO[bytes] | None,
    ) -> Response:
        request = urllib.request.Request(url, method="GET")
        request.add_header("User-Agent", USER_AGENT)
        if accept:
            request.add_header("Accept", accept)
        for key, value in headers.items():
            request.add_header(key, value)
        if token:
            request.add_unredirected_header("Authorization", f"Bearer {token}")
        shown = redact_url(url)
        self.requests += 1
        try:
            with self._opener.open(request, timeout=self.timeout) as resp:
                body = _read(resp, max_bytes, sink, shown)
                return Response(resp.status, resp.geturl(), _headers(resp.headers), body)
        except urllib.error.HTTPError as err:
            if err.code == 304:
                return Response(304, url, _headers(err.headers))
            reason = {401: "unauthorized (token missing or refused)", 403: "forbidden", 404: "not found"}
            raise HttpError(
                f"{shown}: HTTP {err.code} {reason.get(err.code, '')}".rstrip(), err.code
            ) from None
        except urllib.error.URLError as err:
            why = err.reason if isinstance(err.reason, str) else type(err.reason).__name__
            if isinstance(err.reason, OSError) and err.reason.strerror:
                why = err.reason.strerror
            raise HttpError(f"{shown}: unreachable ({why})") from None
        except TimeoutError:
            raise HttpError(f"{shown}: timed out after {self.timeout:g} s") from None
        except (OSError, ValueError) as err:  # connection reset mid-body, bad status line …
            raise HttpError(f"{shown}: {type(err).__name__}") from None


def _headers(msg: Message | None) -> dict[str, str]:
    return {k.lower(): v for k, v in msg.items()} if msg is not None else {}


def _read(resp: IO[bytes], max_bytes: int, sink: IO[bytes] | None, shown: str) -> bytes:
    total = 0
    chunks: list[bytes] = []
    while True:
        chunk = resp.read(64 * 1024)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise HttpError(f"{shown}: larger than {max_bytes // (1024 * 1024)} MB, not downloaded")
        if sink is not None:
            sink.write(chunk)
        else:
            chunks.append(chunk)
    return b"".join(chunks)
