"""Shared test plumbing. Golden files: ``pytest --update-golden`` rewrites them; review the diff."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
GOLDEN = TESTS / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output instead of comparing",
    )


class Golden:
    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, name: str, actual: str) -> None:
        """Compare ``actual`` with tests/golden/NAME (or write it with --update-golden)."""
        path = GOLDEN / name
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"missing golden file {path}: run pytest --update-golden and review it"
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"output differs from {path} (pytest --update-golden to accept)"


@pytest.fixture(autouse=True)
def _no_module_fetching(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI fetches registry/git modules by default; fixtures that call public registry modules
    must never reach out from the test suite. Tests of fetching opt in (--fetch-modules, or their own
    TFDRIFT_FETCH_MODULES) against the local stand-ins in tests/support/registry_server.py."""
    monkeypatch.setenv("TFDRIFT_FETCH_MODULES", "0")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(bool(request.config.getoption("--update-golden")))


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
