#!/usr/bin/env python3
"""Trust scan on a generated corpus with planted truth: quality against the truth and throughput.

One run:

1. `recotrain trust generate --notes N --seed S` writes notes.jsonl (Zhongcao field names),
   mc.jsonl (the same corpus in MediaCrawler's xhs_note field names), truth.jsonl and the
   engagement events;
2. `recotrain trust train` on a *second* corpus (seed S + 1) writes detector.json, so the
   scanned corpus is held out from training;
3. `recotrain trust scan --model detector.json --json` on notes.jsonl and on mc.jsonl, timed by
   the scan itself (`scanSeconds`: grading, signals, detector, campaigns, lockstep, authors;
   not JSON parsing, with `scanStepSeconds` per step), by the wall clock and the CPU time of the
   whole process (parse, scan, write the flags; notes per CPU-second is the per-core rate), and
   once more pinned to one core with `taskset -c 0` (wall clock of the whole command, and the
   scan step's own timing on that one core);
4. scores the per-note flags against the truth: grade agreement on disclosed ads, false
   disclosures, AUC of the probability for undisclosed promotion against organic notes,
   expected calibration error (10 bins) of P(sponsored) on undisclosed notes, campaign
   precision and recall (notes), verdict shares by planted kind, and whether the prevalence
   interval covers the planted advertising share.

    python3 Benchmarks/trust_scan.py --recotrain .build/release/recotrain --notes 100000

Prints a table and writes Benchmarks/results/trust-scan.json (git-ignored).
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def run(command, capture=False):
    started = time.perf_counter()
    result = subprocess.run(command, check=True, text=True, stdout=subprocess.PIPE if capture else None)
    return result.stdout, time.perf_counter() - started


def run_measured(command):
    """Runs `command`; returns (stdout, wall seconds, CPU seconds (user + system) of the process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    output, wall = run(command, capture=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return output, wall, cpu


def read_lines(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def auc(positives, negatives):
    scored = sorted([(p, 1) for p in positives] + [(n, 0) for n in negatives])
    rank_sum, i = 0.0, 0
    while i < len(scored):
        j = i
        while j < len(scored) and scored[j][0] == scored[i][0]:
            j += 1
        average = (i + j + 1) / 2
        rank_sum += average * sum(label for _, label in scored[i:j])
        i = j
    p, n = len(positives), len(negatives)
    return (rank_sum - p * (p + 1) / 2) / (p * n) if p and n else float("nan")


def score(flags, truth, summary):
    by_id = {flag["id"]: flag for flag in flags}
    pairs = [(by_id[t["id"]], t) for t in truth]
    disclosed = [(f, t) for f, t in pairs if t["kind"] == "disclosedAd"]
    others = [(f, t) for f, t in pairs if t["kind"] != "disclosedAd"]
    grade_agreement = sum(f["grade"] == t["intended_grade"] for f, t in disclosed) / max(1, len(disclosed))
    false_disclosures = sum(f["grade"] != "absent" for f, t in others) / max(1, len(others))
    hidden = [f["probability"] for f, t in pairs if t["kind"] == "undisclosedPromotion"]
    organic = [f["probability"] for f, t in pairs if t["kind"] == "organic"]
    undisclosed = [(f, t) for f, t in pairs if f["grade"] == "absent"]
    bins = [[0, 0.0, 0.0] for _ in range(10)]
    for f, t in undisclosed:
        b = min(9, int(f["probability"] * 10))
        bins[b][0] += 1
        bins[b][1] += f["probability"]
        bins[b][2] += 1 if t["sponsored"] else 0
    ece = sum(abs(b[1] - b[2]) for b in bins) / max(1, len(undisclosed))
    planted = {t["id"] for t in truth if t.get("campaign") is not None}
    found = {f["id"] for f in flags if f.get("campaign")}
    hits = len(planted & found)
    verdict_shares = {}
    for kind in sorted({t["kind"] for t in truth}):
        group = [f for f, t in pairs if t["kind"] == kind]
        counts = {}
        for f in group:
            counts[f["verdict"]] = counts.get(f["verdict"], 0) + 1
        verdict_shares[kind] = {v: c / len(group) for v, c in sorted(counts.items())}
    advertising = sum(1 for t in truth if t["sponsored"] or t["kind"] == "selfPromotion") / len(truth)
    prevalence = summary["prevalence"]
    return {
        "gradeAgreementOnDisclosedAds": grade_agreement,
        "falseDisclosureRate": false_disclosures,
        "aucUndisclosedVsOrganic": auc(hidden, organic),
        "eceOnUndisclosedNotes": ece,
        "campaignRecall": hits / max(1, len(planted)),
        "campaignRecallByEdit": {
            edit: len(ids & found) / len(ids)
            for edit in ("light", "moderate", "heavy")
            if (ids := {t["id"] for t in truth if t.get("campaign_edit") == edit})
        },
        "campaignPrecision": hits / max(1, len(found)),
        "organicNotesInCampaigns": sum(1 for f, t in pairs if t["kind"] == "organic" and f.get("campaign")),
        "plantedAdvertisingShare": advertising,
        "prevalence": prevalence,
        "prevalenceCoversPlanted": prevalence["low"] <= advertising <= prevalence["high"],
        "verdictSharesByKind": verdict_shares,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recotrain", default=str(REPOSITORY_ROOT / ".build/release/recotrain"))
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", help="a trained detector to scan with (default: train one on a corpus of seed + 1)")
    parser.add_argument("--work-dir")
    parser.add_argument("--results", default=str(REPOSITORY_ROOT / "Benchmarks/results/trust-scan.json"))
    args = parser.parse_args()
    if not os.access(args.recotrain, os.X_OK):
        sys.exit(f"trust_scan.py: {args.recotrain} is not an executable; build it with "
                 "`swift build -c release --product recotrain`")
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="zhongcao-trust-"))
    work.mkdir(parents=True, exist_ok=True)
    r, n, s = args.recotrain, str(args.notes), str(args.seed)
    _, generate_seconds = run([r, "trust", "generate", "--notes", n, "--seed", s, "--out", str(work / "notes.jsonl"),
                               "--truth", str(work / "truth.jsonl"), "--engagement-out", str(work / "events.tsv")])
    run([r, "trust", "generate", "--notes", n, "--seed", s, "--format", "mediacrawler", "--out", str(work / "mc.jsonl")])
    train_seconds = 0.0
    if args.model:
        detector = Path(args.model)
    else:
        detector = work / "detector.json"
        run([r, "trust", "generate", "--notes", n, "--seed", str(args.seed + 1), "--out", str(work / "train.jsonl")])
        _, train_seconds = run([r, "trust", "train", "--notes", str(work / "train.jsonl"), "--out", str(detector), "--quiet"])
    results = {"notes": args.notes, "seed": args.seed, "model": str(detector), "cores": os.cpu_count(), "loadAverage": os.getloadavg(),
               "generateWallSeconds": generate_seconds, "trainWallSeconds": train_seconds, "formats": {}}
    truth = read_lines(work / "truth.jsonl")
    for name, notes in [("zhongcao", "notes.jsonl"), ("mediaCrawler", "mc.jsonl")]:
        flags_path = work / f"flags-{name}.jsonl"
        command = [r, "trust", "scan", "--notes", str(work / notes), "--model", str(detector),
                   "--engagement", str(work / "events.tsv"), "--out", str(flags_path), "--json", "--quiet"]
        output, wall, cpu = run_measured(command)
        summary = json.loads(output)
        quality = score(read_lines(flags_path), truth, summary)
        entry = {
            "scanSeconds": summary["scanSeconds"], "loadSeconds": summary["loadSeconds"], "wallSeconds": wall,
            "cpuSeconds": cpu,
            "notesPerSecond": args.notes / summary["scanSeconds"],
            "notesPerSecondPerCore": args.notes / summary["scanSeconds"] / os.cpu_count(),
            # The whole command (parse, scan, write the flags): notes per CPU-second, i.e. per core.
            "endToEndNotesPerCpuSecond": args.notes / cpu,
            "summary": summary, "quality": quality,
        }
        # The whole command pinned to one core, by the wall clock (Linux `taskset`).
        # Its own timing of the scan step then says what one core does (notes per second per core).
        if shutil.which("taskset"):
            one_core_output, one_core_wall, _ = run_measured(["taskset", "-c", "0"] + command)
            one_core = json.loads(one_core_output)
            entry["oneCoreWallSeconds"] = one_core_wall
            entry["oneCoreNotesPerSecond"] = args.notes / one_core_wall
            entry["oneCoreScanSeconds"] = one_core["scanSeconds"]
            entry["oneCoreScanNotesPerSecond"] = args.notes / one_core["scanSeconds"]
            entry["oneCoreScanStepSeconds"] = one_core.get("scanStepSeconds", {})
        results["formats"][name] = entry
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(args.results).write_text(json.dumps(results, indent=2, ensure_ascii=False, sort_keys=True))
    print(f"{args.notes} notes, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    for name, entry in results["formats"].items():
        q = entry["quality"]
        print(f"\n[{name}] scan {entry['scanSeconds']:.2f} s = {entry['notesPerSecond']:,.0f} notes/s "
              f"({entry['notesPerSecondPerCore']:,.0f} per core); load {entry['loadSeconds']:.2f} s; wall {entry['wallSeconds']:.2f} s")
        print(f"  whole command: {entry['cpuSeconds']:.2f} CPU s = {entry['endToEndNotesPerCpuSecond']:,.0f} notes per core-second"
              + (f"; pinned to one core {entry['oneCoreWallSeconds']:.2f} s = {entry['oneCoreNotesPerSecond']:,.0f} notes/s"
                 if "oneCoreWallSeconds" in entry else ""))
        steps = entry["summary"].get("scanStepSeconds", {})
        print(f"  scan steps ({os.cpu_count()} cores): " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()))
        if "oneCoreScanSeconds" in entry:
            print(f"  scan on one core: {entry['oneCoreScanSeconds']:.2f} s = {entry['oneCoreScanNotesPerSecond']:,.0f} notes/s; steps: "
                  + ", ".join(f"{k} {v:.2f} s" for k, v in entry["oneCoreScanStepSeconds"].items()))
        for key in ["gradeAgreementOnDisclosedAds", "falseDisclosureRate", "aucUndisclosedVsOrganic", "eceOnUndisclosedNotes",
                    "campaignPrecision", "campaignRecall", "organicNotesInCampaigns", "plantedAdvertisingShare"]:
            print(f"  {key:32s} {q[key]:.4f}" if isinstance(q[key], float) else f"  {key:32s} {q[key]}")
        print("  campaign recall by copy edit     " + ", ".join(f"{k} {v:.3f}" for k, v in q["campaignRecallByEdit"].items()))
        p = q["prevalence"]
        print(f"  prevalence {p['estimate']:.4f} [{p['low']:.4f}, {p['high']:.4f}], covers planted: {q['prevalenceCoversPlanted']}")
        for kind, shares in q["verdictSharesByKind"].items():
            print(f"  {kind:22s} " + ", ".join(f"{v} {s:.3f}" for v, s in shares.items()))
    print(f"\nresults written to {args.results}")


if __name__ == "__main__":
    main()
