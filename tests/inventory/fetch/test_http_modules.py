"""Plain https archive sources (served by a local HTTP server): tar.gz and zip, checksums, conditional
requests, go-getter's X-Terraform-Get indirection, and hostile archives."""

from __future__ import annotations

import hashlib
from pathlib import Path

from support.registry_server import Registry, tar_gz, zip_bytes

from .conftest import load

SERVICE = "module.api.aws_ecs_service.this"


def _root(tmp_path: Path, source: str) -> Path:
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    (root / "main.tf").write_text(
        f'module "api" {{\n  source = "{source}"\n  name = "api"\n  cluster_arn = "shop"\n}}\n',
        encoding="utf-8",
    )
    return root


def test_tar_gz_and_zip_archives(tmp_path: Path, package_files: dict[str, bytes]) -> None:
    with Registry() as host:
        tgz = host.serve("/ecs.tar.gz", tar_gz(package_files), {"ETag": '"v1"'})
        zipped = host.serve("/ecs-module", zip_bytes(package_files))
        inv = load(_root(tmp_path, tgz + "//modules/service"), {}, tmp_path / "c")
        assert [r.address for r in inv.resources] == [SERVICE]
        assert inv.resources[0].file == f"{tgz}//modules/service/main.tf"
        inv = load(_root(tmp_path, zipped + "?archive=zip//modules/service"), {}, tmp_path / "c")
        assert inv.unfollowed_modules == () and [r.address for r in inv.resources] == [SERVICE]


def test_an_unchanged_archive_is_not_downloaded_again(
    tmp_path: Path, package_files: dict[str, bytes]
) -> None:
    body = tar_gz(package_files)
    with Registry() as host:
        url = host.serve("/ecs.tar.gz", body, {"ETag": '"v1"'})
        root = _root(tmp_path, url + "//modules/service")
        load(root, {}, tmp_path / "c")
        load(root, {}, tmp_path / "c")
        assert [s.headers.get("if-none-match") for s in host.seen] == [None, '"v1"']

        # with a checksum the archive is pinned: no request once cached
        digest = hashlib.sha256(body).hexdigest()
        pinned = _root(tmp_path, f"{url}?checksum=sha256:{digest}//modules/service")
        load(pinned, {}, tmp_path / "c")
        n = len(host.seen)
        inv = load(pinned, {}, tmp_path / "c")
        assert [r.address for r in inv.resources] == [SERVICE]
        assert len(host.seen) == n


def test_a_checksum_mismatch_is_named(tmp_path: Path, package_files: dict[str, bytes]) -> None:
    with Registry() as host:
        url = host.serve("/ecs.tar.gz", tar_gz(package_files))
        inv = load(_root(tmp_path, f"{url}?checksum=sha256:{'0' * 64}"), {}, tmp_path / "c")
    assert "sha256 checksum does not match" in inv.unfollowed_modules[0].reason


def test_x_terraform_get_header_and_meta_tag(tmp_path: Path, package_files: dict[str, bytes]) -> None:
    with Registry() as host:
        host.serve("/real.tar.gz", tar_gz(package_files))
        header = host.serve("/ecs", b"", {"X-Terraform-Get": "./real.tar.gz"})
        meta = host.serve(
            "/ecs-page",
            f'<html><meta name="terraform-get" content="{host.url}/real.tar.gz"></html>'.encode(),
        )
        inv = load(_root(tmp_path, header + "//modules/service"), {}, tmp_path / "c")
        assert [r.address for r in inv.resources] == [SERVICE]
        assert "/ecs?terraform-get=1" in host.paths()
        inv = load(_root(tmp_path, meta + "//modules/service"), {}, tmp_path / "c2")
        assert [r.address for r in inv.resources] == [SERVICE]
        plain = host.serve("/nothing", b"<html>hello</html>")
        inv = load(_root(tmp_path, plain), {}, tmp_path / "c3")
        assert "X-Terraform-Get" in inv.unfollowed_modules[0].reason


def test_a_hostile_archive_is_rejected_and_nothing_escapes(
    tmp_path: Path, package_files: dict[str, bytes]
) -> None:
    with Registry() as host:
        url = host.serve("/evil.tar.gz", tar_gz({**package_files, "../../../../escaped.tf": "pwned"}))
        inv = load(_root(tmp_path, url), {}, tmp_path / "c")
    (call,) = inv.unfollowed_modules
    assert "archive rejected" in call.reason and "climbs out" in call.reason
    assert not list(tmp_path.rglob("escaped.tf"))
    assert not (tmp_path / "c" / "modules" / "store").exists() or not any(
        (tmp_path / "c" / "modules" / "store").iterdir()
    )


def test_a_missing_archive_is_named(tmp_path: Path) -> None:
    with Registry() as host:
        inv = load(_root(tmp_path, host.url + "/gone.zip?X-Amz-Signature=secret-sig"), {}, tmp_path / "c")
    (call,) = inv.unfollowed_modules
    assert "HTTP 404" in call.reason
    assert "secret-sig" not in call.reason + call.source
