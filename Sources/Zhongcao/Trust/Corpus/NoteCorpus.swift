import Foundation

/// A generated note corpus with its ground truth: what ``NoteCorpusGenerator/generate()`` returns.
///
/// `notes[i]` and `truth[i]` describe the same note (`truth[i].id == notes[i].id`); notes are in
/// publication order and their ids (`n000000`, `n000001`, …) ascend with time. Author ids are
/// `a00000`, … and index ``authors``; engaging users are `u000000`, ….
public struct NoteCorpus: Sendable {
  /// The notes, oldest first.
  public var notes: [Note]
  /// The ground truth of each note, in the order of ``notes``.
  public var truth: [NoteTruth]
  /// Every account, creators and shops, in id order.
  public var authors: [AuthorProfile]
  /// The brand names, in index order; ``NoteTruth/brand`` is one of them.
  public var brands: [String]
  /// User engagements (like, collect or comment; one event per user and note): organic users on
  /// all kinds of notes, plus every lockstep group on its campaign's notes. Sorted by time.
  public var engagementEvents: [EngagementEvent]
  /// `lockstepGroups[c]` are the users who engage campaign `c`'s notes in lockstep (within
  /// hours of each note's publication); campaign numbers are ``NoteTruth/campaign``.
  public var lockstepGroups: [[String]]
  /// The generator that made the corpus, with every planted parameter.
  public var parameters: NoteCorpusGenerator

  /// A corpus from its parts (the generator is the usual source).
  public init(
    notes: [Note], truth: [NoteTruth], authors: [AuthorProfile], brands: [String],
    engagementEvents: [EngagementEvent], lockstepGroups: [[String]], parameters: NoteCorpusGenerator
  ) {
    self.notes = notes
    self.truth = truth
    self.authors = authors
    self.brands = brands
    self.engagementEvents = engagementEvents
    self.lockstepGroups = lockstepGroups
    self.parameters = parameters
  }
}

/// What a generated note really is.
public struct NoteTruth: Sendable, Hashable, Codable {
  /// The kind of a generated note.
  public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
    /// An experience share nobody paid for; often in the same 种草 vocabulary as ads, with
    /// prices, brand names, and now and then a negated marker (无广, "not sponsored").
    case organic
    /// A paid note that carries a disclosure of some grade (``Grade/absent`` excluded).
    case disclosedAd
    /// A paid note by a single creator with no disclosure (软广).
    case undisclosedPromotion
    /// A shop or brand account promoting itself: commercial, but no third party paid for it, so
    /// ``NoteTruth/sponsored`` is false.
    case selfPromotion
    /// One copy of a templated 代写代发 campaign: several low-follower accounts, one brand, one
    /// short window, near-duplicate text; undisclosed.
    case campaign
  }

  /// The disclosure a note was written with: the answer a disclosure grader should give.
  public enum Grade: String, Sendable, Hashable, Codable, CaseIterable {
    /// 「广告」/【广告】/广告｜ or `#ad`/`Ad`/`Advertisement` at the start of the title or body.
    case sufficient
    /// Only the platform's partnership label: ``Note/brandLabel`` 品牌合作 / "Paid partnership",
    /// or the same words opening the body.
    case platformLabel
    /// Only a vague self-disclosure: 合作, 恰饭, 商单, `#sp`, `#spon`, `#collab`, `#gifted`.
    case vague
    /// A sufficient marker, but only at the end of a long body or among eight or more hashtags.
    case buried
    /// No disclosure (organic notes, undisclosed promotion, campaigns, self-promotion).
    case absent
  }

  /// How far a campaign copy was edited from its template.
  public enum CampaignEdit: String, Sendable, Hashable, Codable, CaseIterable {
    /// A word or two swapped, a sentence moved: near-identical to the template.
    case light
    /// More swaps, and now and then a title, opener or sentence of its own, or one dropped.
    case moderate
    /// Reworked: most of those at once; the hardest copies to link to the rest.
    case heavy
  }

  /// The note language.
  public enum Language: String, Sendable, Hashable, Codable, CaseIterable {
    /// Simplified Chinese.
    case chinese = "zh"
    /// English.
    case english = "en"
  }

  /// The note id.
  public var id: String
  /// What the note is.
  public var kind: Kind
  /// Whether a third party paid for the note (disclosed ads, undisclosed promotion, campaigns).
  public var sponsored: Bool
  /// Whether the note is commercial at all: sponsored or self-promotion.
  public var commercial: Bool
  /// The disclosure it was written with.
  public var intendedGrade: Grade
  /// The brand the note is about: promoted for commercial kinds, merely mentioned for organic
  /// notes; nil when none is named.
  public var brand: String?
  /// The campaign number (index into ``NoteCorpus/lockstepGroups``), for campaign notes.
  public var campaign: Int?
  /// How far the copy was edited from its campaign's template, for campaign notes.
  public var campaignEdit: CampaignEdit?
  /// The note language.
  public var language: Language

  /// A truth record.
  public init(
    id: String, kind: Kind, sponsored: Bool, commercial: Bool, intendedGrade: Grade, brand: String?,
    campaign: Int?, campaignEdit: CampaignEdit? = nil, language: Language
  ) {
    self.id = id
    self.kind = kind
    self.sponsored = sponsored
    self.commercial = commercial
    self.intendedGrade = intendedGrade
    self.brand = brand
    self.campaign = campaign
    self.campaignEdit = campaignEdit
    self.language = language
  }

  enum CodingKeys: String, CodingKey {
    case id, kind, sponsored, commercial, intendedGrade = "intended_grade", brand, campaign,
      campaignEdit = "campaign_edit", language
  }
}

/// One account of a generated corpus.
public struct AuthorProfile: Sendable, Hashable, Codable {
  /// Whether the account is a person or a business.
  public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A person posting experience shares, sometimes paid.
    case creator
    /// A shop or brand account (its notes are ``NoteTruth/Kind/selfPromotion``).
    case shop
  }

  /// The author id.
  public var id: String
  /// Creator or shop.
  public var kind: Kind
  /// The language the account writes in.
  public var language: NoteTruth.Language
  /// Follower count (log-normal, median about 1,500 for creators).
  public var followers: Int
  /// The brand a shop account belongs to.
  public var brand: String?
  /// The campaigns the account posted in (empty for most).
  public var campaigns: [Int]

  /// An author record.
  public init(
    id: String, kind: Kind, language: NoteTruth.Language, followers: Int, brand: String?, campaigns: [Int]
  ) {
    self.id = id
    self.kind = kind
    self.language = language
    self.followers = followers
    self.brand = brand
    self.campaigns = campaigns
  }
}


extension NoteCorpus {
  /// Realised counts of a corpus: what was planted, measured on the output.
  public struct Summary: Sendable, Hashable, Codable {
    /// Number of notes.
    public var notes: Int
    /// Notes per ``NoteTruth/Kind`` raw value.
    public var kinds: [String: Int]
    /// Notes per ``NoteTruth/Grade`` raw value.
    public var grades: [String: Int]
    /// Notes per language code.
    public var languages: [String: Int]
    /// Notes per `kind/language`, e.g. `campaign/en`.
    public var kindsByLanguage: [String: Int]
    /// Disclosed-ad notes per `grade/language`.
    public var gradesByLanguage: [String: Int]
    /// Share of notes with ``NoteTruth/sponsored``: the prevalence to estimate.
    public var sponsoredShare: Double
    /// Disclosed ads over disclosed ads plus undisclosed promotion.
    public var disclosedShareOfSponsored: Double
    /// The same share among notes published before the regulation date.
    public var disclosedShareBeforeRegulation: Double
    /// The same share among notes published on or after the regulation date.
    public var disclosedShareAfterRegulation: Double
    /// The same share among notes by authors with fewer than 10,000 followers.
    public var disclosedShareSmallAuthors: Double
    /// The same share among notes by authors with 10,000 followers or more.
    public var disclosedShareLargeAuthors: Double
    /// Number of campaigns.
    public var campaigns: Int
    /// Number of engagement events.
    public var engagementEvents: Int
    /// Number of users in lockstep groups.
    public var lockstepUsers: Int
  }

  /// The realised counts and shares.
  public var summary: Summary {
    var kinds: [String: Int] = [:], grades: [String: Int] = [:], languages: [String: Int] = [:]
    var kindsByLanguage: [String: Int] = [:], gradesByLanguage: [String: Int] = [:]
    var sponsored = 0
    // [disclosed, paid single-creator notes] before/after regulation and small/large authors.
    var before = (0, 0), after = (0, 0), small = (0, 0), large = (0, 0)
    var followers: [String: Int] = [:]
    for author in authors { followers[author.id] = author.followers }
    for (note, truth) in zip(notes, truth) {
      kinds[truth.kind.rawValue, default: 0] += 1
      grades[truth.intendedGrade.rawValue, default: 0] += 1
      languages[truth.language.rawValue, default: 0] += 1
      kindsByLanguage["\(truth.kind.rawValue)/\(truth.language.rawValue)", default: 0] += 1
      if truth.sponsored { sponsored += 1 }
      guard truth.kind == .disclosedAd || truth.kind == .undisclosedPromotion else { continue }
      let disclosed = truth.kind == .disclosedAd ? 1 : 0
      if disclosed == 1 { gradesByLanguage["\(truth.intendedGrade.rawValue)/\(truth.language.rawValue)", default: 0] += 1 }
      if (note.createdAt ?? 0) < parameters.regulationDate {
        before.0 += disclosed; before.1 += 1
      } else {
        after.0 += disclosed; after.1 += 1
      }
      if followers[note.author, default: 0] < 10_000 {
        small.0 += disclosed; small.1 += 1
      } else {
        large.0 += disclosed; large.1 += 1
      }
    }
    func share(_ pair: (Int, Int)) -> Double { pair.1 == 0 ? 0 : Double(pair.0) / Double(pair.1) }
    return Summary(
      notes: notes.count, kinds: kinds, grades: grades, languages: languages, kindsByLanguage: kindsByLanguage,
      gradesByLanguage: gradesByLanguage,
      sponsoredShare: notes.isEmpty ? 0 : Double(sponsored) / Double(notes.count),
      disclosedShareOfSponsored: share((before.0 + after.0, before.1 + after.1)),
      disclosedShareBeforeRegulation: share(before), disclosedShareAfterRegulation: share(after),
      disclosedShareSmallAuthors: share(small), disclosedShareLargeAuthors: share(large),
      campaigns: lockstepGroups.count, engagementEvents: engagementEvents.count,
      lockstepUsers: lockstepGroups.reduce(0) { $0 + $1.count })
  }
}
