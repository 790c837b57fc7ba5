#!/usr/bin/env bash
# The browser check of the feed-health report: builds recotrain, runs `recotrain demo --size small`
# into a temporary folder, renders report.html in headless Chromium (Debian's `chromium` package),
# takes a screenshot, and checks that every section is in the rendered page, that the chart is
# there, and that the page logged no errors and fetched nothing (it has no scripts and no external
# resources). Usage: bash Tools/check-report.sh [OUTPUT-FOLDER]   (kept; default a temporary one)
# Environment: ZHONGCAO_CHECK_CONFIGURATION=debug|release (default debug, the build CI already has),
# ZHONGCAO_CHECK_SIZE=tiny|small|medium (default small).
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=${ZHONGCAO_CHECK_CONFIGURATION:-debug}
size=${ZHONGCAO_CHECK_SIZE:-small}
out=${1:-$(mktemp -d)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "check-report: no chromium on PATH (apt-get install chromium)" >&2
  exit 1
fi
fail() { echo "check-report: FAIL: $*" >&2; exit 1; }

swift build -c "$configuration" --product recotrain >&2
start=$(date +%s%N)
".build/$configuration/recotrain" demo --size "$size" --out "$out/demo" --quiet > "$out/demo-summary.txt"
end=$(date +%s%N)
page="$out/demo/report.html"
[ -s "$page" ] || fail "the demo wrote no report"

flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions
       --disable-background-networking --user-data-dir="$out/chromium-profile")
timeout 180 "$browser" "${flags[@]}" --window-size=1280,4000 --screenshot="$out/report.png" "file://$page" \
  > "$out/chromium-screenshot.log" 2>&1 || fail "chromium could not take the screenshot (log: $out/chromium-screenshot.log)"
timeout 180 "$browser" "${flags[@]}" --enable-logging=stderr --v=0 --dump-dom "file://$page" \
  > "$out/dom.html" 2> "$out/chromium.log" || fail "chromium could not load the page (log: $out/chromium.log)"

[ "$(stat -c %s "$out/report.png")" -gt 20000 ] || fail "the screenshot is (nearly) empty"
for id in summary data ranking feeds disclosure campaigns ads methods; do
  grep -q "id=\"$id\"" "$out/dom.html" || fail "section #$id is not in the rendered page"
done
grep -q "<svg" "$out/dom.html" || fail "the dose-response chart is not in the rendered page"
grep -q "Recommended ad density" "$out/dom.html" || fail "the planner's recommendation is not in the rendered page"
if grep -q "class=\"missing\"" "$out/dom.html"; then fail "a section says its input is missing"; fi
if grep -qi "<script" "$out/dom.html"; then fail "the page has a script"; fi
if grep -Eiq "(src|href)=\"(https?:)?//|<link|@import|url\(" "$out/dom.html"; then fail "the page refers to an external resource"; fi
# Any console message (the page has no scripts, so there should be none), a script error, a
# blocked or failed load.
if grep -E "CONSOLE|Uncaught|Failed to load resource|net::ERR_|Refused to" "$out/chromium.log" "$out/chromium-screenshot.log" >&2; then
  fail "the browser reported errors (above)"
fi
printf 'check-report: OK: %s demo in %d ms, report %s bytes, screenshot %s\n' "$size" "$(( (end - start) / 1000000 ))" \
  "$(stat -c %s "$page")" "$out/report.png"
