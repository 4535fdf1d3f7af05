"""A local Terraform module registry (stdlib http.server in a thread) that answers like the real
protocol (https://developer.hashicorp.com/terraform/internals/module-registry-protocol):

- ``GET /.well-known/terraform.json`` → ``{"modules.v1": "/v1/modules/"}`` (tests usually skip it
  with a ``host`` block in a CLI configuration: :meth:`Registry.cli_config`);
- ``GET /v1/modules/NS/NAME/PROVIDER/versions`` → the versions added with :meth:`add`;
- ``GET /v1/modules/NS/NAME/PROVIDER/VERSION/download`` → ``204`` with ``X-Terraform-Get`` (relative),
  or with ``location_style="json"`` ``200 {"location": …}``;
- ``GET /archives/…`` → the module as a tar.gz (or zip), with an ``ETag`` (``304`` on ``If-None-Match``).

:meth:`serve` publishes any other file (archives for plain https sources, X-Terraform-Get pages). With
``token`` set, every request without ``Authorization: Bearer <token>`` gets ``401``. Every request is
recorded (path, whether it carried the token).

:class:`ConnectionRecorder` is a socket that only counts the connections made to it: "no connection is
attempted" is checked against it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import tarfile
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from support.local_http import LocalHTTPServer


@dataclass
class Seen:
    path: str
    authorization: str | None
    headers: dict[str, str] = field(default_factory=dict)


def tar_gz(files: Mapping[str, bytes | str], *, extra: list[tarfile.TarInfo] | None = None) -> bytes:
    """A tar.gz of ``files`` (path → content); ``extra`` members (links …) are appended as given."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, content in sorted(files.items()):
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(data))
        for info in extra or []:
            tf.addfile(info)
    return buf.getvalue()


def zip_bytes(files: Mapping[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in sorted(files.items()):
            zf.writestr(name, content)
    return buf.getvalue()


def tree_files(directory: Path, prefix: str = "") -> dict[str, bytes]:
    """Every file under ``directory`` as archive members (``prefix`` + relative path)."""
    out: dict[str, bytes] = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            out[prefix + path.relative_to(directory).as_posix()] = path.read_bytes()
    return out


class Registry(LocalHTTPServer):
    def __init__(self, *, token: str | None = None, location_style: str = "header") -> None:
        self.token = token
        self.location_style = location_style
        self.modules: dict[str, dict[str, bytes]] = {}  # "ns/name/provider" -> version -> tar.gz
        self.files: dict[str, tuple[bytes, dict[str, str]]] = {}  # path -> (body, headers)
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._serve(self._handler())

    # -- set-up ------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.origin

    def add(self, package: str, version: str, files: Mapping[str, bytes | str]) -> None:
        """Publish ``package`` ("ns/name/provider") ``version`` with these files (a tar.gz)."""
        self.modules.setdefault(package, {})[version] = tar_gz(files)

    def serve(self, path: str, body: bytes, headers: Mapping[str, str] | None = None) -> str:
        """Publish ``body`` at ``path``; returns its URL."""
        self.files[path] = (body, dict(headers or {}))
        return self.url + path

    def cli_config(
        self, directory: Path, host: str = "registry.example.com", *, token: str | None = None
    ) -> Path:
        """A Terraform CLI configuration whose ``host`` block sends ``host`` to this server."""
        lines = [f'host "{host}" {{', f'  services = {{ "modules.v1" = "{self.url}/v1/modules/" }}', "}"]
        if token:
            lines += [f'credentials "{host}" {{', f'  token = "{token}"', "}"]
        path = directory / "terraformrc"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def paths(self) -> list[str]:
        with self._lock:
            return [s.path for s in self.seen]

    # -- protocol ----------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None) -> None:
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def _json(self, data: Any, status: int = 200) -> None:
                self._send(status, json.dumps(data).encode(), {"Content-Type": "application/json"})

            def do_GET(self) -> None:
                auth = self.headers.get("Authorization")
                path = self.path
                with registry._lock:
                    registry.seen.append(Seen(path, auth, {k.lower(): v for k, v in self.headers.items()}))
                if registry.token and auth != f"Bearer {registry.token}":
                    self._json({"errors": ["unauthorized"]}, 401)
                    return
                bare = path.split("?", 1)[0]
                if bare == "/.well-known/terraform.json":
                    self._json({"modules.v1": "/v1/modules/"})
                    return
                if bare in registry.files:
                    body, headers = registry.files[bare]
                    self._send(200, body, headers)
                    return
                if bare.startswith("/archives/"):
                    self._archive(bare)
                    return
                if bare.startswith("/v1/modules/"):
                    self._module(bare.removeprefix("/v1/modules/").strip("/").split("/"))
                    return
                self._json({"errors": ["not found"]}, 404)

            def _module(self, parts: list[str]) -> None:
                package = "/".join(parts[:3])
                versions = registry.modules.get(package)
                if versions is None:
                    self._json({"errors": ["not found"]}, 404)
                elif len(parts) == 4 and parts[3] == "versions":
                    self._json({"modules": [{"versions": [{"version": v} for v in versions]}]})
                elif len(parts) == 5 and parts[4] == "download" and parts[3] in versions:
                    location = f"/archives/{package.replace('/', '-')}-{parts[3]}.tar.gz"
                    if registry.location_style == "json":
                        self._json({"location": location})
                    else:
                        self._send(204, headers={"X-Terraform-Get": location})
                else:
                    self._json({"errors": ["not found"]}, 404)

            def _archive(self, path: str) -> None:
                name = path.removeprefix("/archives/").removesuffix(".tar.gz")
                for package, versions in registry.modules.items():
                    for version, body in versions.items():
                        if name == f"{package.replace('/', '-')}-{version}":
                            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                            if self.headers.get("If-None-Match") == etag:
                                self._send(304, headers={"ETag": etag})
                            else:
                                self._send(200, body, {"ETag": etag, "Content-Type": "application/gzip"})
                            return
                self._json({"errors": ["not found"]}, 404)

        return Handler


class ConnectionRecorder:
    """A listening socket that accepts and counts connections (and closes them at once)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.connections = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def __enter__(self) -> ConnectionRecorder:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.thread.join(timeout=2)
        self.sock.close()


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (a registry that is down)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def env_for(config: Path, home: Path) -> dict[str, str]:
    """The environment a fetch test passes down: its CLI configuration, its own HOME, PATH for git."""
    return {"TF_CLI_CONFIG_FILE": str(config), "HOME": str(home), "PATH": os.environ.get("PATH", "")}
