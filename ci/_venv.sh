# Sourced by the ci/ scripts: make .venv match pyproject.toml, then activate it.
# Only Python 3.11+ is needed on the machine; everything else is installed here.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "engage-contract: Python 3.11 or newer is needed as '$python' (set PYTHON to another interpreter)" >&2
  exit 64
fi
stamp=".venv/.installed-from-pyproject"
# What .venv was made from: pyproject.toml and the interpreter's version. A .venv made by another Python (a CI
# cache restored elsewhere, a patch release of setup-python) or one that cannot run at all is made again.
wanted="$(cat pyproject.toml; "$python" -c 'import sys; print(sys.executable, sys.version)')"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ] || ! .venv/bin/python -c 'import sys' 2>/dev/null; then
  echo "engage-contract: installing into .venv from pyproject.toml" >&2
  # A failed install is no verdict on the API: its own code (69, the package index cannot be reached), one line.
  { "$python" -m venv --clear .venv \
    && .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >&2 \
    && .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]" >&2; } || {
    echo "engage-contract: installing into .venv failed (above); is the package index reachable?" >&2
    exit 69
  }
  printf '%s' "$wanted" > "$stamp"
fi
# shellcheck disable=SC1091
source .venv/bin/activate
mkdir -p reports
