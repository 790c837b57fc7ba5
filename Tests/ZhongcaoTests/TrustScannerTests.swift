import Foundation
import Testing
@testable import Zhongcao

/// The whole trust scan on the generated corpus, against its planted truth.
@Suite struct TrustScannerTests {
  static let corpus: NoteCorpus = {
    var generator = NoteCorpusGenerator()
    generator.notes = 4_000
    generator.authors = 800
    generator.seed = 11
    return generator.generate()
  }()

  static let scan: TrustScan = {
    try! TrustScanner().scan(corpus.notes, engagement: corpus.engagementEvents)
  }()

  /// Area under the ROC curve of `scores` for positives against negatives (ties count ½).
  private func auc(_ positives: [Double], _ negatives: [Double]) -> Double {
    let all = (positives.map { ($0, true) } + negatives.map { ($0, false) }).sorted { $0.0 < $1.0 }
    var rankSum = 0.0, i = 0
    while i < all.count {
      var j = i
      while j < all.count && all[j].0 == all[i].0 { j += 1 }
      let averageRank = Double(i + j + 1) / 2
      rankSum += averageRank * Double(all[i..<j].count { $0.1 })
      i = j
    }
    let p = Double(positives.count), n = Double(negatives.count)
    return (rankSum - p * (p + 1) / 2) / (p * n)
  }

  @Test func disclosureGradesMatchWhatWasPlanted() {
    let scan = Self.scan, truth = Self.corpus.truth
    var agree = 0, disclosed = 0, falseDisclosures = 0, undisclosed = 0
    var confusions: [String: Int] = [:]
    for (assessment, planted) in zip(scan.assessments, truth) {
      if planted.kind == .disclosedAd {
        disclosed += 1
        if assessment.grade.rawValue == planted.intendedGrade.rawValue { agree += 1 } else {
          confusions["\(planted.intendedGrade.rawValue)→\(assessment.grade.rawValue)", default: 0] += 1
        }
      } else {
        undisclosed += 1
        if assessment.grade != .absent { falseDisclosures += 1 }
      }
    }
    #expect(Double(agree) >= 0.93 * Double(disclosed), "\(agree) of \(disclosed) disclosed notes graded as planted; confusions \(confusions)")
    #expect(Double(falseDisclosures) <= 0.01 * Double(undisclosed), "\(falseDisclosures) of \(undisclosed) others graded as disclosed")
  }

  @Test func theDetectorFindsUndisclosedPromotionAndIsCalibrated() {
    let scan = Self.scan, truth = Self.corpus.truth
    let hidden = zip(scan.assessments, truth).filter { $0.1.kind == .undisclosedPromotion }.map(\.0.probability)
    let organic = zip(scan.assessments, truth).filter { $0.1.kind == .organic }.map(\.0.probability)
    let area = auc(hidden, organic)
    #expect(area >= 0.9, "AUC \(area)")
    // Expected calibration error of P(sponsored) over the notes the detector decides (the
    // undisclosed ones), 10 equal-width bins.
    let undecided = zip(scan.assessments, truth).filter { $0.0.grade == .absent }
    var count = [Double](repeating: 0, count: 10), predicted = count, positives = count
    for (assessment, planted) in undecided {
      let b = min(9, Int(assessment.probability * 10))
      count[b] += 1
      predicted[b] += assessment.probability
      positives[b] += planted.sponsored ? 1 : 0
    }
    var gap = 0.0
    for b in 0..<10 { gap += abs(predicted[b] - positives[b]) }
    let ece = gap / Double(undecided.count)
    #expect(ece <= 0.05, "ECE \(ece)")
  }

  @Test func plantedCampaignsAreFoundAndOrganicNotesFormNone() {
    let scan = Self.scan, truth = Self.corpus.truth
    let planted = Set(truth.filter { $0.campaign != nil }.map(\.id))
    let found = Set(scan.campaigns.flatMap(\.noteIDs))
    let hits = planted.intersection(found).count
    #expect(Double(hits) >= 0.95 * Double(planted.count), "recall \(hits)/\(planted.count)")
    #expect(Double(hits) >= 0.95 * Double(found.count), "precision \(hits)/\(found.count)")
    let organic = Set(truth.filter { $0.kind == .organic }.map(\.id))
    #expect(found.isDisjoint(with: organic))
  }

  @Test func verdictsAndPrevalenceFollowTheTruth() {
    let scan = Self.scan, truth = Self.corpus.truth
    let counts = Dictionary(grouping: zip(scan.assessments, truth), by: { $0.1.kind })
    func share(_ kind: NoteTruth.Kind, _ verdict: TrustVerdict) -> Double {
      let group = counts[kind] ?? []
      return Double(group.count { $0.0.verdict == verdict }) / Double(max(1, group.count))
    }
    #expect(share(.disclosedAd, .disclosedAd) >= 0.97)
    #expect(share(.campaign, .suspectedUndisclosedPromotion) >= 0.9)
    #expect(share(.undisclosedPromotion, .suspectedUndisclosedPromotion) >= 0.5)
    #expect(share(.organic, .organic) >= 0.9)
    #expect(share(.selfPromotion, .businessSelfPromotion) >= 0.5)
    let planted = Double(truth.count { $0.sponsored || $0.kind == .selfPromotion }) / Double(truth.count)
    #expect(scan.prevalence.lower <= planted && planted <= scan.prevalence.upper,
            "prevalence \(scan.prevalence.estimate) [\(scan.prevalence.lower), \(scan.prevalence.upper)], planted \(planted)")
  }

  @Test func evidenceSpansPointAtTheirText() throws {
    let scan = Self.scan
    let notes = Dictionary(uniqueKeysWithValues: Self.corpus.notes.map { ($0.id, $0) })
    var checked = 0
    for assessment in scan.assessments.prefix(2_000) {
      for evidence in assessment.evidence {
        guard let span = evidence.span, let text = evidence.text else { continue }
        #expect(span.text(in: notes[assessment.id]!) == text)
        checked += 1
      }
    }
    #expect(checked > 500)
  }

  /// The scan with the engagement events as an interactions log (what `recotrain trust scan`
  /// passes) equals the scan with the same events as ``EngagementEvent``s, lockstep groups and
  /// every assessment included. Times are whole seconds in both, as a log holds them.
  @Test func scanWithAnEngagementLogEqualsTheScanWithEvents() throws {
    let events = Self.corpus.engagementEvents.map {
      EngagementEvent(user: $0.user, note: $0.note, timestamp: $0.timestamp.rounded(.down))
    }
    var log = Interactions()
    for event in events { try log.append(user: event.user, note: event.note, timestamp: Int64(event.timestamp)) }
    let scanner = TrustScanner()
    let fromEvents = try scanner.scan(Self.corpus.notes, engagement: events)
    let fromLog = try scanner.scan(Self.corpus.notes, engagement: log)
    #expect(!fromEvents.lockstepGroups.isEmpty)
    #expect(fromLog.lockstepGroups == fromEvents.lockstepGroups)
    #expect(fromLog.assessments == fromEvents.assessments)
    #expect(fromLog.assessments.contains { $0.evidence.contains { $0.detail == "engaged by a lockstep group of accounts" } })
  }
}
