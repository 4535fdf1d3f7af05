"""``--notify slack:ENV_NAME``: a Slack incoming webhook (https://api.slack.com/messaging/webhooks).

One message per sweep: a header, one section per resource (worst first, at most :data:`MAX_SECTIONS`,
then "and N more"), with ``text`` as the notification fallback. Every untrusted value goes through
:func:`tfdrift_ci.report.escape.slack_text`; links are only the issue URLs GitHub gave us.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tfdrift_ci.models import iso
from tfdrift_ci.notify.base import Alert, Alerts, Message
from tfdrift_ci.report.escape import slack_text

MAX_SECTIONS = 20  # Slack allows 50 blocks per message
SECTION_LIMIT = 2900  # characters of a section's text (Slack's limit is 3000)
_SAFE_URL = re.compile(r"^https://[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+$")

ICONS = {"critical": ":red_circle:", "high": ":large_orange_circle:", "medium": ":large_yellow_circle:"}


def _link(url: str | None, label: str) -> str:
    if url and _SAFE_URL.match(url) and "|" not in url and ">" not in url:
        return f"<{url}|{slack_text(label)}>"
    return slack_text(label)


def _section(alert: Alert) -> str:
    where = f" in {slack_text(alert.root)}" if alert.root not in (".", "") else ""
    status = "drift is back" if alert.status == "reopened" else "changed outside Terraform"
    issue = f" · {_link(alert.issue_url, f'#{alert.issue_number}')}" if alert.issue_number else ""
    icon = ICONS.get(alert.severity, ":large_blue_circle:")
    head = f"{icon} *{slack_text(alert.address, 200)}*{where}: {status}{issue}"
    lines = [head]
    for line in alert.lines:
        lines.append(
            f"• {slack_text(line.attribute or 'the resource', 80)}: {slack_text(line.declared, 120)} → "
            f"{slack_text(line.actual, 120)} by {slack_text(line.who, 80)} ({slack_text(line.via)}) "
            f"on {slack_text(line.when)}"
        )
    text = "\n".join(lines)
    return text if len(text) <= SECTION_LIMIT else text[: SECTION_LIMIT - 1] + "…"


def message(alerts: Alerts) -> Message:
    n = len(alerts.alerts)
    repo = f" in {slack_text(alerts.repository)}" if alerts.repository else ""
    title = f"tfdrift-ci: {n} resource{'s' if n != 1 else ''} changed outside Terraform{repo}"
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*"}}]
    for alert in alerts.alerts[:MAX_SECTIONS]:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _section(alert)}})
    if n > MAX_SECTIONS:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"… and {n - MAX_SECTIONS} more"}}
        )
    context = f"window {iso(alerts.window.since)} → {iso(alerts.window.until)}"
    if alerts.run_url:
        context += f" · {_link(alerts.run_url, 'workflow run')}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    body = {"text": title, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}
    return Message(
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
        {"Content-Type": "application/json; charset=utf-8"},
    )
