"""engine.check(request) -> Report: the pipeline as other callers use it, without the CLI."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tfdrift_ci.engine import CheckRequest, check, load_inventory
from tfdrift_ci.errors import InventoryError, SourceError
from tfdrift_ci.settings import RuleSetting, Settings

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "infra"
EXAMPLE_EVENTS = ROOT / "examples" / "cloudtrail"
SINCE, UNTIL = "2026-11-01T00:00:00Z", "2026-11-23T00:00:00Z"


def test_offline_check_runs_static_rules_only() -> None:
    report = check(CheckRequest(path=str(EXAMPLE), offline=True))
    assert report.window is None and report.sources == ()
    assert report.findings and {f.kind for f in report.findings} == {"config"}
    assert report.files == 3 and report.resources
    assert report.exit_code == 1 and report.fail_on == "high"


def test_events_give_drift_findings_and_the_window_asked_for() -> None:
    request = CheckRequest(path=str(EXAMPLE), events=(str(EXAMPLE_EVENTS),), since=SINCE, until=UNTIL)
    report = check(request)
    assert {"drift", "config", "attempt"} <= {f.kind for f in report.findings}
    assert report.window is not None
    assert (report.window.since, report.window.until) == (
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2026, 11, 23, tzinfo=UTC),
    )
    assert report.sources and all(s.complete and s.events_read > 0 for s in report.sources)


def test_a_relative_window_is_measured_from_the_request_clock() -> None:
    now = datetime(2026, 11, 23, tzinfo=UTC)
    request = CheckRequest(path=str(EXAMPLE), events=(str(EXAMPLE_EVENTS),), since="3d", now=now)
    report = check(request)
    assert report.window is not None
    assert (report.window.since, report.window.until) == (datetime(2026, 11, 20, tzinfo=UTC), now)


def test_given_settings_are_used_and_none_means_the_configuration_file(tmp_path: Path) -> None:
    off = Settings(fail_on="never", rules={"TFD-ECR-001": RuleSetting(enabled=False)})
    report = check(CheckRequest(path=str(EXAMPLE), offline=True, settings=off))
    assert report.exit_code == 0 and "TFD-ECR-001" not in {f.rule_id for f in report.findings}

    infra = tmp_path / "infra"
    shutil.copytree(EXAMPLE, infra)
    (tmp_path / ".git").mkdir()  # the configuration search stops at the repository root
    (tmp_path / ".tfdrift.yml").write_text("fail_on: never\n")
    assert check(CheckRequest(path=str(infra), offline=True)).fail_on == "never"


def test_changed_files_restrict_the_roots(tmp_path: Path) -> None:
    for name in ("prod", "dev"):
        shutil.copytree(EXAMPLE, tmp_path / name)
    request = CheckRequest(path=str(tmp_path), offline=True, settings=Settings())
    assert {r.root for r in check(request).resources} == {"prod", "dev"}
    only = check(
        CheckRequest(path=str(tmp_path), offline=True, settings=Settings(), changed_files=("dev/ecr.tf",))
    )
    assert {r.root for r in only.resources} == {"dev"}
    assert any("1 Terraform root(s) touched" in n for n in only.notices)


def test_no_terraform_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="no Terraform files"):
        check(CheckRequest(path=str(tmp_path), offline=True, settings=Settings()))
    with pytest.raises(InventoryError, match="no Terraform files"):
        load_inventory(CheckRequest(path=str(tmp_path)))


def test_a_bad_event_source_is_an_error_before_anything_slow() -> None:
    with pytest.raises(SourceError):
        check(CheckRequest(path=str(EXAMPLE), events=("ftp://nowhere",), settings=Settings()))


def test_no_credentials_in_auto_mode_is_a_static_run_that_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    report = check(CheckRequest(path=str(EXAMPLE), settings=Settings()))
    assert report.window is None and report.sources == ()
    assert any("no AWS credentials found" in n for n in report.notices)
    # drift was not checked and nobody asked for that (--offline): a gap, which fails the run under
    # --fail-on-incomplete instead of passing on the static rules alone
    assert [(g.kind, g.subject, g.fails) for g in report.gaps] == [("source", "aws", True)]
    assert report.incomplete
    lenient = Settings(fail_on="critical", fail_on_incomplete=True)
    assert check(CheckRequest(path=str(EXAMPLE), settings=lenient)).exit_code == 1
    asked = check(CheckRequest(path=str(EXAMPLE), offline=True, settings=lenient))
    assert asked.gaps == () and asked.exit_code == 0


def test_the_request_is_frozen() -> None:
    request = CheckRequest(path=".")
    with pytest.raises(AttributeError):
        request.path = "elsewhere"  # type: ignore[misc]
