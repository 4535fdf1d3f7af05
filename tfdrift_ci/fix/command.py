"""What ``tfdrift-ci fix --adopt`` / ``--revert`` do with a report: the text to print and the exit code.

The CLI runs the check and hands the report over, with a callback that re-checks an edited copy of
the code offline (``safety.Recheck``); nothing here prints, reads the environment or runs the engine.

Exit codes: 0 everything drifted is adopted (or the revert lines are printed); 1 something drifted
is left to do by hand or was refused as unsafe, or the events were incomplete under
``--fail-on-incomplete``; usage errors are the CLI's (2).
"""

from __future__ import annotations

from collections.abc import Sequence

from tfdrift_ci.fix import adopt as A
from tfdrift_ci.fix import edited, revert, safety, unified_diff, write
from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Finding, Report
from tfdrift_ci.report import escape
from tfdrift_ci.textutil import clean


@frozen
class Outcome:
    stdout: str  # the unified diff (adopt) or the terraform lines (revert)
    messages: tuple[str, ...]  # for stderr: summary, by-hand list, warnings
    exit_code: int
    plan: A.Plan | None = None
    adopted: tuple[A.Adoption, ...] = ()


def _where(f: Finding) -> str:
    where = f"{f.file}:{f.line}" if f.file and f.line else (f.file or "")
    what = f"{f.address}.{f.attribute}" if f.attribute else str(f.address)
    return escape.terminal(f"{what} ({where})" if where else what)


def _incomplete(report: Report) -> list[str]:
    """What the check could not read: named, never a silent pass."""
    out = [
        f"warning: events incomplete from {escape.terminal(s.name)}: {escape.terminal(s.error or 'not read')}"
        for s in report.sources
        if not s.complete
    ]
    skipped = report.modules_not_followed
    if skipped:
        out.append(f"warning: {len(skipped)} module source(s) not followed: their resources are not adopted")
    return out


def adopt(
    report: Report,
    *,
    recheck: safety.Recheck | None,
    dry_run: bool,
    allow_unsafe: bool,
    fail_on_incomplete: bool,
) -> Outcome:
    plan = A.plan(report)
    chosen = list(plan.adopted)
    by_hand = list(plan.by_hand)
    messages: list[str] = []
    texts = edited(plan, chosen)
    if texts and recheck is not None:
        try:
            with safety.edited_copy(plan.base, texts) as copy:
                after = recheck(copy)
            fired = safety.unsafe(chosen, safety.new_config_findings(report, after))
        except (OSError, ValueError) as err:
            # never adopt unchecked: without the re-check, every adoption may be an unsafe one
            why = f"the config rules could not be re-run on the edited code ({escape.terminal(err)})"
            fired = {i: [] for i in range(len(chosen))}
            messages.append(f"warning: {why}")
        for i, findings in sorted(fired.items()):
            rules = ", ".join(f"{f.rule_id} ({f.title})" for f in findings) or "an unknown config rule"
            if allow_unsafe:
                messages.append(
                    f"unsafe, adopted (--allow-unsafe): {_where(chosen[i].finding)}: {rules} will fire"
                )
            else:
                by_hand.append(
                    A.ByHand(
                        chosen[i].finding,
                        f"adopting it makes the configuration unsafe: {rules} would fire "
                        "(--allow-unsafe adopts it anyway)",
                    )
                )
        if not allow_unsafe and fired:
            chosen = [a for i, a in enumerate(chosen) if i not in fired]
            texts = edited(plan, chosen)
    diff = unified_diff(plan, texts)
    if texts and not dry_run:
        write(plan, texts)
    verb = "would adopt" if dry_run else "adopted"
    messages.insert(
        0,
        f"fix: {verb} {len(chosen)} drifted attribute(s) in {len(texts)} file(s); "
        f"{len(by_hand)} to do by hand",
    )
    messages += [f"adopt by hand: {_where(b.finding)}: {escape.terminal(b.reason)}" for b in by_hand]
    warnings = _incomplete(report)
    messages += warnings
    code = 1 if by_hand or (warnings and fail_on_incomplete) else 0
    return Outcome(clean(diff), tuple(messages), code, plan, tuple(chosen))


def revert_lines(report: Report, *, fail_on_incomplete: bool) -> Outcome:
    reverts = revert.plan(report.findings)
    warnings = _incomplete(report)
    code = 1 if warnings and fail_on_incomplete else 0
    return Outcome(revert.render(reverts, report.path), tuple(warnings), code)


def summary(adoptions: Sequence[A.Adoption]) -> list[str]:
    return [f"{_where(a.finding)} → line {a.line}" for a in adoptions]
