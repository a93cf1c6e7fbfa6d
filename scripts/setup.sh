#!/usr/bin/env bash
# Sets up a fresh Debian machine (as root) or an existing checkout: system
# packages for headless GL and browser tests, pnpm, the locked dependencies,
# and a build. Safe to run again: every step is idempotent.
# `--bench` also installs what the benchmarks' PyTorch peer needs
# (bench/torch/README.md): Debian's python3-torch and a threaded OpenBLAS,
# without which torch runs on the reference BLAS, 6-8x slower.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v xvfb-run >/dev/null 2>&1 || need_apt+=(xvfb)
dpkg -s libxi-dev >/dev/null 2>&1 || need_apt+=(libxi-dev)   # the gl package (gpu.js headlessgl) builds against it
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)   # browser tests drive Debian's Chromium
if [ "${1:-}" = "--bench" ]; then
  dpkg -s python3-torch >/dev/null 2>&1 || need_apt+=(python3-torch)
  dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need_apt+=(libopenblas0-pthread)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${need_apt[@]}"
fi

if [ "$(pnpm --version 2>/dev/null)" != "12.4.2" ]; then
  npm install -g pnpm@12.4.2
fi

# pnpm 12 ignores nodedir in .npmrc: without this node-gyp downloads headers and the gl build fails.
export npm_config_nodedir=/usr JOBS=max TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile

# gl is an optional dependency, so a failed native build still lets install succeed: check it.
if ! ls node_modules/.pnpm/gl@*/node_modules/gl/build/Release/webgl.node >/dev/null 2>&1; then
  echo "setup: the gl native module did not build (headless GL tests need it)" >&2
  exit 1
fi

pnpm build
