// zhongcao-bench detector [notes]: the learned detector's part of `recotrain trust scan`, per core.
//
//   swift build -c release --product zhongcao-bench && .build/release/zhongcao-bench detector 20000
//
// Loads Models/trust-detector-v1.json and generates a corpus with NoteCorpusGenerator (seed 1).
// Outside the timed region it builds the detector's inputs as TrustScanner.read does with the
// default configuration (masked text from TrustFeatures.maskedText; extra features from
// TrustFeatures.vector over SignalDetector's signals and the corpus's engagement z-scores;
// propensity attributes from the author's median likes) and marks the notes the scan would
// explain: undisclosed notes with probability ≥ 0.5 (the scan also explains campaign members and
// skips business accounts, which this leaves out). Then, single-threaded, best of 3:
//   separate: probabilities(_:) for every note, then topFeatures(count: 3) for the explained ones
//             (the calls TrustScanner makes today);
//   fused:    one assess(…, explainCount: 3, explainThreshold: 0.5, workspace:) per note.
// Both must give the same probabilities and explanations; the bench checks it. Per-core rates
// are over the thread's CPU time (the machine may be shared); wall times are printed too.
import Foundation
import Zhongcao

enum DetectorBenchmark {
  /// Wall-clock and this thread's CPU seconds of `body`.
  private static func seconds(_ body: () -> Void) -> (wall: Double, cpu: Double) {
    wallAndCPUSeconds(cpuClock: CLOCK_THREAD_CPUTIME_ID, body)
  }

  private static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }

  static func run(_ arguments: [String]) {
    let count = arguments.first.flatMap { Int($0) } ?? 20_000
    let modelPath = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appending(path: "Models/trust-detector-v1.json").path
    let detector: SponsoredDetector
    do { detector = try SponsoredDetector(contentsOf: modelPath) } catch { fatalError("\(error)") }
    var generator = NoteCorpusGenerator(notes: count, authors: max(4, count / 5), seed: 1)
    generator.engagementsPerNote = 0
    let notes = generator.generate().notes

    // The scan's inputs (TrustScanner.read, default configuration).
    let grader = DisclosureGrader()
    let signalDetector = SignalDetector()
    let norms = EngagementNorms(corpus: notes)
    var likesByAuthor: [String: [Double]] = [:]
    for note in notes { if let likes = note.likes { likesByAuthor[note.author, default: []].append(Double(likes)) } }
    let medianLikes = likesByAuthor.mapValues(median)
    var inputs: [SponsoredDetector.Input] = []
    var disclosed: [Bool] = []
    for note in notes {
      let normalized = NormalizedNote(note)
      let disclosure = grader.assess(normalized)
      let signals = signalDetector.signals(in: normalized)
      inputs.append(SponsoredDetector.Input(
        text: TrustFeatures.maskedText(of: note, markers: disclosure.markers),
        extra: TrustFeatures.vector(signals: signals, zScores: norms.zScores(of: note)),
        propensityAttributes: TrustFeatures.propensityAttributes(createdAt: note.createdAt, authorMedianLikes: medianLikes[note.author] ?? 0)))
      disclosed.append(disclosure.grade != .absent)
    }
    let threshold = 0.5
    let explained = zip(detector.probabilities(inputs), disclosed).map { !$1 && $0 >= threshold }
    let bytes = inputs.reduce(0) { $0 + $1.text.utf8.count }
    let grams = inputs.reduce(0) { $0 + detector.featurizer.grams(of: $1.text).count }
    let buckets = inputs.reduce(0) { $0 + detector.featurizer.features(text: $1.text, extra: $1.extra).count }
    print(String(format: "%d notes; per note %.0f UTF-8 bytes of masked text, %.0f grams, %.0f non-zero features; %d explained (%.1f%%)",
                 inputs.count, Double(bytes) / Double(inputs.count), Double(grams) / Double(inputs.count),
                 Double(buckets) / Double(inputs.count), explained.count { $0 }, 100 * Double(explained.count { $0 }) / Double(inputs.count)))

    var separate: ([Double], [[SponsoredDetector.FeatureContribution]]) = ([], [])
    var bestSeparate = Double.infinity
    for round in 1...3 {
      let time = seconds {
        let probabilities = detector.probabilities(inputs)
        var explanations: [[SponsoredDetector.FeatureContribution]] = []
        explanations.reserveCapacity(inputs.count)
        for index in inputs.indices {
          explanations.append(explained[index] ? detector.topFeatures(text: inputs[index].text, extra: inputs[index].extra, count: 3) : [])
        }
        separate = (probabilities, explanations)
      }
      bestSeparate = min(bestSeparate, time.cpu)
      print(String(format: "  separate round %d: %.3f s CPU (%.3f s wall), %.0f notes/s per core", round, time.cpu, time.wall,
                   Double(inputs.count) / time.cpu))
    }

    var fused: [SponsoredDetector.Assessment] = []
    var bestFused = Double.infinity
    for round in 1...3 {
      let time = seconds {
        var workspace = SponsoredDetector.Workspace()
        var assessments: [SponsoredDetector.Assessment] = []
        assessments.reserveCapacity(inputs.count)
        for index in inputs.indices {
          assessments.append(detector.assess(
            text: inputs[index].text, extra: inputs[index].extra, propensityAttributes: inputs[index].propensityAttributes,
            explainCount: disclosed[index] ? 0 : 3, explainThreshold: threshold, workspace: &workspace))
        }
        fused = assessments
      }
      bestFused = min(bestFused, time.cpu)
      print(String(format: "  fused round %d: %.3f s CPU (%.3f s wall), %.0f notes/s per core", round, time.cpu, time.wall,
                   Double(inputs.count) / time.cpu))
    }

    let same = fused.indices.allSatisfy {
      fused[$0].probability.bitPattern == separate.0[$0].bitPattern && fused[$0].explanation == separate.1[$0]
    }
    print(String(format: "separate (probabilities + topFeatures), single-threaded, best of 3 (CPU time): %.0f notes/s per core (%.2f µs/note)",
                 Double(inputs.count) / bestSeparate, 1e6 * bestSeparate / Double(inputs.count)))
    print(String(format: "fused (assess with a workspace), single-threaded, best of 3 (CPU time):        %.0f notes/s per core (%.2f µs/note)",
                 Double(inputs.count) / bestFused, 1e6 * bestFused / Double(inputs.count)))
    print("same probabilities and explanations: \(same)")
    if !same { exit(1) }
  }

  /// `zhongcao-bench detector-load [rounds]`: the time of `SponsoredDetector(contentsOf:)` on
  /// Models/trust-detector-v1.json (a fixed cost of every `recotrain trust scan --model`), best
  /// and median of `rounds` (default 20), wall clock and this thread's CPU time.
  static func runLoad(_ arguments: [String]) {
    let rounds = max(1, arguments.first.flatMap { Int($0) } ?? 20)
    let modelPath = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appending(path: "Models/trust-detector-v1.json").path
    var walls: [Double] = [], cpus: [Double] = []
    var checksum = 0
    for _ in 0..<rounds {
      let time = seconds {
        do { checksum &+= try SponsoredDetector(contentsOf: modelPath).classifier.weights.count } catch { fatalError("\(error)") }
      }
      walls.append(time.wall)
      cpus.append(time.cpu)
    }
    print(String(format: "detector load, %d rounds: best %.1f ms (CPU %.1f ms), median %.1f ms (CPU %.1f ms) (checksum %d)",
                 rounds, walls.min()! * 1e3, cpus.min()! * 1e3, median(walls) * 1e3, median(cpus) * 1e3, checksum))
  }
}
