"""The python-terraform adapter: a binary plan file → its ``terraform show -json`` document.

Only this module touches python-terraform. Its ``cmd`` returns ``(rc, stdout, stderr)``; for ``show``
rc 0 is success, and rc 2 ("changes present", from ``-detailed-exitcode`` habits of wrappers) is
accepted too. On a non-zero rc python-terraform logs through the deprecated ``Logger.warn``, which
emits a DeprecationWarning: contained here so it never reaches users or fails ``-W error`` test runs.
https://developer.hashicorp.com/terraform/cli/commands/show#json-output
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from collections.abc import Mapping
from typing import Any

from tfdrift_ci.errors import InventoryError

_SUCCESS = (0, 2)


def find_terraform(env: Mapping[str, str] | None = None) -> str | None:
    """terraform on the caller's ``PATH`` (``env``); without one, the process's (``shutil.which``'s
    own default)."""
    return shutil.which("terraform", path=(env or {}).get("PATH"))


def show_json(plan_path: str, working_dir: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run ``terraform show -json PLAN`` in the configuration's directory and parse its output."""
    binary = find_terraform(env)
    if binary is None:
        raise InventoryError(
            "a binary plan needs terraform on PATH to read it (install terraform, or pass the output of "
            "`terraform show -json PLAN` instead)",
            file=plan_path,
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import python_terraform

        tf = python_terraform.Terraform(working_dir=working_dir, terraform_bin_path=binary)
        try:
            rc, out, err = tf.cmd(
                "show",
                os.path.abspath(plan_path),
                json=python_terraform.IsFlagged,
                no_color=python_terraform.IsFlagged,
            )
        except OSError as exc:
            raise InventoryError(f"cannot run terraform: {exc}", file=plan_path) from None
    if rc not in _SUCCESS:
        detail = _first_line(err) or _first_line(out) or f"exit status {rc}"
        raise InventoryError(f"terraform show -json failed: {detail}", file=plan_path)
    try:
        data = json.loads(out or "")
    except ValueError:
        raise InventoryError(
            "terraform show -json printed something that is not JSON", file=plan_path
        ) from None
    if not isinstance(data, dict):
        raise InventoryError("terraform show -json printed an unexpected document", file=plan_path)
    return data


def _first_line(text: str | None) -> str:
    for raw in (text or "").splitlines():
        line = raw.strip().strip("│").strip()
        if line and not set(line) <= set("╷╵─"):
            return line[:300]
    return ""
