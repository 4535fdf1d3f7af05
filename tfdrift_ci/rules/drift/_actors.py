"""Who made a change: Terraform itself, Application Auto Scaling, CodeDeploy, or someone else.

Terraform's own = a configured Terraform principal (exact ARN, the session issuer's role ARN, or an
fnmatch glob over either), else — only when no principal is configured — the Terraform AWS
provider's user agent. User agents are set by the client and can be spoofed
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
so once principals are configured the user agent alone is not trusted.

Application Auto Scaling acts through the service-linked role
``AWSServiceRoleForApplicationAutoScaling_ECSService`` (IAM path
``aws-service-role/ecs.application-autoscaling.amazonaws.com/``):
https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
CodeDeploy blue/green acts through ``ecsCodeDeployRole`` with ``invokedBy codedeploy.amazonaws.com``:
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/codedeploy_IAM_role.html
"""

from __future__ import annotations

import fnmatch
import re
from typing import Literal

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Actor

ActorClass = Literal["terraform", "autoscaling", "codedeploy", "other"]

_TF_UA = re.compile(r"(?:HashiCorp/\d+\.\d+ Terraform/|terraform-provider-aws/)")
AAS_SERVICE = "ecs.application-autoscaling.amazonaws.com"
AAS_ROLE = "AWSServiceRoleForApplicationAutoScaling_ECSService"
AAS_PROBE = "application-autoscaling.amazonaws.com"
CODEDEPLOY_SERVICE = "codedeploy.amazonaws.com"


@frozen
class Classified:
    cls: ActorClass
    note: str | None = None  # e.g. the spoofed-user-agent warning


def terraform_user_agent(actor: Actor) -> bool:
    return actor.via == "terraform" or bool(actor.user_agent and _TF_UA.search(actor.user_agent))


def principal_matches(actor: Actor, principals: tuple[str, ...]) -> bool:
    """Exact ARN or fnmatch glob over the caller's ARN or its session issuer (role) ARN; also the
    forms people write by hand: ``arn:aws:sts::ACCT:assumed-role/ROLE`` (any session) and
    ``arn:aws:iam::ACCT:role/ROLE`` for a role that has a path (``role/ci/ROLE``)."""
    candidates = [a for a in (actor.arn, actor.role_arn) if a]
    for p in principals:
        for c in candidates:
            if c == p or fnmatch.fnmatchcase(c, p):
                return True
        if actor.arn and ":assumed-role/" in p and actor.arn.startswith(p.rstrip("/") + "/"):
            return True
        if actor.role_arn and _same_role(p, actor.role_arn):
            return True
    return False


def _same_role(principal: str, role_arn: str) -> bool:
    head, sep, name = principal.partition(":role/")
    rhead, rsep, rname = role_arn.partition(":role/")
    if not sep or not rsep or "/" in name or any(ch in principal for ch in "*?["):
        return False
    return head == rhead and rname.rsplit("/", 1)[-1] == name


def is_autoscaling(actor: Actor) -> bool:
    for text in (actor.role_arn, actor.arn):
        if text and (AAS_SERVICE in text or AAS_ROLE in text):
            return True
    # AAS also probes permissions with invokedBy application-autoscaling.amazonaws.com
    # (https://docs.aws.amazon.com/autoscaling/application/userguide/security_iam_permission_validation.html)
    return actor.service in (AAS_SERVICE, AAS_PROBE) or actor.user_agent == AAS_SERVICE


def is_codedeploy(actor: Actor) -> bool:
    if CODEDEPLOY_SERVICE in (actor.service, actor.user_agent):
        return True
    role = (actor.role_arn or actor.arn or "").rsplit("/", 1)[-1].lower()
    return "codedeploy" in role


def classify(actor: Actor, principals: tuple[str, ...]) -> Classified:
    if principals:
        if principal_matches(actor, principals):
            return Classified("terraform")
        if terraform_user_agent(actor):
            return Classified(
                "other",
                "the user agent claims Terraform, but the principal "
                f"{actor.role_arn or actor.arn or actor.display} is not a configured Terraform principal "
                "(user agents can be spoofed)",
            )
    elif terraform_user_agent(actor):
        return Classified("terraform")
    if is_autoscaling(actor):
        return Classified("autoscaling")
    if is_codedeploy(actor):
        return Classified("codedeploy")
    return Classified("other")


def describe(actor: Actor, *, unverified_terraform: bool = False) -> str:
    """``alice@example.com via the console (role AWSReservedSSO_Admin_…)``: who, channel and role.
    ``unverified_terraform``: the user agent says Terraform but the principal is not configured."""
    via = {
        "terraform": "Terraform",
        "console": "the console",
        "cli": "the AWS CLI",
        "sdk": "an SDK",
        "service": f"AWS service {actor.service}" if actor.service else "an AWS service",
        "unknown": "an unknown client",
    }[actor.via]
    if unverified_terraform:
        via = "a client whose user agent claims Terraform"
    elif is_autoscaling(actor):
        via = "Application Auto Scaling"
    elif is_codedeploy(actor) and actor.via == "service":
        via = "CodeDeploy"
    role = actor.role_arn.rsplit("/", 1)[-1] if actor.role_arn else None
    who = actor.display or "unknown principal"
    if role and role != who and not who.startswith(f"{role} (session "):  # not said twice
        return f"{who} via {via} (role {role})"
    return f"{who} via {via}"
