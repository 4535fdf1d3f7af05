"""tfdrift_ci/inventory/fetch/constraints.py: Terraform's version constraints, not PEP 440's.
https://developer.hashicorp.com/terraform/language/expressions/version-constraints"""

from __future__ import annotations

import pytest

from tfdrift_ci.inventory.fetch.constraints import ConstraintError, newest, parse_constraint, parse_version

VERSIONS = [
    "4.9.9",
    "5.0.0",
    "5.1.0",
    "5.1.2",
    "5.2.0-beta1",
    "5.11.0",
    "6.0.0-rc1",
    "6.0.0",
    "6.1.0",
    "v7.0.0",
]


@pytest.mark.parametrize(
    ("constraint", "chosen"),
    [
        (None, "v7.0.0"),  # no constraint: the newest release (a v prefix is accepted, as go-version does)
        ("~> 5.0", "5.11.0"),  # ~> X.Y: only Y may grow
        ("~> 5.1.0", "5.1.2"),  # ~> X.Y.Z: only Z may grow
        ("~> 5", "5.11.0"),  # ~> X: like ~> X.0
        (">= 1.2, < 6.0", "5.11.0"),
        ("= 5.1.0", "5.1.0"),
        ("5.1.0", "5.1.0"),  # no operator is "="
        ("= 5.1", "5.1.2"),  # a partial exact version accepts its patch releases
        ("!= 7.0.0", "6.1.0"),
        ("> 6.0.0, < 7", "6.1.0"),
        ("<= 5.1.2", "5.1.2"),
        ("~> 6.0", "6.1.0"),  # not 6.0.0-rc1 either way
        ("= 5.2.0-beta1", "5.2.0-beta1"),  # a pre-release only when named exactly
        ("5.2.0-beta1", "5.2.0-beta1"),
        (">= 5.2.0-beta1", "v7.0.0"),  # an inexact operator never selects a pre-release
        ("~> 5.2.0-beta1", None),  # … and the only 5.2.x is that pre-release
        ("~> 8.0", None),
    ],
)
def test_newest_meeting_the_constraint(constraint: str | None, chosen: str | None) -> None:
    assert newest(VERSIONS, parse_constraint(constraint)) == chosen


def test_tilde_is_not_pep440_compatible_release() -> None:
    # PEP 440's ~= 5.1 would allow 5.11; Terraform's ~> 5.1.0 stops at 5.1.x (and ~> 5.1 does allow 5.11)
    assert newest(["5.1.9", "5.11.0"], parse_constraint("~> 5.1.0")) == "5.1.9"
    assert newest(["5.1.9", "5.11.0"], parse_constraint("~> 5.1")) == "5.11.0"


def test_ordering_is_semver() -> None:
    order = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
    ]
    keys = [parse_version(v).key() for v in order]
    assert keys == sorted(keys)
    assert parse_version("1.10.0").key() > parse_version("1.9.0").key()
    assert parse_version("1.0.0+build.5").key() == parse_version("1.0.0").key()


def test_exact_constraints_are_known_without_the_registry() -> None:
    assert str(parse_constraint("= 5.11.0").exact) == "5.11.0"
    assert str(parse_constraint("5.11.0").exact) == "5.11.0"
    assert parse_constraint("= 5.11").exact is None  # partial: any 5.11.x
    assert parse_constraint("~> 5.11.0").exact is None
    assert parse_constraint(">= 5.11.0, <= 5.11.0").exact is None


@pytest.mark.parametrize("bad", ["~>", "latest", ">= 1.2.3.4", "=> 1.0", "1.0, ", "~> 1.x"])
def test_invalid_constraints_are_errors(bad: str) -> None:
    with pytest.raises(ConstraintError):
        parse_constraint(bad)


def test_unparsable_registry_versions_are_skipped() -> None:
    assert newest(["not-a-version", "1.2", "1.0.0"], parse_constraint(None)) == "1.0.0"
