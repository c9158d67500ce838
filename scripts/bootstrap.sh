# Sourced by ./run.sh and ./test.sh: make sure .venv has Python 3.12 and the pinned packages.
# Installs only what is missing; a change to pyproject.toml or constraints.txt reinstalls.

find_python312() {
  local candidate
  for candidate in "${KEFU_PYTHON:-}" python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3.12 \
                   /usr/local/bin/python3.12 /usr/bin/python3.12; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; then
      command -v "$candidate" || echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
  python312=$(find_python312) || {
    echo "Kefu needs Python 3.12 (python3.12 on PATH, or set KEFU_PYTHON=/path/to/python3.12)." >&2
    exit 1
  }
  rm -rf .venv
  "$python312" -m venv .venv
fi

stamp=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [ "$(cat .venv/.kefu-installed 2>/dev/null)" != "$stamp" ]; then
  echo "Installing Kefu and its pinned dependencies into .venv ..."
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
  echo "$stamp" > .venv/.kefu-installed
fi
