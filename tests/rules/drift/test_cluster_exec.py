"""Cluster-level ECS Exec drift (UpdateCluster executeCommandConfiguration) is graded high, and a
member the update leaves out of the structure (the customer key, the log destination) is reported
as removed instead of passing silently."""

from __future__ import annotations

from typing import Any

import pytest

from rules.drift.helpers import drift, ev, res
from tfdrift_ci.models import Severity, Unknown
from tfdrift_ci.settings import DriftRuleSetting, Settings

EXEC = "configuration.execute_command_configuration"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DECLARED = [
    {
        "execute_command_configuration": [
            {
                "kms_key_id": KEY,
                "logging": "OVERRIDE",
                "log_configuration": [
                    {"cloud_watch_log_group_name": "/ecs/exec", "cloud_watch_encryption_enabled": True}
                ],
            }
        ]
    }
]
LOGGED = {"cloudWatchLogGroupName": "/ecs/exec", "cloudWatchEncryptionEnabled": True}


def _cluster(configuration: Any = None) -> Any:
    attrs: dict[str, Any] = {"name": "main"}
    if configuration is not None:
        attrs["configuration"] = configuration
    return res("aws_ecs_cluster", "main", attrs, kind="cluster")


def _update(exec_cfg: dict[str, Any]) -> Any:
    return ev(
        "UpdateCluster", {"cluster": "main", "configuration": {"executeCommandConfiguration": exec_cfg}}
    )


def _summary(findings: list[Any]) -> list[tuple[str | None, Any, Any, Severity]]:
    return [(f.attribute, f.expected, f.actual, f.severity) for f in findings]


def test_exec_configuration_added_to_a_cluster_that_declares_none_is_high() -> None:
    found = drift([_cluster()], [_update({"logging": "DEFAULT"})])
    assert _summary(found) == [(f"{EXEC}.logging", None, "DEFAULT", Severity.HIGH)]
    assert {f.rule_id for f in found} == {"TFD-DRIFT-017"}


def test_exec_logging_turned_off_is_high() -> None:
    found = drift([_cluster(DECLARED)], [_update({"kmsKeyId": KEY, "logging": "NONE"})])
    assert _summary(found) == [
        (f"{EXEC}.log_configuration.cloud_watch_encryption_enabled", True, None, Severity.HIGH),
        (f"{EXEC}.log_configuration.cloud_watch_log_group_name", "/ecs/exec", None, Severity.HIGH),
        (f"{EXEC}.logging", "OVERRIDE", "NONE", Severity.HIGH),
    ]


def test_customer_key_dropped_by_an_update_that_restates_logging_is_reported() -> None:
    """Before: only the members the request names were compared, so this update, which removes the
    customer key, gave no finding at all."""
    found = drift([_cluster(DECLARED)], [_update({"logging": "OVERRIDE", "logConfiguration": LOGGED})])
    assert _summary(found) == [(f"{EXEC}.kms_key_id", KEY, None, Severity.HIGH)]
    assert "→ null" in found[0].message and "removing" in (found[0].remediation or "")


def test_the_declared_exec_configuration_restated_is_no_drift() -> None:
    same = {"kmsKeyId": KEY, "logging": "OVERRIDE", "logConfiguration": LOGGED}
    assert drift([_cluster(DECLARED)], [_update(same)]) == []


def test_an_update_without_exec_configuration_removes_nothing() -> None:
    other = ev(
        "UpdateCluster", {"cluster": "main", "settings": [{"name": "containerInsights", "value": "enabled"}]}
    )
    assert [f.attribute for f in drift([_cluster(DECLARED)], [other])] == ["setting.containerInsights"]


def test_a_declared_key_that_is_an_expression_still_counts_as_declared() -> None:
    declared = [{"execute_command_configuration": [{"kms_key_id": Unknown("aws_kms_key.exec.arn")}]}]
    found = {f.attribute: f for f in drift([_cluster(declared)], [_update({"logging": "DEFAULT"})])}
    key = found[f"{EXEC}.kms_key_id"]
    assert (key.actual, key.severity) == (None, Severity.HIGH)


@pytest.mark.parametrize("severity", [Severity.LOW, Severity.CRITICAL])
def test_regrading_stays_possible(severity: Severity) -> None:
    settings = Settings(
        drift_rules=(
            DriftRuleSetting(
                name="exec", resource_types=("aws_ecs_cluster",), watched_attributes=(f"{EXEC}.logging",),
                severity=severity,
            ),
        )
    )  # fmt: skip
    [f] = drift([_cluster()], [_update({"logging": "DEFAULT"})], settings)
    assert f.severity is severity
