// zhongcao-bench: how close Zhongcao's ALS training runs to this machine's GEMM peak.
//
//   swift run -c release zhongcao-bench [users notes events] [factors] [iterations]
//   swift run -c release zhongcao-bench trust-text [notes]   (see trustTextBenchmark)
//   swift run -c release zhongcao-bench campaigns [notes]    (see CampaignBenchmark)
//   swift run -c release zhongcao-bench notes-load [notes]   (see NotesLoadBenchmark)
//   swift run -c release zhongcao-bench detector [notes]     (see DetectorBenchmark)
//   swift run -c release zhongcao-bench detector-load [rounds] (DetectorBenchmark.runLoad)
//   swift run -c release zhongcao-bench lockstep PATH [reps]  (see LockstepBenchmark)
//   swift run -c release zhongcao-bench ad-load [impressions] [reps] (see AdLoadBenchmark)
//   swift run -c release zhongcao-bench serve-scale write|serve PATH … (see ServeScaleBenchmark)
//   swift run -c release zhongcao-bench model-store [seconds] [tasks] (see ModelStoreBenchmark)
//   swift run -c release zhongcao-bench interactions-load PATH [--whole] (see InteractionsLoadBenchmark)
//   swift run -c release zhongcao-bench load-file KIND PATH  (see HostileInputBenchmark, hostile_inputs.py)
//
// 1. Measures the sgemm peak the way training uses BLAS: one single-threaded sgemm per worker,
//    all workers at once (n = 1024, best of 5), for 1 and for all workers.
// 2. Generates a feed of the given size, trains implicit ALS (CG, 3 steps) on it, and divides the
//    FLOPs of one iteration by the measured seconds per iteration.
//
// FLOPs per iteration, for U users, I notes, E pairs, k factors and s CG steps (both half-sweeps):
//   Gram matrices YᵀY and XᵀX          (U + I)·k²         (ssyrk)
//   initial residual, per half-sweep   2k²·T + 4E·k        (one GEMM over the block, two GEMVs)
//   each CG step, per half-sweep       2k²·T + 4E·k
// i.e. (U + I)·k² + (s + 1)·(2k²·(U + I) + 8E·k); vector updates O((U + I)·k) are left out.
import Foundation
import Zhongcao
import ZhongcaoLinearAlgebra

if CommandLine.arguments.dropFirst().first == "campaigns" { CampaignBenchmark.run(Array(CommandLine.arguments.dropFirst(2))); exit(0) }
if CommandLine.arguments.dropFirst().first == "notes-load" { NotesLoadBenchmark.run(Array(CommandLine.arguments.dropFirst(2))); exit(0) }
if CommandLine.arguments.dropFirst().first == "detector-load" { DetectorBenchmark.runLoad(Array(CommandLine.arguments.dropFirst(2))); exit(0) }
if CommandLine.arguments.dropFirst().first == "detector" { DetectorBenchmark.run(Array(CommandLine.arguments.dropFirst(2))); exit(0) }
if CommandLine.arguments.dropFirst().first == "lockstep" { LockstepBenchmark.run(Array(CommandLine.arguments.dropFirst(2))); exit(0) }
if CommandLine.arguments.dropFirst().first == "serve-scale" { ServeScaleBenchmark.run(Array(CommandLine.arguments.dropFirst(2))); exit(0) }
if CommandLine.arguments.dropFirst().first == "interactions-load" { InteractionsLoadBenchmark.run(Array(CommandLine.arguments.dropFirst(2))); exit(0) }
if CommandLine.arguments.dropFirst().first == "model-store" { ModelStoreBenchmark.run(Array(CommandLine.arguments.dropFirst(2))); exit(0) }
if CommandLine.arguments.dropFirst().first == "load-file" { HostileInputBenchmark.run(Array(CommandLine.arguments.dropFirst(2))); exit(0) }
if CommandLine.arguments.dropFirst().first == "ad-load" { AdLoadBenchmark.run(Array(CommandLine.arguments.dropFirst(2))); exit(0) }

func seconds(_ body: () -> Void) -> Double {
  let clock = ContinuousClock()
  let start = clock.now
  body()
  let elapsed = clock.now - start
  return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// `zhongcao-bench trust-text [notes]`: single-threaded throughput of the per-note text pipeline of
/// `recotrain trust scan` (normalize, grade disclosure, detect signals, mask the text) on a
/// generated corpus (seed 1), best of 3, step by step through the public API and in one call
/// per note (`NoteTextReader.read`, which also builds the detector's extra inputs); also the time
/// of generating the corpus.
func trustTextBenchmark(notes count: Int) {
  var generator = NoteCorpusGenerator(notes: count, authors: max(1, count / 5), seed: 1)
  generator.engagementsPerNote = 0
  var corpus: NoteCorpus?
  let generateSeconds = seconds { corpus = generator.generate() }
  let notes = corpus!.notes
  let grader = DisclosureGrader()
  let detector = SignalDetector(brands: BrandList(corpus!.brands.map { BrandList.Brand(name: $0) }))
  print(String(format: "generated %d notes in %.2f s (%.0f notes/s, engagementsPerNote = 0)",
               notes.count, generateSeconds, Double(notes.count) / generateSeconds))
  var best = Double.infinity
  for round in 1...3 {
    var checksum = 0
    let time = seconds {
      for note in notes {
        let normalized = NormalizedNote(note)
        let disclosure = grader.assess(normalized)
        let signals = detector.signals(in: normalized)
        let masked = TrustFeatures.maskedText(of: note, markers: disclosure.markers)
        checksum &+= disclosure.markers.count &+ signals.count &+ masked.utf8.count
      }
    }
    best = min(best, time)
    print(String(format: "round %d: %.3f s, %.0f notes/s (checksum %d)", round, time, Double(notes.count) / time, checksum))
  }
  print(String(format: "trust text pipeline, single-threaded, best of 3: %.0f notes/s", Double(notes.count) / best))
  var reader = NoteTextReader(grader: grader, detector: detector)
  var bestReader = Double.infinity
  for round in 1...3 {
    var checksum = 0
    let time = seconds {
      for note in notes {
        let reading = reader.read(note)
        let masked = TrustFeatures.maskedText(of: note, markers: reading.disclosure.markers)
        checksum &+= reading.disclosure.markers.count &+ reading.signals.count &+ masked.utf8.count
      }
    }
    bestReader = min(bestReader, time)
    print(String(format: "reader round %d: %.3f s, %.0f notes/s (checksum %d)", round, time, Double(notes.count) / time, checksum))
  }
  print(String(format: "trust text reader (NoteTextReader.read), single-threaded, best of 3: %.0f notes/s (%.2f µs/note)",
               Double(notes.count) / bestReader, bestReader / Double(notes.count) * 1e6))
}

/// `zhongcao-bench trust-text-digest [notes]`: a digest (FNV-1a) of everything the text pipeline
/// returns on the same corpus, to check that an optimisation changed no output; also the number
/// of notes on which `NoteTextReader.read` differs from the step-by-step pipeline (0).
func trustTextDigest(notes count: Int) {
  var generator = NoteCorpusGenerator(notes: count, authors: max(1, count / 5), seed: 1)
  generator.engagementsPerNote = 0
  let corpus = generator.generate()
  let grader = DisclosureGrader()
  let detector = SignalDetector(brands: BrandList(corpus.brands.map { BrandList.Brand(name: $0) }))
  var digest: UInt64 = 0xcbf2_9ce4_8422_2325
  var reader = NoteTextReader(grader: grader, detector: detector)
  var readerDifferences = 0
  for note in corpus.notes {
    let normalized = NormalizedNote(note)
    let disclosure = grader.assess(normalized)
    let signals = detector.signals(in: normalized)
    let masked = TrustFeatures.maskedText(of: note, markers: disclosure.markers)
    let reading = reader.read(note, zScores: (1.5, nil))
    if reading.disclosure != disclosure || reading.signals != signals
      || reading.extra != TrustFeatures.vector(signals: signals, zScores: (1.5, nil))
    {
      readerDifferences += 1
    }
    let fields = [normalized.title, normalized.body, normalized.tags, normalized.brandLabel]
    let mapping = fields.map { text in (0..<text.count).map { "\(text.originalRange(of: $0..<($0 + 1)))" }.joined() }
    for byte in "\(fields.map(\.readableText))\(mapping)\(disclosure)\(signals)\(masked)".utf8 {
      digest = (digest ^ UInt64(byte)) &* 0x100_0000_01b3
    }
  }
  print("trust text digest over \(count) notes: \(String(digest, radix: 16))")
  print("NoteTextReader differs from the step-by-step pipeline on \(readerDifferences) notes")
}

if CommandLine.arguments.dropFirst().first == "trust-text-digest" {
  trustTextDigest(notes: CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 20_000)
  exit(0)
}

if CommandLine.arguments.dropFirst().first == "trust-text" {
  let count = CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 100_000
  trustTextBenchmark(notes: count)
  exit(0)
}

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let users = arguments.count > 0 ? arguments[0] : 50_000
let notes = arguments.count > 1 ? arguments[1] : 20_000
let events = arguments.count > 2 ? arguments[2] : 2_000_000
let factors = arguments.count > 3 ? arguments[3] : 64
let iterations = arguments.count > 4 ? arguments[4] : 15
let workers = WorkerPool.defaultThreads

func gemmPeak(workers: Int, size n: Int = 1024) -> Double {
  let a = Matrix(rows: n, columns: n, storage: (0..<(n * n)).map { Float($0 % 97) / 97 })
  let results = UncheckedSendable((0..<workers).map { _ in ScratchMatrix(n) })
  var best = Double.infinity
  for _ in 0..<5 {
    let time = seconds {
      WorkerPool.forEachChunk(threads: workers, chunkCount: workers) { worker, _ in
        results.value[worker].multiply(a)
      }
    }
    best = min(best, time)
  }
  return Double(workers) * 2 * Double(n) * Double(n) * Double(n) / best / 1e9
}

/// A per-worker product buffer (each worker writes only its own).
final class ScratchMatrix {
  var result: Matrix
  init(_ n: Int) { result = Matrix(rows: n, columns: n) }
  func multiply(_ a: Matrix) { BLAS.multiply(a, by: a, into: &result) }
}

print("OpenBLAS \(BLASRuntime.configuration) (core \(BLASRuntime.coreName)), \(workers) workers")
let peakOne = gemmPeak(workers: 1), peakAll = gemmPeak(workers: workers)
print(String(format: "sgemm peak, n=1024, single-threaded calls: 1 worker %.1f GFLOP/s, %d workers %.1f GFLOP/s",
             peakOne, workers, peakAll))

var generatorConfiguration = FeedGenerator.Configuration()
generatorConfiguration.users = users
generatorConfiguration.notes = notes
generatorConfiguration.interactions = events
let matrix = InteractionMatrix(FeedGenerator(generatorConfiguration).generate().interactions)
var configuration = ALSConfiguration()
configuration.factors = factors
configuration.iterations = iterations
configuration.threads = workers
var model: FeedModel?
let trainSeconds = seconds { model = try? ImplicitALS(configuration).train(on: matrix) }
guard model != nil else { fatalError("training failed") }
let k = Double(factors), entities = Double(matrix.users.count + matrix.notes.count), pairs = Double(matrix.pairCount)
let steps = Double(configuration.conjugateGradientSteps)
let flopsPerIteration = entities * k * k + (steps + 1) * (2 * k * k * entities + 8 * pairs * k)
let rate = flopsPerIteration * Double(iterations) / trainSeconds / 1e9
print("data: \(matrix.users.count) users × \(matrix.notes.count) notes, \(matrix.pairCount) pairs; k = \(factors), \(iterations) iterations, CG \(configuration.conjugateGradientSteps) steps")
print(String(format: "training: %.2f s, %.2f GFLOP per iteration, %.1f GFLOP/s = %.0f%% of the %d-worker sgemm peak",
             trainSeconds, flopsPerIteration / 1e9, rate, 100 * rate / peakAll, workers))
