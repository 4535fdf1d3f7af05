"""Notifiers (tfdrift_ci/notify/) on their own: spec parsing, message shapes and escaping, the HMAC
signature, retries, and errors that never show a URL."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from injection_corpus import CORPUS
from support.webhook_server import Reply, WebhookReceiver

from tfdrift_ci.models import Window
from tfdrift_ci.notify import Alert, Alerts, Line, NotifyError, Target, parse, send, slack, teams, webhook
from tfdrift_ci.report.escape import slack_text

WINDOW = Window(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))


def alerts(value: str = "alice@example.com", n: int = 1) -> Alerts:
    line = Line(
        "image_tag_mutability", '"IMMUTABLE"', '"MUTABLE"', value, "console", "2026-11-02 09:00 UTC", "Put"
    )
    one = Alert(
        status="new", root="infra", address=f"aws_ecr_repository.{value}", resource_type="aws_ecr_repository",
        severity="high", lines=(line,), findings=({"rule_id": "TFD-DRIFT-001", "message": value},),
        issue_number=7, issue_url="https://github.com/o/r/issues/7",
    )  # fmt: skip
    return Alerts(tuple([one] * n), WINDOW, "o/r", "https://github.com/o/r/actions/runs/1")


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def hook(no_proxy: None) -> Iterator[WebhookReceiver]:
    with WebhookReceiver("webhook", secret="k") as receiver:
        yield receiver


def test_specs_name_environment_variables() -> None:
    env = {
        "S": "https://hooks.slack.com/services/T/B/X",
        "H": "https://h.example/x",
        "K": "key",
        "T": "https://t.example",
    }
    got = parse(["slack:S", "webhook:H:K", "webhook:H", "teams:T"], env)
    assert [(t.kind, t.spec, t.secret) for t in got] == [
        ("slack", "slack:S", None), ("webhook", "webhook:H:K", "key"), ("webhook", "webhook:H", None),
        ("teams", "teams:T", None),
    ]  # fmt: skip
    assert "hooks.slack.com" not in repr(got)  # URLs and secrets are kept out of every repr
    assert parse(["webhook:H"], {**env, "TFDRIFT_WEBHOOK_SECRET": "dflt"})[0].secret == "dflt"


@pytest.mark.parametrize(
    ("spec", "env", "message"),
    [
        ("slack", {}, "--notify slack:…: expected slack:URL_ENV"),
        ("slack:A:B", {}, "--notify slack:…: expected slack:URL_ENV"),
        ("slack:lower-case-$", {}, "--notify slack:…: expected"),
        (
            "webhook:H:NOPE",
            {"H": "https://h.example"},
            "--notify webhook:H:NOPE: the environment variable NOPE is not set",
        ),
        ("slack:EMPTY", {"EMPTY": " "}, "--notify slack:EMPTY: the environment variable EMPTY is not set"),
        ("slack:U", {"U": "ftp://x.example/secret"}, "--notify slack:U: the URL must start with https://"),
        ("slack:U", {"U": "http://10.0.0.1/secret"}, "--notify slack:U: the URL must start with https://"),
        ("email:U", {"U": "https://x.example"}, "--notify: unknown kind 'email'"),
        ("slack:U", {"U": "https://x.example/services/secret\nX"}, "--notify slack:U: the URL holds spaces"),
        ("slack:U", {"U": "https://x.example/a secret"}, "--notify slack:U: the URL holds spaces"),
    ],
)
def test_bad_specs_are_usage_errors_that_show_no_value(spec: str, env: dict[str, str], message: str) -> None:
    with pytest.raises(NotifyError) as err:
        parse([spec], env)
    assert str(err.value).startswith(message)
    assert err.value.exit_code == 2
    assert "secret" not in str(err.value)


def test_loopback_http_is_allowed_for_local_receivers() -> None:
    assert parse(["slack:U"], {"U": "http://127.0.0.1:9/x"})[0].url == "http://127.0.0.1:9/x"


@pytest.mark.parametrize("key", sorted(CORPUS))
def test_slack_and_teams_messages_keep_untrusted_text_inert(key: str) -> None:
    value = CORPUS[key]
    body = json.loads(slack.message(alerts(value)).body)
    for block in body["blocks"]:
        for text in [block.get("text", {}).get("text", "")] + [e["text"] for e in block.get("elements", [])]:
            # Every "<" is one the message made itself: a link to the issue or the run.
            stripped = text.replace("<https://github.com/o/r/issues/7|#7>", "").replace(
                "<https://github.com/o/r/actions/runs/1|workflow run>", ""
            )
            assert "<" not in stripped and ">" not in stripped.replace("→", "")
            assert "\n" not in slack_text(value)
    card = json.loads(teams.message(alerts(value)).body)["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert all("](" not in b["text"] or "\\](" in b["text"] or "\\[" in b["text"] for b in card["body"])


def test_slack_neutralises_mentions_and_formatting() -> None:
    assert (
        slack_text("<!channel> @here *bold* a&b") == "&lt;!channel&gt; @\u200bhere *\u200bbold*\u200b a&amp;b"
    )


def test_slack_and_teams_stay_within_their_limits() -> None:
    body = json.loads(slack.message(alerts(n=80)).body)
    assert len(body["blocks"]) <= 50 and body["blocks"][-2]["text"]["text"] == "… and 60 more"
    card = json.loads(teams.message(alerts(n=80)).body)["attachments"][0]["content"]
    assert len(card["actions"]) <= 5


def test_the_webhook_body_is_signed_with_hmac_sha256() -> None:
    msg = webhook.message(alerts(), "k")
    assert (
        msg.headers["X-Tfdrift-Signature-256"]
        == "sha256=" + hmac.new(b"k", msg.body, hashlib.sha256).hexdigest()
    )
    data = json.loads(msg.body)
    assert data["version"] == "1" and data["event"] == "drift"
    assert data["alerts"][0]["issue"] == {"number": 7, "url": "https://github.com/o/r/issues/7"}
    assert "X-Tfdrift-Signature-256" not in webhook.message(alerts(), None).headers


def test_delivery_is_retried_and_a_wrong_secret_is_refused(
    hook: WebhookReceiver, sleeps: list[float]
) -> None:
    target = Target("webhook", "webhook:H", hook.url, "k")
    hook.script = [Reply(502), Reply(429, {"Retry-After": "3"})]
    assert send([target], alerts()) == {}
    assert [r.status for r in hook.received] == [502, 429, 200]
    assert sleeps == [1.0, 3.0]
    wrong = Target("webhook", "webhook:H", hook.url, "not-k")
    assert send([wrong], alerts()) == {"webhook:H": "--notify webhook:H: HTTP 401"}
    assert hook.bad_signatures == 1


def test_nothing_is_sent_without_alerts(hook: WebhookReceiver) -> None:
    target = Target("webhook", "webhook:H", hook.url, "k")
    assert send([target], Alerts((), WINDOW)) == {}
    assert hook.received == []


def test_an_unreachable_target_never_shows_its_url(no_proxy: None, sleeps: list[float]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/services/T000/B000/XXXXSECRETXXXX"
    failed = send([Target("slack", "slack:S", url)], alerts())
    assert list(failed) == ["slack:S"]
    assert failed["slack:S"].startswith("--notify slack:S: cannot deliver (")
    assert "XXXXSECRETXXXX" not in failed["slack:S"] and "services" not in failed["slack:S"]
    assert sleeps == [1.0, 2.0]


def test_a_url_urllib_refuses_never_shows_in_the_error(no_proxy: None) -> None:
    # parse() refuses such a URL; a Target built by hand (or a change in urllib) must not leak it.
    url = "http://127.0.0.1:9/services/T000/XXXXSECRETXXXX\x7f"
    failed = send([Target("slack", "slack:S", url)], alerts())
    assert failed == {"slack:S": "--notify slack:S: cannot deliver (InvalidURL)"}
