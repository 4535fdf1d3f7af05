"""Generate ``docs/rules.md`` from the rule catalog: ``python -m tfdrift_ci.rules.docs``.

A test fails when the committed file differs from ``render()``, so the documentation can never
drift from the rules themselves.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from tfdrift_ci.rules.base import Rule

DEFAULT_OUTPUT = Path("docs") / "rules.md"
REGENERATE = "python -m tfdrift_ci.rules.docs"

_KIND_TITLES = (
    ("config", "Unsafe configuration (static rules)"),
    ("drift", "Out-of-band changes (CloudTrail)"),
    ("unmanaged", "Resources created outside Terraform"),
    ("attempt", "Failed attempts"),
    ("error", "Errors"),
)


_CONFIGURATION = [
    "## Turning rules off, re-grading and suppressing",
    "",
    "`.tfdrift.yml` (looked up from the scanned path up to the repository root; or `--config FILE`; "
    "or `[tool.tfdrift]` in pyproject.toml):",
    "",
    "```yaml",
    "fail_on: high                 # critical | high | medium | low | info | never",
    "rules:",
    "  TFD-ECS-015: off            # or {enabled: false}",
    "  TFD-ECS-006: {severity: low}",
    "  TFD-ECR-005: on             # an opt-in rule (or {enabled: true}, or a severity)",
    "ignore:",
    "  - rule: TFD-ECR-001         # rule id, glob (TFD-ECS-*) or a peer id (CKV_AWS_51)",
    '    address: module.legacy.*  # * and ? only; brackets in this["api"] are literal',
    "    reason: legacy pipeline re-pushes :stable",
    "    expires: 2026-12-31       # after this date the entry stops suppressing, with a notice",
    "```",
    "",
    "Inline, on the comment lines directly above a resource block or anywhere inside it "
    "(`#` or `//` comments):",
    "",
    "```hcl",
    "# tfdrift:ignore:TFD-ECR-001 legacy pipeline re-pushes :stable",
    "# tfdrift:ignore:TFD-ECS-001,TFD-ECS-002:exp:2026-12-31 debugging until the end of the year",
    "#checkov:skip=CKV_AWS_51:honoured for the rules that list CKV_AWS_51",
    "#trivy:ignore:AVD-AWS-0031   (and #tfsec:ignore:aws-ecr-enforce-immutable-repository)",
    "```",
    "",
    "KICS's comments (https://docs.kics.io/latest/running-kics/#using_commands_on_scanned_files_as_comments) "
    "are honoured for the rules that list a KICS query id: `# kics-scan ignore-line` suppresses "
    "their findings on the next line that is not a comment, `# kics-scan ignore-block` on the whole "
    "block or attribute that follows (nested blocks and multi-line values included). In the comment "
    "lines at the top of a file, `# kics-scan ignore` covers the whole file, "
    "`# kics-scan disable=<query id>,…` the rules listing those queries, and "
    "`# kics-scan enable=<query id>,…` every rule listing other KICS queries; the same commands "
    "further down suppress nothing and produce a notice. A KICS query id also works in `ignore:` "
    "entries and `tfdrift:ignore:` comments.",
    "",
    "```hcl",
    "# kics-scan disable=d1846b12-20c5-4d45-8798-fc35b79268eb",
    "",
    'resource "aws_ecr_repository" "api" {',
    '  name = "api"',
    "  # kics-scan ignore-block",
    "  image_scanning_configuration {",
    "    scan_on_push = false",
    "  }",
    "}",
    "```",
    "",
    "Suppressed findings stay in the JSON report with `suppressed: true` and the reason; they do "
    "not count towards `--fail-on`.",
    "",
    "**Opt-in rules.** TFD-ECR-005 (no repository policy) and TFD-ECR-007 (no lifecycle policy) are "
    "off by default. Both fire on most repositories of most projects, where identity policies and "
    "unbounded image retention are a deliberate choice; on by default, they made every PR comment "
    "start with one line per repository that nobody acts on, and pushed the findings that matter "
    "out of sight. They are kept for teams whose standard is a policy per repository: any `rules:` "
    "entry that does not turn them off turns them on (`TFD-ECR-005: on`, `{enabled: true}`, or a "
    "severity such as `{severity: low}`). A rule that is off by default is not a weakened gate: "
    "turning it off again changes nothing.",
]


# A paragraph under a kind's heading, for what every rule of that kind shares.
_KIND_INTROS = {
    "drift": [
        "**Who made the change.** Each finding names the principal the way people know it: an SSO "
        "user by the session name (`jane@example.com`), an IAM user by name, a named human session "
        "(`jane.doe`) as it is. A session that names a machine, a run or a function rather than a "
        "person is shown after the role it acted as: `deployer (session i-0abc123)`. That is an EC2 "
        "instance id (`i-…`), `botocore-session-…`, `aws-go-sdk-…` / `aws-sdk-java-…`, "
        "`GitHubActions…` (the default of aws-actions/configure-aws-credentials), `AWSCodeBuild-…`, "
        "a name ending in a run number or timestamp (`gha-run-8123456789`), a number, an ECS task id "
        "or other long hex id, a UUID, or a long random token. A Lambda function (its calls use the "
        "function name as the session name) is recognised by the runtime its SDK adds to the user "
        "agent (`exec-env/AWS_Lambda_python3.12`) or by the role the Lambda console creates for it "
        "(`<function>-role-<8 characters>`). The same name is shown in the text, Markdown and JSON "
        "(`actor.display`) reports; the JSON also carries the ARN and the role ARN.",
        "",
    ],
}


def _enabled(rule: Rule) -> str:
    if rule.default_enabled:
        return "yes"
    return f"no (opt-in: `rules: {{{rule.id}: on}}` in `.tfdrift.yml`)"


def _anchor(rule_id: str) -> str:
    return rule_id.lower()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _peers(rule: Rule) -> str:
    parts = []
    if rule.peers.checkov:
        parts.append("checkov " + ", ".join(f"`{p}`" for p in rule.peers.checkov))
    if rule.peers.trivy:
        parts.append("trivy/tfsec " + ", ".join(f"`{p}`" for p in rule.peers.trivy))
    if rule.peers.kics:
        parts.append("KICS " + ", ".join(f"`{p}`" + _note(rule, p) for p in rule.peers.kics))
    return "; ".join(parts) or "—"


def _note(rule: Rule, peer_id: str) -> str:
    note = rule.peers.note(peer_id)
    return f" ({note})" if note else ""


def peers_text(rule: Rule) -> str:
    """The peer ids on one line for terminals: ``checkov CKV_AWS_51; trivy AVD-AWS-0031; KICS …``."""
    groups = (("checkov", rule.peers.checkov), ("trivy", rule.peers.trivy), ("KICS", rule.peers.kics))
    return "; ".join(f"{tool} " + ", ".join(p + _note(rule, p) for p in ids) for tool, ids in groups if ids)


def listing(rules: Sequence[Rule]) -> str:
    """``tfdrift-ci rules``: one line per rule (id, kind, default severity, title, peer ids)."""
    lines = []
    for r in rules:
        optin = "" if r.default_enabled else " (off by default)"
        lines.append(
            f"{r.id:<14} {r.kind:<9} {r.severity.value:<8} {r.title}{optin}  [{peers_text(r) or '-'}]"
        )
    return "\n".join(lines)


def _mitre(rule: Rule) -> str:
    if not rule.mitre:
        return "—"
    links = []
    for t in rule.mitre:
        path = t.replace(".", "/")
        links.append(f"[{t}](https://attack.mitre.org/techniques/{path}/)")
    return ", ".join(links)


def _section(rule: Rule) -> list[str]:
    types = ", ".join(f"`{t}`" for t in rule.resource_types) or "—"
    out = [
        f'<a id="{_anchor(rule.id)}"></a>',
        "",
        f"### {rule.id}: {rule.title}",
        "",
        "| | |",
        "|---|---|",
        f"| Kind | {rule.kind} |",
        f"| Default severity | {rule.severity.value} |",
        f"| Enabled by default | {_enabled(rule)} |",
        f"| Resource types | {types} |",
        f"| Peer ids | {_cell(_peers(rule))} |",
        f"| MITRE ATT&CK | {_mitre(rule)} |",
        "",
        "**What it checks.** " + rule.docs.what,
        "",
        "**Why it matters.** " + rule.docs.why,
        "",
        "**Example.**",
        "",
        "```hcl",
        rule.docs.example.rstrip(),
        "```",
        "",
        "**Fix.** " + rule.docs.fix,
        "",
        f"**Remediation.** {rule.remediation}",
        "",
        f"Suppress: `# tfdrift:ignore:{rule.id} <reason>` on or above the block, or an `ignore:` entry "
        "in `.tfdrift.yml`.",
        "",
    ]
    return out


def render(rules: Sequence[Rule] | None = None) -> str:
    if rules is None:
        from tfdrift_ci.rules.catalog import RULES

        rules = RULES
    lines = [
        "# tfdrift-ci rules",
        "",
        f"<!-- Generated by `{REGENERATE}` from the rule catalog. Do not edit by hand. -->",
        "",
        f"{len(rules)} rules. `tfdrift-ci rules --format json` prints the same catalog as JSON. Severity "
        "overrides and `off` go in `.tfdrift.yml` under `rules:`; suppressions are described below. "
        "Peer ids are the checkov / trivy (tfsec) / KICS checks of the same condition: their own skip "
        "comments (`#checkov:skip=CKV_AWS_51:…`, `#trivy:ignore:AVD-AWS-0031`, "
        "`# kics-scan ignore-line`) are honoured for them.",
        "",
        "| Id | Kind | Severity | Title | Peer ids |",
        "|---|---|---|---|---|",
    ]
    for rule in rules:
        lines.append(
            f"| [{rule.id}](#{_anchor(rule.id)}) | {rule.kind} | {rule.severity.value}"
            f"{'' if rule.default_enabled else ' (off by default)'} | "
            f"{_cell(rule.title)} | {_cell(', '.join(rule.peers.all()) or '—')} |"
        )
    lines.append("")
    lines += _CONFIGURATION
    lines.append("")
    for kind, heading in _KIND_TITLES:
        group = [r for r in rules if r.kind == kind]
        if not group:
            continue
        lines += [f"## {heading}", ""]
        lines += _KIND_INTROS.get(kind, [])
        for rule in group:
            lines += _section(rule)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    target = Path(args[0]) if args else DEFAULT_OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
