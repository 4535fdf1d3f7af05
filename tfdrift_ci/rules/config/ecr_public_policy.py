"""TFD-ECR-004: ECR repository / registry policies must not allow everyone.

https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from typing import Any

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line, iter_statements, json_document

# Condition keys that narrow who the principal can be (or where the request comes from). An Allow
# to "*" carrying one of them with a positive operator is not public.
RESTRICTING_KEYS = (
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalservicename",
    "aws:principalisawsservice",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:vpcsourceip",
    "aws:userid",
    "aws:username",
)
# Read-only actions: an ECR Public repository is world-readable by design, so only other actions
# granted to everyone count there.
# Negated operators ("everyone outside the org") and ...IfExists (absent key passes) do not restrict.
_NEGATED = ("stringnot", "arnnot", "notipaddress", "numericnot", "datenot")
_READ_PREFIXES = ("describe", "get", "list", "batchcheck", "batchget")

RULE = Rule(
    id="TFD-ECR-004",
    kind="config",
    severity=Severity.CRITICAL,
    title="ECR policy allows access to everyone",
    resource_types=(
        "aws_ecr_repository_policy",
        "aws_ecrpublic_repository_policy",
        "aws_ecr_registry_policy",
    ),
    peers=PeerIds(
        checkov=("CKV_AWS_32",),
        trivy=("AVD-AWS-0032", "aws-ecr-no-public-access"),
        kics=("e86e26fc-489e-44f0-9bcd-97305e4ba69a",),  # ECR Repository Is Publicly Accessible
    ),
    mitre=("T1525", "T1530"),
    remediation=(
        'Replace Principal "*" in the policy\'s Allow statements with account/role ARNs, or add a '
        "Condition on aws:PrincipalOrgID / aws:SourceAccount."
    ),
    docs=RuleDoc(
        what=(
            "The JSON `policy` of `aws_ecr_repository_policy` and `aws_ecr_registry_policy`, and "
            "`policy_text` of `aws_ecrpublic_repository_policy`. A statement is public when its "
            '`Effect` is `Allow`, its `Principal` is `"*"`, `{"AWS": "*"}` or a list containing '
            '`"*"` (or it uses `NotPrincipal`), and no Condition restricts the caller. Restricting '
            "keys: aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount, aws:PrincipalArn, "
            "aws:PrincipalServiceName, aws:PrincipalIsAWSService, aws:SourceAccount, aws:SourceArn, "
            "aws:SourceOwner, aws:SourceOrgID, aws:SourceOrgPaths, aws:SourceVpc, aws:SourceVpce, "
            "aws:SourceIp, aws:VpcSourceIp, aws:userid, aws:username — under a positive operator "
            "(`StringEquals`, `ArnLike`, `IpAddress`…; not `…IfExists`, not negated operators, not a "
            "bare `*` value). `Deny` statements are never public. For ECR Public only non-read actions "
            "count (public pull is the purpose of ECR Public). Write access for everyone is critical, "
            "read-only access high. A policy that cannot be evaluated gives no finding."
        ),
        why=(
            "A private repository readable by `*` publishes your images — and every secret or internal "
            "endpoint baked into their layers — to any AWS account. Granting push to `*` lets anyone "
            "replace the images your services run."
        ),
        example=(
            'resource "aws_ecr_repository_policy" "public_bad" {\n'
            "  repository = aws_ecr_repository.api.name\n"
            "  policy = jsonencode({\n"
            '    Version = "2012-10-17"\n'
            "    Statement = [{\n"
            '      Effect = "Allow", Principal = "*", Action = ["ecr:BatchGetImage"]\n'
            "    }]\n"
            "  })\n"
            "}\n\n"
            'resource "aws_ecr_repository_policy" "org_ok" {\n'
            "  repository = aws_ecr_repository.api.name\n"
            "  policy = jsonencode({\n"
            '    Version = "2012-10-17"\n'
            "    Statement = [{\n"
            '      Effect = "Allow", Principal = "*", Action = ["ecr:BatchGetImage"]\n'
            '      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-abc123" } }\n'
            "    }]\n"
            "  })\n"
            "}"
        ),
        fix=(
            'Name the principals (`{"AWS": ["arn:aws:iam::123456789012:root"]}`) or keep `*` and '
            'add `Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-…" } }`.'
        ),
    ),
)


def _as_list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _public_principal(principal: object) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        for value in _as_list(principal.get("AWS")):
            if isinstance(value, str) and (value == "*" or fnmatch.fnmatchcase(value, "arn:aws*:iam::[*]:*")):
                return True
    return False


def _restricting(condition: object) -> bool:
    if not isinstance(condition, Mapping):
        return False
    for operator, clauses in condition.items():
        op = str(operator).lower().removeprefix("forallvalues:").removeprefix("foranyvalue:")
        if op.startswith(_NEGATED) or op.endswith("ifexists") or op == "null":
            continue
        if not isinstance(clauses, Mapping):
            continue
        for key, value in clauses.items():
            values = _as_list(value)
            if str(key).lower() in RESTRICTING_KEYS and values and not any(v in ("*", "") for v in values):
                return True
    return False


def _is_read_only(action: str) -> bool:
    verb = action.split(":", 1)[-1].lower()
    return verb.startswith(_READ_PREFIXES)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    attribute = "policy_text" if resource.type == "aws_ecrpublic_repository_policy" else "policy"
    policy = json_document(resource.attributes.get(attribute))
    if policy is None:
        return  # absent, or not evaluated
    for index, stmt in enumerate(iter_statements(policy)):
        if str(stmt.get("Effect", "")).lower() != "allow":
            continue
        if not (_public_principal(stmt.get("Principal")) or "NotPrincipal" in stmt):
            continue
        if _restricting(stmt.get("Condition")):
            continue
        actions = [a for a in _as_list(stmt.get("Action")) if isinstance(a, str)]
        if "NotAction" in stmt:
            actions = ["*"]
        writes = [a for a in actions if not _is_read_only(a)]
        if resource.type == "aws_ecrpublic_repository_policy" and not writes:
            continue
        sid = stmt.get("Sid")
        label = f"statement {sid!r}" if isinstance(sid, str) and sid else f"statement #{index}"
        who = "everyone except NotPrincipal" if "NotPrincipal" in stmt else "everyone (Principal *)"
        yield Hit(
            message=f"{label} allows {who} to {', '.join(actions) or 'no listed action'} "
            "with no restricting Condition",
            attribute=f"{attribute}.Statement[{index}].Principal",
            actual=stmt.get("Principal", stmt.get("NotPrincipal")),
            expected="named principals or an aws:PrincipalOrgID / aws:SourceAccount condition",
            line=attr_line(resource, attribute),
            severity=Severity.CRITICAL if writes else Severity.HIGH,
        )
