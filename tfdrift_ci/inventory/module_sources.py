"""Where a module call's code is, in the order Terraform would look:

1. a local path (``./``, ``../``) next to the caller: inside a fetched package it may not leave the
   package (Terraform: "local module path escapes the module package");
2. the directory ``terraform init`` downloaded it to (``<data dir>/modules/modules.json``, keyed by the
   call path ``parent.child``), unless the recorded source or version no longer matches the code
   (a pull request that bumps a module must be checked against the new one);
3. a registry, git or https source fetched into the module cache (``inventory/fetch/``), or read from
   that cache alone when fetching is off.

What cannot be followed is listed as "not followed" with the reason.
https://developer.hashicorp.com/terraform/language/modules/sources
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from tfdrift_ci.frozen import frozen
from tfdrift_ci.paths import is_inside
from tfdrift_ci.textutil import redact_text

if TYPE_CHECKING:
    from tfdrift_ci.inventory.fetch.options import ModuleFetcher

NOT_DOWNLOADED = "registry/git module not downloaded (run terraform init to create .terraform/modules)"


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../", ".\\", "..\\")) or source in (".", "..")


def shown(source: str) -> str:
    """``source`` as reports show it: ``fetch.addresses.display`` (credentials and signatures
    removed). A local path gets the same redaction without importing the remote-address parser, which
    a project of local modules (the pre-commit hook's usual case) never needs."""
    if is_local_source(source):
        return redact_text(source)
    from tfdrift_ci.inventory.fetch import addresses

    return addresses.display(source)


@frozen
class Downloaded:
    """One ``modules.json`` entry."""

    directory: str
    source: str = ""
    version: str | None = None


@frozen
class Resolved:
    """Where a call's code is. ``fetched``: not in the repository (``.terraform/modules`` or the module
    cache): its files are never a location to annotate. ``package``: what was fetched, for people
    (``terraform-aws-modules/ecs/aws 5.11.0``); ``prefix`` + ``package_root``: how its files are shown
    (``terraform-aws-modules/ecs/aws@5.11.0//modules/service/main.tf``)."""

    directory: str | None
    reason: str = ""
    fetched: bool = False
    package: str | None = None
    package_root: str | None = None
    prefix: str | None = None


def read_modules_entries(data_dir: str, root_dir: str) -> dict[str, Downloaded]:
    """Call key (``app.db``) → what ``terraform init`` recorded for it."""
    path = os.path.join(data_dir, "modules", "modules.json")
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    out: dict[str, Downloaded] = {}
    modules = data.get("Modules") if isinstance(data, dict) else None
    for entry in modules if isinstance(modules, list) else []:
        if isinstance(entry, dict) and entry.get("Key") and isinstance(entry.get("Dir"), str):
            version = entry.get("Version")
            out[str(entry["Key"])] = Downloaded(
                directory=os.path.normpath(os.path.join(root_dir, entry["Dir"])),
                source=str(entry.get("Source") or ""),
                version=version if isinstance(version, str) and version else None,
            )
    return out


def read_modules_json(data_dir: str, root_dir: str) -> dict[str, str]:
    """Call key (``app.db``) → absolute module directory, as ``terraform init`` recorded them."""
    return {key: d.directory for key, d in read_modules_entries(data_dir, root_dir).items()}


def resolve(
    source: str,
    caller_dir: str,
    key: str,
    downloaded: dict[str, Downloaded],
    *,
    version: str | None = None,
    fetcher: ModuleFetcher | None = None,
) -> Resolved:
    """Where the call ``key`` made from ``caller_dir`` finds its code (see the module docstring)."""
    if is_local_source(source):
        target = os.path.normpath(os.path.join(caller_dir, source))
        package = fetcher.package_of(caller_dir) if fetcher is not None else None
        if package is None:
            return Resolved(target)
        if not is_inside(target, (package.package_root,)):
            return Resolved(None, "local module path escapes the fetched module package")
        return Resolved(
            target,
            fetched=True,
            package=package.package,
            package_root=package.package_root,
            prefix=package.prefix,
        )
    entry = downloaded.get(key)
    stale = ""
    if entry is not None:
        stale = _stale(entry, source, version)
        if not stale:
            return Resolved(entry.directory, fetched=True)
    if fetcher is None:
        return Resolved(None, stale or NOT_DOWNLOADED)
    got = fetcher.get(source, version)
    if isinstance(got, str):
        return Resolved(None, f"{got} ({stale})" if stale else got)
    return Resolved(
        got.directory, fetched=True, package=got.package, package_root=got.package_root, prefix=got.prefix
    )


def _stale(entry: Downloaded, source: str, version: str | None) -> str:
    """Why a ``modules.json`` entry no longer fits the call ("" when it does)."""
    if not entry.source:
        return ""  # an old modules.json without sources: trust it as Terraform did
    from tfdrift_ci.inventory.fetch import addresses, constraints

    try:
        now, then = addresses.parse(source), addresses.parse(entry.source)
    except (addresses.SourceError, ValueError):
        return ""
    same = now == then
    if isinstance(now, addresses.RegistrySource) and isinstance(then, addresses.RegistrySource):
        same = (now.host, now.namespace, now.name, now.provider, now.subdir) == (
            then.host,
            then.namespace,
            then.name,
            then.provider,
            then.subdir,
        )
    if not same:
        return ".terraform/modules holds another source for this call: run terraform init"
    if isinstance(now, addresses.RegistrySource) and entry.version and version:
        try:
            ok = constraints.parse_constraint(version).matches(constraints.parse_version(entry.version))
        except constraints.ConstraintError:
            return ""
        if not ok:
            return f".terraform/modules holds version {entry.version}, which does not meet {version!r}"
    return ""
