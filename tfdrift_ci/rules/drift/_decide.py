"""Deciding: is one change a finding, and how severe is it? (Wording it is ``_phrasing``.)

A change is not a finding when it sets what is declared (compared structurally, see
``_attributes.same``), when it is the console re-sending a form field Terraform has no opinion on
(rules with ``QUIET_FORM_DEFAULTS``), when the attribute is under ``lifecycle.ignore_changes`` (unless
``show_ignored``), or when the service that made it owns the attribute: Application Auto Scaling
for a count under ``ignore_changes``, CodeDeploy for a ``CODE_DEPLOY`` service, anyone's task sets
for an ``EXTERNAL`` one. A DAEMON service's count is never Terraform's.
"""

from __future__ import annotations

import re
from typing import Any

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Event, Resource, Severity, Unknown
from tfdrift_ci.rules.drift import _attributes as A
from tfdrift_ci.rules.drift import _match as M
from tfdrift_ci.rules.drift._actors import Classified
from tfdrift_ci.rules.drift._attributes import MISSING, Change
from tfdrift_ci.rules.drift._registry import DriftRule

# Events by which CodeDeploy (or an EXTERNAL controller) deploys an ECS service.
CODE_DEPLOY_EVENTS = ("CreateTaskSet", "UpdateServicePrimaryTaskSet", "DeleteTaskSet")


@frozen
class Verdict:
    """A change that is a finding: its severity and what the wording needs to know."""

    severity: Severity
    old: Any  # the declared value it was compared with
    unknown: bool  # the declared value is not known statically
    family: str | None = None  # same task definition family; the declared revision is unknown
    autoscaling: bool = False  # Application Auto Scaling changed desired_count
    ignored: bool = False  # under ignore_changes, listed because of show_ignored
    reverted: bool | None = None  # the planned apply sets it back (None: no plan or no attribute)


def ignored(resource: Resource, attribute: str | None) -> bool:
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


def declared(change: Change, resource: Resource) -> Any:
    """The declared value a change is compared with: the extractor's, else the one at its path."""
    if change.declared is not MISSING:
        return change.declared
    if change.attribute is None:
        return None
    return A.declared_value(resource, change.attribute)


def decide(
    rule: DriftRule, event: Event, res: Resource, change: Change, who: Classified, *, show_ignored: bool
) -> Verdict | None:
    """The verdict on one change an event made to one declared resource; None: not a finding."""
    if _console_form_default(rule, res, change):
        return None
    old, unknown, family = _compared_with(change, declared(change, res))
    if _sets_the_declared_value(change, old, unknown) or _owned_elsewhere(event, res, change, who):
        return None
    severity = rule.severity(change.attribute, old, change.new, change.op)
    # Application Auto Scaling through its service role: low, and nothing under ignore_changes.
    autoscaling = change.attribute == "desired_count" and who.cls == "autoscaling"
    if autoscaling:
        if ignored(res, "desired_count"):
            return None
        severity = Severity.LOW
    listed_ignored = ignored(res, change.attribute) and change.op in ("update", "info")
    if listed_ignored:
        if not show_ignored:
            return None
        severity = Severity.INFO
    reverted = None
    if res.planned is not None and change.attribute:
        reverted = _reverted_by_plan(res, change, old)
    return Verdict(severity, old, unknown, family, autoscaling, listed_ignored, reverted)


def _console_form_default(rule: DriftRule, res: Resource, change: Change) -> bool:
    """Not in the configuration and set to an empty/default value: the console sends whole forms
    (platformVersion LATEST, empty loadBalancers …); Terraform has no opinion on them."""
    return bool(
        change.op == "update"
        and rule.quiet_form_defaults
        and change.attribute
        and change.declared is MISSING
        and A.undeclared(res, change.attribute)
        and A.trivial(change.new)
    )


def _compared_with(change: Change, old: Any) -> tuple[Any, bool, str | None]:
    """(declared value to compare with, whether it is unknown, task definition family whose
    declared revision is unknown)."""
    unknown = A.contains_unknown(old)
    if change.op == "update" and change.attribute == "task_definition" and isinstance(old, Unknown):
        # ``aws_ecs_task_definition.api.arn``: the family is known (the inventory's pattern
        # ``…:task-definition/api:*``), the revision is whatever Terraform registered last.
        family = _pattern_family(old)
        new_family, _ = M.split_task_definition(change.new)
        if family and new_family and family != new_family:
            return f"{family}:(revision unknown)", False, None
        return old, unknown, family
    return old, unknown, None


def _sets_the_declared_value(change: Change, old: Any, unknown: bool) -> bool:
    if unknown:
        return False
    if change.op == "update" and A.same(old, change.new, loose=change.attribute not in ("policy", None)):
        return True
    return change.attribute == "task_definition" and _same_task_definition(old, change.new)


def _owned_elsewhere(event: Event, res: Resource, change: Change, who: Classified) -> bool:
    """The attribute is not Terraform's to set here: a DAEMON service's count; a service that
    CodeDeploy deploys (its own task sets and task definitions) or an EXTERNAL controller deploys."""
    if change.attribute == "desired_count" and A.get_path(res.attributes, "scheduling_strategy") == "DAEMON":
        return True
    if res.type != "aws_ecs_service" or not (
        event.name in CODE_DEPLOY_EVENTS or change.attribute == "task_definition"
    ):
        return False
    controller = A.get_path(res.attributes, "deployment_controller.type")
    if controller == "EXTERNAL" and event.name in CODE_DEPLOY_EVENTS:
        return True
    return controller == "CODE_DEPLOY" and who.cls == "codedeploy"


def sets_back(attribute: str, value: Any, declared: Any) -> bool:
    """Does a write of ``value`` restore the declared value? As ``decide`` compares: structurally,
    and a task definition ARN against ``family:revision`` by family and revision."""
    if A.same(value, declared):
        return True
    return attribute == "task_definition" and _same_task_definition(declared, value)


def _pattern_family(value: Unknown) -> str | None:
    if not value.pattern:
        return None
    family, _ = M.split_task_definition(value.pattern)
    if family is None:
        tail = value.pattern.rsplit("task-definition/", 1)
        family = tail[1].split(":", 1)[0] if len(tail) == 2 else None
    return family if family and not any(ch in family for ch in "*?[") else None


def _same_task_definition(old: Any, new: Any) -> bool:
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


def attempt_severity(
    default: Severity,
    extracted: list[Change],
    event: Event,
    *,
    security_event: bool,
    security_attributes: frozenset[str],
) -> Severity:
    """A failed call is medium when it was denied on a security setting: a deletion, a security
    attribute, or (when the request named no attribute we map) an event that can change one, such
    as a policy change. Anything else keeps the rule's default."""
    denied = (event.error_code or "").startswith(("AccessDenied", "UnauthorizedOperation"))
    named = [c for c in extracted if c.attribute]
    security = (
        any(c.op == "delete" for c in extracted)
        or any(str(c.attribute).split(".")[0] in security_attributes for c in named)
        or (not named and security_event)
    )
    return Severity.MEDIUM if denied and security else default
