"""tfdrift_ci/inventory/origin.py: where a resource attribute's value is set in the repository
(fixtures: tests/fixtures/terraform/origin/live, a root with nested local modules, tfvars and a
downloaded module under .terraform/modules; .../origin/literals, literal and non-literal forms)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfdrift_ci import inventory
from tfdrift_ci.inventory.origin import origin_for, related_location, user_location
from tfdrift_ci.models import Inventory, Origin, Resource


@pytest.fixture
def live(tf: Path) -> Inventory:
    return inventory.load(str(tf / "origin" / "live"))


@pytest.fixture
def literals(tf: Path) -> Inventory:
    return inventory.load(str(tf / "origin" / "literals"))


def resource(inv: Inventory, address: str) -> Resource:
    return next(r for r in inv.resources if r.address == address)


def where(o: Origin) -> tuple[str, str | None, int | None]:
    return o.kind, o.file, o.line


def test_a_literal_in_the_resource_block_is_the_attribute(live: Inventory) -> None:
    o = origin_for(resource(live, "aws_ecr_repository.root"), "name")
    assert where(o) == ("attribute", "main.tf", 17)
    assert (o.name, o.expr, o.single_literal, o.uses, o.reason) == ("name", '"root-repo"', True, 1, None)
    assert o.adoptable


def test_a_root_variable_used_once_is_its_default(live: Inventory) -> None:
    o = origin_for(resource(live, "aws_ecr_repository.root"), "image_tag_mutability")
    assert where(o) == ("variable_default", "variables.tf", 7)
    assert (o.name, o.expr, o.chain) == ("default", '"IMMUTABLE"', ("var.root_mutability",))
    assert o.adoptable


def test_a_local_is_followed(live: Inventory) -> None:
    o = origin_for(resource(live, "aws_ecr_repository.root"), "force_delete")
    assert where(o) == ("local", "main.tf", 6)
    assert (o.name, o.expr, o.adoptable) == ("force", "true", True)


def test_a_variable_read_in_two_places_is_not_adoptable(live: Inventory) -> None:
    o = origin_for(resource(live, "aws_ecr_repository.twin"), "image_scanning_configuration.scan_on_push")
    assert where(o) == ("variable_default", "variables.tf", 12)
    assert o.single_literal and o.uses == 2 and not o.adoptable
    assert o.reason == "2 places take their value from it"


def test_an_expression_stays_at_the_attribute_with_a_reason(live: Inventory) -> None:
    o = origin_for(resource(live, "aws_ecr_repository.twin"), "name")
    assert where(o) == ("attribute", "main.tf", 27)
    assert not o.single_literal
    assert o.reason == '"twin-${var.env}" is an expression, not a literal'


def test_a_module_input_through_nested_modules_points_at_the_calling_line(live: Inventory) -> None:
    repo = resource(live, "module.app.module.inner.aws_ecr_repository.this")
    o = origin_for(repo, "image_tag_mutability")
    assert where(o) == ("module_input", "main.tf", 12)
    assert (o.name, o.expr, o.adoptable) == ("mutability", '"MUTABLE"', True)
    assert o.chain == ("module.app.module.inner.var.mutability", "module.app.var.mutability")
    # the resource inside the module is the related location
    assert related_location(repo, "image_tag_mutability") == ("../modules/app/inner/main.tf", 11)


def test_a_module_input_from_a_root_variable_ends_at_the_tfvars_entry(live: Inventory) -> None:
    repo = resource(live, "module.app.module.inner.aws_ecr_repository.this")
    o = origin_for(repo, "image_scanning_configuration.scan_on_push")
    assert where(o) == ("tfvars", "terraform.tfvars", 2)
    assert (o.name, o.expr, o.adoptable) == ("scan_on_push", "false", True)
    assert o.chain[-1] == "var.scan_on_push"


def test_a_local_module_default_is_the_variable_default_in_the_module(live: Inventory) -> None:
    o = origin_for(resource(live, "module.app.aws_ecs_cluster.this"), "setting.value")
    assert where(o) == ("variable_default", "../modules/app/main.tf", 11)
    assert o.in_repository and o.adoptable


def test_a_downloaded_module_input_points_at_the_module_block(live: Inventory) -> None:
    svc = resource(live, "module.svc.aws_ecs_service.this")
    assert svc.file == ".terraform/modules/svc/main.tf"
    o = origin_for(svc, "name")
    assert where(o) == ("module_input", "main.tf", 38)
    # the module's own default: the module block is where the user sets it
    o = origin_for(svc, "desired_count")
    assert where(o) == ("module_block", "main.tf", 34)
    assert not o.single_literal and o.reason is not None and "desired_count" in o.reason
    # through the module input to the root variable's default
    o = origin_for(svc, "enable_execute_command")
    assert where(o) == ("variable_default", "variables.tf", 22)
    assert o.chain == ("module.svc.var.enable_execute_command", "var.exec")


def test_a_literal_inside_a_downloaded_module_is_shown_at_the_module_block(live: Inventory) -> None:
    svc = resource(live, "module.svc.aws_ecs_service.this")
    o = origin_for(svc, "launch_type")
    assert where(o) == ("attribute", ".terraform/modules/svc/main.tf", 20)
    assert not o.in_repository and not o.adoptable
    shown = user_location(svc, "launch_type")
    assert where(shown) == ("module_block", "main.tf", 34)
    assert shown.reason == "set in a module that is not in this repository"
    # an attribute the module does not write: the module block too
    assert where(user_location(svc, "propagate_tags")) == ("module_block", "main.tf", 34)
    assert related_location(svc, "launch_type") == (".terraform/modules/svc/main.tf", 20)


def test_an_attribute_not_written_is_the_resource_block(live: Inventory) -> None:
    o = origin_for(resource(live, "aws_ecr_repository.root"), "encryption_configuration.encryption_type")
    assert where(o) == ("resource_block", "main.tf", 16)
    assert o.reason == "encryption_configuration.encryption_type is not written in the resource block"
    assert related_location(resource(live, "aws_ecr_repository.root"), "name") is None


def test_a_variable_set_on_the_command_line_is_not_in_the_code(tf: Path) -> None:
    inv = inventory.load(str(tf / "origin" / "live"), variables={"scan_on_push": "true"})
    repo = resource(inv, "module.app.module.inner.aws_ecr_repository.this")
    o = origin_for(repo, "image_scanning_configuration.scan_on_push")
    assert where(o) == ("variable", "variables.tf", 1)
    assert o.reason == "var.scan_on_push set by --var on the command line"
    assert not o.adoptable


def test_json_document_literals(literals: Inventory) -> None:
    task = resource(literals, "aws_ecs_task_definition.literal")
    o = origin_for(task, "container_definitions")
    assert where(o) == ("attribute", "main.tf", 15)
    assert o.single_literal and o.expr.startswith("jsonencode(")
    # a key inside the document is set by the document's argument
    assert origin_for(task, "container_definitions[0].image") == o
    assert origin_for(task, "container_definitions.0.image") == o
    computed = origin_for(resource(literals, "aws_ecs_task_definition.computed"), "container_definitions")
    assert not computed.single_literal and computed.reason is not None
    heredoc = origin_for(resource(literals, "aws_ecr_repository_policy.heredoc"), "policy")
    assert where(heredoc) == ("attribute", "main.tf", 37)
    assert heredoc.single_literal and heredoc.end_line == 42


def test_literal_forms(literals: Inventory) -> None:
    task = resource(literals, "aws_ecs_task_definition.literal")
    assert origin_for(task, "cpu").single_literal
    tags = origin_for(task, "tags")  # a map default, several lines
    assert where(tags) == ("variable_default", "main.tf", 8)
    assert tags.single_literal and tags.end_line == 10
    svc = resource(literals, "aws_ecs_service.svc")
    assert origin_for(svc, "deployment_minimum_healthy_percent").single_literal
    assert not origin_for(svc, "enable_execute_command").single_literal
    # repeated nested blocks: the index picks the block
    assert where(origin_for(svc, "ordered_placement_strategy.1.type")) == ("attribute", "main.tf", 58)
    assert where(origin_for(svc, "ordered_placement_strategy[0].type")) == ("attribute", "main.tf", 53)
    assert where(origin_for(svc, "ordered_placement_strategy.type")) == ("attribute", "main.tf", 53)


def test_a_json_tfvars_entry_is_located_with_its_value(literals: Inventory) -> None:
    o = origin_for(resource(literals, "aws_ecr_repository.json_tfvars"), "image_tag_mutability")
    assert where(o) == ("tfvars", "terraform.tfvars.json", 2)
    assert (o.expr, o.reason) == ('"MUTABLE"', None) and o.adoptable  # fix/jsonedit.py rewrites it


def test_the_origin_is_json_data(live: Inventory) -> None:
    o = origin_for(resource(live, "aws_ecr_repository.root"), "image_tag_mutability")
    data = o.as_dict()
    assert data["kind"] == "variable_default" and data["chain"] == ["var.root_mutability"]


def test_a_reference_cycle_ends_with_a_reason(literals: Inventory) -> None:
    o = origin_for(resource(literals, "aws_ecr_repository.cycle"), "image_tag_mutability")
    assert o.kind == "local" and o.reason == "references nest too deeply to follow" and not o.adoptable


def test_uses_multiply_along_the_chain(tf: Path) -> None:
    inv = inventory.load(str(tf / "origin" / "fanout"))
    # one literal input on a for_each call sets both instances
    o = origin_for(resource(inv, 'module.each["a"].aws_ecr_repository.this'), "image_tag_mutability")
    assert where(o) == ("module_input", "main.tf", 10)
    assert o.uses == 2 and o.reason == "2 places take their value from it" and not o.adoptable
    # a single call reading its input once: adoptable at the input
    o = origin_for(resource(inv, "module.one.aws_ecr_repository.this"), "image_tag_mutability")
    assert where(o) == ("module_input", "main.tf", 18) and o.uses == 1 and o.adoptable
    # the root variable is read once, but the module reads its input in two resources
    o = origin_for(
        resource(inv, "module.one.aws_ecr_repository.this"), "image_scanning_configuration.scan_on_push"
    )
    assert where(o) == ("tfvars", "terraform.tfvars", 1)
    assert o.uses == 2 and not o.adoptable


def test_a_literal_in_a_module_called_three_times_is_shared(tf: Path) -> None:
    inv = inventory.load(str(tf / "origin" / "fanout"))
    o = origin_for(resource(inv, "module.one.aws_ecr_repository.this"), "force_delete")
    assert where(o) == ("attribute", "m/main.tf", 16)
    assert o.uses == 3 and o.reason == "3 instances of the resource share the argument"
