"""The pipeline: ``check(request) -> Report`` runs inventory → events → rules → suppressions and picks
the exit code. The CLI builds the request from its arguments and environment; other callers (a sweep,
a fix command, tests) build one in Python:

    from tfdrift_ci.engine import CheckRequest, check
    report = check(CheckRequest(path="infra", events=("cloudtrail/",), since="30d"))
    report.exit_code, report.findings

Plain glue: each rule family runs alone (``rules.config.run`` / ``rules.drift.run``) and a crash in
one rule becomes an ``error`` finding there, never a lost report. Nothing here reads ``os.environ``,
prints or exits: the environment arrives in ``CheckRequest.env``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from tfdrift_ci import __version__
from tfdrift_ci.errors import InventoryError
from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import (
    Event,
    Finding,
    Gap,
    Inventory,
    Report,
    SourceStatus,
    TerraformApply,
    Window,
    exit_code_for,
)
from tfdrift_ci.rules.errors import parse_error_findings
from tfdrift_ci.settings import Settings

NO_CREDENTIALS_NOTICE = (
    "no AWS credentials found and no --events given: static rules only "
    "(configure credentials or pass --events to check for drift)"
)


@frozen
class CheckRequest:
    """Everything one check needs. Only ``path`` is required; every default is the CLI's.

    Values the configuration file also sets (``events``, ``since``, ``regions``) fall back to
    ``settings`` when left empty here; flags that only adjust settings (``--fail-on``,
    ``--terraform-principal`` …) are applied to ``settings`` by the caller.
    """

    path: str  # a directory (every Terraform root below it) or one .tf file
    settings: Settings | None = None  # None: .tfdrift.yml / [tool.tfdrift] found from path upwards
    # Terraform input
    plan: str | None = None  # plan JSON, or a binary plan (needs terraform on PATH)
    var_files: tuple[str, ...] = ()
    variables: Mapping[str, str] = field(default_factory=dict)  # --var NAME=VALUE
    # Events
    offline: bool = False  # static rules only, no events
    events: tuple[str, ...] = ()  # source specs; empty: settings.events, else "aws" when credentials exist
    since: str | None = None  # 7d / 48h / ISO; None: settings.since, else 7d
    until: str | None = None  # ISO; None: now
    now: datetime | None = None  # the clock for relative windows (tests, replays); None: the real one
    regions: tuple[str, ...] = ()  # regions the aws source queries; empty: settings, then providers
    profile: str | None = None
    role_arn: str | None = None
    # Scope: restrict to the Terraform roots these files touch (relative to path); None: every root.
    # The CLI's --changed-only computes them with gitutil.changed_files.
    changed_files: tuple[str, ...] | None = None
    # Environment, read by the caller and passed down (boto3 still reads AWS_* itself)
    env: Mapping[str, str] = field(default_factory=dict)
    parser: Literal["auto", "hcl2"] = "auto"  # "hcl2": python-hcl2 for every file (the reference)
    cache_dir: str | None = None  # the parse and module caches' directory; None: no on-disk cache
    # Registry/git/archive modules: True fetches what the module cache lacks; False uses the cache
    # (and .terraform/modules) only and never opens a connection. Independent of ``offline`` (events).
    # False here (a library call opens no connection unless asked); the CLI turns it on except for
    # --offline, --no-fetch-modules and the pre-commit hook (unless configured to fetch).
    fetch_modules: bool = False
    progress: bool = False  # progress bars on stderr while fetching events
    debug: bool = False  # source-level debug log on stderr


def resolve_settings(request: CheckRequest) -> Settings:
    """``request.settings``, or the configuration found from the request's path upwards."""
    if request.settings is not None:
        return request.settings
    from tfdrift_ci.config import load_settings

    path = Path(request.path)
    return load_settings(None, start=path if path.is_dir() else path.parent)


def check(request: CheckRequest) -> Report:
    """Inventory → events → evaluate → ``Report`` (with its exit code). Raises ``TfdriftError`` for
    input that cannot be used at all (a missing path, a bad event source spec, …)."""
    settings = resolve_settings(request)
    if request.offline:
        # --since/--until are not used offline, but a typo in them is still an input error: the
        # same command line would fail the day it runs online (a check that says nothing is worse).
        from tfdrift_ci.timeutil import parse_window

        parse_window(request.since or settings.since, request.until, now=request.now)
    inv = load_inventory(request)
    notices: list[str] = list(inv.notices)
    gaps: list[Gap] = []
    if Path(request.path).is_file():
        # one file read alone: what it takes from its neighbours is unknown, and unknown values are
        # not checked; a "no findings" over it must say so (a gap: --fail-on-incomplete fails on it)
        from tfdrift_ci.inventory.unresolved import single_file_unresolved

        unresolved = single_file_unresolved(inv, request.path)
        if unresolved is not None:
            gaps.append(Gap("values", request.path, unresolved.reason, file=request.path))
    if request.changed_files is not None:
        from tfdrift_ci import inventory

        inv = inventory.restrict(inv, request.changed_files)
        notices.append(f"--changed-only: {len(inv.roots)} Terraform root(s) touched by the change")

    events: Sequence[Event] | None = None
    statuses: Sequence[SourceStatus] = ()
    window: Window | None = None
    if not request.offline:
        fetched = fetch_events(request, inv, settings)
        if fetched is None:
            notices.append(NO_CREDENTIALS_NOTICE)
            # Not asked for (that is --offline): a pipeline that lost its credentials would otherwise
            # pass on the static rules alone, looking like a full check.
            reason = "no AWS credentials found and no --events given: drift was not checked"
            gaps.append(Gap("source", "aws", reason))
        else:
            events, statuses, window, more = fetched
            notices.extend(more)

    today = request.now.date() if request.now is not None else None
    applies: list[TerraformApply] = []
    findings, suppress_notices = evaluate(inv, events, settings, today=today, applies=applies, gaps=gaps)
    notices.extend(suppress_notices)
    from tfdrift_ci.config import weakening
    from tfdrift_ci.inventory.origin import root_anchors

    report = Report(
        tool_version=__version__,
        path=request.path,
        files=inv.files,
        resources=inv.resources,
        findings=tuple(findings),
        window=window,
        sources=tuple(statuses),
        exit_code=0,
        fail_on=settings.fail_on,
        unfollowed_modules=inv.unfollowed_modules,
        notices=tuple(notices),
        terraform_applies=tuple(applies),
        anchors=root_anchors(inv),
        noted_gaps=(*gaps, *weakening(settings, request.path)),
        config_files=(settings.config_file,) if settings.config_file else (),
        fail_on_incomplete=settings.fail_on_incomplete,
    )
    # a source cut short, a module not followed, a resource not identified, a weakening setting
    # from the checked repository: each leaves the check incomplete (Report.gaps)
    code = exit_code_for(
        findings, settings.fail_on, incomplete_fails=settings.fail_on_incomplete and report.incomplete
    )
    return replace(report, exit_code=code)


def load_inventory(request: CheckRequest) -> Inventory:
    """The inventory of the request's path (and plan). A path with no Terraform at all is almost
    always a wrong path in a pipeline: passing it silently would report "clean" for code that was
    never read, so it is an input error."""
    from tfdrift_ci import inventory
    from tfdrift_ci.inventory.fetch.options import ModuleOptions

    inv = inventory.load(
        request.path,
        plan=request.plan,
        var_files=request.var_files,
        variables=request.variables,
        env=request.env,
        parser=request.parser,
        cache_dir=request.cache_dir,
        modules=ModuleOptions(fetch=request.fetch_modules, cache_dir=request.cache_dir, env=request.env),
    )
    if inv.files == 0 and not inv.problems and not request.plan:
        raise InventoryError(f"{request.path}: no Terraform files (.tf, .tf.json) found")
    return inv


def fetch_events(
    request: CheckRequest, inv: Inventory, settings: Settings
) -> tuple[Sequence[Event], Sequence[SourceStatus], Window, list[str]] | None:
    """(events, statuses, window, notices), or None when no source was named and no AWS credentials
    were found (auto mode: the check runs static rules only and says so)."""
    from tfdrift_ci import events as ev
    from tfdrift_ci.events.budget import budget_from
    from tfdrift_ci.rules.drift import WRITE_EVENTS
    from tfdrift_ci.timeutil import parse_window

    window = parse_window(request.since or settings.since, request.until, now=request.now)
    specs = list(request.events) or list(settings.events)
    auto = not specs
    result = ev.fetch(
        specs or ["aws"],
        inv,
        window,
        write_events=WRITE_EVENTS,
        regions=request.regions or settings.regions,
        auto=auto,
        profile=request.profile,
        role_arn=request.role_arn,
        progress=request.progress,
        debug=request.debug,
        env=request.env,
        budget=budget_from(settings.events_timeout, settings.events_max_pages, settings.events_max_records),
        jobs=settings.jobs,
    )
    if result is None:
        return None
    return result.events, result.statuses, window, list(result.notices)


def evaluate(
    inventory: Inventory,
    events: Sequence[Event] | None,
    settings: Settings,
    *,
    today: date | None = None,
    applies: list[TerraformApply] | None = None,
    gaps: list[Gap] | None = None,
) -> tuple[list[Finding], list[str]]:
    """All findings, suppressions applied, sorted worst first; plus notices (e.g. expired ignores).

    ``events`` is None when offline: drift rules do not run at all. ``applies``, when given,
    collects Terraform's own writes on declared resources (for the report's timeline); ``gaps``
    the declared resources whose name is unknown and whose events could not be matched.
    """
    from tfdrift_ci import suppress
    from tfdrift_ci.rules import config as config_rules
    from tfdrift_ci.rules.locate import locate

    findings = parse_error_findings(inventory, settings)
    findings.extend(config_rules.run(inventory, settings))
    if events is not None:
        from tfdrift_ci.rules import drift as drift_rules

        findings.extend(drift_rules.run(inventory, events, settings, applies=applies, gaps=gaps))
    findings, notices = suppress.apply(findings, inventory, settings, today=today or date.today())
    # after suppressions (they read comments at the resource block): module findings move to the
    # user's code, the resource in the module becomes related information
    findings = locate(findings, inventory)
    findings.sort(key=lambda f: f.sort_key)
    return findings, notices
