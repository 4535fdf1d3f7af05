"""tfdrift_ci/inventory/fetch/addresses.py: the source forms Terraform documents
(https://developer.hashicorp.com/terraform/language/modules/sources), parsed without the network."""

from __future__ import annotations

import pytest

from tfdrift_ci.inventory.fetch import addresses as a


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "terraform-aws-modules/ecs/aws",
            a.RegistrySource("registry.terraform.io", "terraform-aws-modules", "ecs", "aws"),
        ),
        (
            "terraform-aws-modules/ecs/aws//modules/service",
            a.RegistrySource(
                "registry.terraform.io", "terraform-aws-modules", "ecs", "aws", "modules/service"
            ),
        ),
        ("app.terraform.io/acme/ecs/aws", a.RegistrySource("app.terraform.io", "acme", "ecs", "aws")),
        (
            "Registry.Example.com:8443/acme/ecs/aws",
            a.RegistrySource("registry.example.com:8443", "acme", "ecs", "aws"),
        ),
    ],
)
def test_registry_addresses(source: str, expected: a.RegistrySource) -> None:
    assert a.parse(source) == expected


@pytest.mark.parametrize(
    ("source", "url", "ref", "subdir"),
    [
        ("github.com/acme/modules", "https://github.com/acme/modules.git", None, ""),
        ("github.com/acme/modules//ecs?ref=v1.2.0", "https://github.com/acme/modules.git", "v1.2.0", "ecs"),
        ("bitbucket.org/acme/modules", "https://bitbucket.org/acme/modules.git", None, ""),
        (
            "git::https://example.com/network.git//modules/vpc?ref=v1.2.0",
            "https://example.com/network.git",
            "v1.2.0",
            "modules/vpc",
        ),
        ("git::ssh://git@example.com/storage.git?depth=1", "ssh://git@example.com/storage.git", None, ""),
        ("git@github.com:acme/modules.git//ecs?ref=main", "git@github.com:acme/modules.git", "main", "ecs"),
        ("git::git@github.com:acme/modules.git", "git@github.com:acme/modules.git", None, ""),
        (
            "git::file:///srv/git/modules.git?ref=0123456789abcdef0123456789abcdef01234567",
            "file:///srv/git/modules.git",
            "0123456789abcdef0123456789abcdef01234567",
            "",
        ),
    ],
)
def test_git_sources(source: str, url: str, ref: str | None, subdir: str) -> None:
    got = a.parse(source)
    assert isinstance(got, a.GitSource)
    assert (got.url, got.ref, got.subdir) == (url, ref, subdir)


def test_git_depth_and_sshkey() -> None:
    got = a.parse("git::ssh://git@example.com/storage.git?depth=3&sshkey=LS0tLS1CRUdJTg")
    assert isinstance(got, a.GitSource)
    assert got.depth == 3
    assert "sshkey" not in got.url and "LS0t" not in got.display()


@pytest.mark.parametrize(
    ("source", "archive", "subdir"),
    [
        ("https://example.com/vpc-module.zip", "zip", ""),
        ("https://example.com/vpc-module.tar.gz//modules/vpc", "tar.gz", "modules/vpc"),
        ("https://example.com/vpc-module?archive=zip", "zip", ""),
        ("https://example.com/vpc-module", None, ""),  # asks the URL for X-Terraform-Get
        ("https://example.com/vpc-module.zip?archive=false", None, ""),
    ],
)
def test_http_sources(source: str, archive: str | None, subdir: str) -> None:
    got = a.parse(source)
    assert isinstance(got, a.HttpSource)
    assert (got.archive, got.subdir) == (archive, subdir)
    assert "archive=" not in got.url


def test_http_checksum() -> None:
    got = a.parse("https://example.com/m.tar.gz?checksum=sha256:" + "ab" * 32)
    assert isinstance(got, a.HttpSource) and got.checksum == ("sha256", "ab" * 32)
    with pytest.raises(a.SourceError):
        a.parse("https://example.com/m.tar.gz?checksum=crc32:00")


@pytest.mark.parametrize(
    "source",
    [
        "hg::http://example.com/vpc.hg",
        "s3::https://s3-eu-west-1.amazonaws.com/examplecorp-terraform-modules/vpc.zip",
        "https://examplecorp-terraform-modules.s3.amazonaws.com/vpc.zip",
        "gcs::https://www.googleapis.com/storage/v1/modules/foomodule.zip",
        "https://www.googleapis.com/storage/v1/modules/foomodule.zip",
    ],
)
def test_unsupported_sources_say_why(source: str) -> None:
    got = a.parse(source)
    assert isinstance(got, a.Unsupported) and "not supported" in got.reason


@pytest.mark.parametrize(
    "source",
    [
        "git::ext::sh -c touch% /tmp/pwned",  # git's command transport
        "git::-uhelp",
        "git::https://example.com/x.git?ref=--upload-pack=touch",
        "somewhere/over",
        "git::fd::17",
    ],
)
def test_dangerous_or_invalid_sources_are_refused(source: str) -> None:
    with pytest.raises(a.SourceError):
        a.parse(source)


def test_display_hides_credentials_and_signatures() -> None:
    shown = a.display("git::https://deploy:ghp_secret123@github.com/acme/m.git?ref=v1")
    assert "ghp_secret123" not in shown and "deploy" not in shown
    assert shown == "git::https://github.com/acme/m.git?ref=v1"
    signed = a.display("https://bucket.example.com/m.zip?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIA")
    assert "deadbeef" not in signed and "AKIA" not in signed
    assert (
        a.display("terraform-aws-modules/ecs/aws//modules/service")
        == "terraform-aws-modules/ecs/aws//modules/service"
    )
    assert "pw" not in a.display("nonsense://user:pw@host/x?token=1")


def test_split_subdir_keeps_the_query_on_the_url() -> None:
    assert a.split_subdir("git::https://h/r.git//a/b?ref=x") == ("git::https://h/r.git?ref=x", "a/b")
    assert a.split_subdir("https://h/r.zip") == ("https://h/r.zip", "")
