"""tfdrift_ci/inventory/fetch/cliconfig.py: host blocks and credentials as Terraform reads them
(https://developer.hashicorp.com/terraform/cli/config/config-file); tokens never shown."""

from __future__ import annotations

import json
from pathlib import Path

from tfdrift_ci.inventory.fetch import cliconfig

RC = """
# a private registry, and a mirror for the public one
host "registry.example.com" {
  services = {
    "modules.v1" = "https://modules.example.com/v1/"
  }
}

credentials "registry.example.com" {
  token = "rc-token-abc"
}

credentials "app.terraform.io" {
  token = "rc-token-tfc"
}

plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"
"""


def test_host_blocks_and_credentials(tmp_path: Path) -> None:
    rc = tmp_path / "rc"
    rc.write_text(RC, encoding="utf-8")
    cfg = cliconfig.load({"TF_CLI_CONFIG_FILE": str(rc)})
    assert cfg.services("Registry.Example.com") == {"modules.v1": "https://modules.example.com/v1/"}
    assert cfg.services("registry.terraform.io") is None
    assert cfg.token("registry.example.com") == "rc-token-abc"
    assert cfg.problems == ()


def test_home_terraformrc_and_credentials_json(tmp_path: Path) -> None:
    (tmp_path / ".terraformrc").write_text(RC, encoding="utf-8")
    (tmp_path / ".terraform.d").mkdir()
    (tmp_path / ".terraform.d" / "credentials.tfrc.json").write_text(
        json.dumps(
            {"credentials": {"app.terraform.io": {"token": "login-token"}, "other.example": {"token": "o"}}}
        ),
        encoding="utf-8",
    )
    cfg = cliconfig.load({"HOME": str(tmp_path)})
    assert cfg.token("other.example") == "o"  # from `terraform login`
    assert cfg.token("app.terraform.io") == "rc-token-tfc"  # the CLI configuration wins over the JSON file


def test_env_tokens_win_and_name_hosts_like_terraform(tmp_path: Path) -> None:
    rc = tmp_path / "rc"
    rc.write_text(RC, encoding="utf-8")
    assert cliconfig.token_variable("registry.example-corp.com") == "TF_TOKEN_registry_example__corp_com"
    env = {
        "TF_CLI_CONFIG_FILE": str(rc),
        "TF_TOKEN_registry_example_com": "env-token",
        "TF_TOKEN_registry_example__corp_com": "corp-token",
    }
    cfg = cliconfig.load(env)
    assert cfg.token("registry.example.com") == "env-token"
    assert cfg.token("registry.example-corp.com") == "corp-token"
    assert cfg.token("nobody.example.com") is None


def test_tokens_never_appear_in_repr_or_problems(tmp_path: Path) -> None:
    rc = tmp_path / "rc"
    rc.write_text(RC, encoding="utf-8")
    cfg = cliconfig.load({"TF_CLI_CONFIG_FILE": str(rc), "TF_TOKEN_x_example": "env-secret"})
    assert "rc-token" not in repr(cfg) and "env-secret" not in repr(cfg)
    broken = tmp_path / "broken"
    broken.write_text('credentials "h.example" {\n  token = "broken-secret\n}\n{{{', encoding="utf-8")
    bad = cliconfig.load({"TF_CLI_CONFIG_FILE": str(broken)})
    assert bad.problems and "not valid HCL" in bad.problems[0]
    assert "broken-secret" not in " ".join(bad.problems) + repr(bad)


def test_a_missing_explicit_file_is_a_problem_and_no_file_is_fine(tmp_path: Path) -> None:
    cfg = cliconfig.load({"TF_CLI_CONFIG_FILE": str(tmp_path / "nope")})
    assert cfg.problems and "not found" in cfg.problems[0]
    assert cliconfig.load({"HOME": str(tmp_path)}).problems == ()
    assert cliconfig.load({}).files == ()
