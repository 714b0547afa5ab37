#!/usr/bin/env bash
# Builds and starts one Switchboard node with embedded defaults: chat page on http://localhost:3000.
# Extra arguments go to the server (see `switchboard --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target switchboard
exec build/release/src/server/switchboard "$@"
