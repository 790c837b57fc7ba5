import ArgumentParser
import Foundation
import Zhongcao

/// `recotrain`: train, serve and inspect Zhongcao feed models from the command line.
@main
struct RecoTrain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "recotrain",
    abstract: "Train and serve note-feed recommenders (implicit ALS on OpenBLAS).",
    discussion: """
      Start here (generates data, runs every step, writes report.html):
        recotrain demo --out demo/

      Typical session:
        recotrain generate --users 2000 --notes 1000 --interactions 50000 --out events.tsv
        recotrain train --interactions events.tsv --out feed.zcm
        recotrain recommend --model feed.zcm --count 20 --out feeds.tsv
        recotrain similar --model feed.zcm --note n00042
        recotrain evaluate --interactions events.tsv --compare als,ease,popularity
        recotrain tune --interactions events.tsv --out best.json
        recotrain trust scan --notes notes.jsonl --out flags.jsonl
        recotrain ads study --impressions impressions.tsv --out study.json --plot curve.svg
        recotrain spark export --interactions ratings.csv --out export/

      Errors go to stderr with a non-zero exit status. Set OPENBLAS_CORETYPE=Haswell in the \
      environment for faster small Cholesky solves on Zen 4 (results differ in the last bits).
      """,
    version: Zhongcao.version,
    subcommands: [DemoCommand.self, GenerateCommand.self, SplitCommand.self, TrainCommand.self, EvaluateCommand.self, TuneCommand.self, RecommendCommand.self, SimilarCommand.self, ExplainCommand.self, TrustCommand.self, AdsCommand.self, FeedsCommand.self, ReportCommand.self, SparkCommand.self])

  /// Runs the command line. A file-size limit (`ulimit -f`) would otherwise kill the process
  /// with SIGXFSZ mid-write and no word; ignored, the write fails with EFBIG and the error says so.
  static func main() {
    signal(SIGXFSZ, SIG_IGN)
    main(nil)
  }
}
