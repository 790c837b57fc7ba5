#!/usr/bin/env python3
"""Side-by-side benchmark: Zhongcao's `recotrain` against benfred/implicit's CPU ALS.

For every requested size this script

1. generates a synthetic note feed with `recotrain generate` (planted tastes, Zipf popularity),
2. aggregates repeated (user, note) pairs and makes a seeded per-user 80/20 holdout split
   (only users with >= 2 pairs get test items), writing train.tsv / test.tsv / test_users.txt,
3. trains and serves top-100 with Zhongcao (`recotrain train` / `recotrain recommend`),
4. trains and serves top-100 with implicit (AlternatingLeastSquares, CG, in a subprocess so
   that its peak RSS is its own),
5. evaluates both (and a popularity baseline) with one evaluator: NDCG@10, Recall@20,
   Precision@10, and writes Benchmarks/results/<size>.json.

Run it through Benchmarks/run.sh (builds recotrain in release mode first), or directly:

    python3 Benchmarks/compare_implicit.py --sizes small,medium --recotrain .build/release/recotrain
"""

import os

# BLAS must be single-threaded inside implicit's OpenMP workers (its README and
# implicit.utils.check_blas_config insist), and the variable is read when the library loads:
# set it before numpy or implicit is imported. Zhongcao's subprocesses get the caller's
# original environment instead, since recotrain manages its own BLAS threads.
ORIGINAL_ENVIRONMENT = dict(os.environ)
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse
import json
import math
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

SCRIPT_DIRECTORY = Path(__file__).resolve().parent
REPOSITORY_ROOT = SCRIPT_DIRECTORY.parent

SIZES = {
    "small": dict(users=2_000, notes=1_000, interactions=50_000),
    "medium": dict(users=50_000, notes=20_000, interactions=2_000_000),
    "large": dict(users=200_000, notes=100_000, interactions=10_000_000),
}

TOP_N = 100


class BenchmarkError(Exception):
    """A failure with a message meant for the person running the benchmark."""


# MARK: - Data preparation


def load_interactions(path, id_length=24):
    """Reads a `user note weight ...` TSV with a header; returns (users, notes, weights) arrays.
    Ids longer than `id_length` characters would be truncated; generated ids have 6 to 10."""
    table = np.loadtxt(
        path,
        dtype=[("user", f"U{id_length}"), ("note", f"U{id_length}"), ("weight", "f8")],
        delimiter="\t",
        skiprows=1,
        usecols=(0, 1, 2),
        comments=None,
        ndmin=1,
    )
    return table["user"], table["note"], table["weight"]


# Zhongcao's EventWeights.default, used to turn the generated file's event kinds into weights
# exactly as `recotrain train` does when it reads that file.
DEFAULT_EVENT_WEIGHTS = {
    "view": 1.0, "click": 1.0, "impression": 0.5, "like": 2.0, "collect": 4.0, "favorite": 4.0,
    "comment": 4.0, "share": 6.0, "follow": 4.0, "purchase": 10.0,
}


def load_generated(path, id_length=24):
    """Reads the `user note event timestamp` TSV of `recotrain generate`; returns (users, notes,
    weights) with each event kind mapped to its default weight."""
    table = np.loadtxt(
        path,
        dtype=[("user", f"U{id_length}"), ("note", f"U{id_length}"), ("event", "U16")],
        delimiter="\t",
        skiprows=1,
        usecols=(0, 1, 2),
        comments=None,
        ndmin=1,
    )
    kinds, kind_of_event = np.unique(table["event"], return_inverse=True)
    unknown = [kind for kind in kinds if kind.lower() not in DEFAULT_EVENT_WEIGHTS]
    if unknown:
        raise BenchmarkError(f"{path}: unknown event kinds {unknown}")
    weights = np.array([DEFAULT_EVENT_WEIGHTS[kind.lower()] for kind in kinds])[kind_of_event]
    return table["user"], table["note"], weights


def aggregate_pairs(users, notes, weights):
    """Sums repeated (user, note) pairs. Returns user ids, note ids, and per pair the user index,
    note index and summed weight, sorted by (user, note)."""
    user_ids, user_index = np.unique(users, return_inverse=True)
    note_ids, note_index = np.unique(notes, return_inverse=True)
    key = user_index.astype(np.int64) * len(note_ids) + note_index
    pair_keys, pair_of_event = np.unique(key, return_inverse=True)
    pair_weights = np.bincount(pair_of_event, weights=weights, minlength=len(pair_keys))
    return user_ids, note_ids, pair_keys // len(note_ids), pair_keys % len(note_ids), pair_weights


def holdout_split(pair_users, user_count, seed, test_fraction=0.2):
    """Seeded per-user random holdout: a user with n >= 2 pairs gets
    clamp(round(test_fraction * n), 1, n - 1) test pairs; others get none. Returns a mask."""
    rng = np.random.default_rng(seed)
    counts = np.bincount(pair_users, minlength=user_count)
    test_counts = np.where(counts >= 2, np.clip(np.floor(test_fraction * counts + 0.5), 1, counts - 1), 0)
    order = np.lexsort((rng.random(len(pair_users)), pair_users))  # by user, random within user
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.empty(len(pair_users), dtype=np.int64)
    rank[order] = np.arange(len(pair_users)) - starts[pair_users[order]]
    return rank < test_counts[pair_users]


def format_weight(weight):
    return str(int(weight)) if float(weight).is_integer() else repr(float(weight))


def write_pairs(path, user_ids, note_ids, users, notes, weights):
    with open(path, "w") as handle:
        handle.write("user\tnote\tweight\n")
        if np.all(weights == np.round(weights)):
            weight_text = weights.astype(np.int64).astype(str)
        else:
            weight_text = [format_weight(w) for w in weights]
        chunk = 1_000_000
        for start in range(0, len(users), chunk):
            end = min(start + chunk, len(users))
            handle.write(
                "".join(
                    f"{u}\t{n}\t{w}\n"
                    for u, n, w in zip(user_ids[users[start:end]], note_ids[notes[start:end]], weight_text[start:end])
                )
            )


def prepare(work, recotrain, size, arguments):
    """Generates the data and the split into `work`. Returns a description of the data."""
    spec = SIZES[size]
    generated = work / "interactions.tsv"
    command = [
        str(recotrain), "generate",
        "--users", str(spec["users"]), "--notes", str(spec["notes"]),
        "--interactions", str(spec["interactions"]), "--dimensions", str(arguments.dimensions),
        "--seed", str(arguments.seed), "--out", str(generated), "--truth", str(work / "truth.json"), "--quiet",
    ]
    if arguments.taste_strength is not None:
        command += ["--taste-strength", str(arguments.taste_strength)]
    started = time.perf_counter()
    run_checked(command, "recotrain generate", env=ORIGINAL_ENVIRONMENT)
    generate_seconds = time.perf_counter() - started

    started = time.perf_counter()
    users, notes, weights = load_generated(generated)
    user_ids, note_ids, pair_users, pair_notes, pair_weights = aggregate_pairs(users, notes, weights)
    test = holdout_split(pair_users, len(user_ids), arguments.seed)
    train = ~test
    write_pairs(work / "train.tsv", user_ids, note_ids, pair_users[train], pair_notes[train], pair_weights[train])
    write_pairs(work / "test.tsv", user_ids, note_ids, pair_users[test], pair_notes[test], pair_weights[test])
    test_user_ids = user_ids[np.unique(pair_users[test])]
    (work / "test_users.txt").write_text("".join(f"{u}\n" for u in test_user_ids))
    log(f"  data: {len(users):,} events, {len(pair_users):,} pairs, {int(train.sum()):,} train, "
        f"{int(test.sum()):,} test pairs for {len(test_user_ids):,} users "
        f"(generate {generate_seconds:.1f} s, split {time.perf_counter() - started:.1f} s)")
    return {
        "generator": spec | {"dimensions": arguments.dimensions, "seed": arguments.seed,
                             "tasteStrength": arguments.taste_strength},
        "generateSeconds": generate_seconds,
        "events": int(len(users)),
        "users": int(len(user_ids)),
        "notes": int(len(note_ids)),
        "pairs": int(len(pair_users)),
        "trainPairs": int(train.sum()),
        "testPairs": int(test.sum()),
        "testUsers": int(len(test_user_ids)),
    }


# MARK: - Running the two systems


def run_checked(command, what, env=None, capture=False):
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BenchmarkError(f"{what}: cannot run {command[0]}: {error}") from None
    if result.returncode != 0:
        raise BenchmarkError(
            f"{what} failed with exit code {result.returncode}:\n  {' '.join(command)}\n"
            + (result.stderr.strip() or result.stdout.strip())
        )
    return result


def parse_json_output(text, what):
    """The JSON object a command printed on stdout (the last line that parses, or the whole text)."""
    text = text.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    raise BenchmarkError(f"{what} printed no JSON object on stdout; got:\n{text[:2000]}")


def maximum_rss_bytes(time_output):
    """Peak RSS from `/usr/bin/time -v` output, or None."""
    match = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", time_output)
    return int(match.group(1)) * 1024 if match else None


def rss_from_json(report):
    for key in ("peakRSSBytes", "peakResidentBytes", "maxRSSBytes", "peakRSS"):
        if isinstance(report.get(key), (int, float)):
            return int(report[key])
    return None


def timed_command(command, what):
    """Runs `command` under /usr/bin/time -v when available. Returns (stdout JSON, peak RSS bytes)."""
    time_binary = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
    wrapped = [time_binary, "-v", *command] if time_binary else command
    result = run_checked(wrapped, what, env=ORIGINAL_ENVIRONMENT)
    report = parse_json_output(result.stdout, what)
    rss = maximum_rss_bytes(result.stderr) if time_binary else None
    return report, rss if rss is not None else rss_from_json(report)


def run_zhongcao(work, recotrain, arguments):
    train_report, train_rss = timed_command(
        [
            str(recotrain), "train", "--interactions", str(work / "train.tsv"), "--out", str(work / "model.zcm"),
            "--factors", str(arguments.factors), "--iterations", str(arguments.iterations),
            "--regularization", str(arguments.regularization), "--alpha", str(arguments.alpha),
            "--solver", "cg", "--cg-steps", "3", "--threads", str(arguments.threads), "--json",
        ],
        "recotrain train",
    )
    if "trainSeconds" not in train_report:
        raise BenchmarkError(f"recotrain train --json printed no \"trainSeconds\": {train_report}")
    recommend_report, recommend_rss = timed_command(
        [
            str(recotrain), "recommend", "--model", str(work / "model.zcm"), "--users", str(work / "test_users.txt"),
            "--count", str(TOP_N), "--out", str(work / "recs_zhongcao.tsv"), "--json",
        ],
        "recotrain recommend",
    )
    if "seconds" not in recommend_report:
        raise BenchmarkError(f"recotrain recommend --json printed no \"seconds\": {recommend_report}")
    return {
        "trainSeconds": float(train_report["trainSeconds"]),
        "top100Seconds": float(recommend_report["seconds"]),
        "trainPeakRSSBytes": train_rss,
        "recommendPeakRSSBytes": recommend_rss,
        "peakRSSBytes": max(filter(None, [train_rss, recommend_rss]), default=None),
        "trainReport": train_report,
        "recommendReport": recommend_report,
        "recommendations": str(work / "recs_zhongcao.tsv"),
    }


def run_implicit(work, arguments):
    """Runs the implicit half in a fresh interpreter (own RSS, BLAS pinned before numpy loads)."""
    environment = dict(ORIGINAL_ENVIRONMENT)
    environment["OPENBLAS_NUM_THREADS"] = "1"
    command = [
        sys.executable, str(Path(__file__).resolve()), "--implicit-worker", str(work),
        "--factors", str(arguments.factors), "--iterations", str(arguments.iterations),
        "--regularization", str(arguments.regularization), "--alpha", str(arguments.alpha),
        "--threads", str(arguments.threads), "--seed", str(arguments.seed),
    ]
    result = run_checked(command, "implicit worker", env=environment)
    report = parse_json_output(result.stdout, "implicit worker")
    report["recommendations"] = str(work / "recs_implicit.tsv")
    return report


def implicit_worker(work, arguments):
    """The implicit half, inside its own process. Prints one JSON object."""
    import gc

    import scipy.sparse as sparse
    import implicit
    import implicit.als

    users, notes, weights = load_interactions(work / "train.tsv")
    user_ids, user_rows = np.unique(users, return_inverse=True)
    note_ids, note_columns = np.unique(notes, return_inverse=True)
    # implicit's confidence is alpha_implicit * value; feeding 1 + alpha * w with alpha_implicit = 1
    # gives Hu et al.'s c = 1 + alpha * w, the problem recotrain solves.
    confidence = (1.0 + arguments.alpha * weights).astype(np.float32)
    user_items = sparse.csr_matrix((confidence, (user_rows, note_columns)), shape=(len(user_ids), len(note_ids)))
    user_items.sum_duplicates()
    user_items.sort_indices()
    del users, notes, weights, user_rows, note_columns, confidence
    gc.collect()

    row_of_user = {u: r for r, u in enumerate(user_ids)}
    test_users = (work / "test_users.txt").read_text().split()
    missing = [u for u in test_users if u not in row_of_user]
    if missing:
        raise BenchmarkError(f"{len(missing)} test users have no training pairs (e.g. {missing[0]})")
    test_rows = np.array([row_of_user[u] for u in test_users], dtype=np.int32)

    model = implicit.als.AlternatingLeastSquares(
        factors=arguments.factors, iterations=arguments.iterations, regularization=arguments.regularization,
        alpha=1.0, use_cg=True, use_gpu=False, num_threads=arguments.threads,
        calculate_training_loss=False, random_state=arguments.seed,
    )
    model_class = f"{type(model).__module__}.{type(model).__name__}"
    if type(model).__module__ != "implicit.cpu.als":
        raise BenchmarkError(f"expected implicit's CPU model implicit.cpu.als, got {model_class}")

    # Peak RSS of fit + recommend alone (the CSR matrix included, the text parsing above not):
    # Linux resets the high-water mark when "5" is written to /proc/self/clear_refs.
    loading_peak = peak_rss_bytes()
    peak_was_reset = reset_peak_rss()

    started = time.perf_counter()
    model.fit(user_items, show_progress=False)
    fit_seconds = time.perf_counter() - started

    started = time.perf_counter()
    ids, scores = model.recommend(test_rows, user_items[test_rows], N=TOP_N, filter_already_liked_items=True)
    recommend_seconds = time.perf_counter() - started
    model_peak = peak_rss_bytes() if peak_was_reset else None

    with open(work / "recs_implicit.tsv", "w") as handle:
        handle.write("user\tnote\trank\tscore\n")
        lines = []
        for position, user in enumerate(test_users):
            rank = 0
            for column, score in zip(ids[position], scores[position]):
                if column < 0 or not np.isfinite(score):
                    continue
                rank += 1
                lines.append(f"{user}\t{note_ids[column]}\t{rank}\t{score:.6g}\n")
        handle.write("".join(lines))

    blas = []
    try:
        import threadpoolctl

        blas = [
            {k: info.get(k) for k in ("internal_api", "num_threads", "architecture", "version")}
            for info in threadpoolctl.threadpool_info()
            if info.get("user_api") == "blas"
        ]
    except ImportError:
        pass
    report = {
        "trainSeconds": fit_seconds,
        "top100Seconds": recommend_seconds,
        # What the table compares: fit + recommend (falls back to the whole process).
        "peakRSSBytes": model_peak if model_peak is not None else peak_rss_bytes(),
        "fitRecommendPeakRSSBytes": model_peak,
        "processPeakRSSBytes": max(filter(None, [loading_peak, peak_rss_bytes()]), default=None),
        "model": model_class,
        "implicitVersion": implicit.__version__,
        "numpyVersion": np.__version__,
        "blas": blas,
        "trainMatrix": {"users": len(user_ids), "notes": len(note_ids), "pairs": int(user_items.nnz)},
    }
    print(json.dumps(report))


def peak_rss_bytes():
    """This process's peak RSS (VmHWM), falling back to getrusage."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


# MARK: - Evaluation


def load_recommendations(path):
    """user -> notes in rank order, from a `user note rank score` TSV with a header."""
    by_user = {}
    with open(path) as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if header[:3] != ["user", "note", "rank"]:
            raise BenchmarkError(f"{path}: expected the header user, note, rank, score; got {header}")
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3:
                continue
            by_user.setdefault(fields[0], []).append((int(fields[2]), fields[1]))
    return {user: [note for _, note in sorted(items)] for user, items in by_user.items()}


def load_sets(path):
    sets = {}
    users, notes, _ = load_interactions(path)
    for user, note in zip(users.tolist(), notes.tolist()):
        sets.setdefault(user, set()).add(note)
    return sets


def evaluate(recommendations, test, train):
    """NDCG@10 (binary gains, ideal over min(10, |test|)), Recall@20 (hits / min(20, |test|)) and
    Precision@10, averaged over all test users (a user without recommendations scores 0), plus
    sanity counts: recommended training items, duplicates, users with fewer than 10 items."""
    discounts = [1.0 / math.log2(position + 2) for position in range(20)]
    ndcg = recall = precision = 0.0
    seen_recommended = duplicates = short_lists = 0
    for user, relevant in test.items():
        ranked = recommendations.get(user, [])
        if len(ranked) < 10:
            short_lists += 1
        if len(set(ranked)) != len(ranked):
            duplicates += 1
        seen = train.get(user, set())
        seen_recommended += sum(1 for note in ranked if note in seen)
        hits = [note in relevant for note in ranked[:20]]
        dcg = sum(discounts[p] for p, hit in enumerate(hits[:10]) if hit)
        ideal = sum(discounts[:min(10, len(relevant))])
        ndcg += dcg / ideal
        recall += sum(hits) / min(20, len(relevant))
        precision += sum(hits[:10]) / 10
    count = max(1, len(test))
    return {
        "ndcg@10": ndcg / count,
        "recall@20": recall / count,
        "precision@10": precision / count,
        "users": len(test),
        "seenItemsRecommended": seen_recommended,
        "usersWithDuplicates": duplicates,
        "usersWithFewerThan10": short_lists,
    }


def popularity_recommendations(train, test_users):
    """The most popular notes (by number of training users) that each user has not seen."""
    counts = {}
    for notes in train.values():
        for note in notes:
            counts[note] = counts.get(note, 0) + 1
    ranking = sorted(counts, key=lambda note: (-counts[note], note))
    recommendations = {}
    for user in test_users:
        seen = train.get(user, set())
        picked = []
        for note in ranking:
            if note not in seen:
                picked.append(note)
                if len(picked) == TOP_N:
                    break
        recommendations[user] = picked
    return recommendations


# MARK: - Reporting


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def format_number(value, digits=3):
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def format_bytes(value):
    return "—" if value is None else f"{value / 2**20:.0f} MiB"


def print_table(size, data, systems, ratios):
    log(f"\n== {size}: {data['users']:,} users × {data['notes']:,} notes, {data['trainPairs']:,} train pairs, "
        f"{data['testUsers']:,} test users ==")
    header = f"{'system':<12} {'train s':>9} {'top-100 s':>10} {'peak RSS':>10} {'NDCG@10':>8} {'Recall@20':>10} {'P@10':>7}"
    log(header)
    log("-" * len(header))
    for name, result in systems.items():
        metrics = result.get("metrics", {})
        log(f"{name:<12} {format_number(result.get('trainSeconds'), 2):>9} {format_number(result.get('top100Seconds'), 2):>10} "
            f"{format_bytes(result.get('peakRSSBytes')):>10} {format_number(metrics.get('ndcg@10')):>8} "
            f"{format_number(metrics.get('recall@20')):>10} {format_number(metrics.get('precision@10')):>7}")
    if ratios:
        log("Zhongcao / implicit: " + ", ".join(f"{k} {format_number(v, 2)}" for k, v in ratios.items()))
    for name, result in systems.items():
        metrics = result.get("metrics", {})
        if metrics.get("seenItemsRecommended") or metrics.get("usersWithDuplicates"):
            log(f"warning: {name} recommended {metrics['seenItemsRecommended']} training items and has "
                f"{metrics['usersWithDuplicates']} users with duplicate notes")


def log(message):
    print(message, file=sys.stderr, flush=True)


# MARK: - Main


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="medium", help="comma-separated: small, medium, large (default medium)")
    parser.add_argument("--recotrain", default=str(REPOSITORY_ROOT / ".build/release/recotrain"),
                        help="path to the recotrain binary (default .build/release/recotrain)")
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--regularization", type=float, default=0.05)
    parser.add_argument("--alpha", type=float, default=1.0, help="confidence c = 1 + alpha * w")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dimensions", type=int, default=16, help="planted taste dimensions of the generator")
    parser.add_argument("--taste-strength", type=float, default=None, help="generator taste strength (default: its own)")
    parser.add_argument("--work-dir", default=None, help="where to put data and models (default: a temporary dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--skip-implicit", action="store_true", help="run only the Zhongcao half")
    parser.add_argument("--skip-zhongcao", action="store_true", help="run only the implicit half")
    parser.add_argument("--results-dir", default=str(SCRIPT_DIRECTORY / "results"))
    parser.add_argument("--implicit-worker", metavar="WORK_DIR", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    arguments.size_list = [s.strip() for s in arguments.sizes.split(",") if s.strip()]
    unknown = [s for s in arguments.size_list if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    if arguments.threads < 1:
        parser.error("--threads must be at least 1")
    return arguments


def benchmark(size, arguments, recotrain):
    if arguments.work_dir:
        work = Path(arguments.work_dir).resolve() / size
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix=f"zhongcao-bench-{size}-"))
    log(f"[{size}] work directory {work}")
    try:
        data = prepare(work, recotrain, size, arguments)
        train = load_sets(work / "train.tsv")
        test = load_sets(work / "test.tsv")
        systems = {}
        if not arguments.skip_zhongcao:
            log(f"[{size}] Zhongcao: train + top-{TOP_N}")
            systems["zhongcao"] = run_zhongcao(work, recotrain, arguments)
        if not arguments.skip_implicit:
            log(f"[{size}] implicit: fit + top-{TOP_N}")
            systems["implicit"] = run_implicit(work, arguments)
        for result in systems.values():
            result["metrics"] = evaluate(load_recommendations(result["recommendations"]), test, train)
        popularity = popularity_recommendations(train, test.keys())
        systems["popularity"] = {"metrics": evaluate(popularity, test, train)}

        ratios = {}
        if "zhongcao" in systems and "implicit" in systems:
            z, i = systems["zhongcao"], systems["implicit"]
            ratios = {
                "train time": ratio(z["trainSeconds"], i["trainSeconds"]),
                "top-100 time": ratio(z["top100Seconds"], i["top100Seconds"]),
                "peak RSS": ratio(z.get("peakRSSBytes"), i.get("peakRSSBytes")),
                "NDCG@10": ratio(z["metrics"]["ndcg@10"], i["metrics"]["ndcg@10"]),
            }
        print_table(size, data, systems, ratios)

        results = {
            "size": size,
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
            "settings": {
                "factors": arguments.factors, "iterations": arguments.iterations,
                "regularization": arguments.regularization, "alpha": arguments.alpha,
                "threads": arguments.threads, "seed": arguments.seed, "topN": TOP_N,
                "confidence": "1 + alpha * w (implicit given alpha=1.0 on that matrix)",
            },
            "data": data,
            "systems": {name: {k: v for k, v in result.items() if k != "recommendations"} for name, result in systems.items()},
            "ratiosZhongcaoOverImplicit": ratios,
        }
        results_dir = Path(arguments.results_dir)
        results_dir.mkdir(parents=True, exist_ok=True)
        (results_dir / f"{size}.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
        log(f"[{size}] results written to {results_dir / f'{size}.json'}")
        return results
    finally:
        if arguments.keep or arguments.work_dir:
            log(f"[{size}] kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv):
    arguments = parse_arguments(argv)
    if arguments.implicit_worker:
        implicit_worker(Path(arguments.implicit_worker), arguments)
        return 0
    recotrain = Path(arguments.recotrain).resolve()
    if not recotrain.is_file() or not os.access(recotrain, os.X_OK):
        raise BenchmarkError(
            f"recotrain binary not found at {recotrain}.\n"
            "Build it with `swift build -c release --product recotrain` from the repository root "
            "(or use Benchmarks/run.sh), or pass --recotrain PATH."
        )
    if not arguments.skip_implicit:
        probe = subprocess.run([sys.executable, "-c", "import implicit.cpu.als"], capture_output=True, text=True)
        if probe.returncode != 0:
            raise BenchmarkError("implicit is not importable (pip install implicit), or pass --skip-implicit.\n"
                                 + probe.stderr.strip())
    for size in arguments.size_list:
        benchmark(size, arguments, recotrain)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchmarkError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
