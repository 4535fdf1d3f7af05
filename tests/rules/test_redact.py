"""Environment values and log-driver options are replaced by markers whatever their names
(tfdrift_ci/rules/redact.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tfdrift_ci.models import Unknown
from tfdrift_ci.rules.redact import (
    HIDDEN,
    credentials_pair,
    hidden,
    hidden_pair,
    is_marker,
    log_configuration_pair,
)

STRIPE = "sk_live_" + "A1b2C3d4E5f6G7h8I9j0K1l2"


def test_every_value_is_hidden_whatever_its_name() -> None:
    old, new = hidden_pair(
        {"LOG_LEVEL": "info", "GONE": "x", "SAME": "y"},
        {"LOG_LEVEL": "debug", "STRIPE_KEY": STRIPE, "SAME": "y"},
    )
    assert old == {"LOG_LEVEL": HIDDEN, "GONE": HIDDEN, "SAME": HIDDEN}
    assert new == {
        "LOG_LEVEL": "(hidden, changed)",
        "STRIPE_KEY": "(hidden: looks like a Stripe live key)",
        "SAME": HIDDEN,
    }


def test_a_changed_secret_keeps_its_kind() -> None:
    _, new = hidden_pair({"K": "sk_live_" + "z" * 24}, {"K": STRIPE})
    assert new == {"K": "(hidden, changed: looks like a Stripe live key)"}


@pytest.mark.parametrize("value", [None, "", Unknown("var.x")])
def test_nothing_to_hide_stays(value: Any) -> None:
    assert hidden(value) is value


@pytest.mark.parametrize("value", [["a"], {"k": "v"}, 12, True, "plain"])
def test_other_values_are_hidden_whole(value: Any) -> None:
    assert hidden(value) == HIDDEN


def test_a_malformed_environment_is_hidden_whole() -> None:
    assert hidden_pair(None, ["NAME=value"]) == (None, HIDDEN)


def test_log_options_are_hidden_and_the_driver_and_references_are_not() -> None:
    ref = [{"name": "splunk-token", "valueFrom": "arn:aws:ssm:eu-west-1:111122223333:parameter/t"}]
    old, new = log_configuration_pair(
        {"logDriver": "splunk", "options": {"splunk-url": "https://splunk.example.com"}},
        {
            "logDriver": "splunk",
            "options": {"splunk-url": "https://splunk.example.com", "splunk-token": "0000-1111"},
            "secretOptions": ref,
        },
    )
    assert old == {"logDriver": "splunk", "options": {"splunk-url": HIDDEN}}
    assert new == {
        "logDriver": "splunk",
        "options": {"splunk-url": HIDDEN, "splunk-token": HIDDEN},
        "secretOptions": ref,
    }


def test_command_items_that_look_like_credentials_are_hidden() -> None:
    token = "ghp_" + "A" * 36
    old, new = credentials_pair(["serve", "--port=80"], ["serve", f"--token={token}", "-v"])
    assert old == ["serve", "--port=80"]
    assert new == ["serve", "(hidden, changed: looks like a GitHub token)", "-v"]
    same_old, same_new = credentials_pair([token], [token, "x"])
    assert same_old == same_new[:1] == ["(hidden: looks like a GitHub token)"]
    assert credentials_pair(None, "sh -c x") == (None, "sh -c x")


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        (HIDDEN, True),
        ("(hidden, changed)", True),
        ("(hidden: looks like a GitHub token)", True),
        ("(hidden) sk_live_x", False),
        ("(hidden: looks like a 0123456789)", False),
        ("hidden", False),
    ],
)
def test_only_the_markers_are_markers(text: str, marker: bool) -> None:
    assert is_marker(text) is marker
