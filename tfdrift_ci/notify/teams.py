"""``--notify teams:ENV_NAME``: a Microsoft Teams Workflows webhook ("When a Teams webhook request is
received"), which posts an Adaptive Card
(https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using).

One card per sweep: a title, one block per resource (at most :data:`MAX_BLOCKS`), and buttons to the
issues. Untrusted values go through :func:`tfdrift_ci.report.escape.teams_text`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tfdrift_ci.models import iso
from tfdrift_ci.notify.base import Alerts, Message
from tfdrift_ci.report.escape import teams_text

MAX_BLOCKS = 20
_SAFE_URL = re.compile(r"^https://[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+$")


def message(alerts: Alerts) -> Message:
    n = len(alerts.alerts)
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "size": "Medium",
            "weight": "Bolder",
            "wrap": True,
            "text": f"tfdrift-ci: {n} resource{'s' if n != 1 else ''} changed outside Terraform"
            + (f" in {teams_text(alerts.repository)}" if alerts.repository else ""),
        }
    ]
    actions: list[dict[str, Any]] = []
    for alert in alerts.alerts[:MAX_BLOCKS]:
        where = f" in {teams_text(alert.root)}" if alert.root not in (".", "") else ""
        status = "drift is back" if alert.status == "reopened" else "changed outside Terraform"
        lines = [f"**{teams_text(alert.address, 200)}**{where} ({alert.severity}): {status}"]
        for line in alert.lines:
            lines.append(
                f"- {teams_text(line.attribute or 'the resource', 80)}: {teams_text(line.declared, 120)} → "
                f"{teams_text(line.actual, 120)} by {teams_text(line.who, 80)} ({teams_text(line.via)}) "
                f"on {teams_text(line.when)}"
            )
        body.append({"type": "TextBlock", "wrap": True, "separator": True, "text": "\n".join(lines)})
        if alert.issue_url and _SAFE_URL.match(alert.issue_url) and len(actions) < 5:
            actions.append(
                {"type": "Action.OpenUrl", "title": f"#{alert.issue_number}", "url": alert.issue_url}
            )
    if n > MAX_BLOCKS:
        body.append({"type": "TextBlock", "wrap": True, "text": f"… and {n - MAX_BLOCKS} more"})
    body.append(
        {
            "type": "TextBlock",
            "wrap": True,
            "isSubtle": True,
            "size": "Small",
            "text": f"window {iso(alerts.window.since)} → {iso(alerts.window.until)}",
        }
    )
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if actions:
        card["actions"] = actions
    payload = {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }
    return Message(
        json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        {"Content-Type": "application/json; charset=utf-8"},
    )
