"""TFD-DRIFT-017: ECS cluster settings or exec configuration changed outside Terraform."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Event, Resource, Severity, Unknown
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, flatten, named
from tfdrift_ci.rules.drift._rows import CLUSTER, EventRow

RULE = Rule(
    id="TFD-DRIFT-017",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS cluster settings or exec configuration changed outside Terraform",
    resource_types=("aws_ecs_cluster",),
    docs=RuleDoc(
        what=(
            "UpdateCluster / UpdateClusterSettings / CreateCluster changing "
            "`setting` (containerInsights), "
            "`configuration.execute_command_configuration` or "
            "`service_connect_defaults` of a declared cluster. Medium, except two changes graded "
            "high: any change to the ECS Exec configuration (exec logging switched or turned off, "
            "the customer key or the log destination changed, an exec configuration added to a "
            "cluster that declares none), and Container Insights turned off. An update that sends "
            "`executeCommandConfiguration` replaces it whole, so declared members it leaves out "
            "(`kmsKeyId`, `logConfiguration` …) are reported as removed (declared → null). "
            "Re-grade with `drift_rules:` in `.tfdrift.yml`."
        ),
        why=(
            "Container Insights and ECS Exec logging are how you see what happens "
            "in the cluster; turning them off hides activity (ATT&CK T1562.008 "
            "Disable or Modify Cloud Logs)."
        ),
        example=(
            'resource "aws_ecs_cluster" "main" {\n'
            '  setting { name = "containerInsights"  value = "enabled" }\n'
            "}\n"
            '# CloudTrail: UpdateClusterSettings {"cluster": "main", "settings": '
            '[{"name": "containerInsights", "value": "disabled"}]}'
        ),
        fix="Restore the declared settings (terraform apply).",
    ),
    remediation=(
        "Revert with terraform apply (setting / configuration), or adopt the change in the .tf file."
    ),
    mitre=("T1562.008",),
)


SECURITY_ATTRIBUTES = ("configuration", "setting")
EXEC = "configuration.execute_command_configuration"


def _block(value: Any) -> Any:
    """A nested block as the plan JSON shape has it (a list of one object) entered at its object."""
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return value


def _leaves(prefix: str, value: Any, out: dict[str, Any]) -> None:
    value = _block(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _leaves(f"{prefix}.{key}", item, out)
    else:
        out[prefix] = value


def _declared_exec(resource: Resource) -> dict[str, Any]:
    """Declared leaves of the exec configuration by Terraform path
    (``configuration.execute_command_configuration.kms_key_id`` → its value)."""
    conf = _block(resource.attributes.get("configuration"))
    exec_cfg = _block(conf.get("execute_command_configuration")) if isinstance(conf, Mapping) else None
    out: dict[str, Any] = {}
    if isinstance(exec_cfg, Mapping):
        _leaves(EXEC, exec_cfg, out)
    return out


def extract(event: Event, resource: Resource) -> list[Change]:
    req = event.request
    out: list[Change] = []
    if isinstance(req.get("settings"), list):
        declared_setting = resource.attributes.get("setting")
        for name, value in sorted(named(req["settings"], "value").items()):
            if isinstance(declared_setting, Unknown):
                old: Any = declared_setting
            else:
                old = named(declared_setting, "value").get(name)
            out.append(Change("update", f"setting.{name}", value, old))
    cfg = req.get("configuration")
    if isinstance(cfg, Mapping):
        flat: dict[str, Any] = {}
        flatten("configuration", cfg, flat)
        if isinstance(cfg.get("executeCommandConfiguration"), Mapping):
            # The structure is sent whole and replaces the cluster's: a declared member it leaves
            # out (kmsKeyId, logConfiguration …) is removed, e.g. the customer key dropped by an
            # update that only restates logging. Reported as set to null.
            for path, value in _declared_exec(resource).items():
                if path not in flat and value is not None:
                    flat[path] = None
        out += [Change("update", p, v) for p, v in sorted(flat.items())]
    scd = req.get("serviceConnectDefaults")
    if isinstance(scd, Mapping) and "namespace" in scd:
        out.append(Change("update", "service_connect_defaults.namespace", scd["namespace"]))
    return out


EVENTS = (
    EventRow(ECS, "CreateCluster", (CLUSTER,), extract),
    EventRow(ECS, "UpdateCluster", (CLUSTER,), extract, security=True),
    EventRow(ECS, "UpdateClusterSettings", (CLUSTER,), extract, security=True),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """Changes to exec logging, or Container Insights turned off, are high. None keeps the
    default.
    """
    if attribute and attribute.startswith("configuration.execute_command_configuration"):
        return Severity.HIGH
    if attribute == "setting.containerInsights" and new == "disabled":
        return Severity.HIGH
    return None
