"""How drift findings read: the message, the remediation and the notes, from what was decided.

Deciding (is it a finding, which severity) is ``_decide``; this module only words it. Every value
here is untrusted (CloudTrail, Terraform): it is shown as JSON text, never interpreted; the
renderers escape it for their format.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tfdrift_ci.inventory.lines import attribute_line
from tfdrift_ci.inventory.origin import user_location
from tfdrift_ci.models import Event, Finding, Resource, Severity, Unknown, jsonable
from tfdrift_ci.rules.base import Rule
from tfdrift_ci.rules.drift._actors import Classified, describe
from tfdrift_ci.rules.drift._attributes import MISSING, Change
from tfdrift_ci.rules.drift._decide import Verdict, declared
from tfdrift_ci.rules.drift._match import Key, Match
from tfdrift_ci.rules.finding import make_finding


def fmt(value: Any, limit: int = 120) -> str:
    """A value as compact JSON text, cut at ``limit`` characters."""
    if isinstance(value, Unknown):
        return str(value)
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def finding_value(value: Any) -> Any:
    """A value for ``Finding.expected``/``actual``: JSON data, unknowns as their text."""
    return None if value is MISSING else jsonable(value, unknown_as_text=True)


def ago(now: datetime, then: datetime) -> str:
    seconds = int((now - then).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} minutes ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} hours ago"
    return f"{seconds // 86400} days ago"


def when(event: Event) -> str:
    return event.time.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def where(event: Event) -> str:
    bits = [event.name]
    if event.region:
        bits.append(event.region)
    if event.account:
        bits.append(f"account {event.account}")
    if event.actor.source_ip:
        bits.append(f"from {event.actor.source_ip}")
    return ", ".join(bits)


def line_of(resource: Resource, attribute: str | None) -> int | None:
    """The line of the attribute's top-level argument when known, else the block's."""
    return attribute_line(resource, attribute, deepest=False)


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
    return fmt(value, 200)


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


def _adopt(attribute: str, new: Any, hidden: bool = False) -> str:
    if hidden:
        return (
            f"setting {attribute} as in the registered revision (its values are not shown here: "
            "aws ecs describe-task-definition reads them)"
        )
    if new is None:
        if attribute.startswith("tags."):
            return f"removing the {attribute[5:]!r} key from tags"
        return f"removing {attribute}"
    if attribute.startswith("tags."):
        return f"setting tags[{json.dumps(attribute[5:])}] = {_hcl(new)}"
    if _scalar_value(new):
        return f"setting {attribute} = {_hcl(new)}"
    return f"setting {attribute} to the new value (the finding's actual value)"


def _adopt_where(res: Resource, attribute: str, new: Any, how: str, line: int | None) -> str:
    """``how`` and where: for a resource inside a module, the place the user's code sets the value
    (inventory/origin.py: the module input, tfvars entry, variable default or local) instead of the
    module's own file."""
    where = user_location(res, attribute) if res.call_sites else None
    if where is None or (where.file == res.file and where.kind in ("attribute", "resource_block")):
        return f"{how} in {_loc(res, line)}"
    at = f"{where.file}:{where.line}" if where.line else where.file
    value = (
        _hcl(new) if new is not None and _scalar_value(new) and not attribute.startswith("tags.") else None
    )
    last = where.chain[-1] if where.chain else ""
    whole = where.reason is None or not where.reason.startswith("the value is part of")
    if value is not None and whole:
        text = {
            "module_input": f"setting {where.name} = {value} on the module block ({at})",
            "tfvars": f"setting {where.name} = {value} in {at}",
            "variable_default": f"setting the default of {last} to {value} ({at})",
            "local": f"setting local.{where.name} = {value} ({at})",
        }.get(where.kind)
        if text is None and where.kind == "module_block" and ".var." in last:
            text = f"setting {last.rsplit('.var.', 1)[1]} = {value} on the module block ({at})"
        if text is not None:
            return text
    return f"{how} where your code sets it ({at}" + (f": {where.reason})" if where.reason else ")")


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
            return f"removed tag {key!r} (declared {fmt(old)}) from {res.address}"
        if old is None:
            return f"added tag {key!r} = {fmt(new)} (not declared) to {res.address}"
    prefix = f"registered {change.detail} of {res.address} with" if change.op == "register" else "changed"
    old_text = "(declared value unknown)" if unknown else fmt(old)
    target = f"{change.attribute}" if change.op == "register" else f"{res.address}.{change.attribute}"
    return f"{prefix} {target} {old_text} → {fmt(new)}"


def _remediation(rule: Rule, res: Resource, change: Change, verdict: Verdict, *, old: Any, new: Any) -> str:
    line = line_of(res, change.attribute)
    if verdict.autoscaling:
        return (
            "Add desired_count to lifecycle { ignore_changes = [desired_count] } in "
            f"{_loc(res, res.line)}: Application Auto Scaling manages the count, so terraform apply "
            "should not reset it."
        )
    if change.op in ("update", "register") and change.attribute and not verdict.ignored:
        how = _adopt(change.attribute, new, hidden=change.note is not None)
        adopt = f"or adopt the change by {_adopt_where(res, change.attribute, new, how, line)}."
        if change.op == "register":
            return (
                "Deregister the out-of-band revision and register from Terraform (terraform apply); " + adopt
            )
        restore = _restore(change.attribute, old)
        return f"Revert it in the console/CLI or run terraform apply (it {restore}); {adopt}"
    if change.op == "delete":
        return (
            f"Re-create it with terraform apply (declared in {_loc(res, line)}), or remove the declaration."
        )
    if change.op == "create":
        return f"Import it into Terraform state (import block for {res.address}), then run terraform plan."
    return rule.remediation


def _context_notes(event: Event, res: Resource, accounts: int, regions: int) -> list[str]:
    notes: list[str] = []
    if res.identity is not None and res.identity.account is None and accounts > 1:
        notes.append(
            f"matched by name and region only: the declared resource's account is not known statically "
            f"and the events come from {accounts} accounts (pin it with the provider's "
            "allowed_account_ids)"
        )
    if res.identity is not None and res.identity.region is None and regions > 1:
        notes.append(
            f"the declared resource's region is not known statically and the events come from "
            f"{regions} regions: matched in {event.region}"
        )
    return notes


def drift_finding(
    rule: Rule,
    verdict: Verdict,
    event: Event,
    match: Match,
    change: Change,
    *,
    who: Classified,
    accounts: int,
    regions: int,
    now: datetime,
) -> Finding:
    """One change that is a finding, worded: ``accounts``/``regions`` count where the events come
    from (a resource matched without its account or region says so when there are several)."""
    res = match.resource
    notes = [*match.notes, *([who.note] if who.note else []), *_context_notes(event, res, accounts, regions)]
    if verdict.family:
        notes.append(
            f"same family {verdict.family}; the declared revision is the one Terraform registered last"
        )
    if change.op == "register" and change.attribute is None and change.detail:
        notes.append("the registered revision matches the declared container definitions")
    if verdict.autoscaling:
        notes.append(
            "Application Auto Scaling changed the count: add desired_count to lifecycle.ignore_changes "
            "so that terraform apply does not fight the scaling policy"
        )
    if verdict.ignored:
        notes.append(
            f"{change.attribute} is under lifecycle.ignore_changes: listed because of --show-ignored"
        )
    if event.truncated:
        notes.append("CloudTrail truncated this event's request or response: the changes may be incomplete")
    if verdict.unknown and change.op in ("update", "register"):
        notes.append("declared value unknown (not known statically)")
    shown_old, shown_new = verdict.old, change.new
    if change.note:
        notes.append(change.note)
    if verdict.reverted:
        # Renderers raise reverted_by_plan findings to the top; the note says it in words.
        notes.insert(
            0,
            f"applying this change reverts a manual change by "
            f"{event.actor.display or 'an unknown principal'} made {ago(now, event.time)}: "
            f"the planned apply sets {change.attribute} back to {fmt(shown_old, 60)}",
        )
    actor_text = describe(event.actor, unverified_terraform=who.note is not None)
    what = _what(res, change, shown_old, shown_new, verdict.unknown)
    return make_finding(
        rule,
        f"{actor_text} {what} on {when(event)} ({where(event)}).",
        resource=res,
        event=event,
        severity=verdict.severity,
        line=line_of(res, change.attribute),
        attribute=change.attribute,
        expected=finding_value(shown_old),
        actual=finding_value(shown_new),
        remediation=_remediation(rule, res, change, verdict, old=shown_old, new=shown_new),
        reverted_by_plan=verdict.reverted,
        matched_by_pattern=match.by_pattern,
        notes=tuple(notes),
    )


def attempt_finding(
    rule: Rule, severity: Severity, event: Event, match: Match, extracted: Sequence[Change]
) -> Finding:
    """A failed call on a declared resource: what was tried (the first attribute it named)."""
    res = match.resource
    changes = [c for c in extracted if c.attribute]
    first = changes[0] if changes else None
    attribute = first.attribute if first else None
    tried = f" to set {attribute} = {fmt(first.new, 60)}" if first else ""
    message = (
        f"{describe(event.actor)} tried {event.name}{tried} on {res.address} on {when(event)} "
        f"({where(event)}); it failed with {event.error_code}: nothing changed."
    )
    return make_finding(
        rule,
        message,
        resource=res,
        event=event,
        kind="attempt",
        severity=severity,
        line=line_of(res, attribute),
        attribute=attribute,
        expected=finding_value(declared(first, res)) if first else None,
        actual=finding_value(first.new) if first else None,
        matched_by_pattern=match.by_pattern,
        notes=match.notes,
    )


def unmanaged_finding(rule: Rule, event: Event, key: Key, creates: str, who: Classified) -> Finding:
    """A resource created outside Terraform that no declaration matches."""
    name = key.name if key.cluster is None else f"{key.cluster}/{key.name}"
    label = f"{creates} {name!r}"
    if event.name == "RegisterTaskDefinition":
        label = f"task definition family {key.name!r}"
    message = (
        f"{describe(event.actor)} created {label} on {when(event)} ({where(event)}); no Terraform "
        "declaration matches it."
    )
    return make_finding(
        rule,
        message,
        event=event,
        kind="unmanaged",
        resource_type=creates,
        actual=name,
        remediation=f"Declare {label} in Terraform (with an import block) or delete it.",
        notes=(who.note,) if who.note else (),
    )


def set_back_note(who: str, value: Any, event: Event) -> str:
    """A later event set the attribute back to the declared value."""
    return f"{who} set it back to {fmt(value, 60)} on {when(event)} (event {event.id})"
