#!/usr/bin/env bash
# Run Kefu: embedded PostgreSQL and Redis, migrations, demo workspace, web server and worker.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
exec .venv/bin/kefu run "$@"
