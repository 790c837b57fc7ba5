import Foundation

/// Generates a bilingual (Chinese and English) corpus of Xiaohongshu-style notes with known
/// ground truth, for testing disclosure grading, sponsored-content detection, campaign and
/// lockstep detection, author trust and prevalence estimation, and for demos.
///
/// ## What is planted
///
/// - **Accounts.** ``authors`` accounts, a share ``englishShare`` writing English and the rest
///   Chinese; ``shopShare`` of each language (at least one) are shop or brand accounts, the rest
///   creators with log-normal followers (median 1,500, σ 1.6 in log space) and log-normal
///   activity. ``brands`` fictional brands (Chinese names such as 澜研社, Latin ones such as
///   "Mira Lab"), each in one of 34 categories (skincare, make-up, fragrance, food, cafés,
///   hotpot, gyms, sneakers, headphones, bedding, pets, hotels …; four are venues whose notes
///   are shop visits, 探店, with addresses, opening hours and phone numbers).
/// - **Kinds and shares** (``NoteTruth/Kind``). Exactly `round(sponsoredShare · notes)` notes
///   are sponsored: the campaign notes plus single-creator paid notes; of the latter exactly
///   `round(disclosedShareOfSponsored · count)` carry a disclosure (``NoteTruth/Kind/disclosedAd``)
///   and the rest none (``NoteTruth/Kind/undisclosedPromotion``). `round(selfPromotionShare ·
///   notes)` notes are shops promoting themselves (commercial, not sponsored); the rest are
///   organic. Each note is English with probability ``englishShare`` (campaign 0 is Chinese and
///   campaign 1 English, so both languages have campaigns).
/// - **Who discloses** (selection bias, so disclosed notes are *not* a random sample of paid
///   notes — SAR, not SCAR). Disclosed notes are drawn without replacement with weight
///   `exp(0.9·(log₁₀ followers − 3.5) + 1.2·[published after regulationDate])`: big accounts and
///   notes after the regulation date disclose far more (see ``NoteCorpus/Summary``). Paid notes go
///   to bigger accounts than organic ones (author weight × (followers/1000)^0.4).
/// - **Grades** (``NoteTruth/Grade``) of disclosed notes from ``gradeMix``, with 「广告」/`#ad`
///   (sufficient) 1.5× and vague 0.6× as likely after the regulation date, and the platform label
///   only for accounts with 1,000 followers or more (蒲公英's threshold). Sufficient: 【广告】,
///   广告｜ or 「广告」 (English `Ad | `, `#ad `, `Advertisement: `, `Ad: `) opening the title or
///   body. Platform label: ``Note/brandLabel`` 品牌合作 / "Paid partnership" (60%) or the same
///   words opening the body (40%). Vague: 合作, 恰饭, 商单 (`#sp`, `#spon`, `#collab`,
///   `#gifted`) at the end of the body or as a tag. Buried: a sufficient marker only at the end
///   of a long body (9–12 sentences), or as a tag at position ≥ 5 among 8–12 tags.
/// - **Sponsorship language — learnable, not trivial.** Every note mixes sentence pools: paid
///   notes draw each body sentence from the hype pool (谁用谁知道, 闭眼入, "holy grail", "run don't
///   walk") with probability U(0.35, 0.85), organic ones with U(0, 0.25); the rest are
///   first-person experience and neutral sentences that both share, any of them with a lead-in
///   or aside (说真的，… 哈哈, "Honestly, … lol") so that equal templates read differently. Commercial cues are shared with
///   different rates (organic / paid / campaign): coupon codes 2/30/35%, purchase paths (小黄车,
///   链接左下角, "link in bio", amzn.to / liketk.it links) 3/40/50%, diversion (➕v, V❤, 薇, vx,
///   扣扣, ￥…￥ 淘口令, WhatsApp, phone numbers) 1.5/15/20% (disclosed ads 5%: the undisclosed
///   ones evade), drawbacks 45/6/3%, self-paid prices (自费买的 ¥199, "bought it myself") 30/5/2%,
///   and negated markers (无广, 不是广告哈, "not sponsored", "not an ad") 8/4/3% — paid notes
///   lie too. Organic notes also use 回购, 空瓶, 平替, 绝绝子, "dupe", "haul", prices and brand
///   names. A naive-Bayes ranker over character 2–3-grams trained on disclosed notes (markers
///   masked) against all other notes ranks undisclosed promotion above organic notes with an
///   AUC of about 0.95 at the defaults: learnable, far from perfect; a better model does better.
/// - **Campaigns** (代写代发). ``campaigns`` campaigns of ``campaignSize`` notes each, one brand
///   and one language per campaign, every copy by a different creator with fewer than 1,000
///   followers, all inside ``campaignWindowHours`` hours. Copies share one template (5–7 body
///   sentences) and edit it to one of three degrees. Every copy has numbers and emoji redrawn
///   (10% each), synonym swaps (绝绝子/yyds/太绝了, "holy grail"/"game changer" …), two adjacent
///   sentences swapped (60%) and tags reordered; light copies (45%) swap up to two words and
///   rarely change the opener (10%) or drop a sentence (5%); moderate copies (40%) swap up to
///   three and now and then retitle, open in their own words, add a sentence of their own or
///   drop one (25% each); heavy copies (15%) swap up to four, retitle and reopen half the time,
///   add and drop a sentence more often than not and change the closer (30%). At the defaults
///   every copy keeps character-3-shingle Jaccard similarity (title and body) above 0.45 with
///   its nearest other copy, while pairs of copies go down to about 0.35 (median about 0.77;
///   about 4% of pairs below 0.5) and two thirds of them share a title. Organic notes by
///   different authors stay below 0.5 (highest about 0.42 in a 320,000-pair sample at the
///   defaults, typically under 0.2), and are never templated.
/// - **Engagement.** Counts grow with followers^0.55 (log-normal noise); collect/like, comment/like
///   and share/like ratios are log-normal around kind-specific medians: organic 0.35 / 0.08 /
///   0.05; paid 0.24 / 0.06 / 0.03; campaign notes get 6× inflated likes with collect/like 0.09
///   and comment/like 0.12 (bought likes, templated comments); self-promotion 0.12 / 0.1 / 0.02.
///   The distributions overlap. ``NoteCorpus/engagementEvents`` holds user-level events: on average
///   ``engagementsPerNote`` organic users per note (users picked by log-normal activity, delays
///   exponential with a 36-hour mean), plus one lockstep group per campaign (``lockstepGroupSize``
///   users, disjoint groups) engaging each campaign note with probability 0.9 within 3 hours of
///   publication. Lockstep users also engage organically (camouflage).
/// - **Time.** Notes are uniform over ``days`` days from ``start`` (default 2022-11-01); the
///   default ``regulationDate`` is 2023-05-01, when 《互联网广告管理办法》 took effect.
///
/// ## Determinism and speed
///
/// The output is a pure function of the generator's values: the same seed gives an identical
/// corpus (each note draws from its own ``SeededRandom`` stream, and notes are written in
/// parallel chunks). Work and memory are linear in the notes and events: a debug build writes
/// 100,000 notes (and their 400,000 engagement events) in about 30 s on a loaded 2-core machine;
/// release timings have not been measured yet.
///
///     var generator = NoteCorpusGenerator()
///     generator.notes = 20_000
///     generator.seed = 7
///     let corpus = generator.generate()
///     try corpus.writeNotes(to: "notes.jsonl")
///     try corpus.writeTruth(to: "truth.jsonl")
public struct NoteCorpusGenerator: Sendable, Hashable, Codable {
  /// Relative weights of the disclosure grades among disclosed ads (they need not sum to 1).
  public struct GradeMix: Sendable, Hashable, Codable {
    /// 「广告」 / `#ad` up front.
    public var sufficient: Double = 0.35
    /// The platform label only.
    public var platformLabel: Double = 0.30
    /// A vague self-disclosure only.
    public var vague: Double = 0.20
    /// A sufficient marker, buried.
    public var buried: Double = 0.15

    /// The default mix: 35% sufficient, 30% platform label, 20% vague, 15% buried (before the
    /// regulation-date and follower adjustments).
    public init() {}

    /// A mix of the given weights.
    public init(sufficient: Double, platformLabel: Double, vague: Double, buried: Double) {
      self.sufficient = sufficient
      self.platformLabel = platformLabel
      self.vague = vague
      self.buried = buried
    }
  }

  /// Number of notes.
  public var notes: Int = 10_000
  /// Number of accounts (creators and shops).
  public var authors: Int = 2_000
  /// Number of brands (at most 280).
  public var brands: Int = 60
  /// Number of engaging users.
  public var users: Int = 5_000
  /// The seed: equal seeds give identical corpora.
  public var seed: UInt64 = 42
  /// Share of notes (and of accounts) in English; the rest are Chinese.
  public var englishShare: Double = 0.3
  /// Share of notes that are sponsored (campaign notes included; at least the campaign notes).
  public var sponsoredShare: Double = 0.2
  /// Share of single-creator paid notes that carry a disclosure of some grade.
  public var disclosedShareOfSponsored: Double = 0.3
  /// Share of notes that are shops promoting themselves.
  public var selfPromotionShare: Double = 0.02
  /// Share of accounts that are shops (at least one per language).
  public var shopShare: Double = 0.03
  /// Number of templated campaigns.
  public var campaigns: Int = 20
  /// Notes per campaign, each by a different account; the lower bound is at least 3.
  public var campaignSize: ClosedRange<Int> = 5...12
  /// All notes of a campaign appear within this many hours.
  public var campaignWindowHours: Double = 72
  /// Users per lockstep group (one group per campaign).
  public var lockstepGroupSize: ClosedRange<Int> = 6...12
  /// Mean number of organic engagement events per note.
  public var engagementsPerNote: Double = 4
  /// The first publication time, in seconds since 1970 (default 2022-11-01T00:00:00Z).
  public var start: Double = 1_667_260_800
  /// Notes are spread over this many days.
  public var days: Int = 365
  /// The date after which disclosure is likelier (default 2023-05-01T00:00:00Z, the 互联网广告管理办法).
  public var regulationDate: Double = 1_682_899_200
  /// The disclosure-grade mix of disclosed ads.
  public var gradeMix = GradeMix()

  /// The defaults: 10,000 notes by 2,000 accounts about 60 brands, 30% English, 20% sponsored
  /// of which 20 campaigns of 5–12 notes, 30% of single-creator paid notes disclosed.
  public init() {}

  /// A generator with the main sizes set and everything else at its default.
  public init(notes: Int, authors: Int, brands: Int = 60, seed: UInt64 = 42) {
    self.notes = notes
    self.authors = authors
    self.brands = brands
    self.seed = seed
  }

  /// The largest supported number of brands.
  public static let maximumBrands = 280

  /// Checks every value, naming the first bad one.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument``.
  public func validate() throws(ZhongcaoError) {
    func fail(_ message: String) -> ZhongcaoError { ZhongcaoError(.invalidArgument, message) }
    func share(_ value: Double, _ name: String) throws(ZhongcaoError) {
      guard value.isFinite, value >= 0, value <= 1 else { throw fail("\(name) must be in 0...1, got \(value)") }
    }
    guard notes >= 1, notes <= 100_000_000 else { throw fail("notes must be in 1...100000000, got \(notes)") }
    guard authors >= 4, authors <= 10_000_000 else { throw fail("authors must be in 4...10000000, got \(authors)") }
    guard brands >= 1, brands <= Self.maximumBrands else {
      throw fail("brands must be in 1...\(Self.maximumBrands), got \(brands)")
    }
    guard users >= 1, users <= 100_000_000 else { throw fail("users must be in 1...100000000, got \(users)") }
    try share(englishShare, "english share")
    try share(sponsoredShare, "sponsored share")
    try share(disclosedShareOfSponsored, "disclosed share of sponsored")
    try share(selfPromotionShare, "self-promotion share")
    try share(shopShare, "shop share")
    guard campaigns >= 0 else { throw fail("campaigns must be at least 0, got \(campaigns)") }
    guard campaignSize.lowerBound >= 3 else {
      throw fail("campaign size must start at 3 or more (a campaign spans at least 3 accounts), got \(campaignSize)")
    }
    guard campaigns * campaignSize.upperBound <= notes / 2 else {
      throw fail("campaigns × largest campaign size (\(campaigns * campaignSize.upperBound)) must be at most half the notes (\(notes / 2))")
    }
    let paid = (sponsoredShare * Double(notes)).rounded()
    let shops = (selfPromotionShare * Double(notes)).rounded()
    guard max(paid, Double(campaigns * campaignSize.upperBound)) + shops <= Double(notes) else {
      throw fail("sponsored and self-promotion shares together exceed the notes")
    }
    guard campaignWindowHours.isFinite, campaignWindowHours > 0, campaignWindowHours <= 24 * Double(days) else {
      throw fail("campaign window must be in (0, days × 24] hours, got \(campaignWindowHours)")
    }
    guard lockstepGroupSize.lowerBound >= 1 else { throw fail("lockstep group size must start at 1 or more") }
    guard engagementsPerNote.isFinite, engagementsPerNote >= 0, engagementsPerNote <= 1_000 else {
      throw fail("engagements per note must be in 0...1000, got \(engagementsPerNote)")
    }
    guard start.isFinite, regulationDate.isFinite else { throw fail("start and regulation date must be finite") }
    guard days >= 1, days <= 36_500 else { throw fail("days must be in 1...36500, got \(days)") }
    for weight in [gradeMix.sufficient, gradeMix.platformLabel, gradeMix.vague, gradeMix.buried] {
      guard weight.isFinite, weight >= 0 else { throw fail("grade mix weights must be finite and non-negative") }
    }
    guard gradeMix.sufficient + gradeMix.vague + gradeMix.buried > 0 else {
      throw fail("grade mix needs a positive weight besides the platform label")
    }
  }

  /// Generates the corpus.
  ///
  /// - Precondition: ``validate()`` passes; invalid values trap.
  /// - Complexity: O(notes + authors + users + events), plus sorting by time.
  public func generate() -> NoteCorpus {
    do { try validate() } catch { preconditionFailure("\(error)") }
    return CorpusBuilder(self).build()
  }
}
