"""The values every stage passes to the next. Frozen dataclasses, no behaviour beyond small helpers.

Boundaries convert to these: the inventory never hands rules an HCL tree, events never hand rules a
boto3 shape, reports never see anything else. The JSON report (``tfdrift_ci/schemas/report-schema.json``)
is the contract; these names are internal.
"""

from __future__ import annotations

import enum
import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from tfdrift_ci.frozen import frozen

# --------------------------------------------------------------------------------------------------
# Severity


class Severity(str, enum.Enum):  # noqa: UP042 - renderers were written against (str, Enum) str()/format()
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical=4 … info=0."""
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``Severity.parse("HIGH")``; raises ValueError for anything else."""
        return cls(text.strip().lower())


_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}

SEVERITIES: tuple[Severity, ...] = tuple(Severity)  # worst first

FindingKind = Literal["config", "drift", "unmanaged", "attempt", "error"]
# The kinds whose findings hold a before (expected) and an after (actual): what reports diff.
CHANGE_KINDS: tuple[FindingKind, ...] = ("drift", "attempt", "unmanaged")
Via = Literal["terraform", "console", "cli", "sdk", "service", "unknown"]

# --------------------------------------------------------------------------------------------------
# Terraform side


@frozen
class Unknown:
    """A value the inventory could not determine (a variable with no value, a data source, a
    function it does not evaluate…). Never replaced by a guessed string.

    ``expr`` is the source text (``${var.env}-api``). ``pattern`` is an fnmatch glob usable to match
    names when part of the value is known (``*-api``), else None.
    """

    expr: str
    pattern: str | None = None

    def __str__(self) -> str:
        return f"(unknown: {self.expr})"


# Identity kinds: what CloudTrail keys a resource is matched by (built in inventory/identity.py,
# matched against events in rules/drift/_match.py).
IdentityKind = Literal[
    "repository",  # ECR repository (and repository policy / lifecycle policy: their repository)
    "public_repository",  # ECR Public repository (and its policy)
    "registry",  # registry-level ECR settings: replication, scanning, registry policy
    "pull_through_cache_rule",  # name = ecrRepositoryPrefix
    "cluster",
    "cluster_capacity_providers",  # name = cluster name
    "service",  # name = service name, cluster = cluster name ("default" when omitted)
    "task_definition",  # name = family
    "capacity_provider",
    "account_setting",  # name = setting name (e.g. containerInsights)
    "task_set",  # name = service name, cluster = cluster name (task set ids are computed by AWS)
    "express_gateway_service",  # name = service name, cluster = cluster name
    "daemon",  # name = daemon name, cluster = cluster name
    "daemon_task_definition",  # name = family
    "resource_tag",  # name = the tagged resource's ARN (aws_ecs_tag)
    "creation_template",  # name = repository prefix (ROOT for the whole registry)
    "ecr_account_setting",  # name = setting name (e.g. BASIC_SCAN_TYPE_VERSION)
    "pull_time_update_exclusion",  # name = principal ARN
]


# The JSON report's key for an identity's name, per kind (CloudTrail request key names).
IDENTITY_NAME_KEY: dict[str, str | None] = {
    "repository": "repositoryName",
    "public_repository": "repositoryName",
    "registry": None,
    "pull_through_cache_rule": "ecrRepositoryPrefix",
    "cluster": "cluster",
    "cluster_capacity_providers": "cluster",
    "service": "service",
    "task_definition": "family",
    "capacity_provider": "name",
    "account_setting": "name",
    "task_set": "service",
    "express_gateway_service": "service",
    "daemon": "daemonName",
    "daemon_task_definition": "family",
    "resource_tag": "resourceArn",
    "creation_template": "prefix",
    "ecr_account_setting": "name",
    "pull_time_update_exclusion": "principalArn",
}


@frozen
class Identity:
    """CloudTrail keys for one resource. ``name``/``cluster`` are plain strings when known, or an
    ``Unknown`` whose ``pattern`` (when not None) is matched with fnmatch. ``account``/``region`` are
    None when unknown (then they do not restrict matching)."""

    kind: IdentityKind
    name: str | Unknown | None = None
    cluster: str | Unknown | None = None
    account: str | None = None
    region: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON report's ``identity`` object (CloudTrail request key names)."""
        out: dict[str, Any] = {"kind": self.kind}
        key = IDENTITY_NAME_KEY[self.kind]
        if key is not None:
            out[key] = jsonable(self.name)
        if self.cluster is not None:
            out["cluster"] = jsonable(self.cluster)
        if self.account:
            out["account"] = self.account
        if self.region:
            out["region"] = self.region
        return out


def jsonable(value: Any, *, unknown_as_text: bool = False) -> Any:
    """A model value as JSON data (the JSON report and ``tfdrift-ci inventory --format json``): an
    Unknown becomes ``{"unknown": expr, "pattern": …}`` (or its text with ``unknown_as_text``: a
    drift finding's expected/actual value), mappings and sequences are converted through, anything
    else that JSON has no type for becomes its text."""
    if isinstance(value, Unknown):
        return str(value) if unknown_as_text else {"unknown": value.expr, "pattern": value.pattern}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, unknown_as_text=unknown_as_text) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v, unknown_as_text=unknown_as_text) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@frozen
class CallSite:
    """One ``module`` block on the way from the root module to a resource (``Resource.call_sites``,
    outermost first): where the user's code passes values into the module that declares it."""

    address: str  # instance address of the call: module.app / module.app.module.svc["a"]
    file: str | None  # the file holding the module block (relative to PATH, like Resource.file)
    line: int | None  # the module block's first line
    source: str  # the source as written (credentials removed)
    inputs: Mapping[str, int] = field(default_factory=dict)  # argument name -> its line on the block
    # The called module's code is not in the repository (module cache or .terraform/modules): the
    # files of that module are never a location to annotate; this call's own file still may be.
    fetched: bool = False
    package: str | None = None  # fetched only: what was fetched ("terraform-aws-modules/ecs/aws 5.11.0")

    def as_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "file": self.file,
            "line": self.line,
            "source": self.source,
            "inputs": dict(self.inputs),
            "fetched": self.fetched,
            "package": self.package,
        }


OriginKind = Literal[
    "attribute",  # the argument in the resource block
    "module_input",  # the argument on a calling module block (var.x inside the module)
    "variable_default",  # a variable's default
    "tfvars",  # the entry of a .tfvars file that sets a root variable
    "local",  # a local value
    "variable",  # a variable block whose value is not in the code (--var, TF_VAR_, no default)
    "module_block",  # the module block: the value is set inside a fetched module
    "resource_block",  # the resource block: the attribute is not written (provider default)
]


@frozen
class Origin:
    """Where in the code a resource attribute's value is set (``inventory/origin.py``), followed from
    the resource block through ``var.x`` → the calling module block's input (through nested modules) →
    the variable default or the root's tfvars entry, and through ``local.x``.

    ``file``/``line``/``end_line`` are where the value is written (``file`` relative to PATH like
    ``Resource.file``; None when the value is set outside the code), ``name`` the argument or key
    written there (``image_tag_mutability``, the input name, ``default``, the tfvars variable, the
    local) and ``expr`` its expression exactly as written (empty for the ``*_block`` kinds).
    ``single_literal``: ``expr`` is one literal (string, number, bool, null, list or map of literals, a
    heredoc, ``jsonencode(<literal>)``) that can be rewritten in place. ``uses``: how many places take
    their value from it (references to the variable / local in its module, times the instances of the
    module; instances of the resource for an attribute): only 1 means an edit there changes this
    resource alone. ``reason`` says why the value cannot be adopted here (None when it can).
    ``in_repository``: ``file`` is a file of the repository (not a fetched module or
    ``.terraform/modules``). ``chain``: the steps followed, for people (``var.mutability`` →
    ``module.app: mutability`` …)."""

    kind: OriginKind
    file: str | None
    line: int | None
    end_line: int | None
    name: str
    expr: str = ""
    single_literal: bool = False
    uses: int = 1
    reason: str | None = None
    in_repository: bool = True
    chain: tuple[str, ...] = ()

    @property
    def adoptable(self) -> bool:
        """The value can be rewritten at this place without changing anything else."""
        return self.single_literal and self.uses == 1 and self.in_repository and self.reason is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "line": self.line,
            "end_line": self.end_line,
            "name": self.name,
            "expr": self.expr,
            "single_literal": self.single_literal,
            "uses": self.uses,
            "reason": self.reason,
            "in_repository": self.in_repository,
            "chain": list(self.chain),
        }


@frozen
class Resource:
    """One declared ECR/ECS resource instance.

    ``attributes`` follow the shape of ``terraform show -json`` values: nested blocks are lists of
    dicts (``image_scanning_configuration: [{"scan_on_push": False}]``), scalars are typed, unknown
    values are ``Unknown``. JSON-document attributes (``container_definitions``, every ``policy``)
    are decoded into lists/dicts when their text is known, else ``Unknown``.
    """

    address: str  # module.app.aws_ecs_service.api / aws_ecr_repository.this["api"]
    type: str
    name: str
    module_path: tuple[str, ...] = ()  # ("app",) for module.app
    attributes: Mapping[str, Any] = field(default_factory=dict)
    file: str | None = None  # path relative to the scanned PATH when known (posix separators)
    line: int | None = None  # first line of the block
    end_line: int | None = None
    attribute_lines: Mapping[str, int] = field(default_factory=dict)  # top-level attr/block -> line
    ignore_changes: tuple[str, ...] | Literal["all"] = ()
    identity: Identity | None = None
    root: str = "."  # the Terraform root directory this instance belongs to (relative to PATH)
    provider: str | None = None  # "aws" / "aws.west" (the provider config address used)
    unknowns: tuple[str, ...] = ()  # attribute paths whose value is Unknown
    call_sites: tuple[CallSite, ...] = ()  # the module blocks leading to it (empty in the root module)
    # From a plan only:
    plan_actions: tuple[str, ...] = ()  # ("update",), ("create",), ("no-op",) …
    planned: Mapping[str, Any] | None = None  # the plan's "after" values (what apply will set)
    prior: Mapping[str, Any] | None = None  # the plan's "before"/prior_state values
    # attribute path (as in attribute_lines, without JSON-document keys) -> where its value is set;
    # read through inventory.origin.origin_for (it also answers for paths not listed here)
    origins: Mapping[str, Origin] = field(default_factory=dict, compare=False, repr=False)


@frozen
class ParseProblem:
    """A file the inventory could not read; becomes an ``error`` finding, the rest is still checked."""

    file: str
    message: str
    line: int | None = None


@frozen
class ModuleCall:
    """A module call that was not followed (a registry/git source that could not be fetched …)."""

    address: str  # module.vpc
    source: str  # as written, credentials removed
    file: str | None
    line: int | None
    reason: str
    version: str | None = None  # the call's version constraint, when it has one
    # 0: a known ECR/ECS module (terraform-aws-modules/ecs …), 1: its name says ECR/ECS, 2: other
    relevance: int = 2
    root: str | None = None  # the Terraform root whose load met the call (None: not known)


@frozen
class UnfollowedSource:
    """One module source that could not be followed, with every call that uses it: reports name a
    source once, not once per call or instance."""

    source: str
    reason: str  # the first call's (calls of one source usually fail for the same reason)
    calls: tuple[ModuleCall, ...]
    relevance: int = 2

    @property
    def ecr_ecs(self) -> bool:
        return self.relevance < 2

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(sorted({c.version for c in self.calls if c.version}))

    def as_dict(self) -> dict[str, Any]:
        first = self.calls[0] if self.calls else None
        return {
            "source": self.source,
            "versions": list(self.versions),
            "reason": self.reason,
            "calls": [c.address for c in self.calls],
            "file": first.file if first else None,
            "line": first.line if first else None,
            "ecr_ecs": self.ecr_ecs,
        }


def unfollowed_by_source(calls: Sequence[ModuleCall]) -> tuple[UnfollowedSource, ...]:
    """Group not-followed calls by source: known ECR/ECS modules first, then by source."""
    groups: dict[str, list[ModuleCall]] = {}
    for call in sorted(calls, key=lambda c: (c.address, c.file or "", c.line or 0)):
        groups.setdefault(call.source, []).append(call)
    out = [
        UnfollowedSource(
            source=source,
            reason=items[0].reason,
            calls=tuple(items),
            relevance=min(c.relevance for c in items),
        )
        for source, items in groups.items()
    ]
    return tuple(sorted(out, key=lambda u: (u.relevance, u.source)))


@frozen
class Inventory:
    path: str  # the scanned PATH as given
    roots: tuple[str, ...]  # Terraform root dirs relative to path ("." for path itself)
    resources: tuple[Resource, ...]
    files: int  # number of .tf files read
    problems: tuple[ParseProblem, ...] = ()
    unfollowed_modules: tuple[ModuleCall, ...] = ()
    plan_file: str | None = None
    # file (relative) -> its text lines, kept so suppressions comments can be read without I/O again
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    regions: tuple[str, ...] = ()  # regions named by provider blocks (for the aws event source)
    # root -> every file (relative to path) read for that root, its modules' files included;
    # used by --changed-only and the pre-commit hook to pick the roots a change touches
    root_files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Resources declared in the code whose count/for_each yields no instance with these inputs (or
    # inside a module call that does): listed by `tfdrift-ci inventory`, never checked or matched.
    declared_only: tuple[Resource, ...] = ()
    # One-line notices for the report (files file() and friends refused to read …)
    notices: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------------
# CloudTrail side


@frozen
class Actor:
    display: str  # SSO user / session name before role name / IAM user name
    arn: str | None = None  # userIdentity.arn
    type: str | None = None  # userIdentity.type (IAMUser, AssumedRole, AWSService, Root…)
    role_arn: str | None = None  # sessionContext.sessionIssuer.arn
    via: Via = "unknown"
    service: str | None = None  # invokedBy
    source_ip: str | None = None
    user_agent: str | None = None
    access_key_id: str | None = None  # kept for matching only; never rendered

    def as_dict(self) -> dict[str, Any]:
        return {
            "display": self.display,
            "arn": self.arn,
            "type": self.type,
            "role_arn": self.role_arn,
            "via": self.via,
            "service": self.service,
            "source_ip": self.source_ip,
            "user_agent": self.user_agent,
        }


@frozen
class Event:
    id: str
    name: str  # eventName
    source: str  # eventSource, e.g. ecs.amazonaws.com
    time: datetime  # timezone-aware UTC
    region: str | None
    account: str | None  # recipientAccountId (else userIdentity.accountId)
    actor: Actor
    read_only: bool = False
    error_code: str | None = None
    error_message: str | None = None
    request: Mapping[str, Any] = field(default_factory=dict)  # requestParameters ({} when null)
    response: Mapping[str, Any] = field(default_factory=dict)  # responseElements ({} when null)
    resources: tuple[Mapping[str, Any], ...] = ()  # the record's "resources" array
    event_type: str | None = None  # AwsApiCall / AwsServiceEvent / AwsConsoleAction…
    truncated: bool = False  # request/response were cut by CloudTrail (100 KB cap) or unparsable
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The JSON report's ``event`` object."""
        return {
            "name": self.name,
            "id": self.id,
            "time": iso(self.time),
            "source": self.source,
            "region": self.region,
            "account": self.account,
            "error_code": self.error_code,
        }


@frozen
class Window:
    """``since <= eventTime < until`` (both timezone-aware UTC)."""

    since: datetime
    until: datetime

    def contains(self, t: datetime) -> bool:
        return self.since <= t < self.until


@frozen
class SourceStatus:
    """What one source managed to read: the JSON report's ``scanned.sources[]``."""

    name: str  # aws:lookup-events:us-east-1, file:events/, s3://bucket/prefix …
    events_read: int = 0  # well-formed records inside the window
    api_calls: int | None = None
    complete: bool = True
    error: str | None = None  # why incomplete (or a notice)
    malformed: int = 0  # records that could not be normalised
    # File and S3 sources: CloudTrail records in what was read, and how many of them were never
    # parsed because their bytes showed they cannot be a wanted write (no wanted eventName / source).
    records: int | None = None
    records_skipped: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "events_read": self.events_read,
            "complete": self.complete,
            "error": self.error,
            "malformed": self.malformed,
        }
        if self.api_calls is not None:
            out["api_calls"] = self.api_calls
        if self.records is not None:
            out["records"] = self.records
            out["records_skipped"] = self.records_skipped or 0
        return out


# --------------------------------------------------------------------------------------------------
# Findings and the report


@frozen
class SetBack:
    """A write after a drift event that set the attribute back to its declared value: who (the
    drift rules' wording, ``Terraform`` for Terraform's own apply), when, and the event's id."""

    who: str
    time: datetime
    event_id: str
    terraform: bool = False  # Terraform's own apply (a configured principal or its user agent)

    def as_dict(self) -> dict[str, Any]:
        return {
            "by": self.who,
            "time": iso(self.time),
            "event_id": self.event_id,
            "terraform": self.terraform,
        }


@frozen
class Location:
    """A place in the code a finding relates to besides its own (``Finding.related``): for a
    finding on a resource inside a module, the resource in the module. ``file`` is relative to PATH
    like ``Finding.file``; ``in_repository`` is False for a fetched module's file (``pkg//path``,
    ``.terraform/modules``): shown as text, never as an annotation or SARIF location."""

    file: str
    line: int | None
    note: str
    in_repository: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "note": self.note, "in_repository": self.in_repository}


@frozen
class Finding:
    rule_id: str
    kind: FindingKind
    severity: Severity
    title: str
    message: str
    address: str | None = None
    resource_type: str | None = None
    file: str | None = None
    line: int | None = None
    root: str | None = None
    attribute: str | None = None  # Terraform attribute path (image_scanning_configuration.scan_on_push)
    expected: Any = None  # declared value (None when not declared)
    actual: Any = None  # observed value (event) or offending declared value (config)
    event: Event | None = None
    actor: Actor | None = None
    remediation: str | None = None
    suppressed: bool = False
    suppression_reason: str | None = None
    # Drift extras (rendered by reports when set)
    reverted_by_plan: bool | None = None  # with --plan: will the planned apply set it back?
    matched_by_pattern: bool = False  # the resource name had unknown parts and matched a glob
    notes: tuple[str, ...] = ()
    set_back: SetBack | None = None  # a later write that restored the declared value (also a note)
    # Where else it shows (rules/locate.py): for a resource inside a module, file/line above are where
    # the user's code sets the value (the module input …) and this is the resource in the module
    related: tuple[Location, ...] = ()

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (
            -self.severity.rank,
            self.file or "",
            self.line or 0,
            self.address or "",
            self.rule_id,
            self.attribute or "",
            self.event.id if self.event else "",
        )


@frozen
class TerraformApply:
    """One of Terraform's own successful write calls on a declared resource, seen in the window
    (not a finding: the timeline shows them beside the changes made outside Terraform)."""

    address: str
    root: str
    time: datetime
    event_name: str
    event_id: str


GapKind = Literal["source", "module", "identity", "values", "config"]
GAP_KINDS: tuple[GapKind, ...] = ("source", "module", "identity", "values", "config")


@frozen
class Gap:
    """Something the tool could not do, or was told not to do: an event source read only in part, a
    module not followed, a declared resource whose identity is unknown (its drift not checked), a
    setting that weakens the gate. Every format names every gap (``Report.gaps``), and the ones that
    ``fails`` make ``--fail-on-incomplete`` exit 1."""

    kind: GapKind
    subject: str  # the source's name, the module source, the resource address, the setting
    reason: str  # one sentence, plain text
    root: str | None = None  # the Terraform root it concerns; None: every root
    file: str | None = None
    line: int | None = None
    fails: bool = True  # counts as an incomplete check under --fail-on-incomplete

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "reason": self.reason,
            "root": self.root,
            "file": self.file,
            "line": self.line,
            "fails_incomplete": self.fails,
        }


@frozen
class Report:
    tool_version: str
    path: str
    files: int
    resources: tuple[Resource, ...]
    findings: tuple[Finding, ...]
    window: Window | None  # None when offline
    sources: tuple[SourceStatus, ...]
    exit_code: int
    fail_on: str  # "high", … or "never"
    unfollowed_modules: tuple[ModuleCall, ...] = ()
    notices: tuple[str, ...] = ()  # e.g. "no AWS credentials: static rules only"
    terraform_applies: tuple[TerraformApply, ...] = ()  # Terraform's own writes on declared resources
    # root -> (file relative to PATH, line) of its provider block, else its first .tf file: where a
    # finding with no place of its own (unmanaged resource, event source error) is shown in SARIF,
    # annotations and GitLab's report, which all need a file of the repository
    anchors: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    # Gaps beyond sources and modules (those two are derived): resources whose identity is unknown,
    # configuration that weakens the gate. ``gaps`` lists them all.
    noted_gaps: tuple[Gap, ...] = ()
    config_files: tuple[str, ...] = ()  # the configuration file(s) the run used
    fail_on_incomplete: bool = False  # the run exits 1 on a gap that ``fails`` (per-root parts too)

    @property
    def modules_not_followed(self) -> tuple[UnfollowedSource, ...]:
        """The module sources that could not be followed, once each (known ECR/ECS modules first)."""
        return unfollowed_by_source(self.unfollowed_modules)

    @property
    def gaps(self) -> tuple[Gap, ...]:
        """Everything the run could not do, in one list: incomplete event sources, module sources not
        followed, resources not identified, configuration that weakens the gate (in that order)."""
        out = [
            Gap("source", s.name, s.error or "read only in part (reason unknown)")
            for s in sorted(self.sources, key=lambda s: s.name)
            if not s.complete
        ]
        for u in self.modules_not_followed:
            roots = {c.root for c in u.calls}
            first = u.calls[0] if u.calls else None
            out.append(
                Gap(
                    "module",
                    u.source,
                    u.reason,
                    root=roots.pop() if len(roots) == 1 else None,
                    file=first.file if first else None,
                    line=first.line if first else None,
                )
            )
        kinds = {k: i for i, k in enumerate(GAP_KINDS)}
        out.extend(sorted(self.noted_gaps, key=lambda g: (kinds[g.kind], g.root or "", g.subject)))
        return tuple(out)

    @property
    def incomplete(self) -> bool:
        """Whether a gap counts as an incomplete check (``--fail-on-incomplete`` then exits 1)."""
        return any(g.fails for g in self.gaps)

    @property
    def active(self) -> tuple[Finding, ...]:
        """Findings that are not suppressed."""
        return tuple(f for f in self.findings if not f.suppressed)

    @property
    def complete(self) -> bool:
        return all(s.complete for s in self.sources)

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in SEVERITIES}
        for f in self.active:
            counts[f.severity.value] += 1
        counts["total"] = sum(counts.values())
        return counts

    def split_by_root(self) -> list[tuple[str, Report]]:
        """One report per Terraform root (one sticky PR comment each), with that root's findings,
        resources, gaps, path and exit code (``--fail-on-incomplete`` included: a root with a gap
        never reads as a clean pass). A report over a single root stays whole. An error exit code
        (2, 3) is kept by every part."""
        roots = sorted(
            {r.root for r in self.resources}
            | {f.root or "." for f in self.findings}
            # a root whose only module call was not followed still gets its part
            | {m.root for m in self.unfollowed_modules if m.root is not None}
            | {g.root for g in self.noted_gaps if g.root is not None}
        )
        if len(roots) <= 1:
            return [(roots[0] if roots else ".", self)]
        path = self.path.replace(os.sep, "/")
        out: list[tuple[str, Report]] = []
        for root in roots:
            findings = tuple(f for f in self.findings if (f.root or ".") == root)
            part = replace(
                self,
                path=posixpath.normpath(posixpath.join(path, root)),
                resources=tuple(r for r in self.resources if r.root == root),
                findings=findings,
                # each root keeps the gaps that concern it, and those of every root (sources, settings)
                unfollowed_modules=tuple(m for m in self.unfollowed_modules if m.root in (None, root)),
                noted_gaps=tuple(g for g in self.noted_gaps if g.root in (None, root)),
            )
            if self.exit_code < 2:
                part = replace(
                    part,
                    exit_code=exit_code_for(
                        findings, self.fail_on, incomplete_fails=self.fail_on_incomplete and part.incomplete
                    ),
                )
            out.append((root, part))
        return out


def exit_code_for(findings: Sequence[Finding], fail_on: str, *, incomplete_fails: bool = False) -> int:
    """0 clean, 1 when an unsuppressed finding is at or above ``fail_on`` (or the event window is
    incomplete and ``--fail-on-incomplete`` was given). ``never`` always gives 0."""
    if fail_on == "never":
        return 0
    threshold = Severity.parse(fail_on).rank
    if any(not f.suppressed and f.severity.rank >= threshold for f in findings):
        return 1
    return 1 if incomplete_fails else 0


def iso(t: datetime) -> str:
    """RFC 3339 UTC with a Z, second precision: 2026-11-21T09:14:03Z."""
    if t.tzinfo is not None:
        t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")
