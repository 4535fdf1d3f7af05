"""Registry modules followed through the registry protocol (local stand-in), cached, and named when
they cannot be followed."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.registry_server import Registry, closed_port_url, env_for, tar_gz

from tfdrift_ci.inventory.fetch import cliconfig
from tfdrift_ci.inventory.fetch.http import Http, Response
from tfdrift_ci.inventory.fetch.registry import Registry as Client
from tfdrift_ci.inventory.fetch.registry import RegistryError

from .conftest import load

SERVICE = "module.api.aws_ecs_service.this"


def _root(tmp_path: Path, source: str, version: str | None = '"~> 5.0"', extra: str = "") -> Path:
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    version_line = f"  version = {version}\n" if version else ""
    (root / "main.tf").write_text(
        'provider "aws" {\n  region = "eu-west-1"\n}\n\n'
        f'module "api" {{\n  source  = "{source}"\n{version_line}\n'
        '  name                   = "api"\n'
        '  cluster_arn            = "arn:aws:ecs:eu-west-1:123456789012:cluster/shop"\n'
        "  enable_execute_command = true\n}\n" + extra,
        encoding="utf-8",
    )
    return root


def test_the_registry_module_is_fetched_and_its_resources_listed(
    mods: Path, registry: Registry, env: dict[str, str], tmp_path: Path
) -> None:
    inv = load(mods / "registry_root", env, tmp_path / "cache")
    assert inv.unfollowed_modules == ()
    (svc,) = [r for r in inv.resources if r.address == SERVICE]
    assert svc.attributes["enable_execute_command"] is True  # the caller's input reached the module
    assert svc.attributes["desired_count"] == 1  # the module's own default
    assert svc.identity is not None and svc.identity.name == "api" and svc.identity.region == "eu-west-1"
    # ~> 5.0 picks 5.2.0: not 4.x, not the 6.0.0 pre-release
    assert registry.paths() == [
        "/v1/modules/acme/ecs/aws/versions",
        "/v1/modules/acme/ecs/aws/5.2.0/download",
        "/archives/acme-ecs-aws-5.2.0.tar.gz",
    ]
    # never a path into the cache: the package and version, then the path inside the package
    assert svc.file == "registry.example.com/acme/ecs/aws@5.2.0//modules/service/main.tf"
    (site,) = svc.call_sites
    assert (site.address, site.file, site.line, site.fetched) == ("module.api", "main.tf", 5, True)
    assert site.package == "registry.example.com/acme/ecs/aws 5.2.0"
    assert site.inputs == {"name": 9, "cluster_arn": 10, "enable_execute_command": 11, "subnet_ids": 12}


def test_the_cache_is_reused_across_runs_and_roots(
    mods: Path, registry: Registry, env: dict[str, str], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    load(mods / "registry_root", env, cache)
    first = len(registry.paths())
    # a range asks for the version list again (a new 5.x may exist), but does not download 5.2.0 again
    load(mods / "registry_root", env, cache)
    assert registry.paths()[first:] == ["/v1/modules/acme/ecs/aws/versions"]
    # an exact version already cached: no request at all, from another root
    other = _root(tmp_path, "registry.example.com/acme/ecs/aws//modules/service", '"5.2.0"')
    before = len(registry.paths())
    inv = load(other, env, cache)
    assert [r.address for r in inv.resources] == [SERVICE]
    assert registry.paths()[before:] == []
    # without fetching, the cache still serves a range
    inv = load(mods / "registry_root", env, cache, fetch=False)
    assert [r.address for r in inv.resources] == [SERVICE]
    assert len(registry.paths()) == before


def test_a_new_version_in_range_is_picked_up(
    mods: Path, registry: Registry, env: dict[str, str], tmp_path: Path, package_files: dict[str, bytes]
) -> None:
    cache = tmp_path / "cache"
    load(mods / "registry_root", env, cache)
    registry.add("acme/ecs/aws", "5.3.0", package_files)
    inv = load(mods / "registry_root", env, cache)
    (svc,) = inv.resources
    assert svc.call_sites[0].package == "registry.example.com/acme/ecs/aws 5.3.0"
    assert "/archives/acme-ecs-aws-5.3.0.tar.gz" in registry.paths()


def test_each_source_is_fetched_once_per_run(registry: Registry, env: dict[str, str], tmp_path: Path) -> None:
    extra = "".join(
        f'\nmodule "svc{i}" {{\n  source  = "registry.example.com/acme/ecs/aws//modules/service"\n'
        f'  version = "~> 5.0"\n  name = "svc{i}"\n  cluster_arn = "shop"\n}}\n'
        for i in range(3)
    )
    root = _root(tmp_path, "registry.example.com/acme/ecs/aws//modules/service", extra=extra)
    inv = load(root, env, tmp_path / "cache")
    assert len(inv.resources) == 4
    assert registry.paths().count("/v1/modules/acme/ecs/aws/versions") == 1


def test_the_root_module_of_a_package_and_its_local_modules(
    registry: Registry, env: dict[str, str], tmp_path: Path
) -> None:
    root = _root(tmp_path, "registry.example.com/acme/ecs/aws", '"5.1.0"')
    (root / "main.tf").write_text(
        'module "ecs" {\n  source  = "registry.example.com/acme/ecs/aws"\n  version = "5.1.0"\n'
        '  cluster_name = "shop"\n}\n',
        encoding="utf-8",
    )
    inv = load(root, env, tmp_path / "cache")
    (cluster,) = inv.resources
    assert cluster.address == "module.ecs.module.cluster.aws_ecs_cluster.this"
    assert cluster.attributes["name"] == "shop"
    assert cluster.file == "registry.example.com/acme/ecs/aws@5.1.0//modules/cluster/main.tf"
    outer, inner = cluster.call_sites
    assert (outer.file, outer.fetched) == ("main.tf", True)
    # the inner call is written inside the package: its file is shown as the package's
    assert (inner.address, inner.file, inner.line) == (
        "module.ecs.module.cluster",
        "registry.example.com/acme/ecs/aws@5.1.0//main.tf",
        1,
    )
    assert inner.fetched and inner.package == outer.package


def test_json_location_and_a_token_only_for_the_registry(
    package_files: dict[str, bytes], tmp_path: Path
) -> None:
    with Registry(token="s3cr3t-token", location_style="json") as reg:
        reg.add("acme/ecs/aws", "5.0.0", package_files)
        home = tmp_path / "home"
        home.mkdir()
        env = env_for(reg.cli_config(tmp_path, token="s3cr3t-token"), home)
        root = _root(tmp_path, "registry.example.com/acme/ecs/aws//modules/service")
        inv = load(root, env, tmp_path / "cache")
        assert [r.address for r in inv.resources] == [SERVICE]
        assert all(s.authorization == "Bearer s3cr3t-token" for s in reg.seen)

        # TF_TOKEN_<host> works too, and a wrong token is named without being shown
        env = env_for(reg.cli_config(tmp_path), home) | {"TF_TOKEN_registry_example_com": "wrong-token"}
        inv = load(root, env, tmp_path / "cache2")
        (call,) = inv.unfollowed_modules
        assert "401" in call.reason and "unauthorized" in call.reason
        assert "wrong-token" not in repr(inv)


def test_no_token_goes_to_another_host(package_files: dict[str, bytes], tmp_path: Path) -> None:
    with Registry() as archive_host, Registry(token="only-for-the-registry") as reg:
        url = archive_host.serve("/m.tar.gz", tar_gz(package_files))
        reg.modules["acme/ecs/aws"] = {"5.0.0": b""}
        reg.files["/v1/modules/acme/ecs/aws/5.0.0/download"] = (b"", {"X-Terraform-Get": url})

        # the download answer names another origin: the archive is fetched without the token
        home = tmp_path / "home"
        home.mkdir()
        env = env_for(reg.cli_config(tmp_path, token="only-for-the-registry"), home)
        inv = load(_root(tmp_path, "registry.example.com/acme/ecs/aws//modules/service"), env, tmp_path / "c")
        assert [r.address for r in inv.resources] == [SERVICE]
        assert archive_host.seen and all(s.authorization is None for s in archive_host.seen)


def test_a_registry_that_is_down_names_the_module(tmp_path: Path, mods: Path) -> None:
    rc = tmp_path / "rc"
    down = closed_port_url()
    rc.write_text(
        f'host "registry.example.com" {{\n  services = {{ "modules.v1" = "{down}/v1/modules/" }}\n}}\n',
        encoding="utf-8",
    )
    inv = load(mods / "registry_root", {"TF_CLI_CONFIG_FILE": str(rc)}, tmp_path / "cache")
    assert inv.resources == ()
    (call,) = inv.unfollowed_modules
    assert call.address == "module.api"
    assert call.source == "registry.example.com/acme/ecs/aws//modules/service"
    assert call.version == "~> 5.0"
    assert "unreachable" in call.reason and (call.file, call.line) == ("main.tf", 5)


@pytest.mark.parametrize(
    ("version", "why"),
    [('"~> 9.0"', "no version '~> 9.0'"), ('"latest"', "not a version")],
)
def test_no_matching_or_invalid_version(
    registry: Registry, env: dict[str, str], tmp_path: Path, version: str, why: str
) -> None:
    inv = load(
        _root(tmp_path, "registry.example.com/acme/ecs/aws//modules/service", version), env, tmp_path / "c"
    )
    (call,) = inv.unfollowed_modules
    assert why in call.reason


def test_unknown_module_and_missing_subdir(registry: Registry, env: dict[str, str], tmp_path: Path) -> None:
    inv = load(_root(tmp_path, "registry.example.com/acme/nothing/aws"), env, tmp_path / "c")
    assert "not found in the registry" in inv.unfollowed_modules[0].reason
    inv = load(_root(tmp_path, "registry.example.com/acme/ecs/aws//modules/nope"), env, tmp_path / "c")
    assert "has no directory modules/nope" in inv.unfollowed_modules[0].reason
    inv = load(_root(tmp_path, "registry.example.com/acme/ecs/aws//../../etc"), env, tmp_path / "c")
    assert "not inside the module package" in inv.unfollowed_modules[0].reason


def test_a_local_path_may_not_leave_the_package(
    registry: Registry, env: dict[str, str], tmp_path: Path, package_files: dict[str, bytes]
) -> None:
    files = dict(package_files)
    files["main.tf"] = b'module "cluster" {\n  source = "../../../../outside"\n}\n'
    registry.add("acme/escape/aws", "1.0.0", files)
    inv = load(_root(tmp_path, "registry.example.com/acme/escape/aws", '"1.0.0"'), env, tmp_path / "c")
    (call,) = inv.unfollowed_modules
    assert call.address == "module.api.module.cluster"
    assert "escapes the fetched module package" in call.reason


def test_without_a_cache_directory_the_download_is_temporary(
    mods: Path, registry: Registry, env: dict[str, str]
) -> None:
    inv = load(mods / "registry_root", env, None)
    assert [r.address for r in inv.resources] == [SERVICE]


def test_service_discovery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a host block, modules.v1 comes from https://HOST/.well-known/terraform.json (relative
    URLs resolved against it); a host without a module registry is named."""
    answers = {
        "https://registry.example.com/.well-known/terraform.json": b'{"modules.v1": "/api/modules/"}',
        "https://providers-only.example.com/.well-known/terraform.json": b'{"providers.v1": "/p/"}',
    }
    seen: list[str] = []

    def fake_get(self: Http, url: str, **kwargs: object) -> Response:
        seen.append(url)
        return Response(200, url, {}, answers[url])

    monkeypatch.setattr(Http, "get", fake_get)
    client = Client(Http({}), cliconfig.load({}))
    assert client.base("registry.example.com") == "https://registry.example.com/api/modules/"
    assert client.base("registry.example.com") == "https://registry.example.com/api/modules/"
    assert seen == ["https://registry.example.com/.well-known/terraform.json"]  # asked once
    with pytest.raises(RegistryError, match="does not offer a module registry"):
        client.base("providers-only.example.com")
