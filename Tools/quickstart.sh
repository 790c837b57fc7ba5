#!/usr/bin/env bash
# The main job on built-in data, from a fresh clone: installs OpenBLAS if needed, builds recotrain
# (release), then `recotrain demo` generates a note world, trains the feed model, evaluates it
# against EASE and popularity, scans the notes for paid promotion, studies and plans the ad density,
# composes sample feeds and writes every result and report.html to $ZHONGCAO_WORK (default
# .build/demo). Extra arguments go to the demo, e.g. `--size medium` or `--seed 11`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/install-dependencies.sh
swift build -c release --product recotrain >&2
out=${ZHONGCAO_WORK:-.build/demo}
.build/release/recotrain demo --out "$out" "$@"
