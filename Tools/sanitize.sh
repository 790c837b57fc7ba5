#!/usr/bin/env bash
# The test suite under a sanitizer: `bash Tools/sanitize.sh thread|address [FILTER]`.
#
# Builds into .build-SANITIZER (so the normal debug build is left alone) and runs every test, or
# those whose name matches the regular expression FILTER. ThreadSanitizer reports data races,
# AddressSanitizer out-of-bounds accesses and use after free; either fails the run. CI runs the
# ThreadSanitizer pass over the concurrency tests: `bash Tools/sanitize.sh thread concurrency`.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizer=${1:?usage: bash Tools/sanitize.sh thread|address [FILTER]}
case "$sanitizer" in
  thread | address) ;;
  *) echo "sanitize.sh: the sanitizer is 'thread' or 'address', not '$sanitizer'" >&2; exit 2 ;;
esac
filter=${2:-}
if [ "$filter" = concurrency ]; then
  # Tests that run work on many threads: the parallel kernels, concurrent serving from one model,
  # model swaps under load, block-parallel file parsing.
  filter="ModelStoreTests|ParallelMapTests|FeedModelTests|ModelFileMappingTests|LineBlocksTests|NoteLoaderLimitsTests|KernelTests|NoteCooccurrenceTests|ImplicitALSTests"
fi
bash Tools/install-dependencies.sh
scratch=".build-$sanitizer"
swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
# Tests that cannot run under a sanitizer skip themselves when they see this.
export ZHONGCAO_SANITIZER="$sanitizer"
# Stop at the first report, with a non-zero exit, so a finding cannot scroll by unnoticed.
export TSAN_OPTIONS="halt_on_error=1:${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=0:${ASAN_OPTIONS:-}"
args=(--skip-build --disable-xctest --scratch-path "$scratch" --sanitize="$sanitizer")
if [ -n "$filter" ]; then args+=(--filter "$filter"); fi
swift test "${args[@]}"
