// zhongcao-bench notes-load [notes]: NoteLoader throughput on a generated corpus.
//
//   swift build -c release --product zhongcao-bench && .build/release/zhongcao-bench notes-load 100000
//
// Generates the notes with NoteCorpusGenerator (seed 1, no engagement events), writes them to a
// temporary JSON Lines file in each format (zhongcao, mediacrawler), and times
// NoteLoader.load(contentsOf:) on it, best of 3. The loader parses lines on all cores, so besides
// wall-clock notes/s and MB/s it reports the process CPU time (clock(), all threads) per note
// and the notes/s that CPU time gives one core: the figure to hold against the per-core budget.
import Foundation
import Zhongcao

enum NotesLoadBenchmark {
  /// Process CPU time (all threads, user + system) in seconds.
  private static func cpuSeconds() -> Double { Double(clock()) / Double(CLOCKS_PER_SEC) }

  static func run(_ arguments: [String]) {
    let count = arguments.first.flatMap { Int($0) } ?? 100_000
    var generator = NoteCorpusGenerator(notes: count, authors: max(1, count / 5), seed: 1)
    generator.engagementsPerNote = 0
    let corpus = generator.generate()
    print("cores: \(ProcessInfo.processInfo.activeProcessorCount)")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhongcao-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    for format in NoteCorpus.NoteFormat.allCases {
      let path = directory.appendingPathComponent("notes-\(format.rawValue).jsonl").path
      do { try corpus.writeNotes(to: path, format: format) } catch { fatalError("\(error)") }
      let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
      var bestWall = Double.infinity, bestCPU = Double.infinity
      for round in 1...3 {
        let clock = ContinuousClock()
        let cpuStart = cpuSeconds(), start = clock.now
        let loaded: Int
        do { loaded = try NoteLoader.load(contentsOf: path).notes.count } catch { fatalError("\(error)") }
        let elapsed = clock.now - start
        let cpu = cpuSeconds() - cpuStart
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        precondition(loaded == corpus.notes.count, "loaded \(loaded) of \(corpus.notes.count) notes")
        bestWall = min(bestWall, wall)
        bestCPU = min(bestCPU, cpu)
        print(String(format: "  %@ round %d: %.3f s wall, %.3f s CPU", format.rawValue, round, wall, cpu))
      }
      let notes = Double(corpus.notes.count)
      print(String(format: "%@: %d notes, %.1f MB (%.0f bytes/note); best of 3: %.0f notes/s, %.1f MB/s wall; "
                   + "CPU %.2f µs/note = %.0f notes/s per core (%.1f MB/s per core)",
                   format.rawValue, corpus.notes.count, Double(bytes) / 1e6, Double(bytes) / notes,
                   notes / bestWall, Double(bytes) / bestWall / 1e6,
                   bestCPU / notes * 1e6, notes / bestCPU, Double(bytes) / bestCPU / 1e6))
    }
  }
}
