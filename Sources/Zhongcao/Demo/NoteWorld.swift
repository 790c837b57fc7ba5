/// A small, coherent note world for demos and tests: notes (with planted trust truth), the
/// users' interactions with exactly those notes, and the settings of an ad-load experiment.
///
/// It ties the generators together so that every step of the main job sees the same ids:
/// ``NoteCorpusGenerator`` writes the notes (`n000000`, … in Chinese and English: organic
/// shares, disclosed ads of every grade, undisclosed promotion, self-promotion, campaigns) and
/// their engagement events; ``FeedGenerator`` draws the interaction log over the same number of
/// notes and users, and its note `i` becomes the corpus's note `i`, so a feed recommended from
/// the log can be labelled by a trust scan of the corpus. The ad-load experiment
/// (``AdLoadSimulator``) simulates its own impressions; its shares of undisclosed promotion and
/// disclosed partnerships among organic notes are set to the corpus's.
///
///     let world = try NoteWorld.generate(.preset(.small, seed: 7))
///     let matrix = InteractionMatrix(world.feed.interactions)   // note ids are world.corpus ids
///
/// The output is a pure function of the configuration (each generator is seeded from it).
public struct NoteWorld: Sendable {
  /// The preset sizes of ``Configuration/preset(_:seed:)``.
  public enum Size: String, Sendable, Hashable, Codable, CaseIterable {
    /// A few hundred users and notes: seconds even in a debug build (tests).
    case tiny
    /// 10,000 users, 4,000 notes, 300,000 events, a six-week experiment on 8,000 users: well
    /// under a minute for the whole demo in a release build on 2 cores.
    case small
    /// 30,000 users, 12,000 notes, 1.2 million events, an experiment on 15,000 users.
    case medium
  }

  /// What to generate.
  public struct Configuration: Sendable, Hashable, Codable {
    /// The preset it came from, or a name of your own.
    public var name: String
    /// Users of the interaction log and engaging users of the corpus (ids `u000000`, …).
    public var users: Int
    /// Notes (ids `n000000`, …), shared by the corpus and the interaction log.
    public var notes: Int
    /// Events of the interaction log.
    public var interactions: Int
    /// Accounts that write the notes.
    public var authors: Int
    /// Brands the notes are about.
    public var brands: Int
    /// Templated campaigns planted in the corpus.
    public var campaigns: Int
    /// Share of sponsored notes (campaigns included).
    public var sponsoredShare: Double
    /// Share of single-creator paid notes that disclose.
    public var disclosedShareOfSponsored: Double
    /// Users of the ad-load experiment.
    public var experimentUsers: Int
    /// Weeks of the experiment after assignment.
    public var experimentWeeks: Int
    /// Weeks before assignment (for CUPED).
    public var experimentPreWeeks: Int
    /// The seed of every generator.
    public var seed: UInt64

    /// A configuration with every field given.
    public init(
      name: String, users: Int, notes: Int, interactions: Int, authors: Int, brands: Int, campaigns: Int,
      sponsoredShare: Double, disclosedShareOfSponsored: Double, experimentUsers: Int, experimentWeeks: Int,
      experimentPreWeeks: Int, seed: UInt64
    ) {
      self.name = name
      self.users = users
      self.notes = notes
      self.interactions = interactions
      self.authors = authors
      self.brands = brands
      self.campaigns = campaigns
      self.sponsoredShare = sponsoredShare
      self.disclosedShareOfSponsored = disclosedShareOfSponsored
      self.experimentUsers = experimentUsers
      self.experimentWeeks = experimentWeeks
      self.experimentPreWeeks = experimentPreWeeks
      self.seed = seed
    }

    /// The preset of a size (see ``Size``) with a seed.
    public static func preset(_ size: Size, seed: UInt64 = 7) -> Configuration {
      switch size {
      case .tiny:
        // Enough disclosed notes (≥ 50) for the scan to train its detector on the corpus.
        Configuration(name: "tiny", users: 400, notes: 500, interactions: 12_000, authors: 120, brands: 20, campaigns: 4,
                      sponsoredShare: 0.35, disclosedShareOfSponsored: 0.6, experimentUsers: 300,
                      experimentWeeks: 2, experimentPreWeeks: 1, seed: seed)
      case .small:
        Configuration(name: "small", users: 10_000, notes: 4_000, interactions: 300_000, authors: 900, brands: 50,
                      campaigns: 15, sponsoredShare: 0.2, disclosedShareOfSponsored: 0.35, experimentUsers: 8_000,
                      experimentWeeks: 6, experimentPreWeeks: 2, seed: seed)
      case .medium:
        Configuration(name: "medium", users: 30_000, notes: 12_000, interactions: 1_200_000, authors: 2_500, brands: 60,
                      campaigns: 20, sponsoredShare: 0.2, disclosedShareOfSponsored: 0.3, experimentUsers: 15_000,
                      experimentWeeks: 8, experimentPreWeeks: 2, seed: seed)
      }
    }

    /// The corpus generator for these values.
    public var corpusGenerator: NoteCorpusGenerator {
      var generator = NoteCorpusGenerator(notes: notes, authors: authors, brands: brands, seed: seed)
      generator.users = users
      generator.campaigns = campaigns
      generator.sponsoredShare = sponsoredShare
      generator.disclosedShareOfSponsored = disclosedShareOfSponsored
      return generator
    }

    /// The interaction generator for these values (notes and users as the corpus's).
    public var feedConfiguration: FeedGenerator.Configuration {
      var configuration = FeedGenerator.Configuration()
      configuration.users = users
      configuration.notes = notes
      configuration.interactions = interactions
      configuration.seed = seed
      return configuration
    }

    /// Checks every value, naming the first bad one.
    /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument``.
    public func validate() throws(ZhongcaoError) {
      try corpusGenerator.validate()
      try feedConfiguration.validate()
      guard experimentUsers >= 1, experimentWeeks >= 1, experimentPreWeeks >= 0 else {
        throw ZhongcaoError(.invalidArgument, "the experiment needs at least one user and one week")
      }
    }
  }

  /// What was generated from.
  public let configuration: Configuration
  /// The notes with their planted truth and engagement events.
  public let corpus: NoteCorpus
  /// The interaction log over the corpus's notes (ids remapped to the corpus's), with the kind
  /// of every event and the planted tastes.
  public let feed: FeedGenerator.Output
  /// The ad-load experiment to simulate: a five-arm experiment (5–25% paid density) with a
  /// planted −2% of organic engagement per +10 points, on ``Configuration/experimentUsers`` users.
  public let adLoad: AdLoadSimulator.Configuration

  /// Generates a world.
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` for an invalid configuration.
  public static func generate(_ configuration: Configuration) throws(ZhongcaoError) -> NoteWorld {
    try configuration.validate()
    let corpus = configuration.corpusGenerator.generate()
    var feed = FeedGenerator(configuration.feedConfiguration).generate()
    let log = feed.interactions
    // The generator's note i (ids in index order) is the corpus's note i.
    precondition(log.notes.count == corpus.notes.count, "the generators disagree on the note count")
    feed.interactions = Interactions(
      users: log.users, notes: IDMap(corpus.notes.map(\.id)), userIndices: log.userIndices,
      noteIndices: log.noteIndices, weights: log.weights, timestamps: log.timestamps)

    var adLoad = AdLoadSimulator.Configuration()
    adLoad.users = configuration.experimentUsers
    adLoad.weeks = configuration.experimentWeeks
    adLoad.prePeriodWeeks = configuration.experimentPreWeeks
    adLoad.seed = configuration.seed
    adLoad.organicNotes = max(1, configuration.notes)
    adLoad.organicEngagementEffect = .logLinear(percentPer10Points: -2)
    adLoad.design = .experiment(arms: [
      AdLoadSimulator.Arm(name: "d05", density: 0.05), AdLoadSimulator.Arm(name: "d10", density: 0.10),
      AdLoadSimulator.Arm(name: "d15", density: 0.15), AdLoadSimulator.Arm(name: "d20", density: 0.20),
      AdLoadSimulator.Arm(name: "d25", density: 0.25),
    ])
    let kinds = corpus.truth.reduce(into: [NoteTruth.Kind: Int]()) { $0[$1.kind, default: 0] += 1 }
    let total = Double(max(1, corpus.notes.count))
    adLoad.undisclosedPromotionShare = Double((kinds[.undisclosedPromotion] ?? 0) + (kinds[.campaign] ?? 0)) / total
    adLoad.disclosedPartnershipShare = Double(kinds[.disclosedAd] ?? 0) / total
    return NoteWorld(configuration: configuration, corpus: corpus, feed: feed, adLoad: adLoad)
  }
}
