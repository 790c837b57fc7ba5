#!/bin/bash
# Side-by-side speed of two builds of `recotrain trust scan`, interleaved so that drift in the
# machine's speed hits both alike; prints the best of RUNS for each build, one core and all cores.
#
#   python3 Benchmarks/trust_scan.py --notes 100000 --model Models/trust-detector-v1.json --work-dir /tmp/scan100k
#   bash Benchmarks/trust_scan_ab.sh OLD/recotrain .build/release/recotrain /tmp/scan100k [RUNS]
#
# Each run scans WORK/notes.jsonl with WORK/events.tsv and Models/trust-detector-v1.json, writing
# the flags to a temporary file: the scan step's own time (`scanSeconds`, after parsing), the whole
# command's wall clock and CPU seconds, once pinned to one core (`taskset -c 1`) and once free.
set -euo pipefail
old=$1 new=$2 work=$3 runs=${4:-7}
model="$(cd "$(dirname "$0")/.." && pwd)/Models/trust-detector-v1.json"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for ((run = 1; run <= runs; run++)); do
  for name in old new; do
    binary=$old; [ "$name" = new ] && binary=$new
    for cores in one all; do
      pin=(); [ "$cores" = one ] && pin=(taskset -c 1)
      times=$( { /usr/bin/time -f "%e %U %S" "${pin[@]}" "$binary" trust scan --notes "$work/notes.jsonl" --model "$model" \
        --engagement "$work/events.tsv" --out "$scratch/flags.jsonl" --json --quiet > "$scratch/summary.json"; } 2>&1 )
      echo "$name $cores $(python3 -c "import json; print(json.load(open('$scratch/summary.json'))['scanSeconds'])") $times"
    done
  done
done | python3 -c '
import sys, collections
best = collections.defaultdict(lambda: [float("inf")] * 3)
for line in sys.stdin:
    name, cores, scan, wall, user, system = line.split()
    values = [float(scan), float(wall), float(user) + float(system)]
    best[name, cores] = [min(a, b) for a, b in zip(best[name, cores], values)]
for (name, cores), (scan, wall, cpu) in sorted(best.items(), key=lambda item: (item[0][0] != "old", item[0][1] != "one")):
    print(f"{name:3s} {cores:3s} cores: scan {scan:.3f} s, whole command {wall:.2f} s wall, {cpu:.2f} CPU s")
'
