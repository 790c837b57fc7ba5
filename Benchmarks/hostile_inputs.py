#!/usr/bin/env python3
"""How much memory can a file make each reader take?

Writes hostile files of about --size MB for every reader (interactions, notes, impressions,
model file, Spark export) -- valid files at their most expensive (the shortest lines, every id
new) and invalid ones (no line breaks, a quote never closed, a million bad lines, nesting,
declared sizes far beyond the file) -- and loads each in its own process with
`zhongcao-bench load-file KIND PATH`, which skips invalid lines where the reader can. Reports
each file's peak resident memory beyond the reader's peak on a tiny valid file, as a multiple
of the file's size.

    swift build -c release --product zhongcao-bench
    python3 Benchmarks/hostile_inputs.py --size 64 [--json results.json] [--max-ratio 30]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "Fuzz", "corpus")


def repeat_lines(path, size, line_of):
    """Writes line_of(i) for i = 0, 1, ... until the file holds about `size` bytes."""
    with open(path, "w", encoding="utf-8") as out:
        written, i, batch = 0, 0, []
        while written < size:
            line = line_of(i)
            batch.append(line)
            written += len(line.encode())
            i += 1
            if len(batch) >= 100_000:
                out.write("".join(batch))
                batch = []
        out.write("".join(batch))


def write_bytes(path, data):
    with open(path, "wb") as out:
        out.write(data)


def spark_seed(directory):
    """The Spark export of the fuzzing seed, as a directory."""
    with open(os.path.join(SEEDS, "spark-export", "export.txt"), encoding="utf-8") as seed:
        parts = seed.read().split("\n====\n")
    os.makedirs(directory, exist_ok=True)
    for name, text in zip(["manifest.json", "users.tsv", "items.tsv", "interactions.csv"], parts):
        with open(os.path.join(directory, name), "w", encoding="utf-8") as out:
            out.write(text.lstrip("\n"))
    return directory


def inflated_model(seed, field, value):
    """The model file `seed` with one number of its JSON header replaced by `value`, the header
    length updated; None if the longer header would not fit before the first section."""
    data = bytearray(open(seed, "rb").read())
    length = int.from_bytes(data[16:24], "little")
    header = data[24:24 + length].decode()
    changed, count = re.subn(r'("%s":)\d+' % field, r"\g<1>%d" % value, header, count=1)
    if count == 0:
        return None
    first_section = min(int(m) for m in re.findall(r'"offset":(\d+)', header))
    new = changed.encode()
    if 24 + len(new) > first_section:
        return None
    data[16:24] = len(new).to_bytes(8, "little")
    data[24:24 + len(new)] = new
    for index in range(24 + len(new), first_section):
        data[index] = 0x20 if index < 24 + length else data[index]
    return bytes(data)


def cases(work, size):
    """(kind, case name, path) of every hostile input, written under `work`."""
    def path(name):
        return os.path.join(work, name)

    big = size
    # Interactions (TSV, no header).
    repeat_lines(path("i-unique.tsv"), big, lambda i: "%x\t%x\n" % (i, i))
    yield "interactions", "every line a new user and note", path("i-unique.tsv")
    repeat_lines(path("i-bad.tsv"), big, lambda i: "x\n")
    yield "interactions", "every line invalid (one field)", path("i-bad.tsv")
    write_bytes(path("i-flat.tsv"), b"a" * big)
    yield "interactions", "no line breaks", path("i-flat.tsv")
    repeat_lines(path("i-quote.tsv"), big, lambda i: '"' if i == 0 else "u\tn\n")
    yield "interactions", "a quote never closed", path("i-quote.tsv")
    repeat_lines(path("i-fields.tsv"), big, lambda i: "\t" * 5000 + "\n")
    yield "interactions", "5,000 fields a line", path("i-fields.tsv")
    # Notes (JSON Lines).
    repeat_lines(path("n-minimal.jsonl"), big, lambda i: '{"id":%d,"author":1}\n' % i)
    yield "notes", "shortest valid notes", path("n-minimal.jsonl")
    repeat_lines(path("n-bad.jsonl"), big, lambda i: "x\n")
    yield "notes", "every line invalid", path("n-bad.jsonl")
    repeat_lines(path("n-duplicate.jsonl"), big, lambda i: '{"id":1,"author":1}\n')
    yield "notes", "one id repeated", path("n-duplicate.jsonl")
    repeat_lines(path("n-deep.jsonl"), big, lambda i: "[" * 600 + "\n")
    yield "notes", "nesting 600 deep", path("n-deep.jsonl")
    tags = ",".join(['"t%d"' % t for t in range(1024)])
    repeat_lines(path("n-tags.jsonl"), big, lambda i: '{"id":%d,"author":1,"tags":[%s]}\n' % (i, tags))
    yield "notes", "1,024 tags a note", path("n-tags.jsonl")
    write_bytes(path("n-flat.jsonl"), b'{"id":"' + b"a" * big)
    yield "notes", "no line breaks", path("n-flat.jsonl")
    # Impressions (TSV, no header).
    repeat_lines(path("m-sessions.tsv"), big, lambda i: "u\t%x\t1\tn\t0\t1\n" % i)
    yield "impressions", "every line a new session", path("m-sessions.tsv")
    repeat_lines(path("m-unique.tsv"), big, lambda i: "%x\t%x\t1\t%x\t0\t1\n" % (i, i, i))
    yield "impressions", "every line new user, session, note", path("m-unique.tsv")
    repeat_lines(path("m-bad.tsv"), big, lambda i: "x\n")
    yield "impressions", "every line invalid", path("m-bad.tsv")
    write_bytes(path("m-flat.tsv"), b"a" * big)
    yield "impressions", "no line breaks", path("m-flat.tsv")
    # Model files: each count of the header inflated; the file's bytes as noise.
    seed = os.path.join(SEEDS, "model-file", "als.zcm")
    for field in ["users", "noteCount", "noteVectorLength", "length", "offset", "neighbourEntries"]:
        data = inflated_model(seed, field, 10**15)
        if data is not None:
            write_bytes(path("model-%s.zcm" % field), data)
            yield "model", "header %s = 10^15" % field, path("model-%s.zcm" % field)
    write_bytes(path("model-noise.zcm"), os.urandom(big))
    yield "model", "random bytes", path("model-noise.zcm")
    # Spark exports: counts far beyond the files.
    for field in ["users", "items", "pairs"]:
        directory = spark_seed(path("spark-" + field))
        manifest = os.path.join(directory, "manifest.json")
        text = open(manifest, encoding="utf-8").read()
        # Pairs: 6 users × 6 items fit their id files; 36 pairs do not fit interactions.csv.
        value = 36 if field == "pairs" else 2000000000
        if field == "pairs":
            text = re.sub(r'"(users|items)" : \d+', r'"\1" : 6', text)
        text = re.sub(r'"%s" : \d+' % field, '"%s" : %d' % (field, value), text)
        open(manifest, "w", encoding="utf-8").write(text)
        yield "spark", "manifest %s = %d" % (field, value), directory


def baselines(work):
    """A tiny valid input per kind."""
    return {
        "interactions": os.path.join(SEEDS, "interactions", "events.tsv"),
        "notes": os.path.join(SEEDS, "notes", "zhongcao.jsonl"),
        "impressions": os.path.join(SEEDS, "impressions", "full.tsv"),
        "model": os.path.join(SEEDS, "model-file", "als.zcm"),
        "spark": spark_seed(os.path.join(work, "spark-seed")),
    }


def size_of(path):
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(path, name)) for name in os.listdir(path))
    return os.path.getsize(path)


def load(bench, kind, path):
    result = subprocess.run([bench, "load-file", kind, path], capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        return {"outcome": "CRASH (exit %d): %s" % (result.returncode, result.stderr[-300:]), "peakBytes": 0, "seconds": 0}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=float, default=64, help="size of each hostile file in MB (default 64)")
    parser.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "zhongcao-bench"))
    parser.add_argument("--json", help="also write the results as JSON to this file")
    parser.add_argument("--max-ratio", type=float,
                        help="fail when a file makes a reader take more than this multiple of its size")
    args = parser.parse_args()
    if not os.path.exists(args.bench):
        sys.exit("no %s: swift build -c release --product zhongcao-bench" % args.bench)
    work = tempfile.mkdtemp(prefix="zhongcao-hostile-")
    rows = []
    try:
        base = {kind: load(args.bench, kind, path) for kind, path in baselines(work).items()}
        for kind, result in base.items():
            print("baseline %-12s peak %6.1f MB  (%s)" % (kind, result["peakBytes"] / 1e6, result["outcome"]), file=sys.stderr)
        print("| reader | file | size MB | outcome | peak MB | beyond baseline ÷ file size | seconds |")
        print("|---|---|---:|---|---:|---:|---:|")
        for kind, name, path in cases(work, int(args.size * 1e6)):
            size = size_of(path)
            result = load(args.bench, kind, path)
            extra = max(0, result["peakBytes"] - base[kind]["peakBytes"])
            ratio = extra / size
            rows.append({"reader": kind, "case": name, "bytes": size, "outcome": result["outcome"],
                         "peakBytes": result["peakBytes"], "baselinePeakBytes": base[kind]["peakBytes"],
                         "extraOverSize": ratio, "seconds": result["seconds"]})
            outcome = result["outcome"].replace("|", "/")
            if len(outcome) > 90:
                outcome = outcome[:89] + "…"
            print("| %s | %s | %.1f | %s | %.0f | %.2f | %.2f |" % (kind, name, size / 1e6, outcome,
                                                                   result["peakBytes"] / 1e6, ratio, result["seconds"]))
            sys.stdout.flush()
            if os.path.isfile(path):
                os.remove(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(rows, out, indent=2, ensure_ascii=False)
    crashes = [row for row in rows if row["outcome"].startswith("CRASH")]
    if crashes:
        sys.exit("%d crash(es)" % len(crashes))
    if args.max_ratio is not None:
        over = [row for row in rows if row["extraOverSize"] > args.max_ratio]
        for row in over:
            print("%s, %s: %.1f× the file's size, above the limit of %.1f×"
                  % (row["reader"], row["case"], row["extraOverSize"], args.max_ratio), file=sys.stderr)
        if over:
            sys.exit(1)


if __name__ == "__main__":
    main()
