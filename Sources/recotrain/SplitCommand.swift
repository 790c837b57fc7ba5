import ArgumentParser
import Foundation
import Zhongcao

/// `recotrain split`: write a train/test split of an interactions file.
struct SplitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "split",
    abstract: "Split an interactions file into training and test files (seeded, deterministic).",
    discussion: """
      The training file keeps every training event (weights and timestamps); the test file has \
      one line per held-out (user, note) pair with weight 1. Held-out users \
      (users:N) also get their fold-in history in the training file's companion \
      --history-out.

      Example:
        recotrain split --interactions ratings.csv --split holdout:0.2 --seed 42 \\
          --train-out train.tsv --test-out test.tsv
      """)

  @Option(help: "Interactions file.") var interactions: String
  @Option(help: "Split strategy: holdout:0.2, last:1, cutoff:TIMESTAMP or users:N.") var split: String = "holdout:0.2"
  @Option(help: "Seed.") var seed: UInt64 = 42
  @Option(help: "Where to write the training events.") var trainOut: String
  @Option(help: "Where to write the test pairs.") var testOut: String
  @Option(help: "users:N only: where to write the held-out users' fold-in histories.") var historyOut: String?
  @Flag(help: "No summary on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      let (log, _) = try Interactions.load(contentsOf: interactions)
      let result = try log.split(try SplitStrategy(parsing: split), seed: seed)
      try result.train.write(to: trainOut)
      try Self.write(users: result.testUsers, notes: result.testNotes.map { $0.map { ($0, Float(1)) } }, to: testOut)
      if let historyOut {
        guard let histories = result.foldInHistory else {
          throw ZhongcaoError(.invalidArgument, "--history-out is for users:N splits")
        }
        try Self.write(users: result.testUsers, notes: histories.map { $0.map { ($0.note, $0.weight) } }, to: historyOut)
      }
      if !quiet {
        let counts = result.counts
        Console.note("\(split) (seed \(seed)): \(counts.trainPairs) train pairs → \(trainOut), \(counts.testPairs) test pairs of \(counts.testUsers) users → \(testOut)"
                     + (counts.droppedColdNotePairs > 0 ? "; \(counts.droppedColdNotePairs) pairs with notes unseen in training dropped" : ""))
      }
    }
  }

  static func write(users: [String], notes: [[(String, Float)]], to path: String) throws(ZhongcaoError) {
    var log = Interactions()
    for (user, entries) in zip(users, notes) {
      for (note, weight) in entries { try log.append(user: user, note: note, weight: weight) }
    }
    try log.write(to: path)
  }
}
