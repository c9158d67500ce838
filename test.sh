#!/usr/bin/env bash
# Lint and test Kefu against a real (embedded) PostgreSQL, Redis and dramatiq worker.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
source scripts/ensure_chromium.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/pytest "$@"
