#!/usr/bin/env bash
# Builds the .deb, installs it, starts the service, checks that it serves, stops it (SIGTERM must
# exit 0) and purges it. Needs root (dpkg). Under systemd the unit itself is started; elsewhere
# (containers, CI) the unit's ExecStart runs as its User, with SWITCHBOARD_PORT=0 overriding the
# packaged config so a busy port 3000 does not matter.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() { echo "package test: $*" >&2; exit 1; }

# Reuse compiled objects from the other builds: debug info may name another build folder.
export CCACHE_NOHASHDIR=true
cmake --preset package >/dev/null
cmake --build --preset package
rm -f build/package/switchboard_*.deb
(cd build/package && cpack >/dev/null)
deb=$(ls build/package/switchboard_*.deb)

dpkg -r switchboard >/dev/null 2>&1 || true
apt-get install -y -qq "./$deb" >/dev/null
trap 'dpkg --purge switchboard >/dev/null 2>&1 || true' EXIT

for f in /usr/bin/switchboard /usr/share/switchboard/web/index.html /usr/share/switchboard/web/vendor/socket.io.min.js \
         /etc/switchboard/switchboard.toml /lib/systemd/system/switchboard.service; do
  [ -e "$f" ] || fail "missing $f after install"
done
getent passwd switchboard >/dev/null || fail "no switchboard user after install"
[ "$(stat -c '%a %U:%G' /etc/switchboard/switchboard.toml)" = "640 root:switchboard" ] ||
  fail "the config file is $(stat -c '%a %U:%G' /etc/switchboard/switchboard.toml), not 640 root:switchboard"
grep -q '^host = "127.0.0.1"$' /etc/switchboard/switchboard.toml || fail "the packaged config does not bind to 127.0.0.1"
[ "$(stat -c %U /var/lib/switchboard)" = switchboard ] || fail "/var/lib/switchboard is not owned by switchboard"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /lib/systemd/system/switchboard.service || fail "systemd-analyze rejects the unit"
fi

if [ -d /run/systemd/system ]; then
  systemctl restart switchboard
  for _ in $(seq 50); do curl -fsS http://127.0.0.1:3000/healthz >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fsS http://127.0.0.1:3000/healthz | grep -q '"status":"ok"' || fail "service does not answer /healthz"
  curl -fsS http://127.0.0.1:3000/ | grep -qi '<html' || fail "service does not serve the chat page"
  systemctl stop switchboard
  echo "package test: installed, started by systemd, served, stopped"
  exit 0
fi

exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/switchboard.service)
user=$(sed -n 's/^User=//p' /lib/systemd/system/switchboard.service)
out=$(mktemp)
SWITCHBOARD_PORT=0 SWITCHBOARD_HOST=127.0.0.1 setpriv --reuid="$user" --regid="$user" --init-groups -- $exec_start >"$out" 2>&1 &
pid=$!
url=""
for _ in $(seq 100); do
  url=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$out")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$out"; fail "the service exited at start"; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$out"; fail "no listening line within 10 s"; }
curl -fsS --max-time 5 "$url/healthz" | grep -q '"status":"ok"' || fail "no /healthz"
curl -fsS --max-time 5 "$url/" | grep -qi '<html' || fail "the chat page is not served from /usr/share"
curl -fsS --max-time 5 "$url/vendor/socket.io.min.js" >/dev/null || fail "the client bundle is not served"
[ -f /var/lib/switchboard/history.db ] || fail "no history database in /var/lib/switchboard"
kill -TERM "$pid"
code=0
timeout 5 tail --pid="$pid" -f /dev/null || fail "did not exit within 5 s of SIGTERM"
wait "$pid" || code=$?
[ "$code" = 0 ] || { cat "$out"; fail "exit code $code after SIGTERM"; }
dpkg --purge switchboard >/dev/null
[ ! -e /usr/bin/switchboard ] || fail "purge left /usr/bin/switchboard"
[ ! -e /var/lib/switchboard ] || fail "purge left /var/lib/switchboard"
echo "package test: installed, started as $user from the unit's ExecStart, served, stopped with exit 0, purged"
