"""``--notify webhook:URL_ENV[:SECRET_ENV]``: a JSON POST for your own receiver.

Body (``version`` "1")::

    {"version": "1", "tool": {"name": "tfdrift-ci", "version": …}, "event": "drift",
     "repository": "owner/name" | null, "run_url": … | null,
     "window": {"since": ISO, "until": ISO},
     "alerts": [{"status": "new" | "reopened", "root": …, "address": …, "resource_type": …,
                 "severity": …, "issue": {"number": …, "url": …} | null,
                 "findings": [<the JSON report's finding objects, new since the last sweep>]}]}

When a secret is set (``SECRET_ENV``, else ``TFDRIFT_WEBHOOK_SECRET``), the header
``X-Tfdrift-Signature-256: sha256=<hex>`` carries the HMAC-SHA256 of the exact body bytes with that
secret — the scheme of GitHub's ``X-Hub-Signature-256``, so the same verification code works:
compare ``hmac.new(secret, body, sha256).hexdigest()`` with :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from tfdrift_ci.models import iso
from tfdrift_ci.notify.base import Alerts, Message

VERSION = "1"
SIGNATURE_HEADER = "X-Tfdrift-Signature-256"
DEFAULT_SECRET_ENV = "TFDRIFT_WEBHOOK_SECRET"


def payload(alerts: Alerts) -> dict[str, object]:
    return {
        "version": VERSION,
        "tool": {"name": "tfdrift-ci", "version": alerts.tool_version},
        "event": "drift",
        "repository": alerts.repository,
        "run_url": alerts.run_url,
        "window": {"since": iso(alerts.window.since), "until": iso(alerts.window.until)},
        "alerts": [
            {
                "status": a.status,
                "root": a.root,
                "address": a.address,
                "resource_type": a.resource_type,
                "severity": a.severity,
                "issue": {"number": a.issue_number, "url": a.issue_url} if a.issue_number else None,
                "findings": [dict(f) for f in a.findings],
            }
            for a in alerts.alerts
        ],
    }


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def message(alerts: Alerts, secret: str | None = None) -> Message:
    body = json.dumps(payload(alerts), ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Tfdrift-Event": "drift"}
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    return Message(body, headers)
