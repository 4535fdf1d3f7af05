"""One sweep:

1. Load what earlier sweeps recorded (the hidden state of the GitHub issues labelled ``tfdrift``, or
   ``--state FILE``).
2. Check every Terraform root under PATH over the window "since the last sweep" (less an hour for
   late CloudTrail delivery, reaching back to the oldest change of every drift still open so that a
   terraform apply is seen setting it back), never before ``--since``.
3. Reconcile one issue per drifted resource (:mod:`tfdrift_ci.sweep.reconcile`): open, comment,
   close, reopen; at most ``--max-new-issues`` opened per run, the rest in one summary issue.
4. Alert ``--notify`` targets about new and returned drift only; a failed alert is retried by the
   next sweep.

The exit code is the check's (findings at or above ``--fail-on``): GitHub and alert failures are
warnings.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from tfdrift_ci import notify
from tfdrift_ci.errors import ConfigError, GitHubError
from tfdrift_ci.frozen import frozen
from tfdrift_ci.github.comments import GitHubApiError
from tfdrift_ci.models import Report, Severity, Window, iso
from tfdrift_ci.notify import Alert, Alerts, Line, Target
from tfdrift_ci.report.escape import md, one_line
from tfdrift_ci.report.json import finding_dict
from tfdrift_ci.sweep import observe
from tfdrift_ci.sweep.arguments import SweepOptions
from tfdrift_ci.sweep.reconcile import Action, Plan, reconcile, window_start
from tfdrift_ci.sweep.records import AttrState, Record, State
from tfdrift_ci.sweep.render import value_text, when
from tfdrift_ci.sweep.stores import Applied, FileStore, GitHubStore, Store, describe
from tfdrift_ci.timeutil import DEFAULT_SINCE, parse_time


@frozen
class SweepResult:
    report: Report
    plan: Plan
    window: Window
    done: tuple[str, ...]  # what was done, one line each
    warnings: tuple[str, ...]


CheckFn = Callable[[Window], Report]


def open_store(options: SweepOptions, env: Mapping[str, str]) -> Store:
    if options.state_file:
        return FileStore(options.state_file)
    if not env.get("GITHUB_REPOSITORY") or not env.get("GITHUB_TOKEN"):
        raise ConfigError(
            "sweep keeps one GitHub issue per drifted resource: set GITHUB_REPOSITORY and GITHUB_TOKEN "
            "(in GitHub Actions: env GITHUB_TOKEN: ${{ github.token }} and permissions issues: write), "
            "or pass --state FILE to run without GitHub"
        )
    from tfdrift_ci.github import context

    return GitHubStore(
        context.from_env(env), label=options.label, cap=options.cap, template_dir=options.template_dir
    )


def _window(options: SweepOptions, state: State, now: datetime) -> Window:
    until = parse_time(options.until, flag="--until", now=now) if options.until else now
    cap = parse_time(options.since or DEFAULT_SINCE, flag="--since", now=until)
    if cap >= until:
        raise ConfigError(f"--since ({iso(cap)}) must be before --until ({iso(until)})")
    return Window(since=window_start(state, cap=cap, until=until), until=until)


def _lines(attrs: Sequence[AttrState]) -> tuple[Line, ...]:
    return tuple(
        Line(
            attribute=a.attribute,
            declared=value_text(a.declared),
            actual=value_text(a.actual),
            who=a.who,
            via=a.via,
            when=when(a),
            event_name=a.event_name,
        )
        for a in attrs
    )


def _rebuilt(record: Record) -> tuple[dict[str, object], ...]:
    """Finding objects for an alert sent again after a failed delivery (the findings of that earlier
    sweep are gone): the JSON report's keys, rebuilt from the record."""
    return tuple(
        {
            "rule_id": a.rule_id,
            "kind": "drift",
            "severity": a.severity,
            "title": a.title,
            "address": record.address,
            "resource_type": record.resource_type,
            "file": a.file,
            "line": a.line,
            "root": record.root,
            "attribute": a.attribute or None,
            "expected": a.declared.value if a.declared.kept else None,
            "actual": a.actual.value if a.actual.kept else None,
            "event": {"name": a.event_name, "id": a.event_id, "time": iso(a.time)},
            "actor": {"display": a.who, "via": a.via},
            "message": a.message,
            "remediation": a.remediation,
            "suppressed": False,
            "suppression_reason": None,
        }
        for a in record.active
    )


def _alert(record: Record, action: Action | None, issues: Mapping[str, tuple[int, str | None]]) -> Alert:
    number, url = issues.get(record.key) or (record.issue, record.url)
    findings = (
        tuple(finding_dict(c.finding) for c in action.new if c.finding is not None)
        if action is not None
        else _rebuilt(record)
    )
    return Alert(
        status="reopened" if action is not None and action.kind == "reopen" else "new",
        root=record.root,
        address=record.address,
        resource_type=record.resource_type,
        severity=record.worst(),
        lines=_lines(record.active),
        findings=findings,
        issue_number=number,
        issue_url=url,
    )


def _notify(
    targets: Sequence[Target],
    plan: Plan,
    applied: Applied,
    window: Window,
    env: Mapping[str, str],
) -> tuple[list[Record], list[str], list[str]]:
    """Send the alerts; returns (records whose alert state changed, done lines, warnings)."""
    fresh = {a.record.key: a for a in plan.actions if a.alert}
    retry = {k: r for k, r in plan.records.items() if r.alert_pending and k not in fresh and r.active}
    pending: dict[str, set[str]] = {k: set() for k in fresh}
    pending.update({k: set(r.alert_pending) for k, r in retry.items()})
    done: list[str] = []
    warnings: list[str] = []
    repo = env.get("GITHUB_REPOSITORY") or None
    server = (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
    run_id = env.get("GITHUB_RUN_ID", "")
    run_url = f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id.isdigit() else None
    for target in targets:
        batch = [_alert(a.record, a, applied.issues) for a in fresh.values()]
        batch += [_alert(r, None, applied.issues) for r in retry.values() if target.spec in r.alert_pending]
        if not batch:
            continue
        batch.sort(key=lambda a: (-Severity.parse(a.severity).rank, a.root, a.address))
        failed = notify.send([target], Alerts(tuple(batch), window, repo, run_url))
        keys = {k for k in fresh} | {k for k, r in retry.items() if target.spec in r.alert_pending}
        if target.spec in failed:
            warnings.append(
                f"{failed[target.spec]}: {len(batch)} alert(s) not delivered; the next sweep sends them again"
            )
            for k in keys:
                pending[k].add(target.spec)
        else:
            done.append(f"alerted {target.spec}: {len(batch)} resource(s)")
            for k in keys:
                pending[k].discard(target.spec)
    changed: list[Record] = []
    for key, specs in pending.items():
        record = plan.records.get(key)
        if record is None:
            continue
        new = tuple(sorted(specs))
        if new != record.alert_pending:
            number = applied.issues.get(key, (record.issue, record.url))
            changed.append(replace(record, alert_pending=new, issue=number[0], url=number[1]))
    return changed, done, warnings


def run(
    options: SweepOptions,
    check: CheckFn,
    env: Mapping[str, str],
    *,
    now: datetime | None = None,
    store: Store | None = None,
) -> SweepResult:
    """One sweep. ``check`` runs the check over a window and returns its report."""
    targets = notify.parse(options.notify, env)  # before anything: a typo must not lose alerts
    store = store or open_store(options, env)
    warnings: list[str] = []
    state_known = True
    try:
        state = store.load()
    except (GitHubApiError, GitHubError) as err:
        hint = (
            " (give the job `permissions: issues: write`)"
            if isinstance(err, GitHubApiError) and err.status in (401, 403, 404)
            else ""
        )
        warnings.append(
            f"cannot read the sweep's issues: {one_line(str(err), 300)}{hint}; issues and alerts skipped"
        )
        state, state_known = State(), False
    warnings.extend(state.warnings)
    window = _window(options, state, (now or datetime.now(UTC)).astimezone(UTC))
    report = check(window)
    if report.window is None:
        raise ConfigError(
            "sweep: no events were read (no AWS credentials and no --events), so there is no drift to "
            "sweep; configure credentials or pass --events"
        )
    # A window part of which could not be read is read again by the next sweep: the records written
    # now say the sweep reached only as far as the last complete one.
    mark = window.until
    if not report.complete:
        mark = min(state.last_until or window.since, window.until)
        warnings.append(
            "part of the event window could not be read (see the report): the next sweep reads it again"
        )
    base = env.get("GITHUB_WORKSPACE") or os.getcwd()
    changes = observe.changes(report, base=base, min_severity=options.min_severity)
    current = observe.current(report, base=base)
    plan = reconcile(state, changes, current, cap=store.cap, until=mark)
    if options.dry_run or not state_known:
        prefix = "dry run, would do: " if options.dry_run else "not done: "
        done = [prefix + describe(a) for a in plan.actions]
        return SweepResult(report, plan, window, tuple(done), tuple(warnings))
    applied = store.apply(plan, mark)
    warnings.extend(applied.warnings)
    done = list(applied.done)
    if targets:
        changed, sent, failed = _notify(targets, plan, applied, window, env)
        done.extend(sent)
        warnings.extend(failed)
        if changed:
            warnings.extend(store.save(changed, plan, mark))
    return SweepResult(report, plan, window, tuple(done), tuple(warnings))


def job_summary(result: SweepResult) -> str:
    """A short Markdown section for ``GITHUB_STEP_SUMMARY``, after the check's own report: what the
    sweep did and its warnings (every line escaped)."""
    counts: dict[str, int] = {}
    for action in result.plan.actions:
        counts[action.kind] = counts.get(action.kind, 0) + 1
    words = {
        "open": "opened",
        "update": "updated",
        "close": "closed",
        "reopen": "reopened",
        "pending": "waiting over the cap",
        "drop": "dropped",
    }
    done = ", ".join(f"{n} {words[k]}" for k, n in counts.items()) or "nothing to change"
    lines = [
        "#### tfdrift-ci sweep",
        "",
        md(f"Window {iso(result.window.since)} → {iso(result.window.until)} · issues: {done}"),
        "",
    ]
    lines += [f"- {md(line)}" for line in result.done]
    if result.warnings:
        lines += ["", "**Warnings**", ""] + [f"- {md(w)}" for w in result.warnings]
    return "\n".join(lines) + "\n"
