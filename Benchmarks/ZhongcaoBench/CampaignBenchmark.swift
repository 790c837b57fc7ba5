// zhongcao-bench campaigns [notes] [lockstep window hours]: campaign and lockstep detection on a
// generated corpus.
//
//   swift build -c release --product zhongcao-bench && .build/release/zhongcao-bench campaigns 100000
//
// Generates a corpus with NoteCorpusGenerator (seed 1; authors, users and planted campaigns scaled
// with the notes like the generator's defaults: 10,000 notes by 2,000 authors, 5,000 users, 20
// campaigns), then times CampaignDetector().campaigns(in:) and LockstepDetector().groups(in:) on
// its engagement events, best of 3 each. Precision and recall are over notes: a planted campaign
// note (NoteTruth.campaign) found in any campaign is a hit.
import Foundation
import Zhongcao

enum CampaignBenchmark {
  private static func seconds(_ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    body()
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
  }

  static func run(_ arguments: [String]) {
    let count = arguments.first.flatMap { Int($0) } ?? 100_000
    var generator = NoteCorpusGenerator(notes: count, authors: max(4, count / 5), seed: 1)
    generator.users = max(1, count / 2)
    generator.campaigns = count / 500
    var corpus: NoteCorpus?
    let generateSeconds = seconds { corpus = generator.generate() }
    guard let corpus else { fatalError("corpus generation failed") }
    print(String(format: "corpus: %d notes, %d authors, %d planted campaigns, %d engagement events (%.2f s to generate)",
                 corpus.notes.count, generator.authors, generator.campaigns, corpus.engagementEvents.count, generateSeconds))
    print("cores: \(ProcessInfo.processInfo.activeProcessorCount)")

    let detector: CampaignDetector
    do { detector = try CampaignDetector() } catch { fatalError("\(error)") }
    var found: [Campaign] = []
    var best = Double.infinity
    for run in 1...3 {
      let time = seconds { found = detector.campaigns(in: corpus.notes) }
      print(String(format: "  campaigns run %d: %.3f s", run, time))
      best = min(best, time)
    }
    let planted = Set(corpus.truth.filter { $0.campaign != nil }.map(\.id))
    let flagged = Set(found.flatMap(\.noteIDs))
    let hits = planted.intersection(flagged).count
    let precision = flagged.isEmpty ? 1 : Double(hits) / Double(flagged.count)
    let recall = planted.isEmpty ? 1 : Double(hits) / Double(planted.count)
    print(String(format: "campaigns: best %.3f s = %.0f notes/s; %d campaigns found (%d notes); precision %.4f, recall %.4f (%d of %d planted notes)",
                 best, Double(corpus.notes.count) / best, found.count, flagged.count, precision, recall, hits, planted.count))

    let lockstep: LockstepDetector
    let windowHours = arguments.dropFirst().first.flatMap { Double($0) } ?? LockstepConfiguration().window / 3_600
    do { lockstep = try LockstepDetector(configuration: LockstepConfiguration(window: windowHours * 3_600)) } catch { fatalError("\(error)") }
    print(String(format: "lockstep window: %.2f h", windowHours))
    var groups: [LockstepGroup] = []
    var bestLockstep = Double.infinity
    for run in 1...3 {
      let time = seconds { groups = lockstep.groups(in: corpus.engagementEvents) }
      print(String(format: "  lockstep run %d: %.3f s", run, time))
      bestLockstep = min(bestLockstep, time)
    }
    let plantedUsers = Set(corpus.lockstepGroups.joined())
    let flaggedUsers = Set(groups.flatMap(\.users))
    let userHits = plantedUsers.intersection(flaggedUsers).count
    print(String(format: "lockstep: best %.3f s = %.0f events/s; %d groups (%d users), %d of %d planted users found, %d flagged users not planted",
                 bestLockstep, Double(corpus.engagementEvents.count) / bestLockstep, groups.count, flaggedUsers.count,
                 userHits, plantedUsers.count, flaggedUsers.count - userHits))
  }
}
