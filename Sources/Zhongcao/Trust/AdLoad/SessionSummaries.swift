/// Which organic notes a user perceives as advertising: disclosed partnerships and detected
/// undisclosed promotion. Paid slots always count; these add to them in the *perceived* ad load.
public struct PerceivedAdvertising: Sendable, Equatable {
  /// Note ids perceived as advertising when shown in an organic slot.
  public var notes: Set<String>

  /// No organic note counts: perceived load equals paid load.
  public init() { notes = [] }

  /// The given note ids count as advertising.
  public init(notes: Set<String>) { self.notes = notes }

  /// Notes a trust scan judged advertising: disclosed ads, business self-promotion and suspected
  /// undisclosed promotion (``TrustVerdict/isAdvertising``).
  public init(scan: TrustScan) {
    notes = Set(scan.assessments.lazy.filter { $0.verdict.isAdvertising }.map(\.id))
  }
}

/// One session of an ``ImpressionLog`` reduced to what ad-density studies use.
public struct SessionSummary: Sendable, Hashable {
  /// The user's index in the log.
  public var user: Int32
  /// Impressions (slots) in the session.
  public var slots: Int
  /// Paid slots.
  public var paid: Int
  /// Organic slots showing notes perceived as advertising.
  public var perceivedOrganic: Int
  /// Engagements with organic notes (all organic slots, perceived advertising included).
  public var organicEngagements: Double
  /// The session's first timestamp, when the log has timestamps.
  public var start: Int64?
  /// The arm, when the log has arms (the arm of the session's first impression).
  public var arm: Int32?
  /// The largest paid share of any `window` consecutive slots (the session's share when it is
  /// shorter than the window).
  public var peakWindowDensity: Double

  /// Organic slots.
  public var organic: Int { slots - paid }
  /// Paid slots ÷ slots.
  public var paidDensity: Double { Double(paid) / Double(slots) }
  /// (Paid + perceived organic advertising) ÷ slots.
  public var perceivedDensity: Double { Double(paid + perceivedOrganic) / Double(slots) }
}

extension ImpressionLog {
  /// Per-session summaries in session order; slots are ordered by position within a session.
  ///
  /// - Parameters:
  ///   - perceived: organic notes that count as advertising in the perceived load.
  ///   - window: the width, in slots, of the sliding window of ``SessionSummary/peakWindowDensity``.
  public func sessionSummaries(perceived: PerceivedAdvertising = .init(), window: Int = 10) -> [SessionSummary] {
    let perceivedNote = notes.ids.map { perceived.notes.contains($0) }
    let (sessionStarts, sessionOrder) = slotsBySession()
    let sponsored = self.sponsored, engagements = self.engagements
    let noteIndices = self.noteIndices, timestamps = self.timestamps, armIndices = self.armIndices
    let sessionUsers = self.sessionUsers
    let window = max(1, window)
    return parallelMap(count: sessionCount, chunkSize: 4_096, workspace: {}) { _, session in
      let slots = sessionOrder[sessionStarts[session]..<sessionStarts[session + 1]]
      var summary = SessionSummary(user: sessionUsers[session], slots: slots.count, paid: 0, perceivedOrganic: 0,
                                   organicEngagements: 0, start: nil, arm: nil, peakWindowDensity: 0)
      var inWindow = 0, peak = 0
      for (offset, impression) in slots.enumerated() {
        let index = Int(impression)
        if sponsored[index] {
          summary.paid += 1
          inWindow += 1
        } else {
          summary.organicEngagements += Double(engagements[index])
          if perceivedNote[Int(noteIndices[index])] { summary.perceivedOrganic += 1 }
        }
        if offset >= window, sponsored[Int(slots[slots.startIndex + offset - window])] { inWindow -= 1 }
        peak = max(peak, inWindow)
        if let timestamps { summary.start = min(summary.start ?? .max, timestamps[index]) }
      }
      summary.peakWindowDensity = Double(peak) / Double(min(window, slots.count))
      summary.arm = armIndices.map { $0[Int(slots[slots.startIndex])] }
      return summary
    }
  }
}

extension ImpressionLog {
  /// The impressions grouped by session and ordered by position inside each (ties by file
  /// order): session `s` holds `order[starts[s]..<starts[s + 1]]`. A counting sort by session;
  /// a session's slots are sorted only when the file did not list them in order.
  func slotsBySession() -> (starts: [Int], order: [Int32]) {
    var starts = [Int](repeating: 0, count: sessionCount + 1)
    for session in sessionIndices { starts[Int(session) + 1] += 1 }
    for index in 0..<sessionCount { starts[index + 1] += starts[index] }
    var order = [Int32](repeating: 0, count: count)
    var next = starts
    for impression in 0..<count {
      let session = Int(sessionIndices[impression])
      order[next[session]] = Int32(impression)
      next[session] += 1
    }
    let positions = self.positions
    for session in 0..<sessionCount where starts[session + 1] - starts[session] > 1 {
      let range = starts[session]..<starts[session + 1]
      if !order[range].isSorted(by: { positions[Int($0)] <= positions[Int($1)] }) {
        order[range].sort { (positions[Int($0)], $0) < (positions[Int($1)], $1) }
      }
    }
    return (starts, order)
  }

  /// Organic impressions as density cells by the ad share of the `window` slots before each
  /// (fewer at the start of a session; a session's first slot has none and is left out), summed
  /// per user and (ads, slots) before it: outcome = engagements, exposure = organic impressions.
  ///
  /// - Parameter perceived: with a set, organic notes in it count as ads too; nil counts paid slots.
  public func windowCells(window: Int, perceived: PerceivedAdvertising?) -> [DensityCell] {
    // Slots and ads before an impression are packed in 16 bits each.
    let window = min(max(1, window), Int(UInt16.max))
    let perceivedNote = perceived.map { set in notes.ids.map { set.notes.contains($0) } }
    let (starts, order) = slotsBySession()
    var totals: [UInt64: (exposure: Double, outcome: Double)] = [:]
    for session in 0..<sessionCount {
      let start = starts[session], end = starts[session + 1]
      let user = UInt64(UInt32(bitPattern: sessionUsers[session]))
      var adsBefore = 0
      for offset in start..<end {
        let index = Int(order[offset])
        let seen = min(window, offset - start)
        if seen > 0, !sponsored[index] {
          let key = user << 32 | UInt64(seen) << 16 | UInt64(adsBefore)
          totals[key, default: (0, 0)].exposure += 1
          totals[key]!.outcome += Double(engagements[index])
        }
        let isAd = sponsored[index] || (perceivedNote?[Int(noteIndices[index])] ?? false)
        if isAd { adsBefore += 1 }
        if offset - start >= window {
          let leaving = Int(order[offset - window])
          if sponsored[leaving] || (perceivedNote?[Int(noteIndices[leaving])] ?? false) { adsBefore -= 1 }
        }
      }
    }
    return totals.sorted { $0.key < $1.key }.map { key, value in
      DensityCell(cluster: Int32(truncatingIfNeeded: key >> 32), density: Double(key & 0xFFFF) / Double(key >> 16 & 0xFFFF),
                  exposure: value.exposure, outcome: value.outcome)
    }
  }
}

extension Collection {
  /// Whether the elements are in order by `areInIncreasingOrder` (non-strict).
  fileprivate func isSorted(by inOrder: (Element, Element) -> Bool) -> Bool {
    var previous = startIndex
    var index = self.index(after: startIndex)
    while index < endIndex {
      if !inOrder(self[previous], self[index]) { return false }
      previous = index
      index = self.index(after: index)
    }
    return true
  }
}
