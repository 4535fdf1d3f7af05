"""TFD-ECS-015: a service's iam_role that looks like an administrator role.

https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_service#iam_role
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line

ATTRIBUTE = "iam_role"
_ADMIN = re.compile(r"admin", re.IGNORECASE)

RULE = Rule(
    id="TFD-ECS-015",
    kind="config",
    severity=Severity.LOW,
    title="ECS service uses an administrator-looking IAM role",
    resource_types=("aws_ecs_service",),
    peers=PeerIds(
        kics=("3206240f-2e87-4e58-8d24-3e19e7c83d7c",),  # ECS Service Admin Role Is Present
    ),
    mitre=("T1078.004",),
    remediation=(
        "Set iam_role to a role limited to load balancer registration, or remove it "
        "(the service-linked role is used)."
    ),
    docs=RuleDoc(
        what=(
            "`iam_role` on `aws_ecs_service` when it is a literal whose role name (the part after "
            "the last `/` of an ARN) contains `admin` (Admin, Administrator, OrgAdmin…). References "
            "to `aws_iam_role` resources and variables are not evaluated: the rule does not guess "
            "from expressions."
        ),
        why=(
            "`iam_role` is what ECS uses to register tasks with the load balancer; it needs only "
            "`elasticloadbalancing:Register*`/`Deregister*`. Handing ECS an administrator role means "
            "anyone who can update the service can act as that role. Most services need no `iam_role` "
            "at all: ECS uses its service-linked role."
        ),
        example=(
            'resource "aws_ecs_service" "adminrole_bad" {\n'
            '  name     = "api"\n'
            '  iam_role = "arn:aws:iam::123456789012:role/OrganizationAdministrator"\n'
            "}\n\n"
            'resource "aws_ecs_service" "lbrole_ok" {\n'
            '  name     = "api"\n'
            '  iam_role = "arn:aws:iam::123456789012:role/ecs-api-lb-registration"\n'
            "}"
        ),
        fix="Remove `iam_role` (ECS uses the AWSServiceRoleForECS service-linked role) or use a narrow role.",
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    value = resource.attributes.get(ATTRIBUTE)
    if not isinstance(value, str):
        return
    role_name = value.rsplit("/", 1)[-1]
    if _ADMIN.search(role_name):
        yield Hit(
            message=f"iam_role {role_name!r} looks like an administrator role",
            attribute=ATTRIBUTE,
            actual=value,
            expected="a role limited to load balancer registration",
            line=attr_line(resource, ATTRIBUTE),
        )
