"""The Terraform CLI configuration a registry client needs: ``host`` blocks (service discovery
overrides: private registries, mirrors, and a local registry in tests) and credentials.
https://developer.hashicorp.com/terraform/cli/config/config-file

Where from, as Terraform looks: the file named by ``TF_CLI_CONFIG_FILE`` (else the older
``TERRAFORM_CONFIG``), else ``~/.terraformrc`` (``%APPDATA%/terraform.rc`` on Windows); credentials
also from ``~/.terraform.d/credentials.tfrc.json`` (written by ``terraform login``) and from
``TF_TOKEN_<host>`` variables (dots as ``_``, dashes as ``__``), which win over the files.

Tokens are secrets: they are kept out of ``repr``, errors and logs. A configuration file that cannot be
read is not fatal (only runs that need a registry care): its problem names the file and line only,
never its text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import field

from tfdrift_ci.frozen import frozen
from tfdrift_ci.inventory import hcl
from tfdrift_ci.inventory.expr.context import EMPTY_CTX
from tfdrift_ci.inventory.expr.evaluate import evaluate_text
from tfdrift_ci.inventory.parsed import Attribute

_MAX_BYTES = 1024 * 1024


@frozen
class CliConfig:
    hosts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # host -> {service id: URL}
    files: tuple[str, ...] = ()  # the files read
    problems: tuple[str, ...] = ()  # files that could not be read (file and line, no content)
    _tokens: Mapping[str, str] = field(default_factory=dict, repr=False)
    _env: Mapping[str, str] = field(default_factory=dict, repr=False)

    def services(self, host: str) -> Mapping[str, str] | None:
        return self.hosts.get(host.lower())

    def token(self, host: str) -> str | None:
        """The bearer token for ``host``: ``TF_TOKEN_…`` first, then the configuration files."""
        value = self._env.get(token_variable(host))
        if value:
            return value.strip()
        return self._tokens.get(host.lower())


def token_variable(host: str) -> str:
    """``registry.example-corp.com`` → ``TF_TOKEN_registry_example__corp_com``."""
    return "TF_TOKEN_" + host.lower().replace("-", "__").replace(".", "_")


def config_paths(env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(the CLI configuration file, the credentials.tfrc.json file) Terraform would read."""
    explicit = env.get("TF_CLI_CONFIG_FILE") or env.get("TERRAFORM_CONFIG")
    home_rc: str | None
    creds: str | None
    if os.name == "nt" and env.get("APPDATA"):
        home_rc = os.path.join(env["APPDATA"], "terraform.rc")
        creds = os.path.join(env["APPDATA"], "terraform.d", "credentials.tfrc.json")
    elif env.get("HOME"):
        home_rc = os.path.join(env["HOME"], ".terraformrc")
        creds = os.path.join(env["HOME"], ".terraform.d", "credentials.tfrc.json")
    else:
        home_rc = creds = None
    return (explicit or home_rc), creds


def load(env: Mapping[str, str]) -> CliConfig:
    rc, creds = config_paths(env)
    hosts: dict[str, dict[str, str]] = {}
    tokens: dict[str, str] = {}
    files: list[str] = []
    problems: list[str] = []
    if creds and os.path.isfile(creds):
        problem = _read_credentials_json(creds, tokens)
        files.append(creds)
        if problem:
            problems.append(problem)
    if rc and os.path.isfile(rc):
        problem = _read_rc(rc, hosts, tokens)
        files.append(rc)
        if problem:
            problems.append(problem)
    elif rc and (env.get("TF_CLI_CONFIG_FILE") or env.get("TERRAFORM_CONFIG")):
        problems.append(f"Terraform CLI configuration {rc} (TF_CLI_CONFIG_FILE) not found")
    return CliConfig(
        hosts=hosts,
        files=tuple(files),
        problems=tuple(problems),
        _tokens=tokens,
        _env={k: v for k, v in env.items() if k.startswith("TF_TOKEN_")},
    )


def _read_bytes(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read(_MAX_BYTES + 1)
        if len(data) > _MAX_BYTES:
            return None
        return data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def _read_credentials_json(path: str, tokens: dict[str, str]) -> str | None:
    text = _read_bytes(path)
    try:
        data = json.loads(text) if text is not None else None
    except ValueError:
        data = None
    creds = data.get("credentials") if isinstance(data, dict) else None
    if not isinstance(creds, dict):
        return (
            f'{path}: not a credentials.tfrc.json file (expected {{"credentials": {{HOST: {{"token": …}}}}}})'
        )
    for host, entry in creds.items():
        if isinstance(entry, dict) and isinstance(entry.get("token"), str):
            tokens.setdefault(str(host).lower(), entry["token"])
    return None


def _read_rc(path: str, hosts: dict[str, dict[str, str]], tokens: dict[str, str]) -> str | None:
    text = _read_bytes(path)
    if text is None:
        return f"Terraform CLI configuration {path} cannot be read (unreadable, not UTF-8 or over 1 MB)"
    # parse_text with the default options: never the on-disk parse cache (the file holds tokens)
    parsed = hcl.parse_text(text, path)
    if parsed.problem is not None:
        line = f" line {parsed.problem.line}" if parsed.problem.line else ""
        return f"Terraform CLI configuration {path}{line} is not valid HCL"
    for block in parsed.blocks:
        if not block.labels:
            continue
        name = block.labels[0].lower()
        if block.type == "host":
            services = _value(block.attribute("services"))
            if isinstance(services, dict):
                hosts[name] = {str(k): v for k, v in services.items() if isinstance(v, str)}
        elif block.type == "credentials":
            token = _value(block.attribute("token"))
            if isinstance(token, str) and token:
                tokens[name] = token  # the CLI config wins over credentials.tfrc.json
    return None


def _value(attr: Attribute | None) -> object:
    # evaluate_text never raises: what it cannot read is Unknown, which no caller accepts
    return evaluate_text(attr.expr, EMPTY_CTX) if attr is not None else None
