#!/bin/bash
# Time and memory of `recotrain ads study` on a simulated experiment of about N million
# impressions (default 10), with a pre-period for CUPED and the perceived-advertising list, and
# how well it recovers the planted effect.
#
#   swift build -c release
#   bash Benchmarks/ads_study.sh [MILLIONS] [WORK_DIR]
#
# Prints the simulator's time, the study's wall clock and peak resident memory (GNU time), and
# the planted vs estimated organic-engagement effect of the line across arms in week 1.
set -euo pipefail
millions=${1:-10}
work=${2:-$(mktemp -d)}
binary="$(cd "$(dirname "$0")/.." && pwd)/.build/release/recotrain"
mkdir -p "$work"
# About 400 impressions per user over 8 weeks at the simulator's defaults.
users=$((millions * 2500))
"$binary" ads simulate --users "$users" --weeks 8 --pre-weeks 2 --seed 7 --out "$work/impressions.tsv" \
  --pre "$work/pre.tsv" --truth "$work/truth.json" --perceived-out "$work/perceived.txt"
echo "impressions: $(($(wc -l < "$work/impressions.tsv") - 1)) ($(du -h "$work/impressions.tsv" | cut -f1)), pre-period: $(($(wc -l < "$work/pre.tsv") - 1))"
/usr/bin/time -f "study: %e s wall, %U s user, peak resident memory %M KB" \
  "$binary" ads study --impressions "$work/impressions.tsv" --pre "$work/pre.tsv" --perceived "$work/perceived.txt" \
  --density paid --out "$work/study.json" --plot "$work/curve.svg" --quiet > /dev/null
python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
study = json.load(open(f"{work}/study.json"))
truth = json.load(open(f"{work}/truth.json"))
import math
population = truth["weeklyEffects"][0]["organicEngagementPercentPer10Points"]
rows = [row for row in truth["weeks"] if row["week"] == 1]
xs = [row["density"] for row in rows]
ys = [math.log(row["assigned"]["expectedOrganicEngagementRate"]) for row in rows]
mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
assigned = 100 * (math.exp(0.1 * slope) - 1)
short = study["experiment"]["shortRun"]
print(f"week 1, % per +10 points of paid density: study {short['percentPer10Points']:+.2f} "
      f"[{short['low']:+.2f}, {short['high']:+.2f}]; truth among that week's impressions {assigned:+.2f}, "
      f"over the whole assigned population {population:+.2f}")
cuped = study["experiment"]["organicEngagementRate"]["cuped"]
print(f"CUPED: pre/post correlation {cuped['correlation']:.3f}, variance reduction {100 * cuped['varianceReduction']:.1f}%")
EOF
