#!/usr/bin/env python3
"""Train Apache Spark MLlib ALS (implicitPrefs) on a Zhongcao Spark export.

    recotrain spark export --interactions ratings.csv --out export/
    spark-submit Tools/spark/train_als.py --export export/ --out factors/ \
        --rank 64 --reg 0.1 --alpha 2 --max-iter 15
    recotrain spark import --export export/ --factors factors/ --out feed.zcm

Reads export/interactions.csv (user,item,rating with dense 0-based int ids) and writes to --out:
  user_factors.csv, item_factors.csv   id,f0,...,f{k-1}, one row per id, sorted by id (one file each)
  training.json                        rank, regParam, alpha, maxIter, seed, sparkVersion, fitSeconds
  spark-model/                         Spark's own ALSModel.save output (for Spark users)
  recommendations.csv                  only with --recommend-users N: Spark's recommendForUserSubset
                                       for users 0..N-1, enough items to drop each user's seen items
                                       and keep --recommend-count (user,rank,item,score)

The factors are collected to the driver to be written as single sorted files; for very large
models raise --driver-memory (spark-submit) accordingly. Runs on a cluster with spark-submit
(--master yarn or k8s://...) and locally with --master 'local[*]' (the default when run with
plain python3).
"""

import argparse
import json
import os
import sys
import time


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", required=True, help="directory written by `recotrain spark export`")
    parser.add_argument("--out", required=True, help="directory for the factors (created)")
    parser.add_argument("--rank", type=int, default=10)
    parser.add_argument("--reg", type=float, default=0.1, help="regParam (lambda; Spark scales it by n_u)")
    parser.add_argument("--alpha", type=float, default=1.0, help="confidence 1 + alpha*|r|")
    parser.add_argument("--max-iter", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--blocks", type=int, default=0,
                        help="numUserBlocks = numItemBlocks (0: Spark's default parallelism)")
    parser.add_argument("--master", default=None,
                        help="Spark master when not set by spark-submit (default local[*])")
    parser.add_argument("--recommend-users", type=int, default=0,
                        help="dump Spark's recommendForUserSubset for users 0..N-1")
    parser.add_argument("--recommend-count", type=int, default=10,
                        help="recommendations per user left after removing seen items")
    return parser.parse_args(argv)


def write_factors(rows, rank, path):
    """rows: (id, features) collected from Spark; written sorted by id, atomically."""
    temporary = path + ".tmp"
    with open(temporary, "w") as out:
        out.write("id," + ",".join("f%d" % f for f in range(rank)) + "\n")
        for identifier, features in sorted(rows, key=lambda row: row[0]):
            out.write("%d,%s\n" % (identifier, ",".join(repr(float(v)) for v in features)))
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def main(argv):
    arguments = parse_arguments(argv)
    from pyspark.sql import SparkSession, functions as F
    from pyspark.sql.types import FloatType, IntegerType, StructField, StructType
    from pyspark.ml.recommendation import ALS

    from pyspark import SparkConf
    builder = SparkSession.builder.appName("zhongcao-als").config("spark.ui.showConsoleProgress", "false")
    if arguments.master:
        builder = builder.master(arguments.master)
    elif not SparkConf().contains("spark.master"):  # spark-submit sets it; plain python3 does not
        builder = builder.master("local[*]")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")

    with open(os.path.join(arguments.export, "manifest.json")) as handle:
        manifest = json.load(handle)
    schema = StructType([StructField("user", IntegerType(), False), StructField("item", IntegerType(), False),
                         StructField("rating", FloatType(), False)])
    ratings = spark.read.csv(os.path.join(arguments.export, "interactions.csv"), header=True, schema=schema)
    ratings = ratings.cache()
    count = ratings.count()
    if count != manifest["pairs"]:
        sys.exit("interactions.csv has %d rows but manifest.json says %d pairs" % (count, manifest["pairs"]))

    als = ALS(rank=arguments.rank, maxIter=arguments.max_iter, regParam=arguments.reg, alpha=arguments.alpha,
              implicitPrefs=True, userCol="user", itemCol="item", ratingCol="rating", seed=arguments.seed,
              nonnegative=False, coldStartStrategy="nan")
    if arguments.blocks > 0:
        als = als.setNumUserBlocks(arguments.blocks).setNumItemBlocks(arguments.blocks)
    start = time.perf_counter()
    model = als.fit(ratings)
    model.userFactors.count()  # factors are computed lazily; make sure the fit is really done
    fit_seconds = time.perf_counter() - start

    os.makedirs(arguments.out, exist_ok=True)
    write_factors(model.userFactors.collect(), arguments.rank, os.path.join(arguments.out, "user_factors.csv"))
    write_factors(model.itemFactors.collect(), arguments.rank, os.path.join(arguments.out, "item_factors.csv"))
    model.write().overwrite().save(os.path.join(arguments.out, "spark-model"))

    if arguments.recommend_users > 0:
        users = ratings.select("user").distinct().where(F.col("user") < arguments.recommend_users)
        seen = ratings.where(F.col("user") < arguments.recommend_users).groupBy("user").count()
        most_seen = seen.agg(F.max("count")).first()[0] or 0
        recommended = model.recommendForUserSubset(users, most_seen + arguments.recommend_count).collect()
        temporary = os.path.join(arguments.out, "recommendations.csv.tmp")
        with open(temporary, "w") as out:
            out.write("user,rank,item,score\n")
            for row in sorted(recommended, key=lambda row: row["user"]):
                for rank, entry in enumerate(row["recommendations"], start=1):
                    out.write("%d,%d,%d,%r\n" % (row["user"], rank, entry["item"], float(entry["rating"])))
        os.replace(temporary, os.path.join(arguments.out, "recommendations.csv"))

    training = {"rank": arguments.rank, "regParam": arguments.reg, "alpha": arguments.alpha,
                "maxIter": arguments.max_iter, "seed": arguments.seed, "sparkVersion": spark.version,
                "fitSeconds": fit_seconds, "dataHash": manifest["dataHash"]}
    temporary = os.path.join(arguments.out, "training.json.tmp")
    with open(temporary, "w") as out:
        json.dump(training, out, indent=2, sort_keys=True)
        out.write("\n")
    os.replace(temporary, os.path.join(arguments.out, "training.json"))
    print("Spark %s ALS: %d pairs, rank %d, %d iterations, fit %.2f s" %
          (spark.version, count, arguments.rank, arguments.max_iter, fit_seconds), file=sys.stderr)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
