import ArgumentParser
import Foundation
import Zhongcao

/// `recotrain recommend`: top-K feeds for users, as TSV.
struct RecommendCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "recommend",
    abstract: "Write personalised feeds (user, note, rank, score) for users of a model.",
    discussion: """
      Without --users, feeds are written for every user the model knows. Notes the user \
      interacted with in training are left out unless --include-seen is given. Unknown users \
      are listed on stderr (and in --json output), never silently dropped.

      Example:
        recotrain recommend --model feed.zcm --users users.txt --count 20 --out feeds.tsv
      """)

  @Option(help: "Model file.") var model: String
  @Flag(help: "Serve from the memory-mapped model file instead of reading it into memory (no second copy; for models of millions of users).")
  var memoryMap = false
  @Option(help: "File of user ids, one per line (default: all users of the model).") var users: String?
  @Option(help: "Notes per user.") var count: Int = 10
  @Flag(help: "Allow notes the user already interacted with.") var includeSeen = false
  @Option(help: "File of note ids never to recommend, one per line.") var exclude: String?
  @Option(help: "File of note ids that alone may be recommended (a whitelist), one per line.") var allow: String?
  @Option(help: "Worker threads (0 = one per core this process may use: CPU affinity and cgroup quota count).") var threads: Int = 0
  @Option(help: "Output TSV (default: stdout).") var out: String?
  @Flag(help: "Print a JSON summary on stdout (requires --out).") var json = false
  @Flag(help: "No messages on stderr.") var quiet = false

  func validate() throws {
    if json && out == nil { throw ValidationError("--json needs --out: the recommendations and the summary would share stdout") }
    if count < 0 { throw ValidationError("--count must be ≥ 0") }
  }

  func run() throws {
    try runReportingErrors {
      let clock = ContinuousClock()
      let loadStart = clock.now
      let feedModel = try FeedModel(contentsOf: model, storage: memoryMap ? .memoryMapped : .inMemory)
      let loadSeconds = seconds(clock.now - loadStart)
      let requested = try users.map { try readIDList($0) } ?? feedModel.users.ids
      var filter = RecommendationFilter(excludeSeen: !includeSeen)
      if let exclude { filter.excluded = Set(try readIDList(exclude)) }
      if let allow { filter.allowed = Set(try readIDList(allow)) }
      if !requested.isEmpty && !requested.contains(where: { feedModel.users.index(of: $0) != nil }) {
        throw ZhongcaoError(.notFound, "none of the \(requested.count) requested users is in the model")
      }
      // Users are served in chunks and written as they come, so memory stays bounded by one
      // chunk of feeds however many users there are. `seconds` counts scoring only.
      let chunkSize = 16_384
      var serveSeconds = 0.0, rows = 0, served = 0
      var unknownUsers: [String] = []
      let bar = ProgressBar(label: "serving", total: requested.count, quiet: quiet || out == nil)
      let writeAll = { (sink: (String) throws(ZhongcaoError) -> Void) throws(ZhongcaoError) in
        try sink("user\tnote\trank\tscore\n")
        var start = 0
        while start < requested.count {
          let chunk = Array(requested[start..<min(start + chunkSize, requested.count)])
          let serveStart = clock.now
          let batch = try feedModel.recommendations(for: chunk, count: count, filter: filter, threads: threads)
          serveSeconds += seconds(clock.now - serveStart)
          unknownUsers += batch.unknownUsers
          served += batch.feeds.count
          var text = ""
          for (user, feed) in batch.feeds {
            for (rank, item) in feed.enumerated() { text += "\(user)\t\(item.note)\t\(rank + 1)\t\(item.score)\n" }
            rows += feed.count
            if text.utf8.count > 1 << 20 {
              try sink(text)
              text = ""
            }
          }
          try sink(text)
          start += chunk.count
          bar.update(start, detail: formatSeconds(serveSeconds))
        }
      }
      if let out {
        try AtomicFile.write(to: out) { (writer: inout AtomicFile.Writer) throws(ZhongcaoError) in
          try writeAll { text throws(ZhongcaoError) in try writer.write(text) }
        }
      } else {
        try writeAll { text throws(ZhongcaoError) in FileHandle.standardOutput.write(Data(text.utf8)) }
      }
      let batch = (feeds: served, unknownUsers: unknownUsers)
      if !batch.unknownUsers.isEmpty && !quiet {
        let sample = batch.unknownUsers.prefix(5).joined(separator: ", ")
        Console.note("recotrain: \(batch.unknownUsers.count) unknown user(s) skipped (not in the model): \(sample)\(batch.unknownUsers.count > 5 ? ", …" : "")")
      }
      if json {
        Console.printJSON([
          "model": model, "users": batch.feeds, "unknownUsers": batch.unknownUsers, "rows": rows,
          "count": count, "loadSeconds": loadSeconds, "seconds": serveSeconds, "out": out ?? "-",
        ])
      } else if !quiet, let out {
        Console.note("wrote \(rows) recommendations for \(batch.feeds) users to \(out) in \(formatSeconds(serveSeconds)) (model loaded in \(formatSeconds(loadSeconds)))")
      }
    }
  }
}

/// `recotrain similar`: notes most similar to one note.
struct SimilarCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "similar",
    abstract: "List the notes most similar to a note (cosine of factor vectors).",
    discussion: """
      Example:
        recotrain similar --model feed.zcm --note n00042 --count 10
      """)

  @Option(help: "Model file.") var model: String
  @Flag(help: "Serve from the memory-mapped model file instead of reading it into memory (no second copy; for models of millions of users).")
  var memoryMap = false
  @Option(help: "The note id.") var note: String
  @Option(help: "How many similar notes.") var count: Int = 10
  @Flag(help: "Print JSON instead of TSV.") var json = false

  func run() throws {
    try runReportingErrors {
      let feedModel = try FeedModel(contentsOf: model, storage: memoryMap ? .memoryMapped : .inMemory)
      let similar = try feedModel.similarNotes(to: note, count: count)
      if json {
        Console.printJSON(["note": note, "similar": similar.map { ["note": $0.note, "score": Double($0.score)] }])
      } else {
        print("note\tsimilar\trank\tscore")
        for (rank, item) in similar.enumerated() { print("\(note)\t\(item.note)\t\(rank + 1)\t\(item.score)") }
      }
    }
  }
}

/// `recotrain explain`: which past notes drove a recommendation.
struct ExplainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain",
    abstract: "Show which of a user's past notes contributed most to a note's score.",
    discussion: """
      Uses Hu, Koren & Volinsky (2008), section 5: the score of note i for user u is \
      Σ_j c_uj · y_iᵀ W_u y_j over the user's past notes j; the largest terms are the reasons.

      Example:
        recotrain explain --model feed.zcm --user u00017 --note n00042
      """)

  @Option(help: "Model file.") var model: String
  @Flag(help: "Serve from the memory-mapped model file instead of reading it into memory (no second copy; for models of millions of users).")
  var memoryMap = false
  @Option(help: "The user id.") var user: String
  @Option(help: "The recommended note id.") var note: String
  @Option(help: "How many past notes to show.") var count: Int = 10
  @Flag(help: "Print JSON instead of TSV.") var json = false

  func run() throws {
    try runReportingErrors {
      let feedModel = try FeedModel(contentsOf: model, storage: memoryMap ? .memoryMapped : .inMemory)
      let explanation = try feedModel.explain(user: user, note: note, count: count)
      if json {
        Console.printJSON([
          "user": user, "note": note, "score": Double(explanation.score),
          "contributions": explanation.contributions.map { ["note": $0.note, "contribution": Double($0.contribution)] },
        ])
      } else {
        print("# score of \(note) for \(user): \(explanation.score)")
        print("past_note\tcontribution")
        for item in explanation.contributions { print("\(item.note)\t\(item.contribution)") }
      }
    }
  }
}

/// Reads a list of ids, one per line (first tab- or comma-separated field; blank lines and a
/// `user`/`note`/`id` header are skipped).
func readIDList(_ path: String) throws(ZhongcaoError) -> [String] {
  guard let data = FileManager.default.contents(atPath: path) else {
    throw ZhongcaoError(.io, "cannot read \(path)", location: .init(file: path))
  }
  guard let text = String(data: data, encoding: .utf8) else {
    throw ZhongcaoError(.invalidInput, "not valid UTF-8", location: .init(file: path))
  }
  var ids: [String] = []
  for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
    let field = line.split(whereSeparator: { $0 == "\t" || $0 == "," }).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    if field.isEmpty { continue }
    if number == 0 && ["user", "note", "id", "user_id", "note_id"].contains(field.lowercased()) { continue }
    ids.append(field)
  }
  return ids
}
