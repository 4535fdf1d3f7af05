"""The drift engine: events × declared resources → drift / unmanaged / attempt findings.

One table (``SPECS``) says, per (eventSource, eventName), which identity the event names, which
resource types it can change and how its request maps to Terraform attributes (``_attributes``).
The loop is then the same for every event (design §5):

1. read-only events, service events (ECR lifecycle expiry) and events no spec knows are skipped;
2. the event's key is matched to declared resources (``_match``);
3. failed calls become ``attempt`` findings, never drift;
4. Terraform's own calls (configured principal, else the provider's user agent) are not drift;
   Application Auto Scaling and CodeDeploy are named and handled as the issue says;
5. each change whose new value differs from the declared one is a finding, unless its attribute is
   under ``lifecycle.ignore_changes`` (then nothing, or info with ``show_ignored``).
"""

from __future__ import annotations

import bisect
import fnmatch
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from tfdrift_ci.events.names import ECR, ECR_PUBLIC, ECS
from tfdrift_ci.models import Event, Finding, IdentityKind, Inventory, Resource, Severity, Unknown, iso
from tfdrift_ci.rules.base import Rule
from tfdrift_ci.rules.drift import _attributes as A
from tfdrift_ci.rules.drift import _match as M
from tfdrift_ci.rules.drift._actors import Classified, classify, describe
from tfdrift_ci.rules.drift._attributes import MISSING, Change
from tfdrift_ci.settings import Settings

Grader = Callable[[str | None, Any, Any, str], Severity | None]

# --------------------------------------------------------------------------------------------------
# The event table


@dataclass(frozen=True)
class Spec:
    targets: tuple[tuple[IdentityKind, tuple[str, ...]], ...]  # (identity kind, resource types)
    extract: A.Extractor
    creates: str | None = None  # resource type an undeclared create makes (-> unmanaged)
    security: bool = False  # a security setting (AccessDenied attempts are medium)


REPO: tuple[IdentityKind, tuple[str, ...]] = ("repository", ("aws_ecr_repository",))
PUB: tuple[IdentityKind, tuple[str, ...]] = ("public_repository", ("aws_ecrpublic_repository",))
SVC: tuple[IdentityKind, tuple[str, ...]] = ("service", ("aws_ecs_service",))
CLUSTER: tuple[IdentityKind, tuple[str, ...]] = ("cluster", ("aws_ecs_cluster",))
TD: tuple[IdentityKind, tuple[str, ...]] = ("task_definition", ("aws_ecs_task_definition",))
CP: tuple[IdentityKind, tuple[str, ...]] = ("capacity_provider", ("aws_ecs_capacity_provider",))
PTC: tuple[IdentityKind, tuple[str, ...]] = ("pull_through_cache_rule", ("aws_ecr_pull_through_cache_rule",))


def _registry(t: str) -> tuple[IdentityKind, tuple[str, ...]]:
    return ("registry", (t,))


SPECS: dict[tuple[str, str], Spec] = {
    # ECR
    (ECR, "CreateRepository"): Spec((REPO,), A.ecr_create_repository, creates="aws_ecr_repository"),
    (ECR, "DeleteRepository"): Spec((REPO,), A.ecr_delete("TFD-DRIFT-005"), security=True),
    (ECR, "PutImageScanningConfiguration"): Spec((REPO,), A.ecr_scanning, security=True),
    (ECR, "PutImageTagMutability"): Spec((REPO,), A.ecr_tag_mutability, security=True),
    # Images are not Terraform's, but deleting them by hand matters in an incident timeline.
    (ECR, "BatchDeleteImage"): Spec((REPO,), A.ecr_images_deleted),
    (ECR, "PutLifecyclePolicy"): Spec(
        (("repository", ("aws_ecr_lifecycle_policy",)),),
        A.policy_change("TFD-DRIFT-004", "lifecyclePolicyText"),
    ),
    (ECR, "DeleteLifecyclePolicy"): Spec(
        (("repository", ("aws_ecr_lifecycle_policy",)),), A.ecr_delete("TFD-DRIFT-004")
    ),
    (ECR, "SetRepositoryPolicy"): Spec(
        (("repository", ("aws_ecr_repository_policy",)),), A.policy_change("TFD-DRIFT-003"), security=True
    ),
    (ECR, "DeleteRepositoryPolicy"): Spec(
        (("repository", ("aws_ecr_repository_policy",)),), A.ecr_delete("TFD-DRIFT-003"), security=True
    ),
    (ECR, "PutReplicationConfiguration"): Spec(
        (_registry("aws_ecr_replication_configuration"),), A.ecr_replication, security=True
    ),
    (ECR, "PutRegistryScanningConfiguration"): Spec(
        (_registry("aws_ecr_registry_scanning_configuration"),), A.ecr_registry_scanning, security=True
    ),
    (ECR, "PutRegistryPolicy"): Spec(
        (_registry("aws_ecr_registry_policy"),), A.policy_change("TFD-DRIFT-008"), security=True
    ),
    (ECR, "DeleteRegistryPolicy"): Spec(
        (_registry("aws_ecr_registry_policy"),), A.ecr_delete("TFD-DRIFT-008"), security=True
    ),
    (ECR, "CreatePullThroughCacheRule"): Spec(
        (PTC,), A.pull_through_cache, creates="aws_ecr_pull_through_cache_rule", security=True
    ),
    (ECR, "UpdatePullThroughCacheRule"): Spec((PTC,), A.pull_through_cache, security=True),
    (ECR, "DeletePullThroughCacheRule"): Spec((PTC,), A.ecr_delete("TFD-DRIFT-009"), security=True),
    # ECR Public
    (ECR_PUBLIC, "CreateRepository"): Spec((PUB,), A.ecrpublic_create, creates="aws_ecrpublic_repository"),
    (ECR_PUBLIC, "DeleteRepository"): Spec((PUB,), A.ecr_delete("TFD-DRIFT-005"), security=True),
    (ECR_PUBLIC, "PutRepositoryCatalogData"): Spec((PUB,), A.ecrpublic_catalog),
    (ECR_PUBLIC, "SetRepositoryPolicy"): Spec(
        (("public_repository", ("aws_ecrpublic_repository_policy",)),),
        A.policy_change("TFD-DRIFT-003"),
        security=True,
    ),
    (ECR_PUBLIC, "DeleteRepositoryPolicy"): Spec(
        (("public_repository", ("aws_ecrpublic_repository_policy",)),),
        A.ecr_delete("TFD-DRIFT-003"),
        security=True,
    ),
    # ECS
    (ECS, "CreateService"): Spec((SVC,), A.ecs_service, creates="aws_ecs_service"),
    (ECS, "UpdateService"): Spec((SVC,), A.ecs_service, security=True),
    (ECS, "DeleteService"): Spec((SVC,), A.ecr_delete("TFD-DRIFT-016"), security=True),
    (ECS, "CreateTaskSet"): Spec((SVC,), A.ecs_task_set),
    (ECS, "UpdateServicePrimaryTaskSet"): Spec((SVC,), A.ecs_task_set),
    (ECS, "DeleteTaskSet"): Spec((SVC,), A.ecs_task_set),
    (ECS, "RegisterTaskDefinition"): Spec(
        (TD,), A.register_task_definition, creates="aws_ecs_task_definition"
    ),
    (ECS, "DeregisterTaskDefinition"): Spec((TD,), A.deregister_task_definition),
    (ECS, "DeleteTaskDefinitions"): Spec((TD,), A.deregister_task_definition),
    (ECS, "CreateCluster"): Spec((CLUSTER,), A.cluster_changes, creates="aws_ecs_cluster"),
    (ECS, "UpdateCluster"): Spec((CLUSTER,), A.cluster_changes, security=True),
    (ECS, "UpdateClusterSettings"): Spec((CLUSTER,), A.cluster_changes, security=True),
    (ECS, "DeleteCluster"): Spec((CLUSTER,), A.ecr_delete("TFD-DRIFT-019"), security=True),
    (ECS, "PutClusterCapacityProviders"): Spec(
        (("cluster_capacity_providers", ("aws_ecs_cluster_capacity_providers",)), CLUSTER),
        A.cluster_capacity_providers,
        security=True,
    ),
    (ECS, "UpdateContainerInstancesState"): Spec((CLUSTER,), A.container_instances_state),
    (ECS, "CreateCapacityProvider"): Spec((CP,), A.capacity_provider, creates="aws_ecs_capacity_provider"),
    (ECS, "UpdateCapacityProvider"): Spec((CP,), A.capacity_provider),
    (ECS, "DeleteCapacityProvider"): Spec((CP,), A.ecr_delete("TFD-DRIFT-022")),
    (ECS, "PutAccountSettingDefault"): Spec(
        (("account_setting", ("aws_ecs_account_setting_default",)),), A.account_setting
    ),
}
TAG_EVENTS = {(src, name) for src in (ECR, ECR_PUBLIC, ECS) for name in ("TagResource", "UntagResource")}
SECURITY_ATTRIBUTES = (
    "image_tag_mutability",
    "image_tag_mutability_exclusion_filter",
    "image_scanning_configuration",
    "encryption_configuration",
    "policy",
    "enable_execute_command",
    "network_configuration",
    "task_role_arn",
    "execution_role_arn",
    "configuration",  # cluster exec logging
    "setting",  # container insights
    "replication_configuration",
    "scan_type",
    "rule",
    "upstream_registry_url",
    "credential_arn",
    "custom_role_arn",
    "capacity_provider_strategy",
    "capacity_providers",
    "default_capacity_provider_strategy",
)
# Rules over generic settings, where an undeclared attribute set to an empty/default value is the
# console re-sending its form. Security rules (exec, logging, network, policies) always report.
FORM_DEFAULT_RULES = frozenset(
    {"TFD-DRIFT-009", "TFD-DRIFT-014", "TFD-DRIFT-015", "TFD-DRIFT-022", "TFD-DRIFT-025"}
)
CODE_DEPLOY_EVENTS = ("CreateTaskSet", "UpdateServicePrimaryTaskSet", "DeleteTaskSet")

# --------------------------------------------------------------------------------------------------
# Run


@dataclass
class _Ctx:
    inventory: Inventory
    settings: Settings
    rules: Mapping[str, Rule]
    graders: Mapping[str, Grader]
    now: datetime
    # (address, attribute) -> [(time, new value, event, who)] for "set back since" notes
    sets: dict[tuple[str, str], list[tuple[datetime, Any, Event, str]]] = field(default_factory=dict)
    accounts: set[str] = field(default_factory=set)  # accounts the events come from
    regions: set[str] = field(default_factory=set)
    # identity kind -> (exact name -> resources, resources whose name is not a plain string)
    index: dict[str, tuple[dict[str, list[Resource]], list[Resource]]] = field(default_factory=dict)

    # (address, attribute, declared value as JSON) -> (times, events, who), the events that set the
    # attribute to the declared value, in time order
    _set_back_cache: dict[tuple[str, str, str], tuple[list[datetime], list[Event], list[str]]] = field(
        default_factory=dict
    )

    def set_backs(
        self, address: str, attribute: str, declared: Any
    ) -> tuple[list[datetime], list[Event], list[str]]:
        key = (address, attribute, json.dumps(declared, sort_keys=True, default=str))
        found = self._set_back_cache.get(key)
        if found is None:
            rows = [
                (when, ev, who)
                for when, value, ev, who in self.sets.get((address, attribute), [])
                if A.same(value, declared)
            ]
            found = ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
            self._set_back_cache[key] = found
        return found

    def build_index(self) -> None:
        """Resolve identities once (cluster references) and index by kind and name, so that each
        event looks at the few resources that can match instead of the whole inventory."""
        for declared in self.inventory.resources:
            ident = M.identity_of(declared, self.inventory)
            if ident is None:
                continue
            res = declared if ident is declared.identity else replace(declared, identity=ident)
            exact, other = self.index.setdefault(ident.kind, ({}, []))
            if isinstance(ident.name, str):
                exact.setdefault(ident.name, []).append(res)
            else:
                other.append(res)

    def candidates(self, key: M.Key) -> list[Resource]:
        exact, other = self.index.get(key.kind, ({}, []))
        if key.kind == "registry" or key.name is None:
            return [r for rs in exact.values() for r in rs] + other
        return exact.get(key.name, []) + other

    def of_kind(self, kind: str) -> list[Resource]:
        exact, other = self.index.get(kind, ({}, []))
        return [r for rs in exact.values() for r in rs] + other


def run(
    inventory: Inventory,
    events: Sequence[Event],
    settings: Settings,
    rules: Mapping[str, Rule],
    graders: Mapping[str, Grader],
    *,
    now: datetime | None = None,
) -> list[Finding]:
    ctx = _Ctx(inventory, settings, rules, graders, now or datetime.now(UTC))
    ctx.build_index()
    ctx.accounts = {e.account for e in events if e.account}
    ctx.regions = {e.region for e in events if e.region}
    seen: set[str] = set()
    ordered = sorted(events, key=lambda e: (e.time, e.id))
    pending: list[tuple[Finding, str | None, str | None]] = []
    for event in ordered:
        if event.id and event.id in seen:
            continue  # trails may deliver the same record twice
        seen.add(event.id)
        try:
            pending.extend(_one_event(ctx, event))
        except (RecursionError, ValueError, TypeError, KeyError, AttributeError, IndexError) as err:
            # One event the engine cannot handle (untrusted shapes) must not lose the report; it is
            # reported as an error finding naming the event (design §7).
            pending.append((_crash(event, err), None, None))
    out: list[Finding] = []
    for finding, address, attribute in pending:
        out.append(_annotate_set_back(ctx, finding, address, attribute))
    return [f for f in (_apply_settings(ctx, f) for f in out) if f is not None]


CRASH_RULE = "TFD-ERR-002"  # rules/config's "a rule failed" error rule


def _crash(event: Event, err: BaseException) -> Finding:
    return Finding(
        rule_id=CRASH_RULE,
        kind="error",
        severity=Severity.HIGH,
        title="A rule failed on a resource",
        message=(
            f"the drift engine could not evaluate {event.name} event {event.id} "
            f"({type(err).__name__}: {str(err)[:200]}); other events were evaluated"
        ),
        event=event,
        actor=event.actor,
        remediation="Report the event (without secrets) to the tfdrift-ci maintainers.",
    )


def _targets(ctx: _Ctx, event: Event, spec: Spec) -> list[M.Match]:
    matches: list[M.Match] = []
    seen: set[str] = set()
    for kind, types in spec.targets:
        for key in M.event_keys(event, kind):
            for m in M.find(key, ctx.candidates(key), types):
                if m.resource.address not in seen:
                    seen.add(m.resource.address)
                    matches.append(m)
    return matches


def _one_event(ctx: _Ctx, event: Event) -> list[tuple[Finding, str | None, str | None]]:
    if event.read_only or event.event_type == "AwsServiceEvent":
        return []
    pair = (event.source, event.name)
    if pair == (ECS, "ExecuteCommand"):
        return _execute_command(ctx, event)
    if pair in TAG_EVENTS:
        parsed = M.key_from_arn(event, event.request.get("resourceArn"))
        if parsed is None:
            return []
        key, rtype = parsed
        matches = M.find(key, ctx.candidates(key), (rtype,))
        spec = Spec(((key.kind, (rtype,)),), A.tag_changes)
    else:
        found = SPECS.get(pair)
        if found is None:
            return []
        spec = found
        matches = _targets(ctx, event, spec)

    who = classify(event.actor, ctx.settings.terraform_principals)
    if who.cls == "terraform":
        if not event.error_code:
            _remember_terraform(ctx, event, matches, spec)
        return []  # Terraform's own calls, failed ones included, are not out-of-band
    if event.error_code:
        if who.cls == "autoscaling":
            return []  # a scaling action or permission probe that failed: operational, not an attempt
        return [(_attempt(ctx, event, m, spec), m.resource.address, None) for m in matches]
    if not matches:
        return _unmanaged(ctx, event, spec, who)
    out: list[tuple[Finding, str | None, str | None]] = []
    for m in matches:
        for change in spec.extract(event, m.resource):
            _remember(ctx, event, m.resource.address, change, describe(event.actor))
            f = _finding(ctx, event, m, change, who)
            if f is not None:
                out.append((f, m.resource.address, change.attribute))
    return out


def _remember(ctx: _Ctx, event: Event, address: str, change: Change, who: str) -> None:
    if change.attribute and change.op == "update":
        ctx.sets.setdefault((address, change.attribute), []).append((event.time, change.new, event, who))


def _remember_terraform(ctx: _Ctx, event: Event, matches: list[M.Match], spec: Spec) -> None:
    for m in matches:
        for change in spec.extract(event, m.resource):
            _remember(ctx, event, m.resource.address, change, "Terraform")


# --------------------------------------------------------------------------------------------------
# Findings


def _ignored(resource: Resource, attribute: str | None) -> bool:
    """``ignore_changes`` names top-level attributes or paths (``network_configuration[0].subnets``)."""
    if attribute is None:
        return False
    if resource.ignore_changes == "all":
        return True
    path = re.sub(r"\[[^\]]*\]", "", attribute)
    for entry in resource.ignore_changes:
        # tags["team"] → tags.team; network_configuration[0].subnets → network_configuration.subnets
        keyed = re.sub(r"""\[\s*["']([^"']*)["']\s*\]""", r".\1", entry)
        norm = re.sub(r"\[[^\]]*\]", "", keyed).strip()
        if path == norm or path.startswith(norm + "."):
            return True
    return False


def _fmt(value: Any, limit: int = 120) -> str:
    if isinstance(value, Unknown):
        return str(value)
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ago(now: datetime, then: datetime) -> str:
    seconds = int((now - then).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} minutes ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} hours ago"
    return f"{seconds // 86400} days ago"


def _when(event: Event) -> str:
    return event.time.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _where(event: Event) -> str:
    bits = [event.name]
    if event.region:
        bits.append(event.region)
    if event.account:
        bits.append(f"account {event.account}")
    if event.actor.source_ip:
        bits.append(f"from {event.actor.source_ip}")
    return ", ".join(bits)


def _line(resource: Resource, attribute: str | None) -> int | None:
    if attribute:
        top = re.split(r"[.\[]", attribute, maxsplit=1)[0]
        if top in resource.attribute_lines:
            return resource.attribute_lines[top]
    return resource.line


def _loc(resource: Resource, line: int | None) -> str:
    if resource.file:
        return f"{resource.file}:{line}" if line else resource.file
    return resource.address


def _hcl(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    return _fmt(value, 200)


def _scalar_value(value: Any) -> bool:
    """Short enough to write in a sentence as HCL: scalars and small lists of scalars."""
    if isinstance(value, list):
        return len(value) <= 6 and all(isinstance(v, (bool, int, float, str)) for v in value)
    return value is None or isinstance(value, (bool, int, float, str))


def _restore(attribute: str, old: Any) -> str:
    if isinstance(old, Unknown):
        return f"sets the declared {attribute} again"
    if old is None:
        return f"removes {attribute}"
    if _scalar_value(old):
        return f"restores {attribute} = {_hcl(old)}"
    return f"restores the declared {attribute}"


def _adopt(attribute: str, new: Any) -> str:
    if new is None:
        if attribute.startswith("tags."):
            return f"removing the {attribute[5:]!r} key from tags"
        return f"removing {attribute}"
    if attribute.startswith("tags."):
        return f"setting tags[{json.dumps(attribute[5:])}] = {_hcl(new)}"
    if _scalar_value(new):
        return f"setting {attribute} = {_hcl(new)}"
    return f"setting {attribute} to the new value (the finding's actual value)"


def _declared(change: Change, resource: Resource) -> Any:
    if change.declared is not MISSING:
        return change.declared
    if change.attribute is None:
        return None
    return A.declared_value(resource, change.attribute)


def _severity(ctx: _Ctx, rule: Rule, change: Change, old: Any) -> Severity:
    grader = ctx.graders.get(rule.id)
    graded = grader(change.attribute, old, change.new, change.op) if grader else None
    return graded or rule.severity


def _finding(ctx: _Ctx, event: Event, match: M.Match, change: Change, who: Classified) -> Finding | None:
    res = match.resource
    rule = ctx.rules[change.rule]
    notes: list[str] = list(match.notes)
    if who.note:
        notes.append(who.note)
    if res.identity is not None and res.identity.account is None and len(ctx.accounts) > 1:
        notes.append(
            f"matched by name and region only: the declared resource's account is not known statically "
            f"and the events come from {len(ctx.accounts)} accounts (pin it with the provider's "
            "allowed_account_ids)"
        )
    if res.identity is not None and res.identity.region is None and len(ctx.regions) > 1:
        notes.append(
            f"the declared resource's region is not known statically and the events come from "
            f"{len(ctx.regions)} regions: matched in {event.region}"
        )
    old = _declared(change, res)
    if (
        change.op == "update"
        and change.rule in FORM_DEFAULT_RULES
        and change.attribute
        and change.declared is MISSING
        and A.undeclared(res, change.attribute)
        and A.trivial(change.new)
    ):
        # Not in the configuration and set to an empty/default value: the console sends whole
        # forms (platformVersion LATEST, empty loadBalancers …); Terraform has no opinion on them.
        return None
    unknown = A.contains_unknown(old)
    if change.op == "update" and change.attribute == "task_definition" and isinstance(old, Unknown):
        # ``aws_ecs_task_definition.api.arn``: the family is known (the inventory's pattern
        # ``…:task-definition/api:*``), the revision is whatever Terraform registered last.
        family = _pattern_family(old)
        new_family, _ = M.split_task_definition(change.new)
        if family and new_family and family != new_family:
            unknown = False
            old = f"{family}:(revision unknown)"
        elif family:
            notes.append(f"same family {family}; the declared revision is the one Terraform registered last")
    loose = change.attribute not in ("policy", None)
    if change.op == "update" and not unknown and A.same(old, change.new, loose=loose):
        return None  # set to what is declared: not a difference
    if change.op == "register" and change.attribute is None and change.detail:
        notes.append("the registered revision matches the declared container definitions")
    if change.attribute == "desired_count" and A.get_path(res.attributes, "scheduling_strategy") == "DAEMON":
        return None  # one task per instance: the count is not Terraform's to set
    is_aas = who.cls == "autoscaling"
    severity = _severity(ctx, rule, change, old)
    # Application Auto Scaling and CodeDeploy acting through their service roles.
    if change.attribute == "desired_count" and is_aas:
        if _ignored(res, "desired_count"):
            return None
        severity = Severity.LOW
        notes.append(
            "Application Auto Scaling changed the count: add desired_count to lifecycle.ignore_changes "
            "so that terraform apply does not fight the scaling policy"
        )
    if res.type == "aws_ecs_service" and (
        event.name in CODE_DEPLOY_EVENTS or change.attribute == "task_definition"
    ):
        controller = A.get_path(res.attributes, "deployment_controller.type")
        if controller == "EXTERNAL" and event.name in CODE_DEPLOY_EVENTS:
            return None
        if controller == "CODE_DEPLOY" and who.cls == "codedeploy":
            return None
    ignored = _ignored(res, change.attribute) and change.op in ("update", "info")
    if ignored:
        if not ctx.settings.show_ignored:
            return None
        severity = Severity.INFO
        notes.append(
            f"{change.attribute} is under lifecycle.ignore_changes: listed because of --show-ignored"
        )
    if event.truncated:
        notes.append("CloudTrail truncated this event's request or response: the changes may be incomplete")
    if unknown and change.op in ("update", "register"):
        notes.append("declared value unknown (not known statically)")

    same_td = change.attribute == "task_definition" and not unknown
    if same_td and _same_task_definition(old, change.new, ctx.inventory, res):
        return None

    line = _line(res, change.attribute)
    actor_text = describe(event.actor, unverified_terraform=who.note is not None)
    shown_old = A.mask(old) if change.sensitive else old
    shown_new = A.mask(change.new) if change.sensitive else change.new
    if change.sensitive:
        notes.append("values of secret-looking variables are masked")
    what = _what(res, change, shown_old, shown_new, unknown)
    title = rule.title
    message = f"{actor_text} {what} on {_when(event)} ({_where(event)})."
    if change.op in ("update", "register") and change.attribute and not ignored:
        adopt = f"or adopt the change by {_adopt(change.attribute, shown_new)} in {_loc(res, line)}."
        if change.op == "register":
            remediation = (
                "Deregister the out-of-band revision and register from Terraform (terraform apply); " + adopt
            )
        else:
            restore = _restore(change.attribute, shown_old)
            remediation = f"Revert it in the console/CLI or run terraform apply (it {restore}); {adopt}"
    elif change.op == "delete":
        remediation = (
            f"Re-create it with terraform apply (declared in {_loc(res, line)}), or remove the declaration."
        )
    elif change.op == "create":
        remediation = (
            f"Import it into Terraform state (import block for {res.address}), then run terraform plan."
        )
    else:
        remediation = rule.remediation
    if change.attribute == "desired_count" and is_aas:
        remediation = (
            "Add desired_count to lifecycle { ignore_changes = [desired_count] } in "
            f"{_loc(res, res.line)}: Application Auto Scaling manages the count, so terraform apply "
            "should not reset it."
        )
    reverted = None
    if res.planned is not None and change.attribute:
        reverted = _reverted_by_plan(res, change, old)
        if reverted:
            # Renderers raise reverted_by_plan findings to the top; the note says it in words.
            notes.insert(
                0,
                f"applying this change reverts a manual change by "
                f"{event.actor.display or 'an unknown principal'} made {_ago(ctx.now, event.time)}: "
                f"the planned apply sets {change.attribute} back to {_fmt(shown_old, 60)}",
            )
    kind = rule.kind
    return Finding(
        rule_id=rule.id,
        kind=kind,
        severity=severity,
        title=title,
        message=message,
        address=res.address,
        resource_type=res.type,
        file=res.file,
        line=line,
        root=res.root,
        attribute=change.attribute,
        expected=_plain(shown_old),
        actual=_plain(shown_new),
        event=event,
        actor=event.actor,
        remediation=remediation,
        reverted_by_plan=reverted,
        matched_by_pattern=match.by_pattern,
        notes=tuple(notes),
    )


def _plain(value: Any) -> Any:
    if value is MISSING:
        return None
    if isinstance(value, Unknown):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _what(res: Resource, change: Change, old: Any, new: Any, unknown: bool) -> str:
    if change.op == "delete":
        extra = " (forced)" if change.detail == "force" else ""
        return f"deleted {res.address}{extra}"
    if change.op == "create":
        return f"created {res.address} outside Terraform"
    if change.op == "deregister":
        return f"{change.detail} ({res.address})"
    if change.op == "info":
        return f"{change.detail or 'changed'} on {res.address}"
    if change.op == "register" and change.attribute is None:
        return f"registered {change.detail} of {res.address} outside Terraform"
    if change.op == "update" and change.attribute and change.attribute.startswith("tags.") and not unknown:
        key = change.attribute[5:]
        if new is None:
            return f"removed tag {key!r} (declared {_fmt(old)}) from {res.address}"
        if old is None:
            return f"added tag {key!r} = {_fmt(new)} (not declared) to {res.address}"
    prefix = f"registered {change.detail} of {res.address} with" if change.op == "register" else "changed"
    old_text = "(declared value unknown)" if unknown else _fmt(old)
    target = f"{change.attribute}" if change.op == "register" else f"{res.address}.{change.attribute}"
    return f"{prefix} {target} {old_text} → {_fmt(new)}"


def _pattern_family(value: Unknown) -> str | None:
    if not value.pattern:
        return None
    family, _ = M.split_task_definition(value.pattern)
    if family is None:
        tail = value.pattern.rsplit("task-definition/", 1)
        family = tail[1].split(":", 1)[0] if len(tail) == 2 else None
    return family if family and not any(ch in family for ch in "*?[") else None


def _same_task_definition(old: Any, new: Any, inventory: Inventory, res: Resource) -> bool:
    """Compare family and revision; a declared reference to a task definition resource whose
    revision is unknown only compares the family (and then never claims equality)."""
    of, orev = M.split_task_definition(old)
    nf, nrev = M.split_task_definition(new)
    if of is None or nf is None:
        return False
    return of == nf and orev is not None and orev == nrev


def _reverted_by_plan(res: Resource, change: Change, old: Any) -> bool:
    assert change.attribute is not None
    planned = A.get_path(res.planned, change.attribute)
    if planned is MISSING or A.contains_unknown(planned):
        return False
    if not any(a in ("update", "create") for a in res.plan_actions):
        return False
    return A.same(planned, old) and not A.same(planned, change.new)


def _annotate_set_back(ctx: _Ctx, f: Finding, address: str | None, attribute: str | None) -> Finding:
    """Note the first later event that set the attribute back to the declared value.

    Linear overall: per (address, attribute, declared value) the set-back candidates are filtered
    once, and each finding bisects them by time (events are recorded in time order), instead of
    comparing every finding with every event (quadratic on busy resources)."""
    if address is None or attribute is None or f.event is None or f.kind != "drift":
        return f
    candidates = ctx.set_backs(address, attribute, f.expected)
    i = bisect.bisect_right(candidates[0], f.event.time)
    for when, ev, who in zip(*(c[i:] for c in candidates), strict=True):
        if when > f.event.time and ev.id != f.event.id:
            value = f.expected
            note = f"{who} set it back to {_fmt(value, 60)} on {_when(ev)} (event {ev.id})"
            return _replace(f, notes=(*f.notes, note))
    return f


def _replace(f: Finding, **changes: Any) -> Finding:
    return replace(f, **changes)


def _attempt(ctx: _Ctx, event: Event, match: M.Match, spec: Spec) -> Finding:
    rule = ctx.rules["TFD-DRIFT-028"]
    res = match.resource
    extracted = spec.extract(event, res)
    changes = [c for c in extracted if c.attribute]
    attribute = changes[0].attribute if changes else None
    denied = (event.error_code or "").startswith(("AccessDenied", "UnauthorizedOperation"))
    # A security setting: a deletion, a security attribute, or (when the request named no attribute
    # we map) a security event such as a policy change.
    security = (
        any(c.op == "delete" for c in extracted)
        or any(str(c.attribute).split(".")[0] in SECURITY_ATTRIBUTES for c in changes)
        or (not changes and spec.security)
    )
    severity = Severity.MEDIUM if denied and security else rule.severity
    tried = f" to set {attribute} = {_fmt(changes[0].new, 60)}" if changes else ""
    message = (
        f"{describe(event.actor)} tried {event.name}{tried} on {res.address} on {_when(event)} "
        f"({_where(event)}); it failed with {event.error_code}: nothing changed."
    )
    return Finding(
        rule_id=rule.id,
        kind="attempt",
        severity=severity,
        title=rule.title,
        message=message,
        address=res.address,
        resource_type=res.type,
        file=res.file,
        line=_line(res, attribute),
        root=res.root,
        attribute=attribute,
        expected=_plain(_declared(changes[0], res)) if changes else None,
        actual=_plain(changes[0].new) if changes else None,
        event=event,
        actor=event.actor,
        remediation=rule.remediation,
        matched_by_pattern=match.by_pattern,
        notes=match.notes,
    )


def _unmanaged(
    ctx: _Ctx, event: Event, spec: Spec, who: Classified
) -> list[tuple[Finding, str | None, str | None]]:
    if spec.creates is None or who.cls != "other":
        return []
    kind = spec.targets[0][0]
    key = M.event_key(event, kind)
    if key is None or not M.same_place(key, ctx.of_kind(kind), (spec.creates,)):
        return []
    if key.kind == "service" and not _declared_cluster(ctx, key.cluster):
        return []  # a service in a cluster this project does not use: another team's business
    rule = ctx.rules["TFD-DRIFT-027"]
    name = key.name if key.cluster is None else f"{key.cluster}/{key.name}"
    label = f"{spec.creates} {name!r}"
    if event.name == "RegisterTaskDefinition":
        label = f"task definition family {key.name!r}"
    message = (
        f"{describe(event.actor)} created {label} on {_when(event)} ({_where(event)}); no Terraform "
        "declaration matches it."
    )
    notes = (who.note,) if who.note else ()
    return [
        (
            Finding(
                rule_id=rule.id,
                kind="unmanaged",
                severity=rule.severity,
                title=rule.title,
                message=message,
                address=None,
                resource_type=spec.creates,
                actual=name,
                event=event,
                actor=event.actor,
                remediation=f"Declare {label} in Terraform (with an import block) or delete it.",
                notes=notes,
            ),
            None,
            None,
        )
    ]


def _declared_cluster(ctx: _Ctx, cluster: str | None) -> bool:
    names = {r.identity.name for r in ctx.of_kind("cluster") if r.identity is not None}
    names |= {
        r.identity.cluster or M.DEFAULT_CLUSTER for r in ctx.of_kind("service") if r.identity is not None
    }
    return cluster in names or any(isinstance(n, Unknown) for n in names)


def _execute_command(ctx: _Ctx, event: Event) -> list[tuple[Finding, str | None, str | None]]:
    """ExecuteCommand names a cluster and a task, not a service: relate it to the declared services
    of that cluster."""
    rule = ctx.rules["TFD-DRIFT-029"]
    cluster = M.name_from(event.request.get("cluster") or M.DEFAULT_CLUSTER, "cluster")
    task = event.request.get("task") or event.response.get("taskArn")
    task_arn = M.parse_arn(task)
    if task_arn is not None and len(task_arn.path) >= 2:
        cluster = task_arn.path[-2]
    if cluster is None:
        return []
    services = []
    for res in ctx.of_kind("service"):
        if res.type != "aws_ecs_service":
            continue
        ident = res.identity
        if ident is None:
            continue
        key = M.Key("service", None, cluster, event.account, event.region)
        declared_cluster = ident.cluster if ident.cluster is not None else M.DEFAULT_CLUSTER
        ok, _ = M._name_match(declared_cluster, cluster, "cluster")
        if ok and M._same(key.account, ident.account) and M._same(key.region, ident.region):
            services.append(res)
    if not services:
        return []
    enabled = [s for s in services if A.get_path(s.attributes, "enable_execute_command") is True]
    target = enabled[0] if len(enabled) == 1 else (services[0] if len(services) == 1 else None)
    declared_on = bool(enabled)
    if event.error_code:
        severity = Severity.INFO
        what = f"tried to open an ECS Exec session ({event.error_code}) in cluster {cluster}"
    else:
        graded = ctx.graders[rule.id](None, declared_on, None, "info")
        severity = graded or rule.severity
        what = f"opened an ECS Exec session in cluster {cluster}"
    container = event.request.get("container") or event.response.get("containerName")
    command = event.request.get("command")
    detail = f" (task {task}, container {container}, command {_fmt(command, 60)})"
    notes: list[str] = []
    if not declared_on:
        notes.append(
            "no declared service in this cluster enables execute command: exec was turned on outside "
            "Terraform, or the task is not one of Terraform's"
        )
    if target is None:
        notes.append("candidate services: " + ", ".join(s.address for s in services))
    res = target or services[0]
    return [
        (
            Finding(
                rule_id=rule.id,
                kind="attempt",
                severity=severity,
                title=rule.title,
                message=f"{describe(event.actor)} {what}{detail} on {_when(event)} ({_where(event)}).",
                address=res.address if target else None,
                resource_type="aws_ecs_service",
                file=res.file if target else None,
                line=_line(res, "enable_execute_command") if target else None,
                root=res.root,
                attribute="enable_execute_command",
                expected=A.get_path(res.attributes, "enable_execute_command") is True if target else None,
                # a session that opened proves exec is on for that task, whatever is declared
                actual=None if event.error_code else True,
                event=event,
                actor=event.actor,
                remediation=rule.remediation,
                notes=tuple(notes),
            ),
            None,
            None,
        )
    ]


# --------------------------------------------------------------------------------------------------
# Settings: drift_rules re-grading and per-rule overrides


def _apply_settings(ctx: _Ctx, f: Finding) -> Finding | None:
    settings = ctx.settings
    rs = settings.rules.get(f.rule_id)
    if rs is not None and not rs.enabled:
        return None
    for entry in settings.drift_rules:
        if entry.resource_types and f.resource_type not in entry.resource_types:
            continue
        if entry.watched_attributes:
            attr = f.attribute or ""
            if not any(
                attr == w or attr.startswith(w + ".") or fnmatch.fnmatchcase(attr, w)
                for w in entry.watched_attributes
            ):
                continue
        if f.kind != "drift":
            continue
        note = f"drift rule {entry.name!r} applies"
        if entry.severity is not None:
            f = _replace(
                f, severity=entry.severity, notes=(*f.notes, f"{note}: severity {entry.severity.value}")
            )
        else:
            f = _replace(f, notes=(*f.notes, note))
        break
    if rs is not None and rs.severity is not None:
        f = _replace(f, severity=rs.severity)
    return f


def iso_time(t: datetime) -> str:
    return iso(t)
