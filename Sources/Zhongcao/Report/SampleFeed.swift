import Foundation

/// One line of a trust scan's flags file (`recotrain trust scan --out`), as far as a report
/// needs it: the verdict, the disclosure grade and the evidence of one note.
public struct NoteFlag: Sendable, Hashable, Codable {
  /// One piece of evidence: its kind (`disclosure`, `signal`, `campaign`, `model`, …), a short
  /// description and the matched text, if any.
  public struct Evidence: Sendable, Hashable, Codable {
    /// ``TrustEvidence/Kind`` raw value.
    public var kind: String
    /// What it is (marker class and rule, signal kind, campaign id, n-gram …).
    public var detail: String
    /// The matched text, when there is one.
    public var text: String?

    /// A piece of evidence.
    public init(kind: String, detail: String, text: String? = nil) {
      self.kind = kind
      self.detail = detail
      self.text = text
    }
  }

  /// The note id.
  public var id: String
  /// The author id.
  public var author: String
  /// ``DisclosureGrade`` raw value.
  public var grade: String
  /// The rule behind the grade (``DisclosureRule`` id).
  public var rule: String
  /// Calibrated probability that the note is paid promotion.
  public var probability: Double
  /// ``TrustVerdict`` raw value.
  public var verdict: String
  /// The campaign the note belongs to, if any.
  public var campaign: String?
  /// Why.
  public var evidence: [Evidence]

  /// A flag with every field given.
  public init(
    id: String, author: String, grade: String, rule: String, probability: Double, verdict: String,
    campaign: String?, evidence: [Evidence]
  ) {
    self.id = id
    self.author = author
    self.grade = grade
    self.rule = rule
    self.probability = probability
    self.verdict = verdict
    self.campaign = campaign
    self.evidence = evidence
  }

  /// The flag of an assessment, as `trust scan --out` writes it.
  public init(_ assessment: NoteAssessment) {
    self.init(
      id: assessment.id, author: assessment.author, grade: assessment.grade.rawValue,
      rule: assessment.disclosure.rule.id, probability: assessment.probability, verdict: assessment.verdict.rawValue,
      campaign: assessment.campaign,
      evidence: assessment.evidence.map { Evidence(kind: $0.kind.rawValue, detail: $0.detail, text: $0.text) })
  }

  /// Reads a flags file (JSON Lines, one flag per line; blank lines skipped).
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` when the file cannot be read,
  ///   ``ZhongcaoError/Code-swift.struct/invalidInput`` naming the line that is not a flag.
  public static func load(contentsOf path: String) throws(ZhongcaoError) -> [NoteFlag] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ZhongcaoError(.io, "cannot read flags file \(path)", location: .init(file: path))
    }
    let decoder = JSONDecoder()
    var flags: [NoteFlag] = []
    var lineNumber = 0
    for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      lineNumber += 1
      guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { continue }
      do { flags.append(try decoder.decode(NoteFlag.self, from: Data(line))) } catch {
        throw ZhongcaoError(.invalidInput, "not a trust-scan flag: \(error)", location: .init(file: path, line: lineNumber))
      }
    }
    return flags
  }
}

/// A user's feed as the report shows it: organic notes with their trust labels, paid slots,
/// and for each slot the note's title and the scan's evidence. `recotrain feeds` writes a list
/// of them as JSON (`feeds.json`); ``SampleFeed/compose(model:users:flags:notes:count:policy:)``
/// makes them.
public struct SampleFeed: Sendable, Hashable, Codable {
  /// One slot.
  public struct Slot: Sendable, Hashable, Codable {
    /// 1-based position.
    public var position: Int
    /// The note id.
    public var note: String
    /// `organic` or `sponsored` (a paid placement).
    public var kind: String
    /// What the slot is shown as: `organic`, `paid_ad` (a paid placement), `disclosed_ad`,
    /// `suspected_undisclosed_promotion` or `business_self_promotion`.
    public var label: String
    /// The disclosure label shown with the slot ("广告 · Sponsored", "疑似推广 · Possible promotion" …), if any.
    public var shownLabel: String?
    /// The note's title (or the start of its body) when the notes were given.
    public var title: String?
    /// The disclosure grade from the scan.
    public var grade: String?
    /// The detector's probability from the scan.
    public var probability: Double?
    /// The campaign, if the note is in one.
    public var campaign: String?
    /// The scan's evidence (at most five distinct pieces, in the scan's order).
    public var evidence: [NoteFlag.Evidence]
    /// The ranking score (after trust demotion), or the ad's value for paid slots.
    public var score: Double

    /// A slot with every field given.
    public init(
      position: Int, note: String, kind: String, label: String, shownLabel: String?, title: String?, grade: String?,
      probability: Double?, campaign: String?, evidence: [NoteFlag.Evidence], score: Double
    ) {
      self.position = position
      self.note = note
      self.kind = kind
      self.label = label
      self.shownLabel = shownLabel
      self.title = title
      self.grade = grade
      self.probability = probability
      self.campaign = campaign
      self.evidence = evidence
      self.score = score
    }
  }

  /// The user.
  public var user: String
  /// How many notes the user interacted with in training.
  public var historyCount: Int
  /// The slots, top first.
  public var slots: [Slot]

  /// A feed with every field given.
  public init(user: String, historyCount: Int, slots: [Slot]) {
    self.user = user
    self.historyCount = historyCount
    self.slots = slots
  }

  /// Composes each user's feed: the model's trust-aware ranking (suspected undisclosed promotion
  /// demoted by the default ``TrustPolicy``) with paid slots placed under `policy`. The paid
  /// candidates are the notes the scan judged disclosed ads with a sufficient or platform-label
  /// grade (advertiser: the note's author, bid 1, relevance from the model), so every paid slot
  /// is a properly disclosed note. Every slot carries its label, title and evidence.
  ///
  /// - Parameters:
  ///   - model: The trained feed model.
  ///   - users: The users, in order; users the model does not know are skipped.
  ///   - flags: The trust scan's flags for the notes (notes without a flag are organic).
  ///   - notes: The notes, for titles (may be empty).
  ///   - count: Slots per feed.
  ///   - policy: Where ads may go.
  /// - Throws: ``ZhongcaoError`` from the model or the composer.
  public static func compose(
    model: FeedModel, users: [String], flags: [NoteFlag], notes: [Note], count: Int = 12,
    policy: AdPolicy = AdPolicy()
  ) throws(ZhongcaoError) -> [SampleFeed] {
    var flagByNote: [String: NoteFlag] = [:]
    for flag in flags { flagByNote[flag.id] = flag }
    var titleByNote: [String: String] = [:]
    for note in notes { titleByNote[note.id] = Self.headline(note) }
    var trust: [String: NoteTrust] = [:]
    for flag in flags {
      if let verdict = TrustVerdict(rawValue: flag.verdict) { trust[flag.id] = NoteTrust(verdict: verdict, probability: flag.probability) }
    }
    let paid = flags.filter { $0.verdict == TrustVerdict.disclosedAd.rawValue && ($0.grade == "sufficient" || $0.grade == "platformLabel") }
      .map { SponsoredCandidate(note: $0.id, advertiser: $0.author, bid: 1) }
    let composer = try FeedComposer(policy: policy)
    var feeds: [SampleFeed] = []
    for user in users where model.users.index(of: user) != nil {
      let organic = try model.trustedRecommendations(for: user, count: count, trust: trust)
      let composed = try composer.compose(organic: organic, sponsored: paid, length: count, relevanceFrom: model)
      let slots = composed.slots.map { slot -> Slot in
        let flag = flagByNote[slot.note]
        let label = slot.kind == .sponsored ? "paid_ad" : (slot.verdict ?? .organic).rawValue
        return Slot(
          position: slot.position, note: slot.note, kind: slot.kind.rawValue, label: label, shownLabel: slot.label,
          title: titleByNote[slot.note], grade: flag?.grade, probability: flag?.probability, campaign: flag?.campaign,
          evidence: Self.distinct(flag?.evidence ?? []).prefix(5).map { $0 }, score: slot.score)
      }
      feeds.append(SampleFeed(user: user, historyCount: model.seenNotes(of: user).count, slots: slots))
    }
    return feeds
  }

  /// The users with the longest histories in `model`, at most `count`, most active first (ties by id).
  public static func activeUsers(of model: FeedModel, count: Int) -> [String] {
    let ids = model.users.ids
    let sized = ids.map { ($0, model.seenNotes(of: $0).count) }
    return sized.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(max(0, count)).map(\.0)
  }

  /// `count` of `feeds` that together show as many kinds of slot label as possible: greedily, the
  /// feed that adds the most labels not yet shown (ties: the earlier feed), then the earliest of
  /// the rest; returned in their original order.
  public static func varied(_ feeds: [SampleFeed], count: Int) -> [SampleFeed] {
    var chosen: [Int] = [], shown: Set<String> = []
    while chosen.count < min(max(0, count), feeds.count) {
      var best = -1, bestGain = -1
      for index in feeds.indices where !chosen.contains(index) {
        let gain = Set(feeds[index].slots.map(\.label)).subtracting(shown).count
        if gain > bestGain { (best, bestGain) = (index, gain) }
      }
      chosen.append(best)
      shown.formUnion(feeds[best].slots.map(\.label))
    }
    return chosen.sorted().map { feeds[$0] }
  }

  /// `evidence` without repeats (a brand named three times is one piece), first occurrences kept.
  static func distinct(_ evidence: [NoteFlag.Evidence]) -> [NoteFlag.Evidence] {
    var seen: Set<NoteFlag.Evidence> = []
    return evidence.filter { seen.insert($0).inserted }
  }

  /// A note's title, or the first 40 characters of its body when it has none.
  static func headline(_ note: Note) -> String {
    let title = note.title.trimmingCharacters(in: .whitespacesAndNewlines)
    if !title.isEmpty { return title }
    let body = note.body.trimmingCharacters(in: .whitespacesAndNewlines)
    return body.count > 40 ? String(body.prefix(40)) + "…" : body
  }

  /// Version tag of the `feeds.json` format.
  public static let fileFormat = "zhongcao-sample-feeds-1"

  /// The feeds as pretty-printed JSON with sorted keys: `{"feeds": [...], "format": "zhongcao-sample-feeds-1"}`.
  public static func json(_ feeds: [SampleFeed]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: (try? encoder.encode(File(format: fileFormat, feeds: feeds))) ?? Data(), as: UTF8.self)
  }

  /// Reads feeds written by ``json(_:)``.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidInput`` when the data is not such a file.
  public static func decode(_ data: Data, name: String) throws(ZhongcaoError) -> [SampleFeed] {
    let file: File
    do { file = try JSONDecoder().decode(File.self, from: data) } catch {
      throw ZhongcaoError(.invalidInput, "\(name) is not a sample-feeds file: \(error)", location: .init(file: name))
    }
    guard file.format == fileFormat else {
      throw ZhongcaoError(.invalidInput, "\(name) has format '\(file.format)'; this version reads \(fileFormat)", location: .init(file: name))
    }
    return file.feeds
  }

  /// The file's shape.
  private struct File: Codable {
    var format: String
    var feeds: [SampleFeed]
  }
}
