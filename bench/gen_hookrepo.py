"""A 200-file Terraform repository for the pre-commit hook benchmark: the monorepo generator at 200
files, made a git repository (one commit), plus the path of one changed file to hand to the hook.

    python bench/gen_hookrepo.py [--files 200] [--out DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_monorepo import generate

CHANGED = "live/payments/dev/app/ecs.tf"


def make(out: Path, files: int = 200, seed: int = 9) -> tuple[Path, str]:
    """Returns (repo, changed file relative to it). The changed file holds ECR/ECS resources."""
    generate(out, files, seed)
    changed = CHANGED
    if not (out / changed).exists():  # the seed decides which roots have ecs.tf: fall back to main.tf
        changed = "live/payments/dev/app/main.tf"
    git = ["git", "-C", str(out), "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "generated"], check=True)
    # the "one changed file": append a harmless comment so it differs from HEAD
    with open(out / changed, "a", encoding="utf-8") as fh:
        fh.write("\n# touched by the benchmark\n")
    return out, changed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "hookrepo")
    a = ap.parse_args()
    repo, changed = make(a.out, a.files)
    print(f"repo {repo}; changed file {changed}")


if __name__ == "__main__":
    main()
