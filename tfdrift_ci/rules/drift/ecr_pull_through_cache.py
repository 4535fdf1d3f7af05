"""TFD-DRIFT-009: ECR pull-through cache rule changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.events.names import ECR
from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import deleted, request_members
from tfdrift_ci.rules.drift._rows import PULL_THROUGH_CACHE_RULE, EventRow

RULE = Rule(
    id="TFD-DRIFT-009",
    kind="drift",
    severity=Severity.HIGH,
    title="ECR pull-through cache rule changed outside Terraform",
    resource_types=("aws_ecr_pull_through_cache_rule",),
    docs=RuleDoc(
        what=(
            "Create/Update/DeletePullThroughCacheRule on a declared "
            "`ecr_repository_prefix` changing the upstream registry, credential or "
            "role."
        ),
        why=(
            "Pointing a cache prefix at another upstream makes every pull of "
            "`prefix/...` fetch images from it (ATT&CK T1195.002 supply chain "
            "compromise)."
        ),
        example=(
            'resource "aws_ecr_pull_through_cache_rule" "hub" {\n'
            '  ecr_repository_prefix = "docker-hub"\n'
            '  upstream_registry_url = "registry-1.docker.io"\n'
            "}\n"
            '# CloudTrail: UpdatePullThroughCacheRule {"ecrRepositoryPrefix": '
            '"docker-hub", "credentialArn": "..."}'
        ),
        fix="Restore the declared rule (terraform apply) and check images cached meanwhile.",
    ),
    remediation="Revert with terraform apply, or adopt the change in the .tf file.",
    mitre=("T1195.002",),
)


SECURITY_ATTRIBUTES = ("upstream_registry_url", "credential_arn", "custom_role_arn")
QUIET_FORM_DEFAULTS = True

_settings = request_members(skip=("ecrRepositoryPrefix", "registryId", "upstreamRegistry"))

EVENTS = (
    EventRow(ECR, "CreatePullThroughCacheRule", (PULL_THROUGH_CACHE_RULE,), _settings, security=True),
    EventRow(ECR, "UpdatePullThroughCacheRule", (PULL_THROUGH_CACHE_RULE,), _settings, security=True),
    EventRow(ECR, "DeletePullThroughCacheRule", (PULL_THROUGH_CACHE_RULE,), deleted, security=True),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    if op == "delete":
        return Severity.HIGH
    return None
