#!/usr/bin/env bash
# libFuzzer over every reader of outside data: `bash Tools/fuzz.sh [SECONDS] [TARGET…]`.
#
# Targets (Fuzz/Sources): interactions, notes, impressions, model-file, spark-export; default all,
# SECONDS each (default 60). Builds the Fuzz package with libFuzzer and AddressSanitizer, copies
# the seeds of Fuzz/corpus/TARGET to a work directory (FUZZ_WORK, default .build-fuzz-work) where
# new inputs accumulate, and stops at the first crash, hang (10 s) or memory blow-up (2 GB),
# leaving the input in WORK/TARGET/crashes/ and exiting non-zero. Each finding becomes a test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(interactions notes impressions model-file spark-export); fi
bash Tools/install-dependencies.sh
# SwiftPM's --sanitize=fuzzer links libFuzzer's main but leaves the code without coverage
# counters; -Xswiftc -sanitize=fuzzer adds them.
flags=(--package-path Fuzz --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer)
swift build "${flags[@]}"
bin=$(swift build "${flags[@]}" --show-bin-path)
work=${FUZZ_WORK:-.build-fuzz-work}
for target in "${targets[@]}"; do
  mkdir -p "$work/$target/corpus" "$work/$target/crashes"
  echo "fuzz: $target for $seconds s" >&2
  log="$work/$target/last-run.log"
  if ! "$bin/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
      -artifact_prefix="$work/$target/crashes/" -print_final_stats=1 "$work/$target/corpus" "Fuzz/corpus/$target" > "$log" 2>&1; then
    tail -40 "$log" >&2
    echo "fuzz: $target found a problem; the input is in $work/$target/crashes/" >&2
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb" "$log" | sed "s/^/  $target /" >&2
done
