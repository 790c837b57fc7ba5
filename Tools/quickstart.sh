#!/usr/bin/env bash
# The main job on built-in data, from a fresh clone: installs OpenBLAS if needed, builds
# recotrain, generates a social-feed data set, trains a feed model, serves it and measures it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/install-dependencies.sh
swift build -c release --product recotrain >&2
recotrain=.build/release/recotrain
work=${ZHONGCAO_WORK:-.build/quickstart}
mkdir -p "$work"
echo "== generating 20k users × 5k notes × 400k events" >&2
$recotrain generate --users 20000 --notes 5000 --interactions 400000 --seed 7 --out "$work/events.tsv"
echo "== training" >&2
$recotrain train --interactions "$work/events.tsv" --out "$work/feed.zcm" --loss
echo "== the first feeds (all of them: $work/feeds.tsv)" >&2
$recotrain recommend --model "$work/feed.zcm" --count 10 --out "$work/feeds.tsv"
head -n 16 "$work/feeds.tsv"
first_note=$(sed -n 2p "$work/feeds.tsv" | cut -f2)
echo "== notes similar to $first_note" >&2
$recotrain similar --model "$work/feed.zcm" --note "$first_note" --count 5
echo "== held-out quality: ALS against EASE and popularity on a 20% per-user holdout" >&2
$recotrain evaluate --interactions "$work/events.tsv" --split holdout:0.2 --compare als,ease,popularity --k 10,100 --bootstrap 200 | sed -n '1,7p'
