"""Which module sources declare ECR/ECS resources: those are named first when they cannot be followed
(a run that could not read terraform-aws-modules/ecs missed exactly what this tool checks).

Known packages by name (registry address or their GitHub repository), then a name that says ECR or
ECS (``acme/ecs-service/aws``, ``github.com/acme/terraform-ecr``)."""

from __future__ import annotations

import re

from tfdrift_ci.inventory.fetch import addresses

# registry "namespace/name" of widely used modules that declare ECR/ECS resources
KNOWN = frozenset(
    {
        "terraform-aws-modules/ecs",
        "terraform-aws-modules/ecr",
        "cloudposse/ecr",
        "cloudposse/ecs-alb-service-task",
        "cloudposse/ecs-container-definition",
        "cloudposse/ecs-cluster",
        "cloudposse/ecs-web-app",
        "cloudposse/ecs-codepipeline",
        "cloudposse/ecs-cloudwatch-autoscaling",
        "cloudposse/ecs-task",
        "umotif-public/ecs-fargate",
        "umotif-public/ecs-fargate-scheduled-task",
        "HENNGE/ecs",
    }
)
_KNOWN_LOWER = frozenset(k.lower() for k in KNOWN)
_WORD = re.compile(r"(?:^|[-_./])(ecs|ecr|fargate)(?:$|[-_./])", re.I)
_GITHUB = re.compile(r"github\.com[/:]([^/]+)/terraform-aws-([^/?.]+)", re.I)


def rank(source: str) -> int:
    """0: a known ECR/ECS module, 1: its name says ECR/ECS/Fargate, 2: anything else."""
    try:
        parsed = addresses.parse(source)
    except (addresses.SourceError, ValueError):
        parsed = None
    if isinstance(parsed, addresses.RegistrySource):
        if f"{parsed.namespace}/{parsed.name}".lower() in _KNOWN_LOWER:
            return 0
        return 1 if _WORD.search(parsed.name) else 2
    m = _GITHUB.search(source)
    if m and f"{m.group(1)}/{m.group(2)}".lower() in _KNOWN_LOWER:
        return 0
    return 1 if _WORD.search(source.split("?", 1)[0]) else 2
