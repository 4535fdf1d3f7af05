"""Hash functions (Terraform's "Hash and Crypto Functions": ``md5``, ``sha1``, ``sha256``, ``sha512``).
https://developer.hashicorp.com/terraform/language/functions"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tfdrift_ci.inventory.expr.convert import to_str
from tfdrift_ci.inventory.expr.functions._args import known


def _hash(algo: str) -> Callable[[Any], str]:
    def fn(s: Any) -> str:
        import hashlib  # OpenSSL is loaded when a configuration hashes, not on every run

        return hashlib.new(algo, to_str(known(s)).encode()).hexdigest()

    return fn


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "md5": _hash("md5"),
    "sha1": _hash("sha1"),
    "sha256": _hash("sha256"),
    "sha512": _hash("sha512"),
}
