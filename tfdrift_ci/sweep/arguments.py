"""The sweep's options: :class:`SweepOptions`, and the ``sweep`` subcommand's own arguments (the check
options are shared with ``check``), kept here so that the CLI only registers them."""

from __future__ import annotations

import argparse
import re
from typing import Any

from tfdrift_ci.errors import ConfigError
from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Severity

DEFAULT_LABEL = "tfdrift"
DEFAULT_CAP = 20  # issues opened per run
# GitHub label names: up to 50 characters; a comma would split the list API's ``labels`` filter.
_LABEL = re.compile(r"^[^,\s][^,\n\r]{0,49}$")


@frozen
class SweepOptions:
    path: str
    state_file: str | None = None  # --state FILE: run without GitHub
    label: str = DEFAULT_LABEL
    cap: int = DEFAULT_CAP  # issues opened per run
    notify: tuple[str, ...] = ()
    dry_run: bool = False
    min_severity: Severity = Severity.LOW
    since: str | None = None  # the earliest the window may start (--since); None: DEFAULT_SINCE
    until: str | None = None
    template_dir: str | None = None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("expected 0 or more")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("sweep")
    g.add_argument(
        "--state",
        metavar="FILE",
        help="keep the sweep's state in this JSON file instead of GitHub issues (run without GitHub)",
    )
    g.add_argument(
        "--issue-label",
        default=DEFAULT_LABEL,
        metavar="NAME",
        help=f"the label of the issues the sweep keeps (default {DEFAULT_LABEL})",
    )
    g.add_argument(
        "--max-new-issues",
        type=_count,
        default=DEFAULT_CAP,
        metavar="N",
        help=f"issues opened per run at most; the rest go into one summary issue (default {DEFAULT_CAP})",
    )
    g.add_argument(
        "--notify",
        action="append",
        default=[],
        metavar="KIND:ENV",
        help="alert about new and returned drift: slack:ENV, teams:ENV or webhook:ENV[:SECRET_ENV], "
        "naming environment variables that hold the URL (repeatable)",
    )
    g.add_argument(
        "--min-severity",
        choices=[s.value for s in Severity],
        default=Severity.LOW.value,
        help="drift below this severity gets no issue and no alert (default low)",
    )
    g.add_argument("--dry-run", action="store_true", help="say what the sweep would do; change nothing")


def check_arguments(args: argparse.Namespace) -> None:
    """Check options that make no sense for a sweep are refused rather than ignored."""
    if args.comment:
        raise ConfigError("sweep: --comment is for pull requests (the sweep keeps issues instead)")
    if args.changed_only:
        raise ConfigError("sweep: --changed-only is for pull requests (the sweep checks every root)")
    if args.offline:
        raise ConfigError("sweep: --offline reads no events, so there would be no drift to sweep")
    if not _LABEL.match(args.issue_label):
        raise ConfigError(
            f"--issue-label {args.issue_label!r}: expected a GitHub label name (1-50 characters, no comma)"
        )


def from_arguments(args: argparse.Namespace, settings: Any) -> SweepOptions:
    """``settings`` is the loaded configuration (its ``since`` is the default window cap)."""
    return SweepOptions(
        path=args.path,
        state_file=args.state,
        label=args.issue_label,
        cap=args.max_new_issues,
        notify=tuple(args.notify),
        dry_run=args.dry_run,
        min_severity=Severity.parse(args.min_severity),
        since=args.since or settings.since,
        until=args.until,
        template_dir=args.template_dir,
    )
