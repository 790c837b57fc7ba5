/// The thresholds of ``CampaignDetector``.
///
/// The defaults were chosen on the planted-campaign fixture of `CampaignDetectorTests` (edited
/// Chinese and English templates among organic notes on the same products); each property says
/// why it has its value.
public struct CampaignConfiguration: Sendable {
  /// Near-duplicates are linked only when published at most this many seconds apart; `nil`
  /// links them whatever their dates. Default 7 days: a 代写代发 order is posted in a burst of
  /// days, while an evergreen template resurfacing months later is not one campaign. Links chain,
  /// so a campaign may span more than one window. Notes without `createdAt` are linked to any
  /// note (their time is unknown, not far away); they can therefore bridge two bursts.
  public var window: Double?
  /// A cluster is reported only when it spans at least this many distinct authors. Default 3: one
  /// author reposting their own text is not coordination, two can be a pair of friends.
  public var minimumAuthors: Int
  /// Notes with fewer distinct shingles than this are ignored. Default 8: "好用！", "求链接"
  /// and other one-liners are identical across thousands of organic notes and say nothing
  /// about templates.
  public var minimumShingles: Int
  /// SimHash pairs at Hamming distance at most this are linked, 0…3 (the four-block pigeonhole
  /// index finds every pair within 3). Default 3, Manku et al.'s threshold for 64-bit SimHash.
  public var simHashMaximumDistance: Int
  /// Notes with fewer distinct shingles than this also get a MinHash signature. Default 1,000,
  /// i.e. every note of typical length: SimHash at distance ≤ 3 means cosine ≳ 0.99, so it
  /// catches copy-paste but misses a template with a few synonyms swapped; on the test fixture
  /// SimHash alone recovers none of the three planted campaigns, SimHash + MinHash all three.
  /// Longer documents rely on SimHash alone, which bounds the per-note cost.
  public var minHashShingleLimit: Int
  /// MinHash pairs whose estimated Jaccard similarity of shingle sets is at least this are
  /// linked. Default 0.45. Measured (exact Jaccard) on the test fixture: pairs within a planted
  /// campaign have median 0.47–0.60 (range 0.26–1.0), and some campaigns are connected only
  /// through pairs at 0.45–0.5 (at 0.5 their recall depended on the estimator's noise); of about
  /// 87,000 organic pairs sharing stock sentences, 44 reach 0.3, 6 reach 0.4 and 1 reaches 0.5
  /// (isolated pairs, never a three-author cluster).
  public var minimumJaccard: Double
  /// LSH bands; ``minHashRowsPerBand`` × bands hash functions. Default 32 bands of 4 rows (128
  /// functions): a pair at Jaccard 0.5 becomes a candidate with probability 1 − (1 − 0.5⁴)³² ≈
  /// 0.87, at 0.6 ≈ 0.99, at 0.3 ≈ 0.23, and clusters of several notes are linked through any of
  /// their pairs.
  public var minHashBands: Int
  /// Rows per LSH band, 1…8. Default 4 (see ``minHashBands``).
  public var minHashRowsPerBand: Int
  /// How many later notes of one bucket (same SimHash block or LSH band key) each note is compared
  /// with. Default 200. Buckets are scanned in time order, so within a burst this bounds the work
  /// of a bucket of b notes at O(b·200) instead of O(b²); a bucket of identical text (tens of
  /// thousands of copies) still connects, through consecutive copies.
  public var maximumComparisonsPerNote: Int
  /// Also shingle a note's tags. Default false: campaigns reuse hashtags, and so do organic
  /// notes on the same topic, so tags add false links more than true ones.
  public var includeTags: Bool
  /// Replaces the default normalisation (NFKC + lowercasing) applied to the text before it is
  /// tokenised, e.g. to fold homoglyphs or traditional characters. Must be deterministic.
  public var textNormalizer: (@Sendable (String) -> String)?
  /// The thresholds of ``LockstepDetector`` used by ``CampaignDetector/lockstepGroups(in:)``.
  public var lockstep: LockstepConfiguration

  /// A configuration; every parameter has the default documented on its property.
  public init(
    window: Double? = 7 * 86_400, minimumAuthors: Int = 3, minimumShingles: Int = 8,
    simHashMaximumDistance: Int = 3, minHashShingleLimit: Int = 1_000, minimumJaccard: Double = 0.45,
    minHashBands: Int = 32, minHashRowsPerBand: Int = 4, maximumComparisonsPerNote: Int = 200,
    includeTags: Bool = false, textNormalizer: (@Sendable (String) -> String)? = nil,
    lockstep: LockstepConfiguration = LockstepConfiguration()
  ) {
    self.window = window
    self.minimumAuthors = minimumAuthors
    self.minimumShingles = minimumShingles
    self.simHashMaximumDistance = simHashMaximumDistance
    self.minHashShingleLimit = minHashShingleLimit
    self.minimumJaccard = minimumJaccard
    self.minHashBands = minHashBands
    self.minHashRowsPerBand = minHashRowsPerBand
    self.maximumComparisonsPerNote = maximumComparisonsPerNote
    self.includeTags = includeTags
    self.textNormalizer = textNormalizer
    self.lockstep = lockstep
  }

  /// Throws when a parameter is out of range.
  func validate() throws(ZhongcaoError) {
    func check(_ condition: Bool, _ message: String) throws(ZhongcaoError) {
      if !condition { throw ZhongcaoError(.invalidArgument, "campaign detection: " + message) }
    }
    if let window { try check(window.isFinite && window >= 0, "window must be finite and ≥ 0, got \(window)") }
    try check(minimumAuthors >= 2, "minimumAuthors must be ≥ 2, got \(minimumAuthors)")
    try check(minimumShingles >= 1, "minimumShingles must be ≥ 1, got \(minimumShingles)")
    try check((0...3).contains(simHashMaximumDistance),
              "simHashMaximumDistance must be 0…3 (four-block index), got \(simHashMaximumDistance)")
    try check(minHashShingleLimit >= 0, "minHashShingleLimit must be ≥ 0, got \(minHashShingleLimit)")
    try check(minimumJaccard > 0 && minimumJaccard <= 1, "minimumJaccard must be in (0, 1], got \(minimumJaccard)")
    try check((1...8).contains(minHashRowsPerBand), "minHashRowsPerBand must be 1…8, got \(minHashRowsPerBand)")
    try check((1...1_024).contains(minHashBands), "minHashBands must be 1…1024, got \(minHashBands)")
    try check(maximumComparisonsPerNote >= 1, "maximumComparisonsPerNote must be ≥ 1, got \(maximumComparisonsPerNote)")
    try lockstep.validate()
  }
}
