"""The Terraform module registry protocol, client side.
https://developer.hashicorp.com/terraform/internals/module-registry-protocol
https://developer.hashicorp.com/terraform/internals/remote-service-discovery

1. discovery: ``GET https://HOST/.well-known/terraform.json`` → ``{"modules.v1": "/v1/modules/"}``
   (a ``host`` block in the CLI configuration replaces it);
2. versions: ``GET <modules.v1>NAMESPACE/NAME/PROVIDER/versions``;
3. download: ``GET <modules.v1>NAMESPACE/NAME/PROVIDER/VERSION/download`` → 204 with the source in
   ``X-Terraform-Get``, or 200 with ``{"location": …}``; a relative location is resolved against the
   download URL. The location is a go-getter source (a git URL, an archive …) fetched like any other.

The host's token (CLI configuration) goes with every request to the registry's own service URLs, and
with nothing else.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin, urlsplit

from tfdrift_ci.inventory.fetch.addresses import RegistrySource
from tfdrift_ci.inventory.fetch.cliconfig import CliConfig
from tfdrift_ci.inventory.fetch.http import Http, HttpError


class RegistryError(Exception):
    """``str()`` is one line, safe to show."""


class Registry:
    def __init__(self, http: Http, config: CliConfig) -> None:
        self.http = http
        self.config = config
        self._bases: dict[str, str] = {}

    def base(self, host: str) -> str:
        """The ``modules.v1`` base URL of ``host`` (ends with ``/``)."""
        cached = self._bases.get(host)
        if cached is not None:
            return cached
        discovery = f"https://{host}/.well-known/terraform.json"
        services = self.config.services(host)
        if services is None:
            try:
                resp = self.http.get(discovery, token=self.config.token(host), accept="application/json")
            except HttpError as err:
                raise RegistryError(f"registry {host}: service discovery failed ({err})") from None
            services = _json_object(resp.body, f"registry {host}: service discovery")
        url = services.get("modules.v1")
        if not isinstance(url, str) or not url:
            raise RegistryError(f"{host} does not offer a module registry (no modules.v1 service)")
        base = urljoin(discovery, url)
        if not base.endswith("/"):
            base += "/"
        if urlsplit(base).scheme not in ("https", "http"):
            raise RegistryError(f"registry {host}: modules.v1 is not an http(s) URL")
        self._bases[host] = base
        return base

    def _module_url(self, src: RegistrySource) -> str:
        return urljoin(self.base(src.host), f"{src.namespace}/{src.name}/{src.provider}/")

    def versions(self, src: RegistrySource) -> list[str]:
        url = self._module_url(src) + "versions"
        try:
            resp = self.http.get(url, token=self._token_for(src.host, url), accept="application/json")
        except HttpError as err:
            if err.status == 404:
                raise RegistryError(f"module {src.package} not found in the registry") from None
            raise RegistryError(f"registry {src.host}: version list failed ({err})") from None
        data = _json_object(resp.body, f"registry {src.host}: version list")
        out: list[str] = []
        modules = data.get("modules")
        for module in modules if isinstance(modules, list) else []:
            versions = module.get("versions") if isinstance(module, dict) else None
            for v in versions if isinstance(versions, list) else []:
                if isinstance(v, dict) and isinstance(v.get("version"), str):
                    out.append(v["version"])
        return out

    def location(self, src: RegistrySource, version: str) -> tuple[str, str | None]:
        """(go-getter source to fetch, token to send with it or None)."""
        url = self._module_url(src) + f"{version}/download"
        token = self._token_for(src.host, url)
        try:
            resp = self.http.get(url, token=token, accept="application/json")
        except HttpError as err:
            raise RegistryError(
                f"registry {src.host}: download of {src.package} {version} failed ({err})"
            ) from None
        location = resp.headers.get("x-terraform-get")
        if not location and resp.status == 200 and resp.body:
            data = _json_object(resp.body, f"registry {src.host}: download")
            value = data.get("location")
            location = value if isinstance(value, str) else None
        if not location:
            raise RegistryError(f"registry {src.host}: no download location for {src.package} {version}")
        if location.startswith(("/", "./", "../")):
            location = urljoin(resp.url or url, location)
        # the token follows only to the registry's own origin (an archive it serves itself)
        same_origin = _origin(location) == _origin(url)
        return location, (token if same_origin else None)

    def _token_for(self, host: str, url: str) -> str | None:
        token = self.config.token(host)
        if token and urlsplit(url).scheme != "https" and not _loopback(url):
            return None  # never a bearer token in clear text over the network
        return token


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url)
        return (parts.scheme, (parts.hostname or "").lower(), parts.port)
    except ValueError:
        return None


def _loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def _json_object(body: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        raise RegistryError(f"{what}: the answer is not JSON") from None
    if not isinstance(data, dict):
        raise RegistryError(f"{what}: the answer is not a JSON object")
    return data
