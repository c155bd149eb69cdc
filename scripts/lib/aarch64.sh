# Shared by the scripts that test Lift on AArch64 (AWS Graviton) from an x86-64 machine.
# Source it, then:
#   ensure_aarch64_tools   installs what a cross test needs if it is not there: Rust's
#                          aarch64-unknown-linux-gnu standard library (rustup), Debian's
#                          cross linker and qemu-user (apt-get, as root or through sudo)
#   aarch64_cargo CMD ARGS…  runs `cargo CMD` for that target, linked by the cross linker
#                          and each test binary run under qemu-aarch64

AARCH64_TARGET=aarch64-unknown-linux-gnu

ensure_aarch64_tools() {
  if ! rustup target list --installed | grep -qx "$AARCH64_TARGET"; then
    rustup target add "$AARCH64_TARGET"
  fi
  if ! command -v aarch64-linux-gnu-gcc >/dev/null || ! command -v qemu-aarch64 >/dev/null; then
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    local packages=(gcc-aarch64-linux-gnu qemu-user)
    # Package lists may be missing or stale on a fresh machine: refreshed once if needed.
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >/dev/null ||
      { "${sudo[@]}" apt-get update -q >/dev/null &&
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >/dev/null; }
  fi
  aarch64-linux-gnu-gcc --version | head -1
  qemu-aarch64 --version | head -1
}

aarch64_cargo() {
  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu" \
    cargo "$1" --target "$AARCH64_TARGET" "${@:2}"
}
