"""TFD-ECS-011: ECS service tasks get public IP addresses.

https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import as_bool, attr_line, block

ATTRIBUTE = "network_configuration.assign_public_ip"

RULE = Rule(
    id="TFD-ECS-011",
    kind="config",
    severity=Severity.MEDIUM,
    title="ECS service assigns public IP addresses to its tasks",
    resource_types=("aws_ecs_service", "aws_ecs_task_set"),
    peers=PeerIds(
        checkov=("CKV_AWS_333",),
        kics=("bafe7989-3c4b-47f0-910b-e6e1cba7f146",),  # ECS Services assigned with public IP address
    ),
    mitre=("T1133",),
    remediation="Set network_configuration { assign_public_ip = false } and use private subnets.",
    docs=RuleDoc(
        what=(
            "`network_configuration.assign_public_ip` on `aws_ecs_service` (and on `aws_ecs_task_set`, "
            "whose tasks get their own network configuration): `true` fails; omitted or `false` passes."
        ),
        why=(
            "A public IP puts each task directly on the internet: only its security group stands "
            "between the container and every scanner. Tasks belong in private subnets behind a load "
            "balancer, with a NAT gateway or VPC endpoints for outbound traffic."
        ),
        example=(
            'resource "aws_ecs_service" "publicip_bad" {\n'
            '  name = "api"\n'
            "  network_configuration {\n"
            "    subnets          = var.subnets\n"
            "    assign_public_ip = true\n"
            "  }\n"
            "}\n\n"
            'resource "aws_ecs_service" "privateip_ok" {\n'
            '  name = "api"\n'
            "  network_configuration {\n"
            "    subnets = var.private_subnets\n"
            "  }\n"
            "}"
        ),
        fix=(
            "Set `assign_public_ip = false`, run the tasks in private subnets and add VPC endpoints "
            "(ecr.api, ecr.dkr, s3, logs) or a NAT gateway so they can still pull images."
        ),
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    net = block(resource.attributes, "network_configuration")
    if net is None:
        return
    value = net.get("assign_public_ip")
    if as_bool(value) is True:
        yield Hit(
            message="assign_public_ip = true: tasks are reachable from the internet",
            attribute=ATTRIBUTE,
            actual=value,
            expected=False,
            line=attr_line(resource, "network_configuration"),
        )
