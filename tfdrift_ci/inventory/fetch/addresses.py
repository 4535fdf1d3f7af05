"""What a module ``source`` names, in Terraform's order: a local path, a registry address, else one of
go-getter's remote forms (https://developer.hashicorp.com/terraform/language/modules/sources).

- registry: ``[HOST/]NAMESPACE/NAME/PROVIDER[//SUBDIR]`` (``registry.terraform.io`` when no host);
- git: ``git::URL[//SUBDIR][?ref=…&depth=…]``, ``github.com/ORG/REPO``, ``bitbucket.org/ORG/REPO``,
  ``git@HOST:PATH`` (scp-like ssh);
- http: ``https://…`` (an archive by extension or ``?archive=``, else a page whose ``X-Terraform-Get``
  header or ``terraform-get`` meta tag names the real source);
- the rest (``hg::``, ``s3::``, ``gcs::``, S3/GCS bucket URLs) are named as not followed.

Nothing here touches the network. ``display()`` is the form shown to users: credentials in the URL
and query values other than ``ref``/``depth``/``archive`` are removed.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tfdrift_ci.frozen import frozen
from tfdrift_ci.textutil import redact_text

PUBLIC_REGISTRY = "registry.terraform.io"

_REGISTRY_PART = re.compile(r"^[0-9A-Za-z](?:[0-9A-Za-z_-]{0,62}[0-9A-Za-z])?$")
_PROVIDER_PART = re.compile(r"^[0-9a-z]{1,64}$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}(?::\d{1,5})?$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+(?::\d{1,5})?$"
)
_SCP = re.compile(r"^(?P<user>[A-Za-z0-9._-]+)@(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*)$")
_FORCED = re.compile(r"^(?P<getter>[A-Za-z0-9]+)::(?P<rest>.+)$")

# go-getter's archive extensions (https://github.com/hashicorp/go-getter#unarchiving)
ARCHIVE_EXTENSIONS = ("tar.gz", "tgz", "tar.bz2", "tbz2", "tar.xz", "txz", "tar", "zip")
# the go-getter forms that name an unsupported protocol: listed as "not followed" with the reason
_UNSUPPORTED_GETTERS = {"hg": "Mercurial", "s3": "S3 bucket", "gcs": "GCS bucket", "file": "file"}


class SourceError(ValueError):
    """A source Terraform itself would reject (or one we refuse to run git on)."""


@frozen
class RegistrySource:
    host: str
    namespace: str
    name: str
    provider: str
    subdir: str = ""

    @property
    def package(self) -> str:
        base = f"{self.namespace}/{self.name}/{self.provider}"
        return base if self.host == PUBLIC_REGISTRY else f"{self.host}/{base}"

    def display(self) -> str:
        return self.package + (f"//{self.subdir}" if self.subdir else "")


@frozen
class GitSource:
    url: str  # what git is given (no ref/depth/sshkey query)
    ref: str | None = None
    depth: int | None = None
    subdir: str = ""

    @property
    def package(self) -> str:
        return f"git::{redact_url(self.url)}"

    def display(self) -> str:
        out = self.package + (f"//{self.subdir}" if self.subdir else "")
        return out + (f"?ref={self.ref}" if self.ref else "")


@frozen
class HttpSource:
    url: str  # fetched as is (query kept: it may be part of a signed URL)
    archive: str | None = None  # "tar.gz", "zip" … or None: ask the URL for X-Terraform-Get
    checksum: tuple[str, str] | None = None  # ("sha256", hex) from go-getter's ?checksum=
    subdir: str = ""

    @property
    def package(self) -> str:
        return redact_url(self.url)

    def display(self) -> str:
        return self.package + (f"//{self.subdir}" if self.subdir else "")


@frozen
class Unsupported:
    reason: str


Source = RegistrySource | GitSource | HttpSource | Unsupported


def split_subdir(text: str) -> tuple[str, str]:
    """go-getter's ``SourceDirSubdir``: ``url//sub/dir?q`` → (``url?q``, ``sub/dir``)."""
    start = text.find("://")
    start = start + 3 if start >= 0 else 0
    idx = text.find("//", start)
    if idx < 0:
        return text, ""
    head, sub = text[:idx], text[idx + 2 :]
    query = ""
    if "?" in sub:
        sub, query = sub.split("?", 1)
        query = "?" + query
    return head + query, sub.strip("/")


def parse_registry(source: str) -> RegistrySource | None:
    """A registry address, or None when ``source`` is not one (Terraform then tries go-getter)."""
    address, subdir = split_subdir(source)
    if "?" in address or "://" in address or "::" in address:
        return None
    parts = address.split("/")
    if len(parts) == 4:
        host = parts[0].lower()
        if not _HOSTNAME.match(host) or host in ("github.com", "bitbucket.org"):
            return None
        parts = parts[1:]
    elif len(parts) == 3:
        host = PUBLIC_REGISTRY
    else:
        return None
    namespace, name, provider = parts
    if not (
        _REGISTRY_PART.match(namespace) and _REGISTRY_PART.match(name) and _PROVIDER_PART.match(provider)
    ):
        return None
    return RegistrySource(host, namespace, name, provider, subdir)


def parse_remote(source: str) -> GitSource | HttpSource | Unsupported:
    """A go-getter address (not local, not registry)."""
    text = source.strip()
    forced = _FORCED.match(text)
    getter = None
    if forced is not None and "://" not in forced.group("getter"):
        getter, text = forced.group("getter").lower(), forced.group("rest")
    if getter in _UNSUPPORTED_GETTERS:
        return Unsupported(
            f"{_UNSUPPORTED_GETTERS[getter]} module sources are not supported (only registry, git and https)"
        )
    if getter not in (None, "git", "http", "https"):
        return Unsupported(f"unknown module source type {getter!r}")
    url, subdir = split_subdir(text)
    if getter == "git":
        return _git(_git_url(url), subdir)
    if url.startswith(("github.com/", "bitbucket.org/")):
        host, _, path = url.partition("/")
        path, _, query = path.partition("?")
        if path.count("/") < 1:
            raise SourceError(f"{host} source needs ORG/REPO")
        if not path.endswith(".git"):
            path += ".git"
        return _git(f"https://{host}/{path}" + (f"?{query}" if query else ""), subdir)
    scp = _SCP.match(url)
    if scp is not None:
        return _git(url, subdir)
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.hostname:
        host = parts.hostname.lower()
        if host.endswith("amazonaws.com") and (host.startswith("s3") or ".s3" in host):
            return Unsupported("S3 bucket module sources are not supported (only registry, git and https)")
        if host == "www.googleapis.com" and parts.path.startswith("/storage"):
            return Unsupported("GCS bucket module sources are not supported (only registry, git and https)")
        return _http(url, subdir)
    raise SourceError("not a module source Terraform understands (local path, registry, git or https)")


def _git_url(url: str) -> str:
    if url.startswith("-"):
        raise SourceError("git URL starts with '-'")
    if _SCP.match(url):
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http", "ssh", "git", "file"):
        raise SourceError(f"git transport {parts.scheme or '(none)'!r} is not allowed")
    return url


def _git(url: str, subdir: str) -> GitSource:
    base, _, query = url.partition("?")
    ref: str | None = None
    depth: int | None = None
    rest: list[tuple[str, str]] = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == "ref":
            ref = value or None
        elif key == "depth":
            depth = int(value) if value.isdigit() else None
        elif key == "sshkey":
            continue  # a private key in the source: never used, never shown (ssh uses its agent)
        else:
            rest.append((key, value))
    if ref is not None and (ref.startswith("-") or any(c in ref for c in "\0\n ~^:?*[\\")):
        raise SourceError("git ref is not a valid branch, tag or commit name")
    return GitSource(url=base + (f"?{urlencode(rest)}" if rest else ""), ref=ref, depth=depth, subdir=subdir)


def _http(url: str, subdir: str) -> HttpSource:
    parts = urlsplit(url)
    archive: str | None = None
    checksum: tuple[str, str] | None = None
    kept: list[tuple[str, str]] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "archive":
            archive = value.lower() or None
        elif key == "checksum":
            kind, _, digest = value.partition(":")
            if kind not in ("md5", "sha1", "sha256", "sha512") or not re.fullmatch(r"[0-9a-fA-F]+", digest):
                raise SourceError("checksum must be TYPE:HEX (md5, sha1, sha256 or sha512)")
            checksum = (kind, digest.lower())
        else:
            kept.append((key, value))
    path = parts.path.lower()
    if archive is None:
        archive = next((ext for ext in ARCHIVE_EXTENSIONS if path.endswith("." + ext)), None)
    elif archive == "false":
        archive = None
    elif archive not in ARCHIVE_EXTENSIONS:
        raise SourceError(f"unsupported archive type {archive!r}")
    clean = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))
    return HttpSource(url=clean, archive=archive, checksum=checksum, subdir=subdir)


def parse(source: str) -> Source:
    """Registry first, then go-getter's forms (the order Terraform uses)."""
    registry = parse_registry(source)
    if registry is not None:
        return registry
    return parse_remote(source)


def redact_url(url: str) -> str:
    """A URL fit to show: no password/token in the user part, no query values except ref/depth/archive
    (a signed download URL carries its signature in the query)."""
    scp = _SCP.match(url)
    if scp is not None:
        return url.split("?", 1)[0]
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparsable URL)"
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        name = user.split(":", 1)[0]
        netloc = f"{name}@{host}" if ":" not in user and name in ("git", "ssh") else host
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k in ("ref", "depth", "archive")
    ]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))


def display(source: str) -> str:
    """``source`` as shown in reports (credentials and signatures removed)."""
    try:
        parsed = parse(source)
    except (SourceError, ValueError):
        return redact_text(source)
    if isinstance(parsed, Unsupported):
        return redact_text(source)
    return parsed.display()
