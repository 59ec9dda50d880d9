#!/usr/bin/env bash
# Installs, with apt-get, only the Debian packages uscope needs that are missing.
# Runs `apt-get update` at most once, and only when something must be installed,
# so a machine that already has everything is left alone (and needs no network).
set -euo pipefail

# Build: compilers, libbpf/libelf headers, bpftool for vmlinux.h and skeletons,
# sys/sdt.h for umark's USDT probes. Test: bats, binutils (readelf oracle),
# util-linux (unshare), procps (pgrep/ps), iproute2 is not needed.
# libclang-rt-dev: the libFuzzer/ASan/UBSan runtimes for `make fuzz` (clang
# only recommends them, and recommends are not installed here).
# Libraries of the next wave (docs/DESIGN.md says why each): libdw/libdwfl
# (DWARF, unwinding), libdebuginfod (debug files by build ID), liblzma
# (MiniDebugInfo), libiberty (C++ and Rust demangling), Zydis (x86-64
# decoding), libmicrohttpd (the /metrics endpoint).
# Test-only: the oracles and real peers the suites run against (elfutils'
# eu-readelf, c++filt in binutils, rustfilt, debuginfod, prometheus's
# promtool, libc6-dbg's debug files, chromium for the flame graph screenshot,
# xmllint for SVG), and the toolchains of the test targets (g++, golang-go,
# rustc).
pkgs=(
  clang llvm gcc g++ make pkg-config libclang-rt-dev
  libbpf-dev libelf-dev zlib1g-dev
  libdw-dev libdebuginfod-dev liblzma-dev libiberty-dev libzydis-dev libmicrohttpd-dev
  bpftool systemtap-sdt-dev
  bats binutils util-linux procps jq python3 curl xz-utils strace
  elfutils debuginfod libc6-dbg prometheus libxml2-utils rustfilt
  golang-go rustc chromium
)
# Extra peers used only by `make bench` (asked for with BENCH=1).
if [[ "${BENCH:-0}" == 1 ]]; then
  pkgs+=(bpftrace bpfcc-tools time linux-headers-amd64)
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: nothing missing"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  sudo=sudo
else
  sudo=
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
