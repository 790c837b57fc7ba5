#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs OpenBLAS if needed, then runs `swift test`.
# Tests that need ../shared/data skip themselves with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/install-dependencies.sh
swift test --disable-xctest "$@"
