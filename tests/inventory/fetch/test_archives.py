"""tfdrift_ci/inventory/fetch/archives.py: hostile archives are refused, never half-trusted."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from support.registry_server import tar_gz, zip_bytes

from tfdrift_ci.inventory.fetch import archives
from tfdrift_ci.inventory.fetch.archives import ArchiveError


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _link(name: str, target: str, *, hard: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE if hard else tarfile.SYMTYPE
    info.linkname = target
    return info


def test_a_plain_archive_unpacks(tmp_path: Path) -> None:
    src = _write(tmp_path, "m.tar.gz", tar_gz({"main.tf": "# root", "modules/service/main.tf": "# svc"}))
    archives.extract(src, "tar.gz", str(tmp_path / "out"))
    assert (tmp_path / "out" / "modules" / "service" / "main.tf").read_text() == "# svc"
    zsrc = _write(tmp_path, "m.zip", zip_bytes({"main.tf": "# z", "a/b.tf": "# b"}))
    archives.extract(zsrc, "zip", str(tmp_path / "zout"))
    assert (tmp_path / "zout" / "a" / "b.tf").read_text() == "# b"


@pytest.mark.parametrize(
    "name", ["../evil.tf", "a/../../evil.tf", "/etc/evil.tf", "C:/evil.tf", "..\\evil.tf"]
)
def test_traversal_rejects_the_archive(tmp_path: Path, name: str) -> None:
    src = _write(tmp_path, "m.tar.gz", tar_gz({"main.tf": "", name: "pwned"}))
    with pytest.raises(ArchiveError, match=r"climbs out|absolute"):
        archives.extract(src, "tar.gz", str(tmp_path / "out" / "deep"))
    assert not (tmp_path / "evil.tf").exists() and not (tmp_path / "out" / "evil.tf").exists()
    zsrc = _write(tmp_path, "m.zip", zip_bytes({"main.tf": "", name: "pwned"}))
    with pytest.raises(ArchiveError):
        archives.extract(zsrc, "zip", str(tmp_path / "zout" / "deep"))
    assert not (tmp_path / "zout" / "evil.tf").exists()


@pytest.mark.parametrize(
    "link",
    [
        _link("escape", "../../outside"),
        _link("abs", "/etc/passwd"),
        _link("hard", "../x", hard=True),
        _link("a/b/c", "../../../x"),
    ],
    ids=["relative", "absolute", "hardlink", "nested"],
)
def test_links_out_reject_the_archive(tmp_path: Path, link: tarfile.TarInfo) -> None:
    src = _write(tmp_path, "m.tar.gz", tar_gz({"main.tf": ""}, extra=[link]))
    with pytest.raises(ArchiveError, match="outside"):
        archives.extract(src, "tar.gz", str(tmp_path / "out"))


def test_links_inside_become_copies_and_no_link_is_created(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        "m.tar.gz",
        tar_gz(
            {"shared/vars.tf": "# shared", "modules/x/main.tf": "# x"},
            extra=[_link("modules/x/vars.tf", "../../shared/vars.tf"), _link("dir", "shared")],
        ),
    )
    out = tmp_path / "out"
    archives.extract(src, "tar.gz", str(out))
    copied = out / "modules" / "x" / "vars.tf"
    assert copied.read_text() == "# shared" and not copied.is_symlink()
    assert not (out / "dir").exists()  # a link to a directory is skipped
    assert not any(p.is_symlink() for p in out.rglob("*"))


def test_zip_symlink_out_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("escape")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "../../../etc/passwd")
    src = _write(tmp_path, "m.zip", buf.getvalue())
    with pytest.raises(ArchiveError, match="outside"):
        archives.extract(src, "zip", str(tmp_path / "out"))


def test_a_gzip_bomb_stops_at_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_EXTRACTED_BYTES", 1024 * 1024)
    # one member of 8 MiB of zeros: ~8 KB compressed
    src = _write(tmp_path, "m.tar.gz", tar_gz({"main.tf": b"\0" * (8 * 1024 * 1024)}))
    assert (tmp_path / "m.tar.gz").stat().st_size < 64 * 1024
    with pytest.raises(ArchiveError, match="more than 1 MB"):
        archives.extract(src, "tar.gz", str(tmp_path / "out"))


def test_a_tar_whose_headers_lie_is_still_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_EXTRACTED_BYTES", 1024 * 1024)
    # a raw gzip stream of zeros is not a tar at all, but decompressing it must still stop early
    src = _write(tmp_path, "m.tar.gz", gzip.compress(b"\0" * (64 * 1024 * 1024), mtime=0))
    archives.extract(src, "tar.gz", str(tmp_path / "out"))  # zero blocks: an empty tar, nothing written
    assert not any((tmp_path / "out").iterdir())


def test_a_zip_bomb_stops_at_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_EXTRACTED_BYTES", 1024 * 1024)
    src = _write(tmp_path, "m.zip", zip_bytes({f"f{i}.tf": b"\0" * (512 * 1024) for i in range(4)}))
    with pytest.raises(ArchiveError, match="more than 1 MB"):
        archives.extract(src, "zip", str(tmp_path / "out"))


def test_too_many_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_MEMBERS", 10)
    src = _write(tmp_path, "m.tar.gz", tar_gz({f"f{i}.tf": "" for i in range(11)}))
    with pytest.raises(ArchiveError, match="more than 10 members"):
        archives.extract(src, "tar.gz", str(tmp_path / "out"))


def test_not_an_archive(tmp_path: Path) -> None:
    src = _write(tmp_path, "m.tar.gz", b"<html>not found</html>")
    with pytest.raises(ArchiveError, match=r"not a valid tar\.gz"):
        archives.extract(src, "tar.gz", str(tmp_path / "out"))
    with pytest.raises(ArchiveError, match="not a valid zip"):
        archives.extract(src, "zip", str(tmp_path / "zout"))


def test_devices_and_fifos_are_never_created(tmp_path: Path) -> None:
    fifo = tarfile.TarInfo("pipe")
    fifo.type = tarfile.FIFOTYPE
    dev = tarfile.TarInfo("dev")
    dev.type = tarfile.CHRTYPE
    src = _write(tmp_path, "m.tar.gz", tar_gz({"main.tf": ""}, extra=[fifo, dev]))
    archives.extract(src, "tar.gz", str(tmp_path / "out"))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["main.tf"]
