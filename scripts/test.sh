#!/usr/bin/env bash
# Builds everything and runs every test: formatting, unit tests (release, ASan+UBSan and TSan),
# conformance and integration tests against the built binaries, and each fuzz target for a bounded
# time. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
JOBS="${JOBS:-$(nproc)}"
# Every clone of the repository (CI builds a fresh one) shares the compiler cache: object files
# do not depend on the folder they were built in, only their debug info names it.
export CCACHE_NOHASHDIR=true

bash scripts/install-deps.sh --test

echo "== format"
bash scripts/check-format.sh

echo "== release build + unit tests"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS"
ctest --preset release -j "$JOBS"

echo "== conformance and integration tests (official socket.io-client, real sockets)"
(cd tests && npm run --silent test:conformance && npm run --silent test:integration)

echo "== chat server: contract, HTTP API, restart (official socket.io-client)"
(cd tests && npm run --silent test:chat)

echo "== cluster: real redis-server, Switchboard nodes, a Node.js socket.io peer with the Redis adapter"
(cd tests && npm run --silent test:cluster)

echo "== browser: chat page and dashboard in headless Chromium"
(cd tests && npm run --silent test:browser)

# The conformance tests are timed to the protocol's 300/200 ms heartbeat: they run on the
# release build only. Everything else runs again under the sanitizers.
echo "== benchmark smoke: every scenario small, Switchboard and the Node peer (never fails on timing)"
bash bench/smoke.sh

echo "== Debian package: build, install, start as the service user, stop, purge"
bash tests/package/test.sh

echo "== ASan + UBSan build: unit and integration tests"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$JOBS"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --preset asan -j "$JOBS"
(cd tests && SWITCHBOARD_TESTBED_SERVER=../build/asan/examples/testbed_server npm run --silent test:integration)
(cd tests && SWITCHBOARD_BINARY=../build/asan/src/server/switchboard npm run --silent test:chat)
(cd tests && SWITCHBOARD_BINARY=../build/asan/src/server/switchboard npm run --silent test:cluster)

# The event loops and the cross-thread fan-out under ThreadSanitizer: the unit tests, and the
# integration and chat suites against servers with two event-loop threads (the testbed's default,
# the chat server's on this 2-core machine).
echo "== TSan build: unit, integration and chat tests"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$JOBS"
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
ctest --preset tsan -j "$JOBS"
(cd tests && SWITCHBOARD_TESTBED_SERVER=../build/tsan/examples/testbed_server npm run --silent test:integration)
(cd tests && SWITCHBOARD_BINARY=../build/tsan/src/server/switchboard npm run --silent test:chat)

echo "== fuzz targets, ${FUZZ_SECONDS}s each"
bash tests/fuzz/run.sh "$FUZZ_SECONDS"
