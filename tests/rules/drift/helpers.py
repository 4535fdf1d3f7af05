"""Hand-built events, resources and a stable serialisation of drift findings for the drift tests."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from tfdrift_ci.events.names import ECR, ECS
from tfdrift_ci.models import Actor, Event, Finding, Identity, IdentityKind, Inventory, Resource, Unknown
from tfdrift_ci.rules.drift import run
from tfdrift_ci.settings import Settings

ACCT = "111122223333"
REGION = "eu-west-1"
T0 = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)

TF_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.74.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 os/linux lang/go#1.23.2"
)
TF_ROLE = f"arn:aws:iam::{ACCT}:role/github-actions-terraform"
AAS_ROLE = (
    f"arn:aws:iam::{ACCT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_ECSService"
)

ALICE = Actor(
    display="alice@example.com",
    arn=f"arn:aws:sts::{ACCT}:assumed-role/AWSReservedSSO_Admin_1a2b/alice@example.com",
    type="AssumedRole",
    role_arn=f"arn:aws:iam::{ACCT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1a2b",
    via="console",
    source_ip="203.0.113.24",
    user_agent="Mozilla/5.0",
)
BOB = Actor(
    display="bob",
    arn=f"arn:aws:iam::{ACCT}:user/bob",
    type="IAMUser",
    via="cli",
    source_ip="198.51.100.7",
    user_agent="aws-cli/2.18.11 md/command#ecs.update-service",
)
TERRAFORM = Actor(
    display="gha-run-1",
    arn=f"arn:aws:sts::{ACCT}:assumed-role/github-actions-terraform/gha-run-1",
    type="AssumedRole",
    role_arn=TF_ROLE,
    via="terraform",
    user_agent=TF_UA,
)
SPOOFER = Actor(
    display="mallory",
    arn=f"arn:aws:iam::{ACCT}:user/mallory",
    type="IAMUser",
    via="terraform",
    user_agent=TF_UA,
)
AAS = Actor(
    display="AutoScaling",
    arn=f"arn:aws:sts::{ACCT}:assumed-role/AWSServiceRoleForApplicationAutoScaling_ECSService/AutoScaling",
    type="AssumedRole",
    role_arn=AAS_ROLE,
    via="service",
    service="ecs.application-autoscaling.amazonaws.com",
    user_agent="ecs.application-autoscaling.amazonaws.com",
)
CODEDEPLOY = Actor(
    display="CodeDeploy",
    arn=f"arn:aws:sts::{ACCT}:assumed-role/ecsCodeDeployRole/CodeDeploy",
    type="AssumedRole",
    role_arn=f"arn:aws:iam::{ACCT}:role/ecsCodeDeployRole",
    via="service",
    service="codedeploy.amazonaws.com",
    user_agent="codedeploy.amazonaws.com",
)

_counter = [0]


def ev(
    name: str,
    request: Mapping[str, Any] | None = None,
    *,
    source: str = ECS,
    actor: Actor = BOB,
    minutes: int = 0,
    error_code: str | None = None,
    response: Mapping[str, Any] | None = None,
    region: str | None = REGION,
    account: str | None = ACCT,
    read_only: bool = False,
    event_id: str | None = None,
    event_type: str = "AwsApiCall",
) -> Event:
    _counter[0] += 1
    return Event(
        id=event_id or f"evt-{_counter[0]:04d}",
        name=name,
        source=source,
        time=T0 + timedelta(minutes=minutes),
        region=region,
        account=account,
        actor=actor,
        read_only=read_only,
        error_code=error_code,
        request=dict(request or {}),
        response=dict(response or {}),
        event_type=event_type,
    )


def ecr(name: str, request: Mapping[str, Any] | None = None, **kw: Any) -> Event:
    return ev(name, request, source=ECR, **kw)


def res(
    rtype: str,
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    kind: IdentityKind,
    ident_name: str | Unknown | None = None,
    cluster: str | Unknown | None = None,
    region: str | None = REGION,
    account: str | None = None,
    ignore_changes: tuple[str, ...] | str = (),
    planned: Mapping[str, Any] | None = None,
    plan_actions: tuple[str, ...] = (),
    module: str | None = None,
) -> Resource:
    address = f"{rtype}.{name}" if module is None else f"module.{module}.{rtype}.{name}"
    return Resource(
        address=address,
        type=rtype,
        name=name,
        module_path=(module,) if module else (),
        attributes=dict(attributes or {}),
        file="main.tf",
        line=10,
        end_line=30,
        attribute_lines={k: 11 + i for i, k in enumerate(attributes or {})},
        ignore_changes=ignore_changes,  # type: ignore[arg-type]
        identity=Identity(kind, ident_name if ident_name is not None else name, cluster, account, region),
        planned=planned,
        plan_actions=plan_actions,
    )


def repo(name: str = "api", **attrs: Any) -> Resource:
    base: dict[str, Any] = {
        "name": name,
        "image_tag_mutability": "IMMUTABLE",
        "image_scanning_configuration": [{"scan_on_push": True}],
        "tags": {"team": "payments"},
    }
    base.update(attrs)
    return res("aws_ecr_repository", name, base, kind="repository")


def service(name: str = "api", cluster: str | Unknown | None = "main", **kw: Any) -> Resource:
    ignore = kw.pop("ignore_changes", ())
    planned = kw.pop("planned", None)
    plan_actions = kw.pop("plan_actions", ())
    attrs: dict[str, Any] = {
        "name": name,
        "desired_count": 2,
        "enable_execute_command": False,
        "task_definition": "api:11",
        "network_configuration": [
            {"subnets": ["subnet-a", "subnet-b"], "security_groups": ["sg-1"], "assign_public_ip": False}
        ],
        "tags": {"team": "payments"},
    }
    attrs.update(kw)
    return res(
        "aws_ecs_service",
        name,
        attrs,
        kind="service",
        cluster=cluster,
        ignore_changes=ignore,
        planned=planned,
        plan_actions=plan_actions,
    )


def inventory(*resources: Resource) -> Inventory:
    return Inventory(path=".", roots=(".",), resources=tuple(resources), files=1)


def drift(
    resources: Sequence[Resource], events: Sequence[Event], settings: Settings | None = None
) -> list[Finding]:
    return run(inventory(*resources), events, settings or Settings(), now=NOW)


def summary(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """The stable, comparable part of findings (what the golden files hold)."""
    out = []
    for f in sorted(findings, key=lambda f: (f.event.time if f.event else T0, f.sort_key)):
        out.append(
            {
                "rule_id": f.rule_id,
                "kind": f.kind,
                "severity": f.severity.value,
                "address": f.address,
                "attribute": f.attribute,
                "expected": f.expected,
                "actual": f.actual,
                "actor": f.actor.display if f.actor else None,
                "via": f.actor.via if f.actor else None,
                "event": f.event.name if f.event else None,
                "event_id": f.event.id if f.event else None,
                "line": f.line,
                "matched_by_pattern": f.matched_by_pattern,
                "reverted_by_plan": f.reverted_by_plan,
                "message": f.message,
                "remediation": f.remediation,
                "notes": list(f.notes),
            }
        )
    return out


def dump(findings: Sequence[Finding]) -> str:
    return json.dumps(summary(findings), indent=2, ensure_ascii=False, default=str) + "\n"
