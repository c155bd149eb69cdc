#!/usr/bin/env bash
# Soak: log at a fixed rate into a local CloudWatch Logs emulator through the
# fault-injecting proxy, sampling resident memory. Not part of scripts/test.sh.
# Usage: scripts/soak.sh [seconds (600)] [lines per second (2000)]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
rate=${2:-2000}

if [ ! -x .venv/bin/moto_server ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check 'moto[server]>=5,<6'
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
  sleep 0.2
done
cargo run --locked --release -q -p lift-cloudwatch --example soak -- "http://127.0.0.1:$port" "$seconds" "$rate"
