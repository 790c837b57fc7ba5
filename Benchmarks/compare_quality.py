#!/usr/bin/env python3
"""Quality comparison on MovieLens: implicit's ALS against Zhongcao's ALS, EASE, item-kNN and popularity.

One run, on one split that every model sees:

1. `recotrain split` makes the test split of ratings.csv (per-user holdout 0.2, seed 42) into
   train.tsv / test.tsv, and carves the validation split from train.tsv the same way
   (inner.tsv / valid.tsv, holdout 0.2, seed 42). test.tsv is never used for tuning.
2. Zhongcao, all through the CLI: `recotrain evaluate --train --test --json` for the default
   ALS, item-kNN and popularity; `recotrain tune --interactions train.tsv` over the ALS grid
   (factors × λ × alpha) and the EASE grid (λ), then `recotrain evaluate --config best.json`.
   Metrics and training seconds are read from evaluate's JSON.
3. implicit 0.7.3 (`AlternatingLeastSquares`, CPU, conjugate gradient), in this process with
   `OPENBLAS_NUM_THREADS=1`: with its own defaults (factors 100, λ 0.01, alpha 1, 15
   iterations) and tuned over the same grid on inner.tsv / valid.tsv, then refitted on train.tsv.
4. implicit's top-100 lists are scored by `score()` below, a Python copy of Zhongcao's evaluator
   (`RankingMetrics`) for the reported metrics.

Ratings as implicit feedback. `recotrain` reads MovieLens' `rating` column as the event weight
w (0.5 … 5), sums repeated (user, movie) pairs, and ALS uses the confidence c = 1 + alpha·w.
implicit's `fit` takes the confidence matrix itself and multiplies it by its own `alpha`
(`Cui = alpha * user_items`; its loss uses c − 1 for observed pairs, 1 for the others). So
implicit is given the CSR matrix 1 + A·w with `alpha=1.0`: the same Hu et al. problem as
`recotrain --alpha A`. "implicit defaults" therefore means A = 1 (implicit's default alpha)
on 1 + w. A second, informational row feeds the raw ratings (c = w, what `fit(ratings)` does
out of the box; ratings below 1 then get a negative c − 1).

The evaluator is checked in every run: each Zhongcao model is also trained with
`recotrain train` (same settings, same seed) and served with `recotrain recommend --count 100`,
its lists go through `score()`, and every reported metric must equal `recotrain evaluate`'s to
1e-6, or the run fails (on 2026-11-30 the largest difference was exactly 0). Likewise
`recotrain tune`'s validation carve is checked to be `recotrain split`'s: the best candidate,
evaluated on inner.tsv / valid.tsv, must reproduce its tune score to 1e-9.

Run it directly (recotrain must be built in release mode first):

    python3 Benchmarks/compare_quality.py --recotrain .build/release/recotrain
"""

# compare_implicit sets OPENBLAS_NUM_THREADS=1 before numpy loads and keeps the caller's
# environment for the recotrain subprocesses: import it before anything imports numpy.
import compare_implicit as shared  # noqa: I001 (must come first)

import argparse
import hashlib
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

BenchmarkError = shared.BenchmarkError
log = shared.log

SCRIPT_DIRECTORY = Path(__file__).resolve().parent
REPOSITORY_ROOT = SCRIPT_DIRECTORY.parent
DEFAULT_RATINGS = REPOSITORY_ROOT.parent / "shared" / "data" / "movielens-latest-small" / "ratings.csv"

TOP_N = 100
# The metrics of the table: name in recotrain's JSON -> column title.
METRICS = {
    "ndcg@10": "NDCG@10",
    "precision@10": "P@10",
    "recallTruncated@20": "R@20",
    "ndcg@100": "NDCG@100",
    "coverage@10": "cov@10",
}
# Tolerance of the evaluator check (see the module docstring).
EVALUATOR_TOLERANCE = 1e-6
CARVE_TOLERANCE = 1e-9
IMPLICIT_DEFAULTS = {"factors": 100, "regularization": 0.01, "alpha": 1.0, "iterations": 15}


# MARK: - Data


class Split:
    """A predefined split as `recotrain evaluate --train --test` sees it (DataSplit(train:test:)):
    the training pairs (weights summed per pair), and per test user, in order of first appearance
    in the test file, the test notes that are training notes and not among the user's own
    training notes. Test users unknown to training are dropped."""

    def __init__(self, train_path, test_path):
        users, notes, weights = shared.load_interactions(train_path)
        (self.user_ids, self.note_ids, self.pair_users, self.pair_notes,
         self.pair_weights) = shared.aggregate_pairs(users, notes, weights)
        self.row_of_user = {user: row for row, user in enumerate(self.user_ids.tolist())}
        self.note_list = self.note_ids.tolist()
        self.column_of_note = {note: column for column, note in enumerate(self.note_list)}
        self.seen = {}
        for row, column in zip(self.pair_users.tolist(), self.pair_notes.tolist()):
            self.seen.setdefault(row, set()).add(column)

        test_users, test_notes, _ = shared.load_interactions(test_path)
        self.relevant = {}  # user id -> set of note ids; dict order = test order
        for user, note in zip(test_users.tolist(), test_notes.tolist()):
            row = self.row_of_user.get(user)
            column = self.column_of_note.get(note)
            if row is None or column is None or column in self.seen[row]:
                continue
            self.relevant.setdefault(user, set()).add(note)
        self.test_users = list(self.relevant)

    @property
    def catalog_size(self):
        return len(self.note_ids)

    def confidence_matrix(self, alpha, raw=False):
        """users × notes CSR (float32): 1 + alpha·w, or the summed weights w themselves."""
        import scipy.sparse

        values = self.pair_weights if raw else 1.0 + alpha * self.pair_weights
        matrix = scipy.sparse.csr_matrix(
            (values.astype(np.float32), (self.pair_users, self.pair_notes)),
            shape=(len(self.user_ids), len(self.note_ids)), dtype=np.float32)
        matrix.sum_duplicates()
        matrix.sort_indices()
        return matrix

    def counts(self):
        return {
            "users": int(len(self.user_ids)), "notes": int(len(self.note_ids)),
            "trainPairs": int(len(self.pair_users)), "testUsers": len(self.test_users),
            "testPairs": int(sum(len(notes) for notes in self.relevant.values())),
        }


# MARK: - The evaluator


def score(recommendations, split, per_user=False):
    """Zhongcao's `RankingMetrics`, for the metrics of the table. `recommendations`: user id ->
    note ids, best first (seen notes excluded). Means over the split's test users (a user without
    a list scores 0), with T the user's relevant set and hits counted once per note:

    - ndcg@K = Σ_{r ≤ K, hit} 1/log₂(r + 1) / Σ_{r ≤ min(K, |T|)} 1/log₂(r + 1);
    - precision@K = hits@K / K, also when a list is shorter than K;
    - recallTruncated@K = hits@K / min(K, |T|) (Liang et al. 2018);
    - coverage@K = distinct training notes in the top-K lists / number of training notes.

    With `per_user`, also returns the per-user NDCG@10 (in test-user order)."""
    discounts = [0.0] + [1.0 / math.log2(r + 1) for r in range(1, TOP_N + 1)]
    ideal = np.cumsum(discounts).tolist()
    sums = {name: 0.0 for name in ("ndcg@10", "precision@10", "recallTruncated@20", "ndcg@100")}
    listed_top10 = set()
    seen_recommended = duplicates = short_lists = 0
    per_user_ndcg = []
    for user in split.test_users:
        relevant = split.relevant[user]
        ranked = recommendations.get(user, [])[:TOP_N]
        if len(ranked) < 10:
            short_lists += 1
        if len(set(ranked)) != len(ranked):
            duplicates += 1
        seen = split.seen.get(split.row_of_user[user], set())
        seen_recommended += sum(1 for note in ranked if split.column_of_note.get(note, -1) in seen)
        listed_top10.update(note for note in ranked[:10] if note in split.column_of_note)
        hit_ranks = []
        remaining = set(relevant)
        for rank, note in enumerate(ranked, start=1):
            if note in remaining:
                remaining.discard(note)
                hit_ranks.append(rank)
        dcg10 = sum(discounts[r] for r in hit_ranks if r <= 10)
        dcg100 = sum(discounts[r] for r in hit_ranks if r <= 100)
        ndcg10 = dcg10 / ideal[min(10, len(relevant))]
        per_user_ndcg.append(ndcg10)
        sums["ndcg@10"] += ndcg10
        sums["ndcg@100"] += dcg100 / ideal[min(100, len(relevant))]
        sums["precision@10"] += sum(1 for r in hit_ranks if r <= 10) / 10
        sums["recallTruncated@20"] += sum(1 for r in hit_ranks if r <= 20) / min(20, len(relevant))
    count = max(1, len(split.test_users))
    metrics = {name: value / count for name, value in sums.items()}
    metrics["coverage@10"] = len(listed_top10) / split.catalog_size
    metrics = {name: float(value) for name, value in metrics.items()}
    metrics["sanity"] = {"users": len(split.test_users), "seenItemsRecommended": seen_recommended,
                         "usersWithDuplicates": duplicates, "usersWithFewerThan10": short_lists}
    return (metrics, np.array(per_user_ndcg)) if per_user else metrics


def ndcg_at(recommendations, split, k):
    """Mean NDCG@k alone (the tuning metric)."""
    total = 0.0
    for user in split.test_users:
        relevant = split.relevant[user]
        dcg = sum(1.0 / math.log2(r + 1) for r, note in enumerate(recommendations.get(user, [])[:k], start=1)
                  if note in relevant)
        total += dcg / sum(1.0 / math.log2(r + 1) for r in range(1, min(k, len(relevant)) + 1))
    return total / max(1, len(split.test_users))


# MARK: - Zhongcao, through the CLI


class Recotrain:
    def __init__(self, binary, threads, work, seed):
        self.binary = str(binary)
        self.threads = threads
        self.work = work
        self.seed = seed

    def run(self, arguments, what):
        started = time.perf_counter()
        result = shared.run_checked([self.binary, *arguments], what, env=shared.ORIGINAL_ENVIRONMENT)
        return result, time.perf_counter() - started

    def split(self, source, train_out, test_out, seed):
        result, _ = self.run(["split", "--interactions", str(source), "--split", "holdout:0.2", "--seed", str(seed),
                              "--train-out", str(train_out), "--test-out", str(test_out)], "recotrain split")
        return result.stderr.strip()

    def evaluate(self, model_arguments, train="train.tsv", test="test.tsv", extra=()):
        """Runs `recotrain evaluate --json`; returns its models as a list of dicts."""
        result, _ = self.run(["evaluate", "--train", str(self.work / train), "--test", str(self.work / test),
                              *model_arguments, "--threads", str(self.threads), "--json", "--quiet", *extra],
                             "recotrain evaluate")
        return shared.parse_json_output(result.stdout, "recotrain evaluate")["models"]

    def tune(self, model, grid, out):
        """Runs `recotrain tune` on train.tsv; returns (its JSON, wall seconds)."""
        result, seconds = self.run(["tune", "--interactions", str(self.work / "train.tsv"), "--validation", "holdout:0.2",
                                    "--seed", str(self.seed), "--model", model, *grid, "--out", str(self.work / out),
                                    "--threads", str(self.threads), "--json", "--quiet"], f"recotrain tune --model {model}")
        return shared.parse_json_output(result.stdout, "recotrain tune"), seconds

    def train_and_recommend(self, model_arguments, name):
        """`recotrain train` + `recotrain recommend --count 100` for the test users; returns the lists."""
        model = self.work / f"{name}.zcm"
        recommendations = self.work / f"recs_{name}.tsv"
        self.run(["train", "--interactions", str(self.work / "train.tsv"), "--out", str(model), *model_arguments,
                  "--threads", str(self.threads), "--quiet"], "recotrain train")
        self.run(["recommend", "--model", str(model), "--users", str(self.work / "test_users.txt"), "--count", str(TOP_N),
                  "--threads", str(self.threads), "--out", str(recommendations), "--quiet"], "recotrain recommend")
        return shared.load_recommendations(recommendations)


def evaluated_metrics(model):
    """The table's metrics from one model of `recotrain evaluate --json`."""
    metrics = {name: model["metrics"][name]["mean"] for name in METRICS if name in model["metrics"]}
    metrics["coverage@10"] = model["beyondAccuracy"]["coverage@10"]
    metrics["ndcg@10 interval"] = [model["metrics"]["ndcg@10"].get("low"), model["metrics"]["ndcg@10"].get("high")]
    return metrics


def check_evaluator(name, evaluated, recomputed):
    """The Python evaluator must reproduce recotrain evaluate's numbers; returns the largest gap."""
    gaps = {metric: abs(evaluated[metric] - recomputed[metric]) for metric in METRICS}
    worst = max(gaps.values())
    if worst > EVALUATOR_TOLERANCE:
        raise BenchmarkError(
            f"the Python evaluator disagrees with recotrain evaluate on {name}: "
            + ", ".join(f"{m} {evaluated[m]:.9f} vs {recomputed[m]:.9f}" for m in METRICS))
    return worst


def run_zhongcao(recotrain, split, grid, timings):
    systems, checks = {}, {}

    log("[zhongcao] evaluate: default ALS, item-kNN, popularity")
    started = time.perf_counter()
    defaults = recotrain.evaluate(["--compare", "als,itemknn,popularity"])
    timings["zhongcaoDefaults"] = time.perf_counter() - started
    names = {"als": "ours ALS default", "itemknn": "ours item-kNN default", "popularity": "ours popularity"}
    arguments = {"als": ["--model", "als"], "itemknn": ["--model", "itemknn"], "popularity": ["--model", "popularity"]}
    evaluated = {}
    for model in defaults:
        evaluated[names[model["kind"]]] = (model, arguments[model["kind"]])

    log(f"[zhongcao] tune ALS: {len(grid['factors']) * len(grid['regularization']) * len(grid['alpha'])} candidates")
    als_tune, seconds = recotrain.tune("als", [
        "--factors", ",".join(map(str, grid["factors"])),
        "--regularization", ",".join(map(format_value, grid["regularization"])),
        "--alpha", ",".join(map(format_value, grid["alpha"]))], "best_als.json")
    timings["zhongcaoTuneALS"] = seconds
    log(f"[zhongcao] tune EASE: {len(grid['ease'])} candidates")
    ease_tune, seconds = recotrain.tune("ease", ["--regularization", ",".join(map(format_value, grid["ease"]))],
                                        "best_ease.json")
    timings["zhongcaoTuneEASE"] = seconds

    log("[zhongcao] evaluate the tuned ALS and EASE")
    for name, config in (("ours ALS tuned", "best_als.json"), ("ours EASE tuned", "best_ease.json")):
        (model,) = recotrain.evaluate(["--config", str(recotrain.work / config)])
        evaluated[name] = (model, ["--config", str(recotrain.work / config)])

    # tune's own validation carve is `recotrain split` on train.tsv with the same seed: the best
    # candidate evaluated on inner.tsv / valid.tsv must reproduce its tune score.
    (carved,) = recotrain.evaluate(["--config", str(recotrain.work / "best_als.json")], train="inner.tsv",
                                   test="valid.tsv", extra=["--k", "10", "--bootstrap", "0"])
    tune_score = als_tune["leaderboard"][0]["score"]
    carve_gap = abs(carved["metrics"]["ndcg@10"]["mean"] - tune_score)
    checks["tuneCarveIsRecotrainSplit"] = {"tuneScore": tune_score, "splitScore": carved["metrics"]["ndcg@10"]["mean"],
                                           "gap": carve_gap, "same": bool(carve_gap <= CARVE_TOLERANCE)}
    if carve_gap <= CARVE_TOLERANCE:
        log(f"[zhongcao] tune's validation carve = recotrain split's on train.tsv (best ALS: NDCG@10 {tune_score:.6f} "
            f"in both, gap {carve_gap:.1e})")
    else:
        log(f"warning: recotrain tune's validation carve is not recotrain split's (NDCG@10 {tune_score:.6f} in tune, "
            f"{carved['metrics']['ndcg@10']['mean']:.6f} on inner.tsv/valid.tsv); implicit uses recotrain split's")

    log("[zhongcao] check the Python evaluator: recotrain train + recommend, scored in Python")
    per_user = {}
    worst = 0.0
    for name, (model, model_arguments) in evaluated.items():
        lists = recotrain.train_and_recommend(model_arguments, name.replace(" ", "_"))
        recomputed, per_user[name] = score(lists, split, per_user=True)
        metrics = evaluated_metrics(model)
        worst = max(worst, check_evaluator(name, metrics, recomputed))
        systems[name] = {
            "settings": model["settings"], "summary": model["summary"], "metrics": metrics,
            "trainSeconds": model["trainSeconds"], "rankSeconds": model["rankSeconds"],
            "sanity": recomputed["sanity"],
        }
    checks["evaluatorLargestGap"] = worst
    log(f"[zhongcao] Python evaluator = recotrain evaluate on {len(evaluated)} models (largest gap {worst:.1e})")
    systems["ours ALS tuned"]["validationNDCG@10"] = tune_score
    systems["ours EASE tuned"]["validationNDCG@10"] = ease_tune["leaderboard"][0]["score"]
    leaderboards = {"als": als_tune["leaderboard"], "ease": ease_tune["leaderboard"]}
    return systems, per_user, checks, leaderboards


# MARK: - implicit


def fit_implicit(train, *, factors, regularization, alpha, iterations, threads, seed, raw=False, implicit_alpha=1.0):
    """Fits implicit's ALS on the matrix 1 + alpha·w (or w) of `train`; returns (model, matrix, fit seconds)."""
    import implicit

    matrix = train.confidence_matrix(alpha, raw=raw)
    model = implicit.als.AlternatingLeastSquares(
        factors=factors, regularization=regularization, alpha=implicit_alpha, iterations=iterations,
        use_cg=True, use_gpu=False, num_threads=threads, calculate_training_loss=False, random_state=seed)
    if type(model).__module__ != "implicit.cpu.als":
        raise BenchmarkError(f"expected implicit's CPU model implicit.cpu.als, got {type(model).__module__}")
    started = time.perf_counter()
    model.fit(matrix, show_progress=False)
    return model, matrix, time.perf_counter() - started


def recommend_implicit(model, matrix, split, count):
    """Top-`count` lists (seen notes filtered) for the split's test users, as note ids."""
    rows = np.array([split.row_of_user[user] for user in split.test_users], dtype=np.int32)
    ids, scores = model.recommend(rows, matrix[rows], N=count, filter_already_liked_items=True)
    lists = {}
    for position, user in enumerate(split.test_users):
        lists[user] = [split.note_list[column] for column, value in zip(ids[position], scores[position])
                       if column >= 0 and np.isfinite(value)]
    return lists


def run_implicit(test_split, validation_split, grid, threads, seed, timings):
    import implicit
    import implicit.als

    probe = implicit.als.AlternatingLeastSquares()
    defaults = {name: getattr(probe, name) for name in IMPLICIT_DEFAULTS}
    if defaults != IMPLICIT_DEFAULTS:
        log(f"note: implicit {implicit.__version__}'s defaults are {defaults}, not {IMPLICIT_DEFAULTS}; using its own")
    systems, per_user = {}, {}

    def record(name, settings, model, matrix, fit_seconds, description):
        lists = recommend_implicit(model, matrix, test_split, TOP_N)
        metrics, per_user[name] = score(lists, test_split, per_user=True)
        systems[name] = {"settings": settings, "summary": description, "trainSeconds": fit_seconds,
                         "metrics": {m: metrics[m] for m in METRICS}, "sanity": metrics["sanity"]}

    log("[implicit] defaults on 1 + w")
    settings = dict(defaults, confidence="1 + alpha*w given to fit, implicit alpha 1.0", implicitAlpha=1.0)
    model, matrix, seconds = fit_implicit(test_split, factors=defaults["factors"], regularization=defaults["regularization"],
                                          alpha=defaults["alpha"], iterations=defaults["iterations"], threads=threads, seed=seed)
    record("implicit ALS default", settings, model, matrix, seconds,
           f"implicit ALS, {defaults['factors']} factors, λ {defaults['regularization']}, alpha {defaults['alpha']} (c = 1 + w)")

    log("[implicit] defaults on the raw ratings")
    settings = dict(defaults, confidence="raw w given to fit (c = alpha*w)", implicitAlpha=defaults["alpha"])
    model, matrix, seconds = fit_implicit(test_split, factors=defaults["factors"], regularization=defaults["regularization"],
                                          alpha=0.0, iterations=defaults["iterations"], threads=threads, seed=seed, raw=True,
                                          implicit_alpha=defaults["alpha"])
    record("implicit ALS default, raw w", settings, model, matrix, seconds,
           f"implicit ALS, {defaults['factors']} factors, λ {defaults['regularization']}, c = w (raw ratings)")

    candidates = [(f, r, a) for f in grid["factors"] for r in grid["regularization"] for a in grid["alpha"]]
    log(f"[implicit] tune on inner.tsv / valid.tsv: {len(candidates)} candidates")
    leaderboard = []
    started = time.perf_counter()
    for number, (factors, regularization, alpha) in enumerate(candidates, start=1):
        model, matrix, seconds = fit_implicit(validation_split, factors=factors, regularization=regularization, alpha=alpha,
                                              iterations=defaults["iterations"], threads=threads, seed=seed)
        validation = ndcg_at(recommend_implicit(model, matrix, validation_split, 10), validation_split, 10)
        leaderboard.append({"factors": factors, "regularization": regularization, "alpha": alpha,
                            "score": validation, "trainSeconds": seconds})
        if number % 8 == 0 or number == len(candidates):
            log(f"  {number}/{len(candidates)}, best NDCG@10 {max(e['score'] for e in leaderboard):.4f}")
    timings["implicitTune"] = time.perf_counter() - started
    # Best first; ties keep grid order, as recotrain tune does.
    leaderboard = [entry for _, entry in sorted(enumerate(leaderboard), key=lambda pair: (-pair[1]["score"], pair[0]))]
    best = leaderboard[0]
    model, matrix, seconds = fit_implicit(test_split, factors=best["factors"], regularization=best["regularization"],
                                          alpha=best["alpha"], iterations=defaults["iterations"], threads=threads, seed=seed)
    settings = {"factors": best["factors"], "regularization": best["regularization"], "alpha": best["alpha"],
                "iterations": defaults["iterations"], "implicitAlpha": 1.0, "confidence": "1 + alpha*w given to fit"}
    record("implicit ALS tuned", settings, model, matrix, seconds,
           f"implicit ALS, {best['factors']} factors, λ {format_value(best['regularization'])}, "
           f"alpha {format_value(best['alpha'])}")
    systems["implicit ALS tuned"]["validationNDCG@10"] = best["score"]
    return systems, per_user, leaderboard, implicit.__version__


# MARK: - Reporting


def format_value(value):
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def paired_ratio_interval(numerator, denominator, seed, samples=1000):
    """95% percentile interval of mean(numerator) / mean(denominator), users resampled together."""
    generator = np.random.default_rng(seed)
    count = len(numerator)
    picks = generator.integers(0, count, size=(samples, count))
    ratios = numerator[picks].mean(axis=1) / denominator[picks].mean(axis=1)
    return [float(np.percentile(ratios, 2.5)), float(np.percentile(ratios, 97.5))]


def print_table(systems, data):
    log(f"\n== MovieLens latest-small, ratings as implicit feedback: {data['users']} users × {data['notes']} "
        f"training notes, {data['trainPairs']:,} train pairs, {data['testPairs']:,} test pairs ==")
    header = (f"{'model':<30} " + " ".join(f"{title:>8}" for title in METRICS.values())
              + f" {'train s':>8} {'valid':>7}  settings")
    log(header)
    log("-" * len(header))
    for name, system in systems.items():
        metrics = system["metrics"]
        cells = " ".join(f"{metrics[m]:>8.4f}" for m in METRICS)
        validation = system.get("validationNDCG@10")
        log(f"{name:<30} {cells} {system['trainSeconds']:>8.2f} "
            f"{(f'{validation:.4f}' if validation is not None else '—'):>7}  {system['summary']}")
    log("(R@20 = hits in the top 20 / min(20, |T|); valid = NDCG@10 on the validation carve of train.tsv, tuned rows only)")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recotrain", default=str(REPOSITORY_ROOT / ".build/release/recotrain"),
                        help="path to the recotrain binary (default .build/release/recotrain)")
    parser.add_argument("--ratings", default=str(DEFAULT_RATINGS),
                        help="MovieLens ratings.csv (default ../shared/data/movielens-latest-small/ratings.csv)")
    parser.add_argument("--factors", default="64,128,256", help="ALS grid, both systems")
    parser.add_argument("--regularization", default="10,30,50,100", help="ALS grid, both systems")
    parser.add_argument("--alpha", default="0.5,1,2,4", help="ALS grid, both systems: c = 1 + alpha·w")
    parser.add_argument("--ease-regularization", default="100,200,500,1000", help="EASE grid")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=42, help="split, validation carve and implicit's initialisation")
    parser.add_argument("--work-dir", default=None, help="where to put splits, models and lists (default: a temporary dir)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    parser.add_argument("--results", default=str(SCRIPT_DIRECTORY / "results" / "quality-movielens.json"))
    arguments = parser.parse_args(argv)

    def numbers(text, kind):
        try:
            return [kind(part) for part in text.split(",") if part.strip()]
        except ValueError:
            parser.error(f"expected comma-separated numbers, got '{text}'")

    grid = {"factors": numbers(arguments.factors, int), "regularization": numbers(arguments.regularization, float),
            "alpha": numbers(arguments.alpha, float), "ease": numbers(arguments.ease_regularization, float)}

    binary = Path(arguments.recotrain).resolve()
    if not binary.is_file() or not os.access(binary, os.X_OK):
        raise BenchmarkError(f"recotrain binary not found at {binary}.\nBuild it with `swift build -c release --product "
                             "recotrain` from the repository root, or pass --recotrain PATH.")
    ratings = Path(arguments.ratings).resolve()
    if not ratings.is_file():
        raise BenchmarkError(f"ratings file not found at {ratings}; pass --ratings PATH")
    try:
        import implicit.cpu.als  # noqa: F401
    except ImportError as error:
        raise BenchmarkError(f"implicit is not importable (pip install implicit): {error}") from None

    if arguments.work_dir:
        work = Path(arguments.work_dir).resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="zhongcao-quality-"))
    log(f"work directory {work}")
    load_before = os.getloadavg()
    started = time.perf_counter()
    timings = {}
    try:
        recotrain = Recotrain(binary, arguments.threads, work, arguments.seed)
        log("split: " + recotrain.split(ratings, work / "train.tsv", work / "test.tsv", arguments.seed))
        log("validation carve: " + recotrain.split(work / "train.tsv", work / "inner.tsv", work / "valid.tsv", arguments.seed))
        test_split = Split(work / "train.tsv", work / "test.tsv")
        validation_split = Split(work / "inner.tsv", work / "valid.tsv")
        (work / "test_users.txt").write_text("".join(f"{user}\n" for user in test_split.test_users))

        ours, ours_per_user, checks, our_leaderboards = run_zhongcao(recotrain, test_split, grid, timings)
        theirs, their_per_user, their_leaderboard, implicit_version = run_implicit(
            test_split, validation_split, grid, arguments.threads, arguments.seed, timings)
        systems = {**ours, **theirs}
        per_user = {**ours_per_user, **their_per_user}
        order = ["ours ALS default", "ours ALS tuned", "ours EASE tuned", "ours item-kNN default", "ours popularity",
                 "implicit ALS default", "implicit ALS default, raw w", "implicit ALS tuned"]
        systems = {name: systems[name] for name in order}

        def ndcg(name):
            return systems[name]["metrics"]["ndcg@10"]

        def pair(a, b):
            return {"ratio": shared.ratio(ndcg(a), ndcg(b)),
                    "interval95": paired_ratio_interval(per_user[a], per_user[b], arguments.seed)}

        ratios = {
            "NDCG@10 ours default / implicit default": pair("ours ALS default", "implicit ALS default"),
            "NDCG@10 ours default / implicit default on raw w": pair("ours ALS default", "implicit ALS default, raw w"),
            "NDCG@10 ours tuned ALS / ours EASE": pair("ours ALS tuned", "ours EASE tuned"),
            "NDCG@10 ours tuned ALS / implicit tuned": pair("ours ALS tuned", "implicit ALS tuned"),
            "train s ours default / implicit default": {"ratio": shared.ratio(
                systems["ours ALS default"]["trainSeconds"], systems["implicit ALS default"]["trainSeconds"])},
            "train s ours tuned / implicit tuned": {"ratio": shared.ratio(
                systems["ours ALS tuned"]["trainSeconds"], systems["implicit ALS tuned"]["trainSeconds"])},
            "tuning wall s ours ALS / implicit": {"ratio": shared.ratio(timings["zhongcaoTuneALS"], timings["implicitTune"])},
        }
        done_when = {
            "ours default ALS NDCG@10 >= implicit default": bool(ndcg("ours ALS default") >= ndcg("implicit ALS default")),
            "ours tuned ALS NDCG@10 >= 0.97 × ours EASE": bool(ndcg("ours ALS tuned") >= 0.97 * ndcg("ours EASE tuned")),
        }

        print_table(systems, test_split.counts())
        log("")
        for name, value in ratios.items():
            interval = value.get("interval95")
            log(f"{name:<48} {value['ratio']:.3f}"
                + (f"  (paired bootstrap 95%: {interval[0]:.3f}–{interval[1]:.3f})" if interval else ""))
        log("")
        for condition, holds in done_when.items():
            log(f"{'PASS' if holds else 'FAIL'}  {condition}")
        for name, system in systems.items():
            sanity = system["sanity"]
            if sanity["seenItemsRecommended"] or sanity["usersWithDuplicates"] or sanity["usersWithFewerThan10"]:
                log(f"warning: {name}: {sanity}")
        total = time.perf_counter() - started
        load_after = os.getloadavg()
        log(f"\ntotal {total:.0f} s (zhongcao tune ALS {timings['zhongcaoTuneALS']:.0f} s, EASE "
            f"{timings['zhongcaoTuneEASE']:.0f} s; implicit tune {timings['implicitTune']:.0f} s); load average "
            f"{load_before[0]:.2f} before, {load_after[0]:.2f} after")

        results = {
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                        "loadAverageBefore": load_before, "loadAverageAfter": load_after},
            "data": {"ratings": str(ratings), "md5": hashlib.md5(ratings.read_bytes()).hexdigest(),
                     "split": "holdout:0.2", "seed": arguments.seed, **test_split.counts(),
                     "validation": {"split": "holdout:0.2 of train.tsv", "seed": arguments.seed,
                                    **validation_split.counts()}},
            "settings": {"threads": arguments.threads, "topN": TOP_N, "grid": grid, "implicitVersion": implicit_version,
                         "confidence": "ALS c = 1 + alpha*w, w = the rating; implicit gets the matrix 1 + alpha*w "
                                       "with its alpha = 1.0"},
            "systems": systems,
            "ratios": ratios,
            "doneWhen": done_when,
            "checks": checks,
            "tuning": {"zhongcaoALS": our_leaderboards["als"], "zhongcaoEASE": our_leaderboards["ease"],
                       "implicitALS": their_leaderboard},
            "seconds": dict(timings, total=total),
        }
        results_path = Path(arguments.results)
        results_path.parent.mkdir(parents=True, exist_ok=True)
        results_path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
        log(f"results written to {results_path}")
        return 0
    finally:
        if arguments.keep or arguments.work_dir:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchmarkError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
