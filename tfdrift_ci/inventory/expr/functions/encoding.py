"""Encoding functions (Terraform's "Encoding Functions": JSON, YAML, base64, URL).
https://developer.hashicorp.com/terraform/language/functions"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from tfdrift_ci.inventory.expr.convert import EvalError, to_str, too_big
from tfdrift_ci.inventory.expr.functions._args import NeedKnown, deep_known, known


def _jsonencode(v: Any) -> str:
    deep_known(v)
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def _jsondecode(s: Any) -> Any:
    try:
        return json.loads(to_str(known(s)))
    except json.JSONDecodeError as err:
        raise EvalError(f"jsondecode: {err}") from None


def _b64enc(s: Any) -> str:
    return base64.b64encode(to_str(known(s)).encode()).decode()


def _b64dec(s: Any) -> str:
    return base64.b64decode(to_str(known(s))).decode()


def _urlencode(s: Any) -> str:
    from urllib.parse import quote

    return quote(to_str(known(s)), safe="")


def _yamldecode(s: Any) -> Any:
    import yaml

    try:
        value = yaml.safe_load(to_str(known(s)))
    except yaml.YAMLError as err:
        raise EvalError(f"yamldecode: {str(err).splitlines()[0]}") from None
    if too_big(value):  # YAML aliases share sub-values: a "billion laughs" document stays unknown
        raise NeedKnown
    return _plain_yaml(value)


def _plain_yaml(value: Any) -> Any:
    """YAML scalars Terraform does not have (dates…) become strings."""
    if isinstance(value, dict):
        return {str(k): _plain_yaml(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_yaml(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "base64decode": _b64dec,
    "base64encode": _b64enc,
    "jsondecode": _jsondecode,
    "jsonencode": _jsonencode,
    "urlencode": _urlencode,
    "yamldecode": _yamldecode,
}
