"""load_settings: discovery, every key, and errors that name the file and the key path."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from tfdrift_ci.config import load_settings
from tfdrift_ci.errors import ConfigError
from tfdrift_ci.models import Severity
from tfdrift_ci.settings import DriftRuleSetting, IgnoreEntry, RuleSetting, Settings

CONFIG = Path(__file__).parent / "fixtures" / "config"


def test_full_file_every_key() -> None:
    s = load_settings(str(CONFIG / "full.yml"), start=Path("."))
    assert s.fail_on == "medium"
    assert s.fail_on_incomplete is True
    assert s.show_ignored is True
    assert s.rules == {
        "TFD-ECR-005": RuleSetting(enabled=False),
        "TFD-ECR-007": RuleSetting(enabled=False),
        "TFD-ECS-006": RuleSetting(severity=Severity.LOW),
        "TFD-ECS-008": RuleSetting(severity=Severity.HIGH),
    }
    assert s.ignores == (
        IgnoreEntry(
            "TFD-ECR-001", "aws_ecr_repository.legacy", "legacy pipeline re-pushes latest", date(2026, 12, 31)
        ),
        IgnoreEntry("TFD-ECS-*", "module.sandbox.*"),
        IgnoreEntry("CKV_AWS_51"),
    )
    assert s.terraform_principals == ("arn:aws:iam::123456789012:role/terraform",)
    assert s.events == ("events/",)
    assert s.since == "48h"
    assert s.regions == ("eu-west-1", "us-east-1")
    assert (s.events_timeout, s.events_max_pages, s.events_max_records) == (300.0, 200, 1_000_000)
    assert s.jobs == 3
    assert s.drift_rules == (
        DriftRuleSetting(
            "image changes are critical",
            ("aws_ecs_task_definition",),
            ("container_definitions",),
            Severity.CRITICAL,
        ),
    )
    assert s.config_file is not None and s.config_file.endswith("full.yml")


def _repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    infra = tmp_path / "infra" / "prod"
    infra.mkdir(parents=True)
    return infra


def test_discovery_walks_up_to_repo_root(tmp_path: Path) -> None:
    infra = _repo(tmp_path)
    (tmp_path / ".tfdrift.yml").write_text("fail_on: low\n")
    assert load_settings(None, start=infra).fail_on == "low"
    (tmp_path / "infra" / ".tfdrift.yaml").write_text("fail_on: critical\n")
    assert load_settings(None, start=infra).fail_on == "critical"  # nearest wins


def test_discovery_stops_at_repo_root(tmp_path: Path) -> None:
    (tmp_path / ".tfdrift.yml").write_text("fail_on: low\n")
    repo = tmp_path / "repo"
    infra = _repo(repo)
    assert load_settings(None, start=infra) == Settings()


def test_pyproject_table(tmp_path: Path) -> None:
    infra = _repo(tmp_path)
    shutil.copy(CONFIG / "pyproject.toml", tmp_path / "pyproject.toml")
    s = load_settings(None, start=infra)
    assert s.fail_on == "low"
    assert s.regions == ("eu-west-1",)
    assert s.rules == {"TFD-ECR-005": RuleSetting(enabled=False)}
    # a .tfdrift.yml anywhere up to the root wins over pyproject
    (tmp_path / ".tfdrift.yml").write_text("fail_on: info\n")
    assert load_settings(None, start=infra).fail_on == "info"


def test_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    infra = _repo(tmp_path)
    (infra / "pyproject.toml").write_text('[project]\nname = "x"\n')
    shutil.copy(CONFIG / "pyproject.toml", tmp_path / "pyproject.toml")
    assert load_settings(None, start=infra).fail_on == "low"


def test_pyproject_error_names_tool_prefix(tmp_path: Path) -> None:
    infra = _repo(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.tfdrift]\nfail_on = "sometimes"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(None, start=infra)
    assert "tool.tfdrift.fail_on: expected one of critical, high, medium, low, info, never" in str(err.value)


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    f = tmp_path / ".tfdrift.yml"
    f.write_text("# nothing yet\n")
    assert load_settings(str(f), start=tmp_path).fail_on == "high"


def test_bad_severity_names_file_and_key_path() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(str(CONFIG / "bad_severity.yml"), start=Path("."))
    assert str(err.value).endswith(
        "bad_severity.yml: rules.TFD-ECR-001.severity: expected one of critical, high, medium, low, info, "
        "got 'urgent'"
    )


def test_invalid_yaml_gives_line() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(str(CONFIG / "bad_yaml.yml"), start=Path("."))
    assert err.value.line == 4
    assert "invalid YAML" in str(err.value)
    assert "bad_yaml.yml:4:" in str(err.value)


def test_unknown_top_key_suggests() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(str(CONFIG / "unknown_key.yml"), start=Path("."))
    assert "rulez: unknown key (did you mean 'rules'?)" in str(err.value)


def test_unknown_rule_id() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(str(CONFIG / "unknown_rule.yml"), start=Path("."))
    assert "rules.TFD-ECR-999: unknown rule id 'TFD-ECR-999'" in str(err.value)


def test_drift_rule_ids_are_known_too(tmp_path: Path) -> None:
    f = tmp_path / ".tfdrift.yml"
    f.write_text("rules:\n  TFD-DRIFT-001: {severity: critical}\n  TFD-ERR-002: low\n")
    s = load_settings(str(f), start=tmp_path)
    assert s.rules["TFD-DRIFT-001"].severity is Severity.CRITICAL
    assert s.rules["TFD-ERR-002"].severity is Severity.LOW


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fail_on: 3\n", "fail_on: expected one of critical, high, medium, low, info, never, got 3"),
        ("fail_on_incomplete: yes please\n", "fail_on_incomplete: expected true or false, got 'yes please'"),
        ("rules: [TFD-ECR-001]\n", "rules: expected a mapping, got a list"),
        ("rules:\n  TFD-ECR-001: {severity: high, colour: red}\n", "rules.TFD-ECR-001.colour: unknown key"),
        ("rules:\n  TFD-ECR-001: {enabled: maybe}\n", "rules.TFD-ECR-001.enabled: expected true or false"),
        ("rules:\n  TFD-ECR-001: 3\n", "rules.TFD-ECR-001: expected off, a severity or a mapping"),
        ("ignore: {rule: x}\n", "ignore: expected a list"),
        ("ignore:\n  - address: x\n", "ignore[0].rule: required"),
        ("ignore:\n  - rule: TFD-NOPE-1\n", "ignore[0].rule: unknown rule id 'TFD-NOPE-1'"),
        ("ignore:\n  - rule: TFD-NOPE-*\n", "ignore[0].rule: 'TFD-NOPE-*' matches no rule"),
        (
            "ignore:\n  - rule: TFD-ECR-001\n    expires: next week\n",
            "ignore[0].expires: expected a date like 2026-12-31",
        ),
        ("ignore:\n  - rule: TFD-ECR-001\n    until: 2026-01-01\n", "ignore[0].until: unknown key"),
        ("terraform_principals: [1]\n", "terraform_principals[0]: expected a non-empty string, got 1"),
        ("drift_rules:\n  - resource_types: [x]\n", "drift_rules[0].name: required"),
        ("drift_rules:\n  - name: a\n    severity: loud\n", "drift_rules[0].severity: expected one of"),
        ("since: yesterday\n", "since: expected a span like 7d / 48h or an ISO time, got 'yesterday'"),
        ("regions: {a: 1}\n", "regions: expected a list of strings, got a mapping"),
        ("events_timeout: soon\n", "events_timeout: expected seconds or a duration like 10m / 1h30m"),
        ("events_timeout: -5\n", "events_timeout: expected seconds or a duration"),
        ("events_max_pages: 1.5\n", "events_max_pages: expected a whole number ≥ 0 (0: no limit), got 1.5"),
        ("events_max_records: lots\n", "events_max_records: expected a whole number ≥ 0"),
        ("jobs: -2\n", "jobs: expected a whole number ≥ 0 (0: one per core), got -2"),
        ("- just\n- a list\n", "expected a mapping of settings at the top, got a list"),
    ],
)
def test_bad_values(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "c.yml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(str(f), start=tmp_path)
    assert message in str(err.value)
    assert str(err.value).startswith(str(f))


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(str(tmp_path / "nope.yml"), start=tmp_path)


def test_any_yaml_document_gives_settings_or_config_error(tmp_path: Path) -> None:
    import yaml
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    keys = st.sampled_from(
        [
            "fail_on",
            "rules",
            "ignore",
            "terraform_principals",
            "drift_rules",
            "since",
            "regions",
            "events",
            "show_ignored",
            "fail_on_incomplete",
            "TFD-ECR-001",
            "severity",
            "enabled",
            "rule",
            "address",
            "expires",
            "name",
            "resource_types",
            "watched_attributes",
            "x",
        ]
    )
    leaves = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.text(max_size=8)
        | st.sampled_from(["high", "off", "TFD-ECR-*", "2026-01-01", "7d"])
    )
    docs = st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=10,
    )
    target = tmp_path / "c.yml"

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(doc=docs)
    def check(doc: object) -> None:
        target.write_text(yaml.safe_dump(doc))
        try:
            result = load_settings(str(target), start=tmp_path)
        except ConfigError as err:
            assert str(err).startswith(str(target))
        else:
            assert isinstance(result, Settings)

    check()


# --------------------------------------------------------------------------------------------------
# Settings that weaken the gate, and shadowed files


def _repo_with(tmp_path: Path, config: Path) -> Path:
    """A git repository (a .git directory is all discovery looks for) holding ``config``."""
    (tmp_path / ".git").mkdir()
    shutil.copy(config, tmp_path / ".tfdrift.yml")
    return tmp_path


def test_weakening_names_every_weakening_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tfdrift_ci.config import weakening

    repo = _repo_with(tmp_path, CONFIG / "weakening.yml")
    monkeypatch.chdir(repo)
    gaps = weakening(load_settings(None, start=repo), str(repo))
    by_subject = {g.subject: g.reason for g in gaps}
    assert sorted(by_subject) == [
        "drift_rules[0]", "events", "fail_on", "ignore[0]", "rules.TFD-ECR-001", "rules.TFD-ERR-001",
        "terraform_principals",
    ]  # fmt: skip
    assert "never checked" in by_subject["rules.TFD-ERR-001"]
    assert by_subject["rules.TFD-ERR-001"].endswith("(set in .tfdrift.yml:4)")  # the line of the entry
    assert by_subject["fail_on"].endswith("(set in .tfdrift.yml:2)")
    assert by_subject["rules.TFD-ECR-001"].startswith("re-graded high → low")
    assert "TFD-ECS-* on every resource" in by_subject["ignore[0]"]
    assert "'events/' is inside the checked repository" in by_subject["events"]
    assert "fail_on is critical" in by_subject["fail_on"]
    principals = [g.reason for g in gaps if g.subject == "terraform_principals"]
    assert [r.split(" matches ")[1].split(":")[0] for r in principals] == [
        "any principal", "any principal of account 123456789012",
    ]  # fmt: skip
    # The checked repository's own file: a pull request can edit it, so --fail-on-incomplete fails.
    assert all(g.fails and g.file == ".tfdrift.yml" and g.kind == "config" for g in gaps)


def test_weakening_from_a_pinned_file_or_the_command_line_is_named_but_does_not_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The configuration pinned from the base branch (outside the checked tree, docs/github-action.md)
    is the workflow's decision: named, not an incomplete check. The command line's values are not
    configuration at all."""
    from dataclasses import replace

    from tfdrift_ci.config import weakening

    checked = tmp_path / "checkout"
    checked.mkdir()
    (checked / ".git").mkdir()
    pinned = tmp_path / "runner-temp" / "tfdrift.yml"
    pinned.parent.mkdir()
    shutil.copy(CONFIG / "weakening.yml", pinned)
    monkeypatch.chdir(checked)
    settings = load_settings(str(pinned), start=checked)
    gaps = weakening(settings, str(checked))
    assert gaps and not any(g.fails for g in gaps)
    # --fail-on critical on the command line (the key is no longer the file's): the caller's choice
    flag = replace(settings, fail_on="critical", config_keys=settings.config_keys - {"fail_on"})
    assert "fail_on" not in {g.subject for g in weakening(flag, str(checked))}


def test_defaults_weaken_nothing(tmp_path: Path) -> None:
    from tfdrift_ci.config import weakening

    assert weakening(Settings(), str(tmp_path)) == []


@pytest.mark.parametrize(
    ("pattern", "anyone"),
    [
        ("*", "any principal"),
        ("arn:aws:*", "any principal"),
        ("arn:*:iam::*", "any principal"),
        ("arn:aws:sts::123456789012:assumed-role/*", "any principal of account 123456789012"),
        ("arn:aws:iam::123456789012:role/terraform", None),
        ("arn:aws:iam::123456789012:role/terraform-*", None),
        ("*:role/ci-terraform", None),
    ],
)
def test_any_principal(pattern: str, anyone: str | None) -> None:
    from tfdrift_ci.config import any_principal

    assert any_principal(pattern) == anyone


def test_a_nearer_file_shadowing_one_higher_up_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tfdrift_ci.config import weakening

    repo = tmp_path / "repo"
    shutil.copytree(CONFIG / "shadow", repo)
    (repo / ".git").mkdir()
    monkeypatch.chdir(repo)
    settings = load_settings(None, start=repo / "infra" / "prod")
    assert settings.config_file == "infra/prod/.tfdrift.yml" and settings.fail_on == "high"
    assert settings.config_shadowed == (".tfdrift.yml",)
    (gap,) = weakening(settings, "infra/prod")
    assert gap.subject == "configuration .tfdrift.yml" and "infra/prod/.tfdrift.yml is nearer" in gap.reason
    assert not gap.fails  # a warning: a monorepo may mean it
    assert load_settings(None, start=repo).config_shadowed == ()
