"""What a rule module holds: one ``RULE`` value and one plain function.

Config rules: ``check(resource, ctx) -> Iterable[Hit]`` over one declared resource.
Drift rules: defined in ``rules/drift`` (they share ``Rule`` and ``RuleDoc``).
The engine turns hits into ``Finding``s, adding the rule's id, title, severity and remediation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import field
from typing import Any

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import FindingKind, Inventory, Resource, Severity
from tfdrift_ci.settings import RuleSetting


@frozen
class RuleDoc:
    what: str  # What it checks
    why: str  # Why it matters
    example: str  # Example (HCL, failing then passing)
    fix: str  # Fix


@frozen
class PeerIds:
    checkov: tuple[str, ...] = ()  # CKV_AWS_51
    trivy: tuple[str, ...] = ()  # AVD-AWS-0031, aws-ecr-enforce-immutable-repository
    kics: tuple[str, ...] = ()  # KICS query UUIDs
    # (peer id, note) for an id that needs one ("query removed from KICS in 2024")
    notes: tuple[tuple[str, str], ...] = ()

    def all(self) -> tuple[str, ...]:
        return self.checkov + self.trivy + self.kics

    def note(self, peer_id: str) -> str | None:
        return next((text for pid, text in self.notes if pid == peer_id), None)


@frozen
class Rule:
    id: str  # TFD-ECR-001 …
    kind: FindingKind
    severity: Severity
    title: str
    resource_types: tuple[str, ...]
    docs: RuleDoc
    remediation: str  # one line naming the attribute to set
    peers: PeerIds = field(default_factory=PeerIds)
    mitre: tuple[str, ...] = ()  # ATT&CK technique ids (T1525 …)
    # False: an opt-in rule (advice that fires on most projects); a `rules:` entry that does not
    # turn it off (`TFD-ECR-005: on`, `{enabled: true}`, a severity) turns it on.
    default_enabled: bool = True

    def enabled_under(self, setting: RuleSetting | None) -> bool:
        """Does the rule run with this `rules:` entry (None: no entry)?"""
        return self.default_enabled if setting is None else setting.enabled

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "severity": self.severity.value,
            "default_enabled": self.default_enabled,
            "title": self.title,
            "resource_types": list(self.resource_types),
            "peer_ids": {
                "checkov": list(self.peers.checkov),
                "trivy": list(self.peers.trivy),
                "kics": list(self.peers.kics),
            },
            "peer_notes": dict(self.peers.notes),
            "mitre": list(self.mitre),
            "remediation": self.remediation,
            "docs": {
                "what": self.docs.what,
                "why": self.docs.why,
                "example": self.docs.example,
                "fix": self.docs.fix,
            },
        }


@frozen
class Hit:
    """One problem a config rule found on one resource."""

    message: str
    attribute: str | None = None  # Terraform attribute path (container_definitions[0].privileged)
    actual: Any = None  # the offending declared value (None when omitted)
    expected: Any = None  # the safe value
    line: int | None = None  # line of the offending attribute when known (else the block's)
    # Per-hit grade when one condition has a worse variant (network_mode host vs bridge); the
    # rule's default applies when None, and a severity override in the config wins over both.
    severity: Severity | None = None
    notes: tuple[str, ...] = ()  # extra context carried to Finding.notes


@frozen
class ConfigContext:
    """What a config rule may look at besides its resource: the whole inventory (for cross-resource
    conditions such as registry scanning covering a repository)."""

    inventory: Inventory


ConfigCheck = Callable[[Resource, ConfigContext], Iterable[Hit]]
