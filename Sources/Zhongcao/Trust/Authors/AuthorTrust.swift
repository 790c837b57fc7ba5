/// What the trust scan found about one note, as author-level scoring needs it.
public struct NoteFacts: Sendable, Hashable {
  /// The note's author.
  public var author: String
  /// Publication time (seconds since 1970), when known; orders the author's history.
  public var createdAt: Double?
  /// Calibrated probability that the note is paid promotion.
  public var sponsoredProbability: Double
  /// Whether the note discloses (any grade above absent, or the platform label).
  public var disclosed: Bool
  /// Whether the note belongs to a detected campaign.
  public var inCampaign: Bool
  /// Whether its engagement is anomalous (``EngagementNorms``) or came from a lockstep group.
  public var engagementAnomaly: Bool
  /// Brands the note mentions.
  public var brands: [String]

  /// A note's facts.
  public init(author: String, createdAt: Double? = nil, sponsoredProbability: Double, disclosed: Bool,
              inCampaign: Bool = false, engagementAnomaly: Bool = false, brands: [String] = []) {
    self.author = author
    self.createdAt = createdAt
    self.sponsoredProbability = sponsoredProbability
    self.disclosed = disclosed
    self.inCampaign = inCampaign
    self.engagementAnomaly = engagementAnomaly
    self.brands = brands
  }
}

/// How far to trust an author, in [0, 1], with the components it is made of.
///
/// Three rates, each smoothed toward a prior with `priorWeight` pseudo-notes so that an author
/// with two notes is not judged like one with two hundred (`(k + w·p) / (n + w)`):
///
/// - `undisclosedRate`: expected share of the author's notes that are undisclosed promotion,
///   the mean of `P(sponsored)` over notes that do not disclose (prior 0.05);
/// - `campaignShare`: share of notes in detected campaigns (prior 0);
/// - `engagementAnomalyShare`: share with anomalous or lockstep engagement (prior 0.02).
///
/// `score = (1 − undisclosedRate)^4 · (1 − campaignShare)^2 · (1 − engagementAnomalyShare)`:
/// hidden promotion weighs most, then coordinated posting, then engagement. Disclosed
/// sponsorship does not lower trust: it is what the rules ask for. Also reported: the disclosed
/// share and a *sudden brand focus* — the brand of at least half of the author's latest
/// ``recentNotes`` notes (at least 3 of them) that appeared in at most 10% of the notes before.
public struct AuthorTrust: Sendable, Hashable {
  /// The author.
  public var author: String
  /// Trust in [0, 1]; 1 = no sign of hidden promotion, campaigns or odd engagement.
  public var score: Double
  /// Notes of the author in the corpus.
  public var notes: Int
  /// Smoothed expected share of undisclosed promotion.
  public var undisclosedRate: Double
  /// Smoothed share of notes in campaigns.
  public var campaignShare: Double
  /// Smoothed share of notes with anomalous engagement.
  public var engagementAnomalyShare: Double
  /// Raw share of notes that disclose.
  public var disclosedShare: Double
  /// A brand the author suddenly focuses on, if any.
  public var suddenBrandFocus: String?

  /// Pseudo-notes of prior in every smoothed rate.
  public static let priorWeight = 3.0
  /// Latest notes looked at for a sudden brand focus.
  public static let recentNotes = 6

  /// Scores every author of `facts`, least trusted first (ties by author id).
  public static func score(_ facts: [NoteFacts]) -> [AuthorTrust] {
    var authors = IDMap()
    let authorOfNote = facts.indices.map { Int32(authors.insert(facts[$0].author)) }
    return score(facts, notesByAuthor: IndexGroups(keys: authorOfNote, groupCount: authors.count))
  }

  /// ``score(_:)`` with the notes already grouped by author (the indices into `facts` of each
  /// author's notes), as the trust scan has them: no author name is hashed.
  static func score(_ facts: [NoteFacts], notesByAuthor: IndexGroups) -> [AuthorTrust] {
    precondition(notesByAuthor.members.count == facts.count, "every note in one author's group")
    return parallelChunkedMap(count: notesByAuthor.count, chunkSize: 512) { range in
      range.map { author in
        let notes = notesByAuthor[author].map { facts[$0] }
        return score(author: notes[0].author, notes: notes)
      }
    }
    .sorted { ($0.score, $0.author) < ($1.score, $1.author) }
  }

  static func score(author: String, notes: [NoteFacts]) -> AuthorTrust {
    let n = Double(notes.count)
    func smoothed(_ sum: Double, prior: Double) -> Double { (sum + priorWeight * prior) / (n + priorWeight) }
    let undisclosed = smoothed(notes.reduce(0) { $0 + ($1.disclosed ? 0 : $1.sponsoredProbability) }, prior: 0.05)
    let campaign = smoothed(Double(notes.count { $0.inCampaign }), prior: 0)
    let anomaly = smoothed(Double(notes.count { $0.engagementAnomaly }), prior: 0.02)
    let score = pow4(1 - undisclosed) * (1 - campaign) * (1 - campaign) * (1 - anomaly)
    return AuthorTrust(
      author: author, score: min(1, max(0, score)), notes: notes.count, undisclosedRate: undisclosed,
      campaignShare: campaign, engagementAnomalyShare: anomaly,
      disclosedShare: Double(notes.count { $0.disclosed }) / n, suddenBrandFocus: suddenBrandFocus(notes))
  }

  private static func pow4(_ x: Double) -> Double { x * x * x * x }

  static func suddenBrandFocus(_ notes: [NoteFacts]) -> String? {
    guard notes.count > recentNotes else { return nil }
    // The notes by time (ties in input order), as indices: sorting the facts would copy them.
    let ordered = notes.indices.sorted { (notes[$0].createdAt ?? 0, $0) < (notes[$1].createdAt ?? 0, $1) }
    let recent = ordered.suffix(recentNotes), before = ordered.dropLast(recentNotes)
    var counts: [String: Int] = [:]
    for note in recent { for brand in Set(notes[note].brands) { counts[brand, default: 0] += 1 } }
    guard let (brand, count) = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }),
          count >= 3, 2 * count >= recent.count else { return nil }
    let earlier = before.count { notes[$0].brands.contains(brand) }
    return Double(earlier) <= 0.1 * Double(before.count) ? brand : nil
  }
}
