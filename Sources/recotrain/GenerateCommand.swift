import ArgumentParser
import Foundation
import Zhongcao

/// `recotrain generate`: writes a synthetic note-feed interaction log with a planted preference
/// structure (``FeedGenerator``), for benchmarks, tuning and tests.
struct GenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Generate a synthetic note-feed interaction log with planted user tastes.",
    discussion: """
      Users draw events on notes with probability ∝ popularity × exp(strength · taste·topic): \
      Zipf note popularity, log-normal user activity, and a rank-`--dimensions` taste structure \
      that a good recommender can recover. Every event has a kind (view, like, collect, comment, \
      share, purchase) whose default weight is the event weight, and a timestamp within \
      `--days` days from 2026-01-01 UTC. The same seed always gives the same file.

      Output: TSV with the header `user  note  event  timestamp`, grouped by user and \
      ascending in time within each user, written atomically.

      Example:
        recotrain generate --users 50000 --notes 20000 --interactions 2000000 \\
          --seed 7 --out feed.tsv --truth feed.truth.json
      """)

  @Option(help: "Number of users.")
  var users: Int = FeedGenerator.Configuration().users

  @Option(help: "Number of notes.")
  var notes: Int = FeedGenerator.Configuration().notes

  @Option(help: "Target number of events (at least --users: every user gets one or more).")
  var interactions: Int = FeedGenerator.Configuration().interactions

  @Option(help: "Number of taste topics: the rank of the planted structure.")
  var dimensions: Int = FeedGenerator.Configuration().tasteDimensions

  @Option(help: "How strongly taste drives events (0 = popularity only).")
  var tasteStrength: Double = FeedGenerator.Configuration().tasteStrength

  @Option(help: "Zipf exponent of note popularity (0 = uniform).")
  var popularityExponent: Double = FeedGenerator.Configuration().popularityExponent

  @Option(help: "Days spanned by the timestamps.")
  var days: Int = FeedGenerator.Configuration().days

  @Option(help: "Random seed; equal seeds give identical files.")
  var seed: UInt64 = FeedGenerator.Configuration().seed

  @Option(help: ArgumentHelp("Where to write the interactions TSV.", valueName: "path"))
  var out: String

  @Option(help: ArgumentHelp("Also write the configuration and a summary as JSON here.", valueName: "path"))
  var truth: String?

  @Flag(help: "Print nothing on success.")
  var quiet = false

  /// The generator configuration the options describe.
  var generatorConfiguration: FeedGenerator.Configuration {
    var configuration = FeedGenerator.Configuration()
    configuration.users = users
    configuration.notes = notes
    configuration.interactions = interactions
    configuration.tasteDimensions = dimensions
    configuration.tasteStrength = tasteStrength
    configuration.popularityExponent = popularityExponent
    configuration.days = days
    configuration.seed = seed
    return configuration
  }

  func validate() throws {
    do { try generatorConfiguration.validate() } catch { throw ValidationError(error.message) }
  }

  func run() throws {
    let clock = ContinuousClock()
    let start = clock.now
    let generator = try FeedGenerator(validating: generatorConfiguration)
    let output = generator.generate()
    let generated = clock.now
    try GenerateCommand.writeTSV(output, to: out)
    let summary = GenerationSummary(output)
    if let truth {
      let report = TruthReport(
        generator: "Zhongcao FeedGenerator", configuration: generator.configuration,
        epoch: FeedGenerator.Configuration.epoch,
        eventWeights: Dictionary(uniqueKeysWithValues: FeedGenerator.EventKind.allCases.map { ($0.name, $0.defaultWeight) }),
        summary: summary)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      let data: Data
      do { data = try encoder.encode(report) } catch {
        throw ZhongcaoError(.io, "cannot encode the truth summary: \(error)")
      }
      try AtomicFile.write(data + [UInt8(ascii: "\n")], to: truth)
    }
    if !quiet {
      let generateSeconds = (generated - start) / .seconds(1)
      let totalSeconds = (clock.now - start) / .seconds(1)
      let line = "generated \(summary.events) events (\(summary.distinctPairs) distinct pairs) for "
        + "\(summary.users) users × \(summary.notes) notes in \(format(generateSeconds)) s "
        + "(\(format(totalSeconds)) s with writing) → \(out)\n"
      FileHandle.standardError.write(Data(line.utf8))
    }
  }

  /// Writes `user note event timestamp` lines, atomically: the loader turns each event kind into
  /// its weight (``EventWeights/default``), so the file trains exactly the generated log.
  static func writeTSV(_ output: FeedGenerator.Output, to path: String) throws(ZhongcaoError) {
    let log = output.interactions
    guard let timestamps = log.timestamps else { preconditionFailure("generated logs always have timestamps") }
    let userIDs = log.users.ids.map { Array($0.utf8) }
    let noteIDs = log.notes.ids.map { Array($0.utf8) }
    let kinds = FeedGenerator.EventKind.allCases
    let kindNameText = kinds.map { Array("\($0.name)\t".utf8) }
    try AtomicFile.write(to: path) { writer throws(ZhongcaoError) in
      var buffer: [UInt8] = []
      buffer.reserveCapacity(1 << 20 + 256)
      var digits: [UInt8] = []
      digits.reserveCapacity(24)
      buffer.append(contentsOf: "user\tnote\tevent\ttimestamp\n".utf8)
      for e in 0..<log.count {
        let kind = Int(output.eventKinds[e].rawValue)
        buffer.append(contentsOf: userIDs[Int(log.userIndices[e])])
        buffer.append(UInt8(ascii: "\t"))
        buffer.append(contentsOf: noteIDs[Int(log.noteIndices[e])])
        buffer.append(UInt8(ascii: "\t"))
        buffer.append(contentsOf: kindNameText[kind])
        appendDecimal(timestamps[e], to: &buffer, scratch: &digits)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 20 {
          try writer.write(buffer)
          buffer.removeAll(keepingCapacity: true)
        }
      }
      try writer.write(buffer)
    }
  }

  /// Appends the decimal digits of `value`, using `scratch` as working space.
  static func appendDecimal(_ value: Int64, to buffer: inout [UInt8], scratch: inout [UInt8]) {
    if value < 0 { buffer.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    scratch.removeAll(keepingCapacity: true)
    repeat {
      scratch.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
      magnitude /= 10
    } while magnitude > 0
    buffer.append(contentsOf: scratch.reversed())
  }

  private func format(_ seconds: Double) -> String {
    String(format: "%.2f", seconds)
  }
}

/// What `--truth` writes.
struct TruthReport: Codable {
  var generator: String
  var configuration: FeedGenerator.Configuration
  /// Start of the timestamp window, seconds since 1970.
  var epoch: Int64
  var eventWeights: [String: Float]
  var summary: GenerationSummary
}

/// Counts describing a generated log.
struct GenerationSummary: Codable {
  var events: Int
  var distinctPairs: Int
  var users: Int
  var notes: Int
  var usersWithEvents: Int
  var notesWithEvents: Int
  var eventsByKind: [String: Int]
  var eventsPerUser: Spread
  var eventsPerNote: Spread
  /// Share of all events on the most popular 1% of notes.
  var topOnePercentNoteShare: Double
  var firstTimestamp: Int64?
  var lastTimestamp: Int64?

  /// Minimum, median, mean and maximum.
  struct Spread: Codable {
    var min: Int
    var median: Int
    var mean: Double
    var max: Int

    init(_ values: [Int]) {
      let sorted = values.sorted()
      min = sorted.first ?? 0
      max = sorted.last ?? 0
      median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
      mean = sorted.isEmpty ? 0 : Double(sorted.reduce(0, +)) / Double(sorted.count)
    }
  }

  init(_ output: FeedGenerator.Output) {
    let log = output.interactions
    events = log.count
    users = log.users.count
    notes = log.notes.count
    var perUser = [Int](repeating: 0, count: users)
    var perNote = [Int](repeating: 0, count: notes)
    for u in log.userIndices { perUser[Int(u)] += 1 }
    for i in log.noteIndices { perNote[Int(i)] += 1 }
    usersWithEvents = perUser.count { $0 > 0 }
    notesWithEvents = perNote.count { $0 > 0 }
    eventsPerUser = Spread(perUser)
    eventsPerNote = Spread(perNote)
    let top = max(1, notes / 100)
    let topEvents = perNote.sorted(by: >).prefix(top).reduce(0, +)
    topOnePercentNoteShare = events == 0 ? 0 : Double(topEvents) / Double(events)
    var byKind: [String: Int] = [:]
    for kind in output.eventKinds { byKind[kind.name, default: 0] += 1 }
    eventsByKind = byKind
    firstTimestamp = log.timestamps?.min()
    lastTimestamp = log.timestamps?.max()
    // Events are grouped by user, so distinct pairs are counted one user at a time.
    var pairs = 0
    var start = 0
    var scratch: [Int32] = []
    while start < log.count {
      var end = start
      let user = log.userIndices[start]
      while end < log.count && log.userIndices[end] == user { end += 1 }
      scratch.removeAll(keepingCapacity: true)
      scratch.append(contentsOf: log.noteIndices[start..<end])
      scratch.sort()
      pairs += 1
      for index in scratch.indices.dropFirst() where scratch[index] != scratch[index - 1] { pairs += 1 }
      start = end
    }
    distinctPairs = pairs
  }
}
