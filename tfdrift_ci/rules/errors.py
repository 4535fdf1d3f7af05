"""The ``error`` rules: not checks over resources, but what the tool itself could not do, turned
into findings so that it never passes silently. Catalogued like any other rule, so they can be looked
up (``tfdrift-ci rules``), documented, re-graded or (knowingly) turned off in ``.tfdrift.yml``.

- ``TFD-ERR-001``: a Terraform file (or plan) that could not be read;
- ``TFD-ERR-002``: a rule, or the drift engine, that failed on one resource or event;
- ``TFD-ERR-003``: an event that could belong to a declared resource whose name is unknown, but
  cannot be told apart (info: the resource is named as not checked, a gap of the report).

The first two default to high, so that under the default ``--fail-on high`` they fail the run.
"""

from __future__ import annotations

from tfdrift_ci.models import Event, Finding, Inventory, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.finding import make_finding
from tfdrift_ci.settings import Settings

PARSE_ERROR = Rule(
    id="TFD-ERR-001",
    kind="error",
    severity=Severity.HIGH,
    title="Terraform file could not be read",
    resource_types=(),
    remediation="Fix the syntax (terraform validate) so that the file can be checked.",
    docs=RuleDoc(
        what=(
            "A `.tf` file (or plan) under the scanned path that could not be parsed or decoded "
            "(syntax error, invalid UTF-8). The rest of the project is still checked; the finding "
            "names the file and, where known, the line."
        ),
        why=(
            "Resources in an unreadable file are invisible to every other rule; reporting the file "
            "with high severity keeps a broken file from passing a pipeline silently."
        ),
        example='resource "aws_ecr_repository" "broken" {\n  name = "api"\n# missing closing brace',
        fix="Run `terraform validate` (or `terraform fmt`) and fix the reported syntax error.",
    ),
)

RULE_CRASH = Rule(
    id="TFD-ERR-002",
    kind="error",
    severity=Severity.HIGH,
    title="A rule failed on a resource",
    resource_types=(),
    remediation="Report the message to the tfdrift-ci maintainers; suppress by rule and address meanwhile.",
    docs=RuleDoc(
        what=(
            "A rule raised an unexpected error while evaluating one resource. The finding names the "
            "rule and the resource; every other rule and resource is still evaluated."
        ),
        why=(
            "A crash must not hide the rest of the report, and must not pass silently either: the "
            "resource was not checked by that rule."
        ),
        example="(no Terraform example: this is a defect in tfdrift-ci or an input it does not expect)",
        fix=(
            "Upgrade tfdrift-ci, or report the message with the resource's declaration. To unblock a "
            "pipeline meanwhile, add an `ignore:` entry for TFD-ERR-002 and the address."
        ),
    ),
)

UNMATCHED_EVENT = Rule(
    id="TFD-ERR-003",
    kind="error",
    severity=Severity.INFO,
    title="Event could not be matched to a declared resource",
    resource_types=(),
    remediation=(
        "Make the resource's name known statically (a literal, a variable with a value, or "
        "--var / --var-file), so that its events can be matched."
    ),
    docs=RuleDoc(
        what=(
            "A CloudTrail write event that could belong to a declared resource whose name or ARN "
            "is not known statically (a data source, a function tfdrift-ci does not evaluate such "
            "as `regex()`), when the events cannot be told apart: several names no declared "
            "resource has, or several such resources. The finding names the event and the "
            "resource; the resource's drift check is listed as not checked (incomplete under "
            "`--fail-on-incomplete`). When exactly one name fits exactly one such resource, the "
            "event is matched instead, with a note saying so."
        ),
        why=(
            "An event that cannot be matched would otherwise vanish without a word, and the drift "
            "it carries with it: a green check must mean checked."
        ),
        example='resource "aws_ecr_repository" "api" {\n  name = regex("[a-z]+", var.image)\n}',
        fix="Give the name as a literal or a variable with a known value (`--var`, `--var-file`).",
    ),
)

ERROR_RULES: tuple[Rule, ...] = (PARSE_ERROR, RULE_CRASH, UNMATCHED_EVENT)


def severity_under(rule: Rule, settings: Settings | None) -> Severity | None:
    """The severity ``rule``'s findings get under ``settings`` (``rules: {ID: …}``), or None when the
    configuration turns the rule off."""
    setting = settings.rules.get(rule.id) if settings is not None else None
    if setting is not None and not setting.enabled:
        return None
    return (setting.severity if setting is not None else None) or rule.severity


def parse_error_findings(inventory: Inventory, settings: Settings | None = None) -> list[Finding]:
    """One ``TFD-ERR-001`` finding per file the inventory could not read, with the Terraform root the
    file belongs to (per-root outputs such as PR comments carry it)."""
    severity = severity_under(PARSE_ERROR, settings)
    if severity is None:
        return []
    root_of = {file: root for root, files in inventory.root_files.items() for file in files}
    return [
        make_finding(
            PARSE_ERROR, p.message, severity=severity, file=p.file, line=p.line, root=root_of.get(p.file)
        )
        for p in inventory.problems
    ]


def crash_finding(
    message: str,
    *,
    resource: Resource | None = None,
    event: Event | None = None,
    severity: Severity = RULE_CRASH.severity,
    remediation: str | None = None,
) -> Finding:
    """A ``TFD-ERR-002`` finding: ``message`` says what failed on what (the rule and the resource, or
    the event) and the error's type. Pass ``severity_under(RULE_CRASH, settings)`` when the caller
    applies the configuration itself."""
    return make_finding(
        RULE_CRASH, message, resource=resource, event=event, severity=severity, remediation=remediation
    )


def describe_error(err: BaseException, limit: int | None = None) -> str:
    """``KeyError: 'x'``: the error's type and text (cut to ``limit`` characters) for a crash message."""
    text = str(err)
    return f"{type(err).__name__}: {text[:limit] if limit is not None else text}"
