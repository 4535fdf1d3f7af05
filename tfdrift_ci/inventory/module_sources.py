"""Where a module call's code is: a local path next to the caller, or the directory ``terraform init``
downloaded it to (recorded in ``<data dir>/modules/modules.json``, keyed by the call path
``parent.child``). Registry and git sources that were not downloaded are not followed: the call is
listed as unfollowed, with the reason.
https://developer.hashicorp.com/terraform/language/modules/sources
"""

from __future__ import annotations

import json
import os

NOT_DOWNLOADED = "registry/git module not downloaded (run terraform init to create .terraform/modules)"


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../", ".\\", "..\\")) or source in (".", "..")


def read_modules_json(data_dir: str, root_dir: str) -> dict[str, str]:
    """Call key (``app.db``) → absolute module directory, as ``terraform init`` recorded them."""
    path = os.path.join(data_dir, "modules", "modules.json")
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    out: dict[str, str] = {}
    modules = data.get("Modules") if isinstance(data, dict) else None
    for entry in modules if isinstance(modules, list) else []:
        if isinstance(entry, dict) and entry.get("Key") and isinstance(entry.get("Dir"), str):
            out[str(entry["Key"])] = os.path.normpath(os.path.join(root_dir, entry["Dir"]))
    return out


def resolve(source: str, caller_dir: str, key: str, downloaded: dict[str, str]) -> tuple[str | None, str]:
    """(module directory or None, reason when None) for the call ``key`` made from ``caller_dir``."""
    if is_local_source(source):
        return os.path.normpath(os.path.join(caller_dir, source)), ""
    entry = downloaded.get(key)
    if entry is not None:
        return entry, ""
    return None, NOT_DOWNLOADED
