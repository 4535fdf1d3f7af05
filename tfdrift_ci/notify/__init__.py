"""Alerts for new and returned drift (``tfdrift-ci sweep --notify KIND:ENV_NAME``).

``NOTIFIERS`` is the registry: kind → a function building the :class:`Message` for a batch of
alerts. Targets are parsed (and their environment variables checked) before the sweep starts, so a
typo fails the run with exit 2 instead of losing alerts silently; delivery failures are returned per
target for the sweep to warn about and retry on its next run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from tfdrift_ci.notify import slack, teams, webhook
from tfdrift_ci.notify.base import Alert, Alerts, Line, Message, NotifyError, Target, check_url, post

__all__ = ["NOTIFIERS", "Alert", "Alerts", "Line", "NotifyError", "Target", "parse", "send"]

NOTIFIERS: dict[str, Callable[[Alerts, Target], Message]] = {
    "slack": lambda alerts, _target: slack.message(alerts),
    "teams": lambda alerts, _target: teams.message(alerts),
    "webhook": lambda alerts, target: webhook.message(alerts, target.secret),
}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse(specs: Sequence[str], env: Mapping[str, str]) -> list[Target]:
    """``KIND:URL_ENV`` (``webhook:URL_ENV[:SECRET_ENV]``) → targets, reading the named variables.
    Raises :class:`NotifyError` (exit 2) naming the spec, never a value."""
    targets: list[Target] = []
    for spec in specs:
        kind, _, rest = spec.partition(":")
        names = rest.split(":") if rest else []
        if kind not in NOTIFIERS:
            raise NotifyError(f"--notify: unknown kind {kind!r} (one of {', '.join(sorted(NOTIFIERS))})")
        if (
            not names
            or not all(_ENV_NAME.match(n) for n in names)
            or len(names) > (2 if kind == "webhook" else 1)
        ):
            usage = "webhook:URL_ENV[:SECRET_ENV]" if kind == "webhook" else f"{kind}:URL_ENV"
            # Not echoed: what was given may be the URL itself.
            raise NotifyError(
                f"--notify {kind}:…: expected {usage}, naming environment variables (a URL is never "
                "given on the command line)"
            )
        url = env.get(names[0], "")
        if not url.strip():
            raise NotifyError(f"--notify {spec}: the environment variable {names[0]} is not set")
        check_url(url, spec)
        secret: str | None = None
        if kind == "webhook":
            secret_env = names[1] if len(names) > 1 else webhook.DEFAULT_SECRET_ENV
            secret = env.get(secret_env) or None
            if len(names) > 1 and secret is None:
                raise NotifyError(f"--notify {spec}: the environment variable {secret_env} is not set")
        targets.append(Target(kind=kind, spec=spec, url=url, secret=secret))
    return targets


def send(targets: Sequence[Target], alerts: Alerts) -> dict[str, str]:
    """Deliver ``alerts`` to every target; returns {spec: error} for the ones that failed."""
    failed: dict[str, str] = {}
    if not alerts.alerts:
        return failed
    for target in targets:
        try:
            post(target, NOTIFIERS[target.kind](alerts, target))
        except NotifyError as err:
            failed[target.spec] = str(err)
    return failed
