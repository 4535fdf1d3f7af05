"""Untrusted request shapes: the engine never raises; what it cannot read becomes an error finding."""

from __future__ import annotations

from typing import Any

import pytest

from rules.drift.helpers import ACCT, REGION, drift, ev, repo, res, service
from tfdrift_ci.rules.drift import REGISTRY

GARBAGE: list[Any] = [None, 0, "x", [], [1, "a", None], {"a": {"b": [{}]}}, {"": None}, True, 1.5e308]
FIELDS = (
    "repositoryName",
    "service",
    "serviceName",
    "cluster",
    "clusterName",
    "family",
    "taskDefinition",
    "desiredCount",
    "enableExecuteCommand",
    "networkConfiguration",
    "capacityProviderStrategy",
    "containerDefinitions",
    "settings",
    "configuration",
    "tags",
    "tagKeys",
    "resourceArn",
    "policyText",
    "lifecyclePolicyText",
    "replicationConfiguration",
    "rules",
    "scanType",
    "imageScanningConfiguration",
    "imageTagMutability",
    "name",
    "value",
    "capacityProviders",
    "defaultCapacityProviderStrategy",
    "autoScalingGroupProvider",
    "ecrRepositoryPrefix",
    "catalogData",
    "imageIds",
    "containerInstances",
    "task",
    "deploymentConfiguration",
    "loadBalancers",
)
RESOURCES = [
    repo(),
    service(),
    res("aws_ecs_cluster", "main", {"name": "main", "setting": "oops"}, kind="cluster"),
    res(
        "aws_ecs_task_definition",
        "api",
        {"family": "api", "container_definitions": {"not": "a list"}},
        kind="task_definition",
    ),
    res("aws_ecr_repository_policy", "api", {"policy": "{not json"}, kind="repository"),
]
PAIRS = sorted(REGISTRY.table)  # every write event some rule acts on


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p[0].split('.')[0]}-{p[1]}")
def test_garbage_requests_never_raise(pair: tuple[str, str]) -> None:
    source, name = pair
    events = []
    for i, junk in enumerate(GARBAGE):
        request = {field: junk for field in FIELDS}
        events.append(ev(name, request, source=source, response={"taskDefinition": junk, "service": junk}))
        # realistic identity, garbage payload
        request = {
            **request,
            "repositoryName": "api",
            "service": "api",
            "cluster": "main",
            "family": "api",
            "resourceArn": f"arn:aws:ecs:{REGION}:{ACCT}:service/main/api",
            "name": "main",
        }
        events.append(ev(name, request, source=source, minutes=i))
    findings = drift(RESOURCES, events)
    assert all(f.kind in ("drift", "attempt", "unmanaged") for f in findings), [
        f.message for f in findings if f.kind == "error"
    ]


def test_deep_nesting_becomes_an_error_finding_not_a_crash() -> None:
    deep: Any = "x"
    for _ in range(5000):
        deep = {"a": deep}
    event = ev("UpdateService", {"cluster": "main", "service": "api", "deploymentConfiguration": deep})
    findings = drift(
        [service()], [event, ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 7})]
    )
    kinds = sorted(f.kind for f in findings)
    assert "drift" in kinds  # the good event is still reported
    assert all(f.kind in ("drift", "error") for f in findings)
