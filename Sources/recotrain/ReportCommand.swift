import ArgumentParser
import Foundation
import Zhongcao

/// `recotrain report`: the feed-health report (one HTML file) from the other commands' JSON.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Build the feed-health report (one self-contained HTML file) from the commands' JSON results.",
    discussion: """
      Reads, from the --from folder, whichever of these files are there (a section whose file is \
      missing says which command makes it):
        train.json        recotrain train --interactions events.tsv --out feed.zcm --json > train.json
        evaluate.json     recotrain evaluate --interactions events.tsv --compare als,ease,popularity --k 10,20 --json > evaluate.json
        trust-scan.json   recotrain trust scan --notes notes.jsonl --out flags.jsonl --json > trust-scan.json
        feeds.json        recotrain feeds --model feed.zcm --flags flags.jsonl --notes notes.jsonl --out feeds.json
        ads-study.json    recotrain ads study --impressions impressions.tsv --out ads-study.json
        ads-plan.json     recotrain ads plan --study ads-study.json --max-loss 0.02 --revenue-per-ad 0.5 --json > ads-plan.json
      `recotrain demo` writes all of them (and world.json, what it planted) and the report.

      Example:
        recotrain report --from results/ --out results/report.html
      """)

  @Option(name: .customLong("from"), help: "Folder with the JSON results.") var directory: String
  @Option(help: "Where to write the page (default: report.html in the --from folder).") var out: String?
  @Flag(help: "No messages on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      let path = try Self.write(from: directory, to: out)
      if !quiet { Console.note("wrote \(path)") }
    }
  }

  /// Builds the page from `directory` and writes it atomically; returns where.
  static func write(from directory: String, to out: String?) throws(ZhongcaoError) -> String {
    let report = try FeedHealthReport.load(directory: directory)
    let path = out ?? (directory as NSString).appendingPathComponent(FeedHealthReport.Files.report)
    try AtomicFile.write(Array(report.html().utf8), to: path)
    return path
  }
}

/// `recotrain feeds`: sample feeds with every slot's trust label and evidence, as JSON.
struct FeedsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "feeds",
    abstract: "Compose sample feeds with ad slots, trust labels and evidence (the report's feeds.json).",
    discussion: """
      Each feed is the model's trust-aware ranking (suspected undisclosed promotion demoted by half) \
      with paid slots placed under the default ad policy (≤ 20% ads, the first at slot 3, three \
      organic notes between ads); the paid candidates are the notes the scan judged disclosed ads \
      with a sufficient or platform-label grade. Every slot carries its label (organic, paid_ad, \
      disclosed_ad, suspected_undisclosed_promotion, business_self_promotion), the note's title and \
      the scan's evidence.

      Example:
        recotrain trust scan --notes notes.jsonl --out flags.jsonl
        recotrain feeds --model feed.zcm --flags flags.jsonl --notes notes.jsonl --out feeds.json
      """)

  @Option(help: "Model file.") var model: String
  @Option(help: "Flags written by `recotrain trust scan --out` (JSON Lines).") var flags: String
  @Option(help: "The notes (JSON Lines), for titles.") var notes: String?
  @Option(help: "File of user ids, one per line (default: the --sample most active users).") var users: String?
  @Option(help: "How many of the most active users, without --users.") var sample: Int = 3
  @Option(help: "Slots per feed.") var count: Int = 12
  @Option(help: "Where to write the feeds (JSON).") var out: String
  @Flag(help: "No messages on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      let feedModel = try FeedModel(contentsOf: model)
      let flagList = try NoteFlag.load(contentsOf: flags)
      let noteList = try notes.map { path throws(ZhongcaoError) in try NoteLoader.load(contentsOf: path).0 } ?? []
      let requested = try users.map { try readIDList($0) } ?? SampleFeed.activeUsers(of: feedModel, count: sample)
      let feeds = try SampleFeed.compose(model: feedModel, users: requested, flags: flagList, notes: noteList, count: count)
      try AtomicFile.write(Array((SampleFeed.json(feeds) + "\n").utf8), to: out)
      if !quiet { Console.note("wrote \(feeds.count) feeds of up to \(count) slots to \(out)") }
    }
  }
}
