"""``--notify``: only new and returned drift is sent, signed when a secret is set, retried by the next
sweep when delivery failed, and the URLs are never printed (through the real CLI)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakegithub import FakeGitHub
from support.webhook_server import Reply, WebhookReceiver
from sweep_support import SweepRunner, immutable, mutable, write_events

SECRET = "s3cr3t-for-the-hmac"


@pytest.fixture
def receivers() -> Iterator[dict[str, WebhookReceiver]]:
    with (
        WebhookReceiver("slack") as slack,
        WebhookReceiver("webhook", secret=SECRET) as hook,
        WebhookReceiver("teams") as teams,
    ):
        yield {"slack": slack, "webhook": hook, "teams": teams}


def env_for(receivers: dict[str, WebhookReceiver]) -> dict[str, str]:
    return {
        "SLACK_WEBHOOK_URL": receivers["slack"].url,
        "DRIFT_HOOK_URL": receivers["webhook"].url,
        "TFDRIFT_WEBHOOK_SECRET": SECRET,
        "TEAMS_WEBHOOK_URL": receivers["teams"].url,
    }


NOTIFY = (
    "--notify",
    "slack:SLACK_WEBHOOK_URL",
    "--notify",
    "webhook:DRIFT_HOOK_URL",
    "--notify",
    "teams:TEAMS_WEBHOOK_URL",
)


def test_new_and_returned_drift_is_alerted_and_nothing_else(
    workspace: Path,
    sweep: SweepRunner,
    gh: FakeGitHub,
    receivers: dict[str, WebhookReceiver],
) -> None:
    notify_env = env_for(receivers)
    events = workspace / "events"
    e1 = mutable("e1", "2026-11-02T09:00:00Z")
    e2 = mutable("e2", "2026-11-02T12:00:00Z", who="dave")
    e3 = immutable("e3", "2026-11-04T12:00:00Z")
    e4 = mutable("e4", "2026-11-06T12:00:00Z", who="erin")

    write_events(events, [e1])
    r1 = sweep("2026-11-03T00:00:00Z", *NOTIFY, "--debug", github=gh, env=notify_env)
    assert r1.code == 1, r1.err
    assert all(len(r.delivered) == 1 for r in receivers.values())
    [issue] = gh.ours()

    # The generic webhook: the JSON report's findings, signed with HMAC-SHA256 over the exact body.
    [hook] = receivers["webhook"].delivered
    assert (
        hook.headers["x-tfdrift-signature-256"]
        == "sha256=" + hmac.new(SECRET.encode(), hook.raw, hashlib.sha256).hexdigest()
    )
    assert receivers["webhook"].bad_signatures == 0
    [alert] = hook.json["alerts"]
    assert alert["status"] == "new" and alert["address"] == "aws_ecr_repository.drift_lifecycle"
    assert alert["root"] == "infra" and alert["severity"] == "high"
    assert alert["issue"] == {"number": issue["number"], "url": issue["html_url"]}
    [finding] = alert["findings"]
    assert finding["rule_id"] == "TFD-DRIFT-001" and finding["event"]["id"] == "e1"
    assert finding["expected"] == "IMMUTABLE" and finding["actual"] == "MUTABLE"
    assert hook.json["window"] == {"since": "2026-10-04T00:00:00Z", "until": "2026-11-03T00:00:00Z"}
    assert hook.json["repository"] == gh.repo

    # Slack: mrkdwn with the issue linked; nothing untrusted can form a link or a mention.
    [slack] = receivers["slack"].delivered
    text = json.dumps(slack.json)
    assert f"<{issue['html_url']}|#{issue['number']}>" in slack.json["blocks"][1]["text"]["text"]
    assert "alice@\\u200bexample.com" in text

    # Teams: an Adaptive Card with a button to the issue.
    [teams] = receivers["teams"].delivered
    card = teams.json["attachments"][0]["content"]
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": f"#{issue['number']}", "url": issue["html_url"]}
    ]

    # No URL is ever printed, not even with --debug.
    for receiver in receivers.values():
        assert receiver.path not in r1.err + r1.out
    assert "alerted slack:SLACK_WEBHOOK_URL: 1 resource(s)" in r1.err

    # More drift on an open issue: a comment, no alert.
    write_events(events, [e1, e2])
    sweep("2026-11-03T06:00:00Z", *NOTIFY, github=gh, env=notify_env)
    assert all(len(r.delivered) == 1 for r in receivers.values())

    # Set back (closed), then changed again (reopened): alerted as returned drift.
    write_events(events, [e1, e2, e3])
    sweep("2026-11-05T00:00:00Z", *NOTIFY, github=gh, env=notify_env)
    assert gh.issue(issue["number"])["state"] == "closed"
    assert all(len(r.delivered) == 1 for r in receivers.values())
    write_events(events, [e1, e2, e3, e4])
    sweep("2026-11-07T00:00:00Z", *NOTIFY, github=gh, env=notify_env)
    assert all(len(r.delivered) == 2 for r in receivers.values())
    again = receivers["webhook"].delivered[-1].json["alerts"][0]
    assert again["status"] == "reopened" and [f["event"]["id"] for f in again["findings"]] == ["e4"]


def test_a_failed_alert_is_a_warning_and_the_next_sweep_sends_it_again(
    workspace: Path,
    sweep: SweepRunner,
    gh: FakeGitHub,
    receivers: dict[str, WebhookReceiver],
    sleeps: list[float],
) -> None:
    notify_env = env_for(receivers)
    write_events(workspace / "events", [mutable("e1", "2026-11-02T09:00:00Z")])
    hook = receivers["webhook"]
    hook.script = [Reply(503), Reply(503), Reply(503)]  # every attempt of this sweep fails
    r1 = sweep("2026-11-03T00:00:00Z", *NOTIFY, github=gh, env=notify_env)
    assert r1.code == 1
    assert (
        "warning: --notify webhook:DRIFT_HOOK_URL: HTTP 503: 1 alert(s) not delivered; the next sweep "
        "sends them again" in r1.err
    )
    assert len(hook.received) == 3 and hook.delivered == []
    assert sleeps.count(1.0) >= 1 and 2.0 in sleeps
    assert len(receivers["slack"].delivered) == 1

    # The next sweep, with no new event, sends it again — to the webhook only.
    r2 = sweep("2026-11-03T06:00:00Z", *NOTIFY, github=gh, env=notify_env)
    assert "alerted webhook:DRIFT_HOOK_URL: 1 resource(s)" in r2.err
    [delivered] = hook.delivered
    [alert] = delivered.json["alerts"]
    assert alert["address"] == "aws_ecr_repository.drift_lifecycle"
    assert alert["findings"][0]["event"]["id"] == "e1"  # rebuilt from the issue's state
    assert len(receivers["slack"].delivered) == 1

    # Then never again.
    sweep("2026-11-03T12:00:00Z", *NOTIFY, github=gh, env=notify_env)
    assert len(hook.delivered) == 1


def test_notify_targets_are_checked_before_anything_runs(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub, receivers: dict[str, WebhookReceiver]
) -> None:
    write_events(workspace / "events", [mutable("e1", "2026-11-02T09:00:00Z")])
    r = sweep("2026-11-03T00:00:00Z", "--notify", "slack:NOT_SET_ANYWHERE", github=gh)
    assert r.code == 2
    assert r.err.strip().splitlines()[-1] == (
        "tfdrift-ci: error: --notify slack:NOT_SET_ANYWHERE: the environment variable NOT_SET_ANYWHERE "
        "is not set"
    )
    assert gh.requests == []

    plain = "http://hooks.example.com/services/T000/B000/XXXXSECRETXXXX"
    r = sweep("2026-11-03T00:00:00Z", "--notify", "slack:PLAIN", github=gh, env={"PLAIN": plain})
    assert r.code == 2 and "must start with https://" in r.err
    assert "XXXXSECRETXXXX" not in r.err + r.out

    r = sweep("2026-11-03T00:00:00Z", "--notify", f"slack:{plain}", github=gh)
    assert r.code == 2 and "naming environment variables" in r.err
    assert "XXXXSECRETXXXX" not in r.err + r.out

    r = sweep("2026-11-03T00:00:00Z", "--notify", "pager:X", github=gh, env={"X": "https://x.invalid"})
    assert r.code == 2 and "unknown kind 'pager'" in r.err
