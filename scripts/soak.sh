#!/usr/bin/env bash
# Soak: log at a fixed rate into a local CloudWatch Logs emulator through the
# fault-injecting proxy, sampling resident memory. Not part of scripts/test.sh.
# Usage: scripts/soak.sh [seconds (600)] [lines per second (2000)]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
rate=${2:-2000}

. scripts/lib/moto.sh
start_moto
cargo run --locked --release -q -p lift-cloudwatch --example soak -- "http://127.0.0.1:$MOTO_PORT" "$seconds" "$rate"
