"""Suppressions: inline comments in the Terraform files and ``ignore:`` entries of the config.

Inline, on the comment lines directly above a resource block or on any line inside it, and for a
resource of a module, above or inside the ``module`` blocks that call it (its findings point there):

- ``# tfdrift:ignore:TFD-ECR-001 reason`` (``//`` comments too; several ids separated by commas;
  ``*`` globs such as ``TFD-ECS-*``; an optional ``:exp:2026-12-31`` after the id list);
- the peers' own comments, honoured for the peer ids a rule lists (``Rule.peers``):
  ``#checkov:skip=CKV_AWS_51:reason`` (https://www.checkov.io/2.Basics/Suppressing%20and%20Skipping%20Policies.html),
  ``#trivy:ignore:AVD-AWS-0031`` and ``#tfsec:ignore:aws-ecr-enforce-immutable-repository``, with
  trivy's optional ``:exp:YYYY-MM-DD`` (https://aquasecurity.github.io/trivy/latest/docs/configuration/filtering/).

KICS's comments (https://docs.kics.io/latest/running-kics/#using_commands_on_scanned_files_as_comments)
are honoured for the rules that list a KICS query id: ``# kics-scan ignore-line`` (the next line
that is not a comment), ``# kics-scan ignore-block`` (the block or attribute that follows, with
everything nested in it), and, in the comment lines at the top of a file, ``# kics-scan ignore``
(the whole file), ``# kics-scan disable=<id>,<id>`` (those queries in the file) and
``# kics-scan enable=<id>,<id>`` (only those queries in the file).

Config ``ignore:`` entries match a rule id glob (or a peer id) and an address glob (``*`` and ``?``
only: brackets in ``this["api"]`` are literal). An entry or comment past its expiry date stops
suppressing and produces a notice that says so.

Suppressed findings stay in the list with ``suppressed=True`` and ``suppression_reason``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Finding, Inventory, Resource
from tfdrift_ci.settings import IgnoreEntry, Settings

if TYPE_CHECKING:
    from tfdrift_ci.rules.base import Rule

_EXP = r"(?::exp:(?P<exp>\d{4}-\d{2}-\d{2}))?"
_TFDRIFT = re.compile(
    r"(?:#|//|/\*)\s*tfdrift:ignore:(?P<ids>[A-Za-z0-9_*?\-]+(?:\s*,\s*[A-Za-z0-9_*?\-]+)*)"
    + _EXP
    + r"(?P<reason>[^\n]*)"
)
_CHECKOV = re.compile(r"(?:#|//|/\*)\s*checkov:skip=\s*(?P<ids>[A-Za-z0-9_]+)(?::(?P<reason>[^\n]*))?")
_TRIVY = re.compile(r"(?:#|//|/\*)\s*(?P<tool>trivy|tfsec):ignore:(?P<ids>[A-Za-z0-9_\-]+)" + _EXP)
_COMMENT_LINE = re.compile(r"^\s*(?:#|//|/\*|\*)")
_KICS = re.compile(
    r"(?:#|//|/\*)\s*kics-scan\s+(?P<cmd>ignore-line|ignore-block|ignore|disable|enable)(?![\w-])"
    r"(?:\s*=\s*(?P<ids>[A-Za-z0-9-]+(?:\s*,\s*[A-Za-z0-9-]+)*))?"
)
_KICS_FILE_COMMANDS = ("ignore", "disable", "enable")


@frozen
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


@frozen
class KicsScope:
    """What one ``kics-scan`` comment covers: lines ``start..end`` of its file."""

    command: str  # ignore-line | ignore-block | ignore | disable | enable
    ids: tuple[str, ...]  # query ids of disable= / enable=
    line: int  # the comment's own line
    start: int
    end: int

    def covers(self, line: int | None, kics_ids: tuple[str, ...]) -> bool:
        if self.command == "disable":
            return any(i in self.ids for i in kics_ids)
        if self.command == "enable":
            return not any(i in self.ids for i in kics_ids)
        return line is not None and self.start <= line <= self.end

    def describe(self, file: str) -> str:
        ids = f"={','.join(self.ids)}" if self.ids else ""
        return f"kics-scan {self.command}{ids} ({file}:{self.line})"


def kics_scopes(lines: Sequence[str]) -> tuple[list[KicsScope], list[int]]:
    """Every ``kics-scan`` comment of a file with the lines it covers, and the lines of file-level
    commands that are not in the file's leading comments (so they cover nothing)."""
    scopes: list[KicsScope] = []
    misplaced: list[int] = []
    leading = True
    for n, text in enumerate(lines, start=1):
        is_comment = bool(_COMMENT_LINE.match(text))
        if leading and text.strip() and not is_comment:
            leading = False
        if "kics-scan" not in text:
            continue
        for m in _KICS.finditer(text):
            cmd = m.group("cmd")
            ids = tuple(i.strip() for i in (m.group("ids") or "").split(",") if i.strip())
            if cmd in _KICS_FILE_COMMANDS:
                if not leading or (cmd != "ignore" and not ids):
                    misplaced.append(n)
                    continue
                scopes.append(KicsScope(cmd, ids, n, 1, len(lines)))
                continue
            target = _next_code_line(lines, n)
            if target is None:
                continue
            end = target if cmd == "ignore-line" else _block_end(lines, target)
            scopes.append(KicsScope(cmd, (), n, target, end))
    return scopes, misplaced


def _next_code_line(lines: Sequence[str], after: int) -> int | None:
    for n in range(after + 1, len(lines) + 1):
        text = lines[n - 1]
        if text.strip() and not _COMMENT_LINE.match(text):
            return n
    return None


_HEREDOC = re.compile(r"<<-?\s*([A-Za-z_][A-Za-z0-9_-]*)\s*$")


def _block_end(lines: Sequence[str], start: int) -> int:
    """Last line of the block or attribute starting on line ``start``: brackets are counted outside
    strings, comments and heredocs until they close (a one-line attribute ends where it starts)."""
    depth = 0
    opened = False
    heredoc: str | None = None
    n = start
    while n <= len(lines):
        text = lines[n - 1]
        if heredoc is not None:
            if text.strip() == heredoc:
                heredoc = None
                if opened and depth == 0:
                    return n
            n += 1
            continue
        i, in_string = 0, False
        while i < len(text):
            c = text[i]
            if in_string:
                if c == "\\":
                    i += 2
                    continue
                if c == '"':
                    in_string = False
            elif c == '"':
                in_string = True
            elif c == "#" or text.startswith("//", i):
                break
            elif c in "([{":
                depth += 1
                opened = True
            elif c in ")]}":
                depth -= 1
            i += 1
        marker = _HEREDOC.search(text)
        if marker is not None:
            heredoc = marker.group(1)
            opened = True
        elif not opened or depth <= 0:
            return n
        n += 1
    return len(lines)


class _Peers:
    """Rule id -> every peer id, and -> its KICS query ids. The static rules (already imported to
    produce their findings) answer first; the whole catalog, whose drift rules import the events
    layer, is loaded only for an id they do not know: a drift finding, or a suppression comment
    naming a drift rule or no rule at all. The pre-commit hook (offline, static findings only)
    thus never imports the drift rules."""

    def __init__(self) -> None:
        from tfdrift_ci.rules.config import CONFIG_RULES
        from tfdrift_ci.rules.errors import ERROR_RULES

        self._rules: dict[str, Rule] = {r.id: r for r in (*CONFIG_RULES, *ERROR_RULES)}
        self._whole = False

    def _all(self) -> bool:
        """Load the whole catalog; False when it already was (nothing new to look at)."""
        if self._whole:
            return False
        from tfdrift_ci.rules.catalog import RULES

        self._rules = {r.id: r for r in RULES}
        self._whole = True
        return True

    def _rule(self, rule_id: str) -> Rule | None:
        rule = self._rules.get(rule_id)
        if rule is None and self._all():
            rule = self._rules.get(rule_id)
        return rule

    def all(self, rule_id: str) -> tuple[str, ...]:
        rule = self._rule(rule_id)
        return rule.peers.all() if rule is not None else ()

    def kics(self, rule_id: str) -> tuple[str, ...]:
        rule = self._rule(rule_id)
        return rule.peers.kics if rule is not None else ()

    def known(self, rule_id: str) -> bool:
        """Whether a ``tfdrift:ignore`` id (a glob, a rule id or a peer's id) names some rule."""
        while True:
            if any(glob_match(r, rule_id) or rule_id in x.peers.all() for r, x in self._rules.items()):
                return True
            if not self._all():
                return False


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


def _inline_reason(
    directives: Sequence[Directive],
    rule_id: str,
    peers: tuple[str, ...],
    file: str,
    *,
    today: date,
    expired: dict[tuple[str, int, str], int],
) -> str | None:
    """Why the first live comment among ``directives`` suppresses ``rule_id``, or None. Matching
    comments past their expiry are counted in ``expired`` ((file, line, date) -> findings)."""
    for d in directives:
        if not _inline_match(d, rule_id, peers):
            continue
        if d.expires is not None and today > d.expires:
            k = (file, d.line, d.expires.isoformat())
            expired[k] = expired.get(k, 0) + 1
            continue
        return _describe(d, file)
    return None


def _config_reason(
    finding: Finding,
    peers: tuple[str, ...],
    settings: Settings,
    today: date,
    expired: dict[int, int],
) -> str | None:
    """Why the first live ``ignore:`` entry matching ``finding`` suppresses it, or None. Matching
    entries past their expiry are counted in ``expired`` (index -> findings) for the notice."""
    where = settings.config_file or "config"
    for i, entry in enumerate(settings.ignores):
        if not _entry_match(entry, finding, peers):
            continue
        if entry.expires is not None and today > entry.expires:
            expired[i] = expired.get(i, 0) + 1
            continue
        return f"{where}: ignore[{i}] (rule {entry.rule}, address {entry.address})" + (
            f": {entry.reason}" if entry.reason else ""
        )
    return None


Place = tuple[str, int, int | None]  # (file, first line, last line) of a block


def _places(
    resource: Resource | None,
    file: str | None,
    start: int | None,
    end: int | None,
    inventory: Inventory,
    *,
    ends: dict[tuple[str, int], int],
) -> list[Place]:
    """Where comments may suppress a finding: the resource block, then the module blocks that call
    it (innermost first): a finding on a module's resource points at the module block that sets the
    value, which is where a person puts the comment. ``ends``: module blocks' last lines, memoised
    (every resource of a call shares them)."""
    out: list[Place] = [(file, start, end)] if file and start and inventory.sources.get(file) else []
    for site in reversed(resource.call_sites if resource is not None else ()):
        if site.file and site.line and inventory.sources.get(site.file):
            at = (site.file, site.line)
            if at not in ends:
                ends[at] = _block_end(inventory.sources[site.file], site.line)
            out.append((site.file, site.line, ends[at]))
    return out


def _directives(
    lines: Sequence[str], place: Place, peers: _Peers, unknown_ids: set[tuple[str, int, str]]
) -> list[Directive]:
    """The directives of ``place``; ids of ``tfdrift:ignore`` that match no rule go to ``unknown_ids``."""
    found = directives_for(lines, place[1], place[2])
    for d in found:
        if d.tool == "tfdrift":
            unknown_ids.update((place[0], d.line, rid) for rid in d.ids if not peers.known(rid))
    return found


def apply(
    findings: list[Finding], inventory: Inventory, settings: Settings, *, today: date
) -> tuple[list[Finding], list[str]]:
    """Mark suppressed findings; returns (findings in the same order, notices)."""
    peers_by = _Peers()
    kics_files: dict[str, list[KicsScope]] = {}
    misplaced_kics: set[tuple[str, int]] = set()
    by_address: dict[str, Resource] = {r.address: r for r in inventory.resources}
    where = settings.config_file or "config"
    notices: list[str] = []
    expired_entries: dict[int, int] = {}  # index in settings.ignores -> findings it would match
    expired_inline: dict[tuple[str, int, str], int] = {}
    out: list[Finding] = []
    cache: dict[Place, list[Directive]] = {}
    ends: dict[tuple[str, int], int] = {}
    unknown_ids: set[tuple[str, int, str]] = set()

    for finding in findings:
        if finding.suppressed:
            out.append(finding)
            continue
        peers = peers_by.all(finding.rule_id)
        reason: str | None = None

        resource = by_address.get(finding.address) if finding.address else None
        file = resource.file if resource is not None and resource.file else finding.file
        start = resource.line if resource is not None and resource.line else finding.line
        end = resource.end_line if resource is not None else finding.line
        lines = inventory.sources.get(file) if file else None
        for key in _places(resource, file, start, end, inventory, ends=ends):
            if key not in cache:
                cache[key] = _directives(inventory.sources[key[0]], key, peers_by, unknown_ids)
            reason = _inline_reason(
                cache[key], finding.rule_id, peers, key[0], today=today, expired=expired_inline
            )
            if reason is not None:
                break

        kics_ids = peers_by.kics(finding.rule_id)
        if reason is None and kics_ids and lines and file:
            if file not in kics_files:
                kics_files[file], misplaced = kics_scopes(lines)
                misplaced_kics.update((file, n) for n in misplaced)
            # finding.line is in finding.file, which is the calling module's file for a module's resource
            line = finding.line if finding.line is not None and finding.file == file else start
            for scope in kics_files[file]:
                if scope.covers(line, kics_ids):
                    reason = scope.describe(file)
                    break

        if reason is None:
            reason = _config_reason(finding, peers, settings, today, expired_entries)

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
    for file, line in sorted(misplaced_kics):
        notices.append(
            f"{file}:{line}: kics-scan ignore/disable/enable apply to the whole file only in the comment "
            "lines at the top of the file (disable/enable with =<query id>): this one suppresses nothing"
        )
    for (file, line, exp), n in sorted(expired_inline.items()):
        notices.append(
            f"{file}:{line}: suppression comment expired on {exp} and no longer suppresses findings "
            f"({n} finding(s) reported again)"
        )
    return out, notices
