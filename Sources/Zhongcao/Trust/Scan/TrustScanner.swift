import Foundation

/// One piece of evidence behind a verdict, pointing into the note where it can.
public struct TrustEvidence: Sendable, Hashable, Codable {
  /// What kind of evidence.
  public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A disclosure marker (its class in ``detail``).
    case disclosure
    /// A declaration of no sponsorship (自费, "not sponsored"): evidence for organic, never a marker.
    case negativeDeclaration = "negative_declaration"
    /// A commercial-intent signal (its ``Signal/Kind`` in ``detail``).
    case signal
    /// Membership of a campaign of near-duplicate notes across authors.
    case campaign
    /// An engagement mix far from the corpus norm.
    case engagement
    /// The learned detector's strongest words.
    case model
    /// The author's notes look like a business promoting itself.
    case author
  }

  /// The kind.
  public var kind: Kind
  /// A short description (marker class and rule, signal kind, campaign id, n-gram…).
  public var detail: String
  /// The matched text, when there is one.
  public var text: String?
  /// Where in the note, when the evidence is text.
  public var span: TextSpan?
  /// Strength or weight, when meaningful.
  public var strength: Double?

  /// A piece of evidence.
  public init(kind: Kind, detail: String, text: String? = nil, span: TextSpan? = nil, strength: Double? = nil) {
    self.kind = kind
    self.detail = detail
    self.text = text
    self.span = span
    self.strength = strength
  }
}

/// The trust scan's judgement of one note.
public struct NoteAssessment: Sendable, Hashable {
  /// The note id.
  public var id: String
  /// The author.
  public var author: String
  /// The disclosure grade and the rule it is judged by.
  public var disclosure: DisclosureAssessment
  /// Calibrated probability that the note is paid promotion.
  public var probability: Double
  /// The verdict.
  public var verdict: TrustVerdict
  /// The campaign the note belongs to, if any.
  public var campaign: String?
  /// The commercial-intent signals found.
  public var signals: [Signal]
  /// Everything the verdict rests on.
  public var evidence: [TrustEvidence]

  /// The grade.
  public var grade: DisclosureGrade { disclosure.grade }
  /// The facts a feed needs.
  public var trust: NoteTrust { NoteTrust(verdict: verdict, probability: probability) }
}

/// The result of scanning a corpus.
public struct TrustScan: Sendable {
  /// One assessment per note, in input order.
  public var assessments: [NoteAssessment]
  /// Campaigns of near-duplicate notes across authors, largest first.
  public var campaigns: [Campaign]
  /// Lockstep engagement groups (when engagement events were given).
  public var lockstepGroups: [LockstepGroup]
  /// Authors, least trusted first.
  public var authors: [AuthorTrust]
  /// The sponsored share of the corpus (all advertising verdicts' probabilities), with interval.
  public var prevalence: PrevalenceEstimate
  /// The detector's estimated class prior and label frequency, when it was trained on this corpus.
  public var detector: SponsoredDetector
  /// Where the detector came from.
  public var detectorSource: String
  /// Wall-clock seconds of each step of the scan.
  public var timings = Timings()

  /// Wall-clock seconds of each step of a scan, for progress reports and benchmarks.
  public struct Timings: Sendable, Hashable, Codable {
    /// Normalising, grading disclosure, signals and detector inputs of every note, and the corpus norms.
    public var read = 0.0
    /// Training the detector on the corpus (0 when one was given).
    public var detector = 0.0
    /// Near-duplicate campaigns.
    public var campaigns = 0.0
    /// Lockstep engagement groups.
    public var lockstep = 0.0
    /// Scoring every note with the detector, verdicts and evidence.
    public var verdicts = 0.0
    /// Author trust and prevalence.
    public var authors = 0.0
    /// The sum of the steps.
    public var total: Double { read + detector + campaigns + lockstep + verdicts + authors }
    /// No time yet.
    public init() {}
  }

  /// Notes per grade.
  public var gradeCounts: [DisclosureGrade: Int] {
    // By index: a closure over the elements would copy (retain and release) each assessment.
    var counts: [DisclosureGrade: Int] = [:]
    for i in assessments.indices { counts[assessments[i].disclosure.grade, default: 0] += 1 }
    return counts
  }
  /// Notes per verdict.
  public var verdictCounts: [TrustVerdict: Int] {
    var counts: [TrustVerdict: Int] = [:]
    for i in assessments.indices { counts[assessments[i].verdict, default: 0] += 1 }
    return counts
  }
  /// The feed-facing trust map: note id → verdict and probability.
  public var trustByNote: [String: NoteTrust] {
    Dictionary(assessments.map { ($0.id, $0.trust) }, uniquingKeysWith: { first, _ in first })
  }
}

/// Flags paid promotion in a corpus of notes, with evidence: disclosure grades, commercial
/// signals, a learned detector's calibrated probability, campaigns of templated notes, lockstep
/// engagement, and author trust.
///
/// Verdicts, the first that applies:
/// 1. ``TrustVerdict/disclosedAd``: the note discloses (any grade but absent; a vague or buried
///    disclosure is still an ad, and its grade says how badly it is disclosed);
/// 2. ``TrustVerdict/businessSelfPromotion``: the note has a booking/ordering call to action or
///    contact details and its author is a business account — at least
///    ``Configuration/businessShare`` of the author's (≥ 3) notes carry such signals;
/// 3. ``TrustVerdict/suspectedUndisclosedPromotion``: the detector's probability is at least
///    ``Configuration/suspicionThreshold``, or the note is part of a campaign;
/// 4. ``TrustVerdict/organic``.
///
/// The detector: the one given, or else one trained on the corpus itself by positive–unlabeled
/// learning (disclosed notes as positives, their markers masked); a corpus needs at least
/// ``Configuration/minimumDisclosedForTraining`` disclosed notes for that.
public struct TrustScanner: Sendable {
  /// Settings of a scan.
  public struct Configuration: Sendable {
    /// The disclosure and keyword lexicon.
    public var lexicon: Lexicon = .default
    /// Brands that count as mentions; brands learned from the corpus are added when
    /// ``learnBrands`` is set.
    public var brands = BrandList()
    /// Learn brands from the corpus (``BrandList/learned(from:lexicon:minimumAuthors:minimumCommercialShare:)``);
    /// off by default: it reads the corpus a second time and its guesses are rough.
    public var learnBrands = false
    /// A trained detector; nil trains one on the scanned corpus.
    public var detector: SponsoredDetector?
    /// Training settings when the detector is trained on the corpus.
    public var training = SponsoredDetector.Configuration(
      featurizer: TextFeaturizer(extraFeatureCount: TrustFeatures.names.count), extraFeatureNames: TrustFeatures.names)
    /// Probability at or above which an undisclosed note is suspected promotion.
    public var suspicionThreshold = 0.5
    /// Share of an author's notes with call-to-action or contact signals that makes a business account.
    public var businessShare = 0.6
    /// Disclosed notes needed to train a detector on the corpus.
    public var minimumDisclosedForTraining = 50
    /// Near-duplicate campaign settings.
    public var campaigns = CampaignConfiguration()
    /// Lockstep settings.
    public var lockstep = LockstepConfiguration()

    /// The defaults.
    public init() {}
  }

  /// The settings.
  public let configuration: Configuration

  /// A scanner.
  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  /// What the scan reads from each note before any corpus-level step.
  struct Read: Sendable {
    var disclosure: DisclosureAssessment
    var signals: [Signal]
    var extra: [Double]
    var anomalous: Bool
  }

  /// The per-note reading shared by ``scan(_:engagement:)`` and ``trainDetector(on:)``:
  /// disclosure, signals and detector inputs (in input order), and the corpus norms.
  func read(_ notes: [Note]) throws(ZhongcaoError)
    -> (reads: [Read], attributes: [[Double]], norms: EngagementNorms, authors: AuthorNumbering)
  {
    let configuration = self.configuration
    guard !notes.isEmpty else { throw ZhongcaoError(.invalidInput, "no notes to scan") }
    guard (0...1).contains(configuration.suspicionThreshold), (0...1).contains(configuration.businessShare) else {
      throw ZhongcaoError(.invalidArgument, "suspicion threshold and business share must be in 0...1")
    }
    var brands = configuration.brands
    if configuration.learnBrands {
      brands = brands.merging(BrandList.learned(from: notes, lexicon: configuration.lexicon))
    }
    let grader = DisclosureGrader(lexicon: configuration.lexicon)
    let detector = SignalDetector(lexicon: configuration.lexicon, brands: brands)
    let norms = EngagementNorms(corpus: notes)
    let reads = parallelMap(count: notes.count, chunkSize: 512, workspace: { NoteTextReader(grader: grader, detector: detector) }) {
      reader, i in
      // The counts, not the note: passing `notes[i]` copies it (retaining and releasing every
      // string of it).
      let zScores = norms.zScores(likes: notes[i].likes, collects: notes[i].collects, comments: notes[i].comments)
      let reading = reader.read(notes[i], zScores: zScores)
      return Read(disclosure: reading.disclosure, signals: reading.signals, extra: reading.extra,
                  anomalous: EngagementNorms.isAnomalous(zScores: zScores))
    }
    let authors = AuthorNumbering(notes)
    // The median likes of each author's notes that have a count, and the attributes, in
    // parallel: serial work here is what keeps two cores from halving the step.
    let medianLikes = parallelChunkedMap(count: authors.count, chunkSize: 2_048) { range in
      range.map { author in
        let likes = authors.notes[author].compactMap { notes[$0].likes.map(Double.init) }
        return likes.isEmpty ? 0 : EngagementNorms.median(likes)
      }
    }
    let attributes = parallelChunkedMap(count: notes.count, chunkSize: 4_096) { range in
      range.map {
        TrustFeatures.propensityAttributes(createdAt: notes[$0].createdAt, authorMedianLikes: medianLikes[Int(authors.ofNote[$0])])
      }
    }
    return (reads, attributes, norms, authors)
  }

  /// The working memory of one worker of the verdict step: the detector's, and the note's masked
  /// text (``TrustFeatures/maskedText(of:markers:)``), laid out afresh for each note.
  struct VerdictWorkspace {
    var detector = SponsoredDetector.Workspace()
    var maskedText: [UInt8] = []
  }

  /// The corpus's authors numbered in order of first appearance, so that per-author tallies are
  /// arrays rather than dictionaries hashing the author's name for every note.
  struct AuthorNumbering: Sendable {
    /// Each note's author number.
    let ofNote: [Int32]
    /// The notes of each author, by number.
    let notes: IndexGroups
    /// The number of distinct authors.
    var count: Int { notes.count }

    init(_ notes: [Note]) {
      var authors = IDMap()
      authors.reserveCapacity(notes.count)  // no rehashing of every author name as the table grows
      ofNote = notes.indices.map { Int32(authors.insert(notes[$0].author)) }
      self.notes = IndexGroups(keys: ofNote, groupCount: authors.count)
    }
  }

  /// Trains a sponsored-content detector on a platform's own corpus by positive–unlabeled
  /// learning: disclosed notes (any grade but absent) are the positives, their markers masked;
  /// the labelling propensity depends on the author's audience and on the 2023 measures
  /// (``TrustFeatures/propensityNames``). The result plugs into ``Configuration/detector``.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` when the corpus has fewer than
  ///   ``Configuration/minimumDisclosedForTraining`` disclosed or other notes.
  public func trainDetector(on notes: [Note]) throws(ZhongcaoError) -> SponsoredDetector {
    let (reads, attributes, _, _) = try read(notes)
    return try train(notes: notes, reads: reads, attributes: attributes)
  }

  private func train(notes: [Note], reads: [Read], attributes: [[Double]]) throws(ZhongcaoError) -> SponsoredDetector {
    let disclosed = reads.count { $0.disclosure.grade != .absent }
    let minimum = configuration.minimumDisclosedForTraining
    guard disclosed >= minimum, notes.count - disclosed >= minimum else {
      throw ZhongcaoError(.invalidArgument, "cannot train a detector on this corpus: \(disclosed) disclosed and \(notes.count - disclosed) other notes, at least \(minimum) of each are needed; pass a trained detector (recotrain trust train)")
    }
    let examples = notes.indices.map { i in
      SponsoredDetector.Example(
        text: TrustFeatures.maskedText(of: notes[i], markers: reads[i].disclosure.markers), extra: reads[i].extra,
        propensityAttributes: attributes[i], isDisclosed: reads[i].disclosure.grade != .absent)
    }
    return try SponsoredDetector.train(examples, configuration: configuration.training)
  }

  /// Scans `notes` (and, when given, engagement events for lockstep detection).
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` when no detector is given and
  ///   the corpus has too few disclosed notes to train one, or for bad settings.
  public func scan(_ notes: [Note], engagement: [EngagementEvent] = []) throws(ZhongcaoError) -> TrustScan {
    try scan(notes) { () throws(ZhongcaoError) in
      engagement.isEmpty ? [] : try LockstepDetector(configuration: configuration.lockstep).groups(in: engagement)
    }
  }

  /// Scans `notes` with the engagement events of `log` (an interactions file with timestamps, as
  /// ``Interactions/load(contentsOf:options:)`` reads it) for lockstep detection: the same scan as
  /// with the events as ``EngagementEvent``s, without a string per event.
  ///
  /// - Throws: as the scan with ``EngagementEvent``s does, and
  ///   ``ZhongcaoError/Code-swift.struct/invalidInput`` when the log has events but no timestamps.
  public func scan(_ notes: [Note], engagement log: Interactions) throws(ZhongcaoError) -> TrustScan {
    try scan(notes) { () throws(ZhongcaoError) in
      log.count == 0 ? [] : try LockstepDetector(configuration: configuration.lockstep).groups(in: log)
    }
  }

  /// The scan, with `lockstepGroups` finding the lockstep groups (step 4).
  private func scan(
    _ notes: [Note], lockstepGroups: () throws(ZhongcaoError) -> [LockstepGroup]
  ) throws(ZhongcaoError) -> TrustScan {
    let configuration = self.configuration
    var timings = TrustScan.Timings()
    let clock = ContinuousClock()
    var stepStart = clock.now
    func lap() -> Double {
      let now = clock.now, elapsed = now - stepStart
      stepStart = now
      return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
    let (reads, attributes, norms, authors) = try read(notes)
    timings.read = lap()

    // 3. The detector.
    let model: SponsoredDetector, source: String
    if let given = configuration.detector {
      guard given.featurizer.extraFeatureCount == TrustFeatures.names.count else {
        throw ZhongcaoError(.invalidArgument, "the detector expects \(given.featurizer.extraFeatureCount) extra features; trust scans give \(TrustFeatures.names.count) (\(TrustFeatures.names.joined(separator: ", ")))")
      }
      (model, source) = (given, "given")
    } else {
      (model, source) = (try train(notes: notes, reads: reads, attributes: attributes), "trained on this corpus")
    }
    timings.detector = lap()

    // 4. Campaigns and lockstep.
    let campaignDetector = try CampaignDetector(configuration: configuration.campaigns)
    // The brand of a note is its first brand mention, already found by the per-note reading.
    let found = campaignDetector.campaignsWithMembers(in: notes) { i in
      reads[i].signals.first(where: { $0.kind == .brandMention })?.detail
    }
    let campaigns = found.map(\.campaign)
    var campaignByNote = [String?](repeating: nil, count: notes.count)
    for (campaign, members) in found { for i in members { campaignByNote[i] = campaign.id } }
    timings.campaigns = lap()
    let lockstep = try lockstepGroups()
    var lockstepNoteIDs = Set<String>()
    for group in lockstep { lockstepNoteIDs.formUnion(group.notes) }
    let lockstepIDs = lockstepNoteIDs
    let lockstepByNote = lockstepIDs.isEmpty
      ? [Bool](repeating: false, count: notes.count)
      : parallelChunkedMap(count: notes.count, chunkSize: 4_096) { range in range.map { lockstepIDs.contains(notes[$0].id) } }
    timings.lockstep = lap()

    // 5. Business accounts.
    let isBusinessSignal: @Sendable (Signal) -> Bool = { signal in
      signal.kind == .callToAction || (signal.kind == .contact && signal.contactKind != .email)
    }
    let hasBusinessSignal = parallelChunkedMap(count: notes.count, chunkSize: 4_096) { range in
      range.map { reads[$0].signals.contains(where: isBusinessSignal) }
    }
    var businessHitsByAuthor = [Int](repeating: 0, count: authors.count), notesByAuthor = [Int](repeating: 0, count: authors.count)
    for i in notes.indices {
      let author = Int(authors.ofNote[i])
      businessHitsByAuthor[author] += hasBusinessSignal[i] ? 1 : 0
      notesByAuthor[author] += 1
    }

    // 6. Scores, verdicts and evidence in one pass: each note is featurised once, and explained
    // (the detector's strongest words) only when suspected.
    let campaignOf = campaignByNote, inLockstep = lockstepByNote, authorBusinessHits = businessHitsByAuthor, notesOfAuthor = notesByAuthor
    let judged = parallelMap(count: notes.count, chunkSize: 512, workspace: { VerdictWorkspace() }) {
      workspace, i -> NoteAssessment in
      // By index: copying the note and its reading would retain and release every field.
      let campaign = campaignOf[i]
      let author = Int(authors.ofNote[i])
      let businessHits = authorBusinessHits[author], authorNotes = notesOfAuthor[author]
      let business = authorNotes >= 3 && Double(businessHits) >= configuration.businessShare * Double(authorNotes)
        && hasBusinessSignal[i]
      // Only an undisclosed note of a non-business author can be suspected: by its score, or
      // whatever its score when it belongs to a campaign.
      let mayBeSuspected = reads[i].disclosure.grade == .absent && !business
      TrustFeatures.writeMaskedUTF8(
        title: notes[i].title, body: notes[i].body, tags: notes[i].tags, markers: reads[i].disclosure.markers,
        into: &workspace.maskedText)
      let scored = workspace.maskedText.withUnsafeBufferPointer { maskedText in
        model.assess(
          utf8: maskedText, extra: reads[i].extra, propensityAttributes: attributes[i], explainCount: mayBeSuspected ? 3 : 0,
          explainThreshold: campaign != nil ? 0 : configuration.suspicionThreshold, workspace: &workspace.detector)
      }
      let probability = scored.probability
      let verdict: TrustVerdict
      if reads[i].disclosure.grade != .absent {
        verdict = .disclosedAd
      } else if business {
        verdict = .businessSelfPromotion
      } else if probability >= configuration.suspicionThreshold || campaign != nil {
        verdict = .suspectedUndisclosedPromotion
      } else {
        verdict = .organic
      }
      let explained = verdict == .suspectedUndisclosedPromotion

      // The evidence, allocated once at its exact size (none at all for a note without any):
      // text evidence, then campaign, engagement, author and the model's words.
      var evidence: [TrustEvidence] = []
      var evidenceCount = reads[i].disclosure.markers.count + reads[i].disclosure.negativeDeclarations.count + reads[i].signals.count
      evidenceCount += (campaign != nil ? 1 : 0) + (reads[i].anomalous ? 1 : 0) + (inLockstep[i] ? 1 : 0)
      evidenceCount += verdict == .businessSelfPromotion ? 1 : 0
      if explained { evidenceCount += scored.explanation.count { $0.contribution > 0 } }
      evidence.reserveCapacity(evidenceCount)
      for marker in reads[i].disclosure.markers {
        evidence.append(TrustEvidence(
          kind: .disclosure, detail: "\(marker.markerClass.rawValue) marker (\(marker.source))", text: marker.text,
          span: marker.span, strength: marker.isProminent ? 1 : 0.5))
      }
      for declaration in reads[i].disclosure.negativeDeclarations {
        evidence.append(TrustEvidence(kind: .negativeDeclaration, detail: "declares no sponsorship", text: declaration.text,
                                      span: declaration.span))
      }
      for signal in reads[i].signals {
        evidence.append(TrustEvidence(
          kind: .signal, detail: signal.contactKind.map { "contact:\($0.rawValue)" } ?? signal.kind.rawValue,
          text: signal.text, span: signal.spans.first, strength: signal.strength))
      }
      if let campaign {
        evidence.append(TrustEvidence(kind: .campaign, detail: "near-duplicate of notes by other authors (\(campaign))"))
      }
      if reads[i].anomalous {
        let z = norms.zScores(likes: notes[i].likes, collects: notes[i].collects, comments: notes[i].comments)
        evidence.append(TrustEvidence(kind: .engagement, detail: String(
          format: "engagement mix far from the corpus norm (collect/like z %.1f, comment/like z %.1f)",
          z.collect ?? 0, z.comment ?? 0)))
      }
      if inLockstep[i] {
        evidence.append(TrustEvidence(kind: .engagement, detail: "engaged by a lockstep group of accounts"))
      }
      if verdict == .businessSelfPromotion {
        evidence.append(TrustEvidence(kind: .author, detail: "\(businessHits) of the author's \(authorNotes) notes call to book, order or get in touch"))
      }
      for feature in scored.explanation where explained && feature.contribution > 0 {
        evidence.append(TrustEvidence(kind: .model, detail: feature.feature, strength: feature.contribution))
      }
      return NoteAssessment(id: notes[i].id, author: notes[i].author, disclosure: reads[i].disclosure,
                            probability: probability, verdict: verdict, campaign: campaign,
                            signals: reads[i].signals, evidence: evidence)
    }
    let assessments = judged
    timings.verdicts = lap()

    // 7. Authors and prevalence.
    let facts = parallelChunkedMap(count: notes.count, chunkSize: 2_048) { range in
      range.map { i in
        NoteFacts(author: notes[i].author, createdAt: notes[i].createdAt, sponsoredProbability: assessments[i].probability,
                  disclosed: reads[i].disclosure.grade != .absent, inCampaign: campaignOf[i] != nil,
                  engagementAnomaly: reads[i].anomalous || lockstepByNote[i],
                  brands: reads[i].signals.filter { $0.kind == .brandMention }.map(\.detail))
      }
    }
    let sponsoredProbabilities = assessments.indices.map {
      assessments[$0].disclosure.grade != .absent || assessments[$0].verdict == .businessSelfPromotion ? 1 : assessments[$0].probability
    }
    let prevalence = PrevalenceEstimate.meanProbability(
      sponsoredProbabilities, calibrationRelativeError: model.classPriorRelativeError)
    let authorTrust = AuthorTrust.score(facts, notesByAuthor: authors.notes)
    timings.authors = lap()
    return TrustScan(assessments: assessments, campaigns: campaigns, lockstepGroups: lockstep,
                     authors: authorTrust, prevalence: prevalence, detector: model, detectorSource: source,
                     timings: timings)
  }
}
