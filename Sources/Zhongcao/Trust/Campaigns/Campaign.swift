/// A cluster of near-duplicate notes from several authors within a time window: the trace of a
/// templated (代写代发) promotion campaign.
public struct Campaign: Sendable, Hashable, Codable, Identifiable {
  /// How a pair of notes was found to be near-duplicates.
  public enum LinkMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// 64-bit SimHash fingerprints within the configured Hamming distance.
    case simHash = "simhash"
    /// MinHash-estimated Jaccard similarity of shingle sets at or above the threshold.
    case minHash = "minhash"
  }

  /// Which methods linked the campaign's notes: the pairs of a spanning forest of the cluster
  /// (each note joined once), counted by method.
  public struct Evidence: Sendable, Hashable, Codable {
    /// Linking pairs at SimHash distance within the threshold.
    public var simHashLinks: Int
    /// Linking pairs found by MinHash only.
    public var minHashLinks: Int
    /// The methods with at least one link.
    public var methods: [LinkMethod] {
      (simHashLinks > 0 ? [.simHash] : []) + (minHashLinks > 0 ? [.minHash] : [])
    }

    /// Evidence with the given link counts.
    public init(simHashLinks: Int, minHashLinks: Int) {
      self.simHashLinks = simHashLinks
      self.minHashLinks = minHashLinks
    }
  }

  /// `campaign-` and 16 hex digits of the XXH64 of the sorted note ids: the same notes give the
  /// same id in every run.
  public var id: String
  /// The notes, ordered by `createdAt` (untimed last), then id.
  public var noteIDs: [String]
  /// The distinct authors, sorted.
  public var authors: [String]
  /// The most frequent brand among the notes, by the caller's brand closure (ties: the
  /// lexicographically smallest); nil without a closure or when it finds none.
  public var brand: String?
  /// The earliest `createdAt` of the notes, nil when none has one.
  public var start: Double?
  /// The latest `createdAt` of the notes.
  public var end: Double?
  /// The text (title and body, at most 200 characters) of the most-linked note: what the template looks like.
  public var sampleText: String
  /// Mean similarity of the linking pairs: `1 − distance/64` for SimHash links, the estimated
  /// Jaccard similarity for MinHash links.
  public var meanSimilarity: Double
  /// Which methods linked the notes.
  public var evidence: Evidence

  /// A campaign with the given fields (the detector builds these; tests and importers may too).
  public init(
    id: String, noteIDs: [String], authors: [String], brand: String?, start: Double?, end: Double?,
    sampleText: String, meanSimilarity: Double, evidence: Evidence
  ) {
    self.id = id
    self.noteIDs = noteIDs
    self.authors = authors
    self.brand = brand
    self.start = start
    self.end = end
    self.sampleText = sampleText
    self.meanSimilarity = meanSimilarity
    self.evidence = evidence
  }
}
