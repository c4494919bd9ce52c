#!/usr/bin/env bash
# Runs atom's whole test suite: starts a local S3 server (moto) on a free loopback port, builds atom,
# runs `swift test`, and stops the server. Extra arguments go to `swift test` (e.g. --filter S3).
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p .build
# moto's S3 server: the one on PATH, else one in .build/moto-venv, installed here on first use (a local virtual
# environment, so nothing is written system-wide and pip's "externally managed" refusal does not apply).
moto_server=$(command -v moto_server || true)
if [ -z "$moto_server" ]; then
  venv=.build/moto-venv
  if [ ! -x "$venv/bin/moto_server" ]; then
    echo "moto_server not found: installing moto[server] into $venv (once)" >&2
    if ! python3 -m venv "$venv" >&2; then
      echo "python3 cannot create a virtual environment: install python3-venv (Debian/Ubuntu) or moto[server] yourself" >&2
      exit 1
    fi
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]" >&2
  fi
  moto_server="$venv/bin/moto_server"
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$moto_server" -H 127.0.0.1 -p "$port" > .build/moto.log 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then break; fi
  sleep 0.2
done
export ATOM_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
echo "local S3 (moto) at $ATOM_TEST_S3_ENDPOINT"

swift build
swift test "$@"
