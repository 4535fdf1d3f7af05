"""TFD-DRIFT-034: ECS Express Mode (gateway) service changed or deleted outside Terraform.

CreateExpressGatewayService names the service by ``serviceName`` and ``cluster``; Update- and
DeleteExpressGatewayService by ``serviceArn``
(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateExpressGatewayService.html).
The request members are the snake_case attributes of ``aws_ecs_express_gateway_service``.
"""

from __future__ import annotations

from typing import Any

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import deleted, request_members
from tfdrift_ci.rules.drift._rows import EXPRESS_GATEWAY_SERVICE, EventRow

RULE = Rule(
    id="TFD-DRIFT-034",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS Express gateway service changed or deleted outside Terraform",
    resource_types=("aws_ecs_express_gateway_service",),
    docs=RuleDoc(
        what=(
            "UpdateExpressGatewayService changing a declared `aws_ecs_express_gateway_service` "
            "(primary container and image, roles, cpu/memory, network configuration, scaling "
            "target, health check path), DeleteExpressGatewayService deleting it, or "
            "CreateExpressGatewayService creating one next to declared ones (unmanaged)."
        ),
        why=(
            "An Express service is a public HTTPS endpoint with its own load balancer: another "
            "image, task role or network configuration set by hand changes what runs and what it "
            "can reach without review (ATT&CK T1578, T1610)."
        ),
        example=(
            'resource "aws_ecs_express_gateway_service" "web" {\n'
            '  service_name = "web"\n'
            "  primary_container {\n"
            '    image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2"\n'
            "  }\n"
            "}\n"
            '# CloudTrail: UpdateExpressGatewayService {"serviceArn": '
            '"arn:aws:ecs:eu-west-1:111122223333:service/default/web", "primaryContainer": '
            '{"image": "…/web:latest"}}'
        ),
        fix="Restore the declared service (terraform apply), or adopt the change in the .tf file.",
    ),
    remediation="Revert with terraform apply, or adopt the change in the .tf file.",
    mitre=("T1578", "T1610"),
)

QUIET_FORM_DEFAULTS = True
SECURITY_ATTRIBUTES = (
    "task_role_arn",
    "execution_role_arn",
    "infrastructure_role_arn",
    "network_configuration",
)

_settings = request_members(skip=("serviceArn", "serviceName", "cluster", "tags"))

EVENTS = (
    EventRow(
        ECS,
        "CreateExpressGatewayService",
        (EXPRESS_GATEWAY_SERVICE,),
        _settings,
        creates="aws_ecs_express_gateway_service",
    ),
    EventRow(ECS, "UpdateExpressGatewayService", (EXPRESS_GATEWAY_SERVICE,), _settings),
    EventRow(ECS, "DeleteExpressGatewayService", (EXPRESS_GATEWAY_SERVICE,), deleted),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """Deleting the service, or changing what it runs as (roles, image), is high. None keeps the
    default."""
    if op == "delete":
        return Severity.HIGH
    if attribute and (attribute.endswith("role_arn") or attribute == "primary_container.image"):
        return Severity.HIGH
    return None
