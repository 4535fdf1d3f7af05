"""Through the real CLI: a root calling a registry module (no .terraform/), the registry reached
through a CLI configuration host block. The finding inside the module is reported; with the registry
down the verdict names the module and --fail-on-incomplete fails; --offline opens no connection."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from support.registry_server import ConnectionRecorder, Registry, closed_port_url

from tfdrift_ci import cli

SCHEMA = Path(__file__).parents[2] / "schemas" / "report-schema.json"


@pytest.fixture(autouse=True)
def _no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS credentials: the check runs static rules only (and says so); the module cache in tmp."""
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("TFDRIFT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path))
    # the CLI's own default (fetching on) is what these tests exercise
    monkeypatch.delenv("TFDRIFT_FETCH_MODULES", raising=False)


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, hosts: tuple[str, ...] = ()) -> None:
    blocks = "".join(
        f'host "{h}" {{\n  services = {{ "modules.v1" = "{url}/v1/modules/" }}\n}}\n'
        for h in ("registry.example.com", *hosts)
    )
    rc = tmp_path / "terraformrc"
    rc.write_text(blocks, encoding="utf-8")
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(rc))


def _root(tmp_path: Path, mods: Path) -> Path:
    root = tmp_path / "infra"
    shutil.copytree(mods / "registry_root", root)
    assert not (root / ".terraform").exists()
    return root


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().out


def test_the_finding_inside_the_registry_module_is_reported(
    tmp_path: Path,
    mods: Path,
    registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _config(tmp_path, monkeypatch, registry.url)
    root = _root(tmp_path, mods)
    out_json = tmp_path / "report.json"
    code, out = _run(
        capsys, "check", str(root), "--format", "json", "--output", str(out_json), "--format", "text"
    )
    assert code == 1
    assert "TFD-ECS-001" in out and "module.api.aws_ecs_service.this" in out
    report = json.loads(out_json.read_text())
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    (finding,) = [f for f in report["findings"] if f["rule_id"] == "TFD-ECS-001"]
    assert finding["address"] == "module.api.aws_ecs_service.this" and finding["severity"] == "high"
    # shown at the calling line (enable_execute_command = true on module "api"), the resource in the
    # fetched module as related information that is not a file of the repository
    assert (finding["file"], finding["line"]) == ("main.tf", 11)
    (related,) = finding["related"]
    assert related["file"] == "registry.example.com/acme/ecs/aws@5.2.0//modules/service/main.tf"
    assert related["in_repository"] is False
    (resource,) = report["resources"]
    assert resource["call_sites"][0] | {"inputs": None} == {
        "address": "module.api",
        "file": "main.tf",
        "line": 5,
        "source": "registry.example.com/acme/ecs/aws//modules/service",
        "inputs": None,
        "fetched": True,
        "package": "registry.example.com/acme/ecs/aws 5.2.0",
    }
    assert resource["call_sites"][0]["inputs"]["enable_execute_command"] == 11
    assert report["scanned"]["modules_not_followed"] == []
    assert str(tmp_path / "cache") not in out_json.read_text() + out  # never a path into the cache


def test_with_the_registry_down_the_verdict_names_the_module(
    tmp_path: Path, mods: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(tmp_path, monkeypatch, closed_port_url())
    root = _root(tmp_path, mods)
    code, out = _run(capsys, "check", str(root))
    assert code == 0  # nothing found, but …
    assert "1 module not followed" in out.splitlines()[-2]  # … the verdict line says what was not read
    assert "module registry.example.com/acme/ecs/aws//modules/service (~> 5.0) was not followed" in out
    assert "unreachable" in out and "used by module.api (main.tf:5)" in out

    code, md = _run(capsys, "check", str(root), "--format", "markdown")
    assert md.splitlines()[0].startswith("### ⚠️") and "1 module not followed" in md.splitlines()[0]

    code, raw = _run(capsys, "check", str(root), "--format", "json")
    (gap,) = json.loads(raw)["scanned"]["modules_not_followed"]
    assert gap["source"] == "registry.example.com/acme/ecs/aws//modules/service"
    assert gap["calls"] == ["module.api"] and gap["versions"] == ["~> 5.0"]

    code, out = _run(capsys, "check", str(root), "--fail-on-incomplete")
    assert code == 1
    assert "1 module not followed and --fail-on-incomplete is set" in out
    assert "exit 1: 1 module not followed (--fail-on-incomplete)" in out


def test_offline_attempts_no_connection(
    tmp_path: Path, mods: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(tmp_path, mods)
    with ConnectionRecorder() as recorder:
        _config(tmp_path, monkeypatch, recorder.url)
        for flags in (["--offline"], ["--no-fetch-modules"]):
            code, out = _run(capsys, "check", str(root), *flags)
            assert code == 0 and "module fetching is off" in out
        _run(capsys, "check", str(root), "--offline", "--fail-on-incomplete")
        assert recorder.connections == 0
        # control: the same run allowed to fetch does reach the recorder
        code, out = _run(capsys, "check", str(root))
        assert recorder.connections > 0 and "1 module not followed" in out
    code = cli.main(["check", str(root), "--offline", "--fetch-modules"])
    assert code == 2 and "--offline never touches the network" in capsys.readouterr().err


def test_the_pre_commit_hook_uses_the_cache_and_fetches_only_when_told(
    tmp_path: Path,
    mods: Path,
    registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _config(tmp_path, monkeypatch, registry.url)
    root = _root(tmp_path, mods)
    monkeypatch.chdir(root)
    code, out = _run(capsys, "pre-commit", "main.tf")
    assert code == 0 and "module fetching is off" in out and registry.seen == []
    code, out = _run(capsys, "pre-commit", "main.tf", "--fetch-modules")
    assert code == 1 and "TFD-ECS-001" in out
    # the cache is warm now: the hook's default run sees the module without fetching
    seen = len(registry.seen)
    code, out = _run(capsys, "pre-commit", "main.tf")
    assert code == 1 and "TFD-ECS-001" in out and len(registry.seen) == seen
    # or the configuration asks for fetching
    (root / ".tfdrift.yml").write_text("fetch_modules: true\n", encoding="utf-8")
    shutil.rmtree(tmp_path / "cache")
    code, out = _run(capsys, "pre-commit", "main.tf")
    assert code == 1 and "TFD-ECS-001" in out and len(registry.seen) > seen


def test_many_calls_of_one_source_are_named_once_known_ecs_modules_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(tmp_path, monkeypatch, closed_port_url(), hosts=("registry.terraform.io",))
    root = tmp_path / "infra"
    root.mkdir()
    vpc = 'source = "terraform-aws-modules/vpc/aws"\n  for_each = toset(["a", "b"])'
    calls = "".join(f'module "vpc{i}" {{\n  {vpc}\n}}\n' for i in range(5))
    ecs = 'source = "terraform-aws-modules/ecs/aws//modules/service"\n  version = "~> 5.0"'
    calls += f'module "svc" {{\n  {ecs}\n}}\n'
    (root / "main.tf").write_text(calls, encoding="utf-8")
    code, out = _run(capsys, "check", str(root), "--fail-on-incomplete")
    assert code == 1
    lines = [ln for ln in out.splitlines() if "was not followed" in ln]
    assert len(lines) == 2  # two sources, not six calls or eleven instances
    assert lines[0].lstrip(" -").startswith("ECR/ECS module terraform-aws-modules/ecs/aws//modules/service")
    assert (
        "used by module.vpc0 (main.tf:1), module.vpc1 (main.tf:5), module.vpc2 (main.tf:9) and 2 more"
        in lines[1]
    )
    assert "2 modules not followed" in out
