"""The documentation a user reads: what it points at exists, and what it promises ships."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_packaged_report_schema_is_the_one_the_tests_validate_against() -> None:
    """Users get tfdrift_ci/schemas/report-schema.json inside the package; the tests validate every
    report against tests/schemas/report-schema.json. They must be the same file: edit both."""
    packaged = resources.files("tfdrift_ci.schemas").joinpath("report-schema.json").read_bytes()
    assert packaged == (REPO / "tests" / "schemas" / "report-schema.json").read_bytes()
    assert packaged == (REPO / "tfdrift_ci" / "schemas" / "report-schema.json").read_bytes()
