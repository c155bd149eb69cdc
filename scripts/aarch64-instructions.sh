#!/usr/bin/env bash
# Instructions per corpus entry on AArch64 (AWS Graviton), counted under qemu-user: the
# allocation test's `probe_corpus` for 2,000 and 12,000 entries, the difference over 10,000
# (corpus generation cancels out) — as BENCHMARKS.md counts them with callgrind on x86-64.
# Usage: scripts/aarch64-instructions.sh        (redaction on; LIFT_PROBE_OFF=1 for off,
#        LIFT_PROBE_SHAPE=ids|prose|url|nested_body|error_chain for one shape)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/aarch64.sh
ensure_aarch64_tools >/dev/null
plugin=target/qemu_insn_count.so
mkdir -p target
gcc -shared -fPIC -O2 -o "$plugin" scripts/lib/qemu_insn_count.c
bin=$(aarch64_cargo test --release --locked -p lift-observability --test alloc --no-run 2>&1 |
  awk '/Executable/ { gsub(/[()]/, "", $NF); print $NF }')
count() {
  LIFT_PROBE_ENTRIES=$1 qemu-aarch64 -L /usr/aarch64-linux-gnu -plugin "$plugin" \
    "$bin" --ignored --exact probe_corpus 2>&1 >/dev/null | awk '/^INSNS/ { print $2 }'
}
a=$(count 2000)
b=$(count 12000)
echo "instructions per entry: $(( (b - a) / 10000 ))"
