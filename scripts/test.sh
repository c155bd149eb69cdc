#!/usr/bin/env bash
# Runs every check and test of the workspace, installing what they need first.
# Usage: scripts/test.sh        (idempotent; safe to run on a fresh machine)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain"
cargo --version
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

step "emulator and interop tools from PyPI, into .venv (first time: about a minute)"
. scripts/lib/moto.sh
ensure_interop_tools
# The emulator suites start their own servers (free loopback port, dummy credentials); the
# interop suites run PyPI's jsonschema and aws-lambda-powertools through this Python.
export LIFT_MOTO_SERVER="$PWD/.venv/bin/moto_server"
export LIFT_PYTHON="$PWD/.venv/bin/python"
.venv/bin/moto_server --help >/dev/null
.venv/bin/pip list --disable-pip-version-check 2>/dev/null | grep -iE '^(moto|jsonschema|aws[-_]lambda[-_]powertools|http[-_]message[-_]signatures) '

step "format"
cargo fmt --all -- --check

step "clippy, with every feature and with none (code only a feature uses must not warn without it)"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
cargo clippy --workspace --all-targets --locked -q -- -D warnings

step "tests"
test_log=$(mktemp)
trap 'rm -f "$test_log"' EXIT
cargo test --workspace --all-features --locked 2>&1 | tee "$test_log"

step "docs: every public item documented once, no broken links (in private items' docs either)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --all-features --locked -q
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --all-features --locked -q \
    --document-private-items

step "lean builds: lift without features compiles no AWS SDK; without features (no moto) every test passes"
if cargo tree -p lift -e normal --locked --prefix none | grep '^aws-'; then
  echo "lift without features depends on the AWS SDK"; exit 1
fi
# What `cargo test` does on a fresh machine: no emulator, no optional features. Among others
# it runs lift's test that CloudWatch without the `cloudwatch` feature is a start-up error.
LIFT_MOTO_SERVER=/nonexistent cargo test -q --workspace --locked 2>&1 |
  awk '/^test result:/ { p += $4; f += $6 } /FAILED|panicked/ { print } END { print "without features:", p, "passed,", f, "failed" }'

step "redaction quality: the labelled set's table (recall on sensitive cases, false positives on benign ones)"
cargo test -q -p lift-observability --all-features --locked --test it quality -- --nocapture 2>&1 | grep '^|'

step "AArch64 (AWS Graviton): lift-observability's clippy and docs, its unit tests and labelled set under qemu — the NEON classifier held to the definition, every detector on it (first time: apt-get and rustup, about a minute)"
if [ "$(uname -m)" = aarch64 ]; then
  echo "on AArch64 itself: the tests above ran the NEON classifier"
else
  . scripts/lib/aarch64.sh
  ensure_aarch64_tools
  aarch64_cargo clippy -q --locked -p lift-observability --all-targets --all-features -- -D warnings
  RUSTDOCFLAGS="-D warnings" aarch64_cargo doc -q --locked -p lift-observability --no-deps \
    --document-private-items
  # The unit tests, and the labelled set (its integration tests otherwise: one of them runs
  # its own binary again, which qemu-user cannot start by itself).
  { aarch64_cargo test -q --release --locked -p lift-observability --lib 2>&1
    aarch64_cargo test -q --release --locked -p lift-observability --test it quality 2>&1; } |
    awk '/^test result:/ { p += $4; f += $6 } /FAILED|panicked|^error|MISS|FALSE/ { print; bad = 1 } END { print "aarch64:", p, "passed,", f, "failed"; exit (bad || f > 0 || p == 0) }'
fi

step "fuzz: cargo-fuzz into .tools (first time: about two minutes), then the targets' build"
# Installed inside the repository's ignored .tools, never into ~/.cargo.
export PATH="$PWD/.tools/bin:$PATH"
if [ ! -x .tools/bin/cargo-fuzz ]; then
  cargo install cargo-fuzz --locked --root .tools 2>&1 | grep -E '^ *(Installing|Installed|error)' || true
fi
# Cargo's own progress lines (one per crate compiled): the first build takes minutes.
RUSTC_BOOTSTRAP=1 cargo fuzz build -O 2>&1 | grep -E '^ *(Compiling [a-z_-]+ |Finished|error)' | sed 's/ v[0-9].*//' | uniq

step "fuzz (cargo fuzz on stable via RUSTC_BOOTSTRAP: fixed seed, 20 s per target)"
for target in encoders trace_header redactor emf signature_headers; do
  fuzz_log="$(mktemp)"
  # A target's dictionary (the pieces its detectors start from) finds far more, far sooner.
  dict=()
  if [ -f "fuzz/dictionaries/$target.dict" ]; then
    dict=("-dict=$PWD/fuzz/dictionaries/$target.dict")
  fi
  if RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$target" -- -seed=1 -max_total_time=20 "${dict[@]}" >"$fuzz_log" 2>&1; then
    tail -n 1 "$fuzz_log"
  else
    # The failing assertion and the input (libFuzzer's Base64 line) are what a fix needs.
    echo "fuzz target $target failed:"
    grep -E "panicked at|assertion|left:|right:|^Base64:|SUMMARY" "$fuzz_log" | head -n 40
    exit 1
  fi
done

# The benchmarks are type-checked by clippy --all-targets above; building them in release
# (the AWS SDK included) would double this script's time, so `cargo bench` does that itself.

step "demo smoke run (its debug build first, with cargo's progress)"
cargo build --locked -p observability-demo 2>&1 | grep -E '^ *(Compiling|Finished|error)' | sed 's/ v[0-9].*//'
cargo run --locked -q -p observability-demo -- --requests 500 --sink memory --format json --summary json

step "demo shipping to CloudWatch Logs (moto_server), read back and counted"
DEMO_PROFILE=dev scripts/demo-cloudwatch.sh --requests 300

step "done"
# One closing line with the totals of every test binary above.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$test_log"
