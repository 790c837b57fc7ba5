#!/bin/bash
# Instructions executed by two builds of `recotrain trust scan` on the same notes, counted by
# valgrind's callgrind: deterministic where wall-clock timings on a shared VM drift by 30%, so a
# change of a few percent shows. Prints the total of each build, their ratio, the inclusive count
# of each scan step, and whether the two builds wrote identical flags.
#
#   python3 Benchmarks/trust_scan.py --notes 100000 --model Models/trust-detector-v1.json --work-dir /tmp/scan100k
#   bash Benchmarks/trust_scan_instructions.sh OLD/recotrain .build/release/recotrain /tmp/scan100k/notes.jsonl [NOTES [EVENTS]]
#
# NOTES (default 30,000) first lines of the file are scanned with Models/trust-detector-v1.json,
# without engagement events unless an EVENTS file is given (all of it, say
# /tmp/scan100k/events.tsv: then the loading of the events and the lockstep groups are counted
# too, and the summaries must match as well). Keep NOTES above 20,000: at or below it the
# prevalence interval is a bootstrap whose cost would swamp the rest. About a minute per build at
# 30,000 notes, two with the benchmark's 400,000 events.
set -euo pipefail
old=$1 new=$2 notes=$3 count=${4:-30000} events=${5:-}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install -y valgrind)" >&2; exit 1; }
model="$(cd "$(dirname "$0")/.." && pwd)/Models/trust-detector-v1.json"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
head -n "$count" "$notes" > "$scratch/notes.jsonl"
for name in old new; do
  binary=$old; [ "$name" = new ] && binary=$new
  engagement=(); [ -n "$events" ] && engagement=(--engagement "$events")
  valgrind --tool=callgrind --callgrind-out-file="$scratch/$name.out" "$binary" trust scan \
    --notes "$scratch/notes.jsonl" --model "$model" "${engagement[@]}" --out "$scratch/$name.jsonl" --json --quiet \
    > "$scratch/$name.summary.json" 2> "$scratch/$name.log"
  callgrind_annotate --inclusive=yes "$scratch/$name.out" > "$scratch/$name.txt" 2> /dev/null
done
python3 - "$scratch" "$count" <<'EOF'
import json, re, sys
scratch, count = sys.argv[1], int(sys.argv[2])
# Inclusive counts of each step's per-chunk work, by a fragment of its closure's mangled name.
# (The closures run on whichever thread takes the chunk, so a step's own function would count
# only the chunks its calling thread did.) A fragment that no longer matches reports 0.
steps = {
    "parse notes": "NoteLoaderO11ParsedChunkV_2of4file",
    "read": "ReadVG5reads_SaySaySdGG10attributesAA15EngagementNormsV5normsAC15AuthorNumberingV7authorstSayAA4NoteVGAA0A5ErrorVYKFAfA0N10TextReaderVz_SitYbXEfU0_",
    "campaigns: fingerprints": "NearDuplicateIndexV5notes13configurationACSayAA4NoteVG_AA21CampaignConfigurationVtcfcSayAcdecH_AJtcfc5ChunkL_VGSnySiGYbXEfU0_",
    "campaigns: linking": "NearDuplicateIndexV4linkSays5Int32VG7parents_SayAC4LinkVG5linkstyFSayAKGSnySiGYbXEfU_",
    "verdicts": "10AssessmentVAC16VerdictWorkspaceVz_SitYbXEfU",
    "engagement events: load": "12InteractionsV4load10contentsOf7options9blockSize",
    "lockstep groups": "16LockstepDetectorV6groups2inSayAA0B5GroupVGAA12InteractionsV",
}
# (A fragment may stop before a closure's number, fU3_ or fU4_, which moves when closures are
# added before it in the same function.)
def counts(name):
    text = open(f"{scratch}/{name}.txt").read()
    total = int(re.search(r"([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", text).group(1).replace(",", ""))
    found = {}
    for step, fragment in steps.items():
        values = [int(m.group(1).replace(",", "")) for m in re.finditer(r"^\s*([\d,]+) \([^)]*\)\s+\S*" + re.escape(fragment), text, re.M)]
        found[step] = max(values) if values else 0
    return total, found
old_total, old_steps = counts("old")
new_total, new_steps = counts("new")
print(f"{count} notes: old {old_total / 1e9:.3f} G instructions ({old_total / count:,.0f} a note), "
      f"new {new_total / 1e9:.3f} G ({new_total / count:,.0f} a note): new/old {new_total / old_total:.3f}")
for step in steps:
    a, b = old_steps[step], new_steps[step]
    print(f"  {step:24s} {a / count:9,.0f} → {b / count:9,.0f} a note" + (f"  ({b / a:.3f})" if a else ""))
same = open(f"{scratch}/old.jsonl", "rb").read() == open(f"{scratch}/new.jsonl", "rb").read()
print("flags identical" if same else "FLAGS DIFFER")
# The summaries, but for their timings.
def summary(name):
    data = json.load(open(f"{scratch}/{name}.summary.json"))
    return {key: value for key, value in data.items() if not key.endswith("Seconds")}
print("summaries identical" if summary("old") == summary("new") else "SUMMARIES DIFFER")
EOF
