"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning (``github/codeql-action/upload-sarif``).

- One ``reportingDescriptor`` per catalog rule (help text from the rule docs, ``security-severity``
  and tags, https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#reportingdescriptor-object),
  plus a generated one for any rule id a finding carries that the catalog does not know (yet).
- Results located at file and line, ``uri`` relative to the repository root with ``uriBaseId``
  ``%SRCROOT%``, always a file of the repository (``report/locations.py``); a finding on a resource
  inside a module is at the user's code (the module input …) with the resource in the module as a
  ``relatedLocations`` entry.
- ``partialFingerprints`` from rule id + address + attribute + event id (never line numbers), so an
  alert survives edits above it and GitHub does not open a duplicate.
- Suppressed findings are kept, with a ``suppressions`` entry (GitHub shows them as dismissed).
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from typing import TYPE_CHECKING, Any

from tfdrift_ci.models import Finding, Report, Severity
from tfdrift_ci.paths import repository_root
from tfdrift_ci.report import _common as c
from tfdrift_ci.report.escape import json_safe, sarif_text
from tfdrift_ci.report.locations import position, related

if TYPE_CHECKING:
    from tfdrift_ci.report import RenderOptions
    from tfdrift_ci.rules.base import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://example.invalid/tfdrift-ci"
FINGERPRINT_KEY = "tfdriftFinding/v1"

# GitHub: > 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low (security-severity).
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def _catalog() -> tuple[Rule, ...]:
    """The rule catalog, or nothing when it cannot be imported yet (rules are still being written):
    the results then carry generated rule descriptors instead of failing the whole report."""
    try:
        from tfdrift_ci.rules.catalog import RULES
    except ImportError:
        return ()
    return RULES


def _camel(title: str) -> str:
    return "".join(
        w[:1].upper() + w[1:] for w in "".join(ch if ch.isalnum() else " " for ch in title).split()
    )


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    d = rule.docs
    markdown = (
        f"**{rule.title}**\n\n"
        f"**What it checks.** {d.what}\n\n"
        f"**Why it matters.** {d.why}\n\n"
        f"**Example**\n\n```hcl\n{d.example.strip()}\n```\n\n"
        f"**Fix.** {d.fix}\n"
    )
    peers = rule.peers.all()
    if peers:
        markdown += f"\nEquivalent checks: {', '.join(peers)}\n"
    text = f"{d.what}\n\nWhy it matters: {d.why}\n\nFix: {d.fix}"
    tags = [
        "security",
        "terraform",
        rule.kind,
        *rule.resource_types,
        *(f"external/mitre/{m}" for m in rule.mitre),
    ]
    props: dict[str, Any] = {"tags": tags, "kind": rule.kind}
    if rule.severity is not Severity.INFO:
        props["security-severity"] = SECURITY_SEVERITY[rule.severity]
    if peers:
        props["peer-ids"] = list(peers)
    return {
        "id": rule.id,
        "name": _camel(rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": d.what},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": props,
    }


def _generated_descriptor(f: Finding) -> dict[str, Any]:
    """A finding whose rule id is not in the catalog (an engine-made error finding, or a rule not yet
    registered): describe it from the finding itself."""
    props: dict[str, Any] = {"tags": ["security", "terraform", f.kind], "kind": f.kind}
    if f.severity is not Severity.INFO:
        props["security-severity"] = SECURITY_SEVERITY[f.severity]
    help_text = f.remediation or f.title
    return {
        "id": f.rule_id,
        "name": _camel(f.title),
        "shortDescription": {"text": sarif_text(f.title)},
        "fullDescription": {"text": sarif_text(f.title)},
        "help": {"text": sarif_text(help_text)},
        "defaultConfiguration": {"level": LEVELS[f.severity]},
        "properties": props,
    }


def fingerprint(f: Finding) -> str:
    """Stable across line moves: rule id, address, attribute and event id only."""
    key = "\x1f".join(
        [f.rule_id, f.address or f.file or "", f.attribute or "", f.event.id if f.event else ""]
    )
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def artifact_uri(report_path: str, file: str) -> str:
    """``file`` (relative to the scanned PATH) as a URI relative to the repository root.

    A relative PATH is taken as relative to the repository root (how CI runs it, from the checkout);
    an absolute PATH is made relative to its enclosing git work tree."""
    base = report_path.replace(os.sep, "/")
    if os.path.isabs(report_path):
        root = repository_root(os.path.abspath(report_path))
        base = os.path.relpath(report_path, root).replace(os.sep, "/") if root else base.lstrip("/")
    if base.endswith(".tf"):  # PATH was a single file: findings are relative to its directory
        base = posixpath.dirname(base)
    joined = posixpath.normpath(posixpath.join(base or ".", file.replace(os.sep, "/")))
    return joined.lstrip("/") if joined != "." else file


def _location(report: Report, f: Finding) -> dict[str, Any]:
    # Code scanning rejects a whole upload when one result has no location: every result is placed
    # on a file of the repository (report/locations.py: its own, its resource's, or its root's
    # provider block), never on a fetched module's file
    where = position(report, f)
    if where is None:  # no .tf file was read at all: the scanned directory is all there is
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": _dir_uri(report.path), "uriBaseId": "%SRCROOT%"}
        }
    else:
        physical = _physical(report, where[0], where[1])
    loc: dict[str, Any] = {"physicalLocation": physical}
    if f.address:
        loc["logicalLocations"] = [{"fullyQualifiedName": f.address, "kind": "resource"}]
    return loc


def _physical(report: Report, file: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": artifact_uri(report.path, file), "uriBaseId": "%SRCROOT%"}
    }
    if line and line >= 1:
        physical["region"] = {"startLine": line}
    return physical


def _related(report: Report, f: Finding) -> list[dict[str, Any]]:
    """The resource inside its module (when that is a file of the repository), as relatedLocations."""
    return [
        {
            "id": i,
            "physicalLocation": _physical(report, loc.file, loc.line),
            "message": {"text": sarif_text(loc.note)},
        }
        for i, loc in enumerate(related(f), 1)
    ]


def _dir_uri(report_path: str) -> str:
    base = artifact_uri(report_path, ".") if report_path not in ("", ".") else "."
    return base.rstrip("/") + "/" if base != "." else "./"


def _message(f: Finding) -> str:
    parts = [f.message]
    if f.kind in c.DRIFT_KINDS and f.event is not None:
        who = c.actor_text(f.actor)
        change = f" {f.attribute}: {c.change_text(f)}" if c.has_change(f) and f.attribute else ""
        parts.append(f"{f.event.name} by {who} at {c.when_text(f)}{change} (event {f.event.id})")
        parts.extend(f"  {line}" for line in c.diff_lines(f))
    if f.reverted_by_plan:
        parts.append(c.reverted_text(f))
    if f.remediation:
        parts.append(f"Fix: {f.remediation}")
    return sarif_text("\n".join(parts))


def _result(report: Report, f: Finding, index: int) -> dict[str, Any]:
    res: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "kind": "fail",
        "level": LEVELS[f.severity],
        "message": {"text": _message(f)},
        "locations": [_location(report, f)],
        **({"relatedLocations": rel} if (rel := _related(report, f)) else {}),
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
        "properties": {
            "severity": f.severity.value,
            "kind": f.kind,
            **({"address": f.address} if f.address else {}),
            **({"attribute": f.attribute} if f.attribute else {}),
            **({"eventId": f.event.id, "eventName": f.event.name} if f.event else {}),
            **({"actor": f.actor.display, "via": f.actor.via} if f.actor else {}),
        },
    }
    if f.suppressed:
        res["suppressions"] = [
            {
                "kind": "inSource",
                "status": "accepted",
                "justification": sarif_text(f.suppression_reason or ""),
            }
        ]
    return res


def sarif_dict(report: Report) -> dict[str, Any]:
    findings = c.sorted_findings(report.findings)
    descriptors: list[dict[str, Any]] = [_rule_descriptor(r) for r in sorted(_catalog(), key=lambda r: r.id)]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    for f in findings:
        if f.rule_id not in index:
            index[f.rule_id] = len(descriptors)
            descriptors.append(_generated_descriptor(f))
    notifications = [
        {"level": "warning", "message": {"text": sarif_text(text)}} for text in c.not_checked(report)
    ] + [{"level": "note", "message": {"text": sarif_text(text)}} for text in report.notices]
    invocation: dict[str, Any] = {
        "executionSuccessful": report.exit_code in (0, 1),
        "exitCode": report.exit_code,
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tfdrift-ci",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                # The category code scanning keeps alerts apart by: one per scanned path.
                "automationDetails": {"id": f"tfdrift-ci/{_dir_uri(report.path).rstrip('/') or '.'}/"},
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository root."}}},
                "invocations": [invocation],
                "results": [_result(report, f, index[f.rule_id]) for f in findings],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def render(report: Report, options: RenderOptions) -> str:
    return json_safe(json.dumps(sarif_dict(report), indent=2, ensure_ascii=False)) + "\n"
