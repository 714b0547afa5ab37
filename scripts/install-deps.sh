#!/usr/bin/env bash
# Installs everything Switchboard needs to build, run and test on Debian 12, as root.
# Idempotent: packages already present are skipped quickly; npm modules come from package-lock files.
set -euo pipefail
cd "$(dirname "$0")/.."

# Boost 1.74 (libboost-dev) is Debian's default and the only one libmsgpack-cxx-dev can sit beside.
debs=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-dev libssl-dev nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libsqlite3-dev libhiredis-dev
  libgtest-dev libbenchmark-dev clang libclang-rt-14-dev clang-format
)
# `--test`: what only the tests need — a real browser for the page tests, dpkg tools for the
# package, a real Redis for the cluster tests (each test file starts its own redis-server), nginx
# in front of a cluster (deploy/nginx/), openssl to make the certificates of the TLS tests.
if [ "${1:-}" = "--test" ]; then
  debs+=(chromium fonts-dejavu-core dpkg-dev fakeroot redis-server redis-tools nginx openssl)
fi
# Node.js 20 comes with the machine; Debian's own nodejs + npm are the fallback on a bare system.
command -v npm >/dev/null || debs+=(nodejs npm)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node modules for the black-box tests (socket.io-client, ws) and the web client bundle.
if [ -f tests/package.json ]; then
  (cd tests && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; })
fi

# The example worker (examples/worker/) that the relay tests run.
if [ "${1:-}" = "--test" ]; then
  (cd examples/worker && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; })
fi

# The chat page's Socket.IO client bundle comes from npm, never from a CDN.
if [ ! -f web/vendor/socket.io.min.js ] || [ web/package.json -nt web/vendor/socket.io.min.js ]; then
  (cd web && npm install --no-audit --no-fund --loglevel=error)
  mkdir -p web/vendor
  cp web/node_modules/socket.io-client/dist/socket.io.min.js web/vendor/
fi
