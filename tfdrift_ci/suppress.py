"""Suppressions: inline comments in the Terraform files and ``ignore:`` entries of the config.

Inline, on the comment lines directly above a resource block or on any line inside it:

- ``# tfdrift:ignore:TFD-ECR-001 reason`` (``//`` comments too; several ids separated by commas;
  ``*`` globs such as ``TFD-ECS-*``; an optional ``:exp:2026-12-31`` after the id list);
- the peers' own comments, honoured for the peer ids a rule lists (``Rule.peers``):
  ``#checkov:skip=CKV_AWS_51:reason`` (https://www.checkov.io/2.Basics/Suppressing%20and%20Skipping%20Policies.html),
  ``#trivy:ignore:AVD-AWS-0031`` and ``#tfsec:ignore:aws-ecr-enforce-immutable-repository``, with
  trivy's optional ``:exp:YYYY-MM-DD`` (https://aquasecurity.github.io/trivy/latest/docs/configuration/filtering/).

Config ``ignore:`` entries match a rule id glob (or a peer id) and an address glob (``*`` and ``?``
only: brackets in ``this["api"]`` are literal). An entry or comment past its expiry date stops
suppressing and produces a notice that says so.

Suppressed findings stay in the list with ``suppressed=True`` and ``suppression_reason``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from tfdrift_ci.models import Finding, Inventory, Resource
from tfdrift_ci.settings import IgnoreEntry, Settings

_EXP = r"(?::exp:(?P<exp>\d{4}-\d{2}-\d{2}))?"
_TFDRIFT = re.compile(
    r"(?:#|//|/\*)\s*tfdrift:ignore:(?P<ids>[A-Za-z0-9_*?\-]+(?:\s*,\s*[A-Za-z0-9_*?\-]+)*)"
    + _EXP
    + r"(?P<reason>[^\n]*)"
)
_CHECKOV = re.compile(r"(?:#|//|/\*)\s*checkov:skip=\s*(?P<ids>[A-Za-z0-9_]+)(?::(?P<reason>[^\n]*))?")
_TRIVY = re.compile(r"(?:#|//|/\*)\s*(?P<tool>trivy|tfsec):ignore:(?P<ids>[A-Za-z0-9_\-]+)" + _EXP)
_COMMENT_LINE = re.compile(r"^\s*(?:#|//|/\*|\*)")


@dataclass(frozen=True)
class Directive:
    """One suppression comment: which ids it names and why."""

    tool: str  # tfdrift | checkov | trivy | tfsec
    ids: tuple[str, ...]
    reason: str | None
    line: int
    expires: date | None = None


def parse_line(text: str, line: int) -> list[Directive]:
    out: list[Directive] = []
    for m in _TFDRIFT.finditer(text):
        ids = tuple(i.strip() for i in m.group("ids").split(",") if i.strip())
        reason = (m.group("reason") or "").strip().removesuffix("*/").strip().lstrip(":").strip() or None
        out.append(Directive("tfdrift", ids, reason, line, _date(m.group("exp"))))
    for m in _CHECKOV.finditer(text):
        reason = (m.group("reason") or "").strip().removesuffix("*/").strip() or None
        out.append(Directive("checkov", (m.group("ids"),), reason, line))
    for m in _TRIVY.finditer(text):
        out.append(Directive(m.group("tool"), (m.group("ids"),), None, line, _date(m.group("exp"))))
    return out


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def glob_match(text: str, pattern: str) -> bool:
    """``*`` (any run, dots included) and ``?``; every other character literal."""
    return _glob(pattern).fullmatch(text) is not None


@functools.lru_cache(maxsize=1024)
def _glob(pattern: str) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, flags=re.DOTALL)


def directives_for(lines: Sequence[str], start: int, end: int | None) -> list[Directive]:
    """Directives on the comment lines directly above line ``start`` and on lines start..end."""
    found: list[Directive] = []
    last = end if end is not None and end >= start else start
    for n in range(max(start, 1), min(last, len(lines)) + 1):
        found.extend(parse_line(lines[n - 1], n))
    n = start - 1
    while n >= 1 and _COMMENT_LINE.match(lines[n - 1]):
        found.extend(parse_line(lines[n - 1], n))
        n -= 1
    return found


def _peers() -> Mapping[str, tuple[str, ...]]:
    from tfdrift_ci.rules.catalog import RULES

    return {r.id: r.peers.all() for r in RULES}


def _known(rule_id: str, peers_by_rule: Mapping[str, tuple[str, ...]]) -> bool:
    return any(glob_match(r, rule_id) or rule_id in p for r, p in peers_by_rule.items())


def _inline_match(d: Directive, rule_id: str, peers: tuple[str, ...]) -> bool:
    if d.tool == "tfdrift":
        return any(glob_match(rule_id, i) or i in peers for i in d.ids)
    return any(i in peers for i in d.ids)


def _entry_match(entry: IgnoreEntry, finding: Finding, peers: tuple[str, ...]) -> bool:
    rule_ok = glob_match(finding.rule_id, entry.rule) or any(glob_match(p, entry.rule) for p in peers)
    if not rule_ok:
        return False
    if finding.address is None:
        return entry.address == "*"
    return glob_match(finding.address, entry.address)


def _describe(d: Directive, file: str) -> str:
    text = {
        "tfdrift": "tfdrift:ignore",
        "checkov": f"checkov:skip={d.ids[0]}",
        "trivy": f"trivy:ignore:{d.ids[0]}",
        "tfsec": f"tfsec:ignore:{d.ids[0]}",
    }[d.tool]
    return f"{text} ({file}:{d.line})" + (f": {d.reason}" if d.reason else "")


def apply(
    findings: list[Finding], inventory: Inventory, settings: Settings, *, today: date
) -> tuple[list[Finding], list[str]]:
    """Mark suppressed findings; returns (findings in the same order, notices)."""
    peers_by_rule = _peers()
    by_address: dict[str, Resource] = {r.address: r for r in inventory.resources}
    where = settings.config_file or "config"
    notices: list[str] = []
    expired_entries: dict[int, int] = {}  # index in settings.ignores -> findings it would match
    expired_inline: dict[tuple[str, int, str], int] = {}
    out: list[Finding] = []
    cache: dict[tuple[str, int, int | None], list[Directive]] = {}
    unknown_ids: set[tuple[str, int, str]] = set()

    for finding in findings:
        if finding.suppressed:
            out.append(finding)
            continue
        peers = peers_by_rule.get(finding.rule_id, ())
        reason: str | None = None

        resource = by_address.get(finding.address) if finding.address else None
        file = resource.file if resource is not None and resource.file else finding.file
        start = resource.line if resource is not None and resource.line else finding.line
        end = resource.end_line if resource is not None else finding.line
        lines = inventory.sources.get(file) if file else None
        if lines and start:
            key = (file or "", start, end)
            if key not in cache:
                cache[key] = directives_for(lines, start, end)
                for d in cache[key]:
                    if d.tool == "tfdrift":
                        for rid in d.ids:
                            if not _known(rid, peers_by_rule):
                                unknown_ids.add((file or "", d.line, rid))
            for d in cache[key]:
                if not _inline_match(d, finding.rule_id, peers):
                    continue
                if d.expires is not None and today > d.expires:
                    k = (file or "", d.line, d.expires.isoformat())
                    expired_inline[k] = expired_inline.get(k, 0) + 1
                    continue
                reason = _describe(d, file or "")
                break

        if reason is None:
            for i, entry in enumerate(settings.ignores):
                if not _entry_match(entry, finding, peers):
                    continue
                if entry.expires is not None and today > entry.expires:
                    expired_entries[i] = expired_entries.get(i, 0) + 1
                    continue
                reason = f"{where}: ignore[{i}] (rule {entry.rule}, address {entry.address})" + (
                    f": {entry.reason}" if entry.reason else ""
                )
                break

        if reason is None:
            out.append(finding)
        else:
            out.append(replace(finding, suppressed=True, suppression_reason=reason))

    for i, entry in enumerate(settings.ignores):
        if entry.expires is not None and today > entry.expires:
            n = expired_entries.get(i, 0)
            notices.append(
                f"{where}: ignore[{i}] (rule {entry.rule}, address {entry.address}) expired on "
                f"{entry.expires.isoformat()} and no longer suppresses findings"
                + (f" ({n} finding(s) reported again)" if n else "")
            )
    for file, line, rid in sorted(unknown_ids):
        notices.append(
            f"{file}:{line}: tfdrift:ignore names {rid!r}, which matches no rule: it suppresses nothing"
        )
    for (file, line, exp), n in sorted(expired_inline.items()):
        notices.append(
            f"{file}:{line}: suppression comment expired on {exp} and no longer suppresses findings "
            f"({n} finding(s) reported again)"
        )
    return out, notices
