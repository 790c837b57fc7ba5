#!/usr/bin/env bash
# Installs what Zhongcao needs beyond the Swift toolchain: OpenBLAS (and pkg-config, which
# SwiftPM uses to find it). Does nothing when both are already there.
set -euo pipefail
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists openblas; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing OpenBLAS (libopenblas-dev) ..." >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libopenblas-dev pkg-config >/dev/null
pkg-config --exists openblas || { echo "OpenBLAS is still not visible to pkg-config" >&2; exit 1; }
