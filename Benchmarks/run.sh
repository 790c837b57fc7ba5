#!/usr/bin/env bash
# Builds recotrain in release mode, makes sure implicit is importable, and runs the side-by-side
# comparison. Every argument is passed to compare_implicit.py, e.g.
#
#   Benchmarks/run.sh --sizes small,medium --threads 2
#   Benchmarks/run.sh --sizes large --keep
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "building recotrain (release)…" >&2
swift build -c release --product recotrain >&2

if ! python3 -c "import implicit" 2>/dev/null; then
  echo "installing implicit…" >&2
  python3 -m pip install implicit >&2
fi

exec python3 "$root/Benchmarks/compare_implicit.py" --recotrain "$root/.build/release/recotrain" "$@"
