#!/usr/bin/env bash
# The static-pass benchmark compares tfdrift-ci with checkov (terraform framework only). checkov is NOT
# a project dependency: it lives in the benchmark's own venv, bench/.venv-checkov (git-ignored).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv-checkov"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/checkov" ]; then
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet "checkov==${CHECKOV_VERSION:-3.3.30}"
fi
"$venv/bin/checkov" --version
