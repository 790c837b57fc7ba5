import ArgumentParser
import Foundation
import Zhongcao

/// `recotrain trust`: paid-promotion flags, campaigns and author trust for a corpus of notes.
struct TrustCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trust",
    abstract: "Flag paid promotion in notes: disclosure grades, undisclosed promotion, campaigns, author trust.",
    discussion: """
      Notes are JSON Lines in Zhongcao's field names or MediaCrawler's xhs_note export. \
      Every flag carries its evidence (marker, signal, campaign, engagement, model words) with \
      character offsets into the note.

      Typical session:
        recotrain trust generate --notes 20000 --out notes.jsonl --truth truth.jsonl
        recotrain trust train --notes notes.jsonl --out detector.json
        recotrain trust scan --notes notes.jsonl --model detector.json --out flags.jsonl
        recotrain trust campaigns --notes notes.jsonl
      """,
    subcommands: [TrustScanCommand.self, TrustTrainCommand.self, TrustCampaignsCommand.self, TrustGenerateCommand.self])
}

/// The lockstep setting shared by `trust scan` and `trust campaigns`.
struct LockstepOptions: ParsableArguments {
  @Option(help: "Width of a note's lockstep window, in hours: a group's engagements with a note must fall within it.")
  var lockstepWindowHours: Double = LockstepConfiguration().window / 3_600

  /// The window in seconds, as ``LockstepConfiguration/window`` takes it.
  var windowSeconds: Double { lockstepWindowHours * 3_600 }
}

/// Options shared by the trust subcommands that read notes.
struct NoteInputOptions: ParsableArguments {
  @Option(help: "Notes, JSON Lines (Zhongcao or MediaCrawler field names).") var notes: String
  @Option(help: "Extra lexicon (TSV, the format of Models/trust-lexicon-v1.tsv), merged over the built-in one.")
  var lexicon: String?
  @Option(help: "Brand list, one brand per line with aliases separated by | (e.g. 兰蔻|Lancome).") var brands: String?
  @Flag(help: "Also count brands learned from the corpus (capitalised names and tags used commercially by several authors).")
  var learnBrands = false
  @Flag(help: "Skip malformed lines (and report how many) instead of failing.") var skipInvalid = false

  /// Loads the notes, reporting skipped lines on stderr.
  func loadNotes(quiet: Bool) throws(ZhongcaoError) -> [Note] {
    var options = NoteLoadOptions()
    options.skipInvalid = skipInvalid
    let (loaded, report) = try NoteLoader.load(contentsOf: notes, options: options)
    if report.skipped > 0 && !quiet {
      Console.note("recotrain: skipped \(report.skipped) invalid line(s) of \(notes); first: \(report.firstProblems.first.map { "\($0)" } ?? "")")
    }
    return loaded
  }

  /// A scanner configuration with the lexicon and brands applied.
  func scannerConfiguration() throws(ZhongcaoError) -> TrustScanner.Configuration {
    var configuration = TrustScanner.Configuration()
    if let lexicon { configuration.lexicon = Lexicon.default.merging(try Lexicon(contentsOf: URL(fileURLWithPath: lexicon))) }
    if let brands { configuration.brands = try BrandList(contentsOf: URL(fileURLWithPath: brands)) }
    configuration.learnBrands = learnBrands
    return configuration
  }
}

/// `recotrain trust scan`.
struct TrustScanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scan",
    abstract: "Grade disclosure, flag undisclosed promotion and campaigns, score authors.",
    discussion: """
      Writes one JSON object per note to --out: id, author, grade, rule, probability, verdict \
      (organic, disclosed_ad, suspected_undisclosed_promotion, business_self_promotion), \
      campaign and evidence (kind, detail, text, field, start, end in Unicode scalars, strength). \
      Prints a summary: counts by grade and verdict, the sponsored share with its interval, the \
      largest campaigns and the least-trusted authors. Without --model a detector is trained on \
      the corpus itself (it needs at least 50 disclosed notes).

      Example:
        recotrain trust scan --notes notes.jsonl --model detector.json --out flags.jsonl
      """)

  @OptionGroup var input: NoteInputOptions
  @Option(help: "A detector trained with `recotrain trust train` (default: train on these notes).") var model: String?
  @Option(help: "Engagement events (user note [weight] timestamp, TSV/CSV) for lockstep detection.") var engagement: String?
  @OptionGroup var lockstep: LockstepOptions
  @Option(help: "Probability at or above which an undisclosed note is suspected promotion.") var threshold: Double = 0.5
  @Option(help: "Where to write the per-note flags (JSON Lines).") var out: String?
  @Option(help: "Campaigns and authors listed in the summary.") var top: Int = 5
  @Flag(help: "Print the summary as JSON on stdout.") var json = false
  @Flag(help: "No progress on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      let clock = ContinuousClock()
      let start = clock.now
      // The detector and the engagement file are read on their own threads while the notes
      // load (their readers are serial; the note loader leaves cores idle between groups);
      // errors still come in the order of the steps: notes, settings, model, events.
      let modelLoad = model.map { path in BackgroundWork { () throws(ZhongcaoError) in try SponsoredDetector(contentsOf: path) } }
      let eventsLoad = engagement.map { path in BackgroundWork { () throws(ZhongcaoError) in try Self.loadEngagement(path) } }
      let notes = try input.loadNotes(quiet: quiet)
      var configuration = try input.scannerConfiguration()
      configuration.suspicionThreshold = threshold
      configuration.lockstep.window = lockstep.windowSeconds
      if let modelLoad { configuration.detector = try modelLoad.value() }
      let events = try eventsLoad?.value() ?? Interactions()
      let loaded = clock.now
      if !quiet && !json { Console.note("scanning \(notes.count) notes …") }
      let scan = try TrustScanner(configuration: configuration).scan(notes, engagement: events)
      let scanned = clock.now
      if let out { try Self.writeFlags(scan, to: out) }
      let summary = Self.summary(scan, top: top, loadSeconds: seconds(loaded - start), scanSeconds: seconds(scanned - loaded))
      if json {
        Console.printJSON(summary)
      } else {
        print(Self.text(scan, top: top, scanSeconds: seconds(scanned - loaded)))
        if let out, !quiet { Console.note("wrote \(out)") }
      }
      keepUntilExit((notes, events, scan))
    }
  }

  /// The engagement events of the file at `path`, as numbered ids and timestamps (no string per
  /// event); throws when the file has no timestamp column.
  static func loadEngagement(_ path: String) throws(ZhongcaoError) -> Interactions {
    let (log, _) = try Interactions.load(contentsOf: path)
    guard log.timestamps != nil else {
      throw ZhongcaoError(.invalidInput, "engagement events need a timestamp column", location: .init(file: path))
    }
    return log
  }

  /// Appends one flags line, `{"author", "campaign", "evidence": [...], "grade", "id",
  /// "probability", "rule", "verdict"}` with keys sorted and without the newline, to `out`;
  /// written by hand (JSONSerialization would take longer than the scan).
  static func appendFlagsLine(_ assessment: NoteAssessment, to out: inout JSONBytes) {
    out.append("{\"author\":", string: assessment.author)
    if let campaign = assessment.campaign { out.append(",\"campaign\":", string: campaign) } else { out.append(",\"campaign\":null") }
    out.append(",\"evidence\":[")
    for (position, item) in assessment.evidence.enumerated() {
      out.append(position == 0 ? "{\"detail\":" : ",{\"detail\":", string: item.detail)
      if let span = item.span {
        out.append(",\"end\":", span.end)
        out.append(",\"field\":", string: span.field.rawValue)
      }
      out.append(",\"kind\":", string: item.kind.rawValue)
      if let span = item.span { out.append(",\"start\":", span.start) }
      if let strength = item.strength { out.append(",\"strength\":", number: strength) }
      if let text = item.text { out.append(",\"text\":", string: text) }
      out.append("}")
    }
    out.append("],\"grade\":", string: assessment.grade.rawValue)
    out.append(",\"id\":", string: assessment.id)
    out.append(",\"probability\":", number: assessment.probability)
    out.append(",\"rule\":", string: assessment.disclosure.rule.id)
    out.append(",\"verdict\":", string: assessment.verdict.rawValue)
    out.append("}")
  }

  /// Writes the flags atomically, one line per note in input order; the lines are built in
  /// parallel blocks.
  static func writeFlags(_ scan: TrustScan, to path: String) throws(ZhongcaoError) {
    let assessments = scan.assessments, block = 2_048
    let blockCount = (assessments.count + block - 1) / block
    // A wave of blocks (two a core) is formatted in parallel and written before the next, so the
    // flags never sit in memory whole and each wave reuses the memory of the one before.
    let wave = 2 * usableCoreCount
    try AtomicFile.write(to: path) { writer throws(ZhongcaoError) in
      for first in stride(from: 0, to: blockCount, by: wave) {
        let blocks = parallelMap(count: min(wave, blockCount - first), chunkSize: 1, workspace: {}) { _, offset -> [UInt8] in
          let index = first + offset
          var text = JSONBytes(capacity: block * 512)
          // Through a buffer pointer: an element of the array itself would be copied (every
          // field retained and released) to be passed.
          assessments.withUnsafeBufferPointer { assessments in
            for i in (index * block)..<min(assessments.count, (index + 1) * block) {
              appendFlagsLine(assessments[i], to: &text)
              text.append("\n")
            }
          }
          return text.bytes
        }
        for bytes in blocks { try writer.write(bytes) }
      }
    }
  }

  static func summary(_ scan: TrustScan, top: Int, loadSeconds: Double, scanSeconds: Double) -> [String: Any] {
    let prevalence = scan.prevalence, gradeCounts = scan.gradeCounts, verdictCounts = scan.verdictCounts
    return [
      "notes": scan.assessments.count,
      "grades": Dictionary(uniqueKeysWithValues: DisclosureGrade.allCases.map { ($0.rawValue, gradeCounts[$0] ?? 0) }),
      "verdicts": Dictionary(uniqueKeysWithValues: TrustVerdict.allCases.map { ($0.rawValue, verdictCounts[$0] ?? 0) }),
      "prevalence": ["estimate": prevalence.estimate, "low": prevalence.lower, "high": prevalence.upper,
                     "lowerBound": prevalence.lowerBound, "confidence": prevalence.confidence],
      "detector": ["source": scan.detectorSource, "classPrior": scan.detector.classPrior,
                   "labelFrequency": scan.detector.labelFrequency],
      "campaigns": scan.campaigns.count,
      "largestCampaigns": scan.campaigns.sorted { $0.noteIDs.count > $1.noteIDs.count }.prefix(top).map { campaign -> [String: Any] in
        ["id": campaign.id, "notes": campaign.noteIDs.count, "authors": campaign.authors.count,
         "brand": campaign.brand ?? NSNull(), "start": campaign.start ?? NSNull(), "end": campaign.end ?? NSNull(),
         "sample": campaign.sampleText]
      },
      "lockstepGroups": scan.lockstepGroups.count,
      "leastTrustedAuthors": scan.authors.prefix(top).map { author -> [String: Any] in
        ["author": author.author, "score": author.score, "notes": author.notes,
         "undisclosedRate": author.undisclosedRate, "campaignShare": author.campaignShare,
         "engagementAnomalyShare": author.engagementAnomalyShare, "disclosedShare": author.disclosedShare,
         "suddenBrandFocus": author.suddenBrandFocus ?? NSNull()]
      },
      "loadSeconds": loadSeconds, "scanSeconds": scanSeconds,
      "scanStepSeconds": ["read": scan.timings.read, "detector": scan.timings.detector, "campaigns": scan.timings.campaigns,
                          "lockstep": scan.timings.lockstep, "verdicts": scan.timings.verdicts, "authors": scan.timings.authors],
    ]
  }

  static func text(_ scan: TrustScan, top: Int, scanSeconds: Double) -> String {
    let n = scan.assessments.count
    func share(_ count: Int) -> String { String(format: "%6d  %5.1f%%", count, 100 * Double(count) / Double(max(1, n))) }
    var lines = ["\(n) notes scanned in \(String(format: "%.2f", scanSeconds)) s (detector \(scan.detectorSource))", "", "disclosure grade"]
    let gradeCounts = scan.gradeCounts, verdictCounts = scan.verdictCounts
    for grade in DisclosureGrade.allCases { lines.append("  " + grade.rawValue.padding(toLength: 32, withPad: " ", startingAt: 0) + share(gradeCounts[grade] ?? 0)) }
    lines += ["", "verdict"]
    for verdict in TrustVerdict.allCases { lines.append("  " + verdict.rawValue.padding(toLength: 32, withPad: " ", startingAt: 0) + share(verdictCounts[verdict] ?? 0)) }
    let p = scan.prevalence
    lines += ["", String(format: "sponsored share %.1f%% (%.0f%% interval %.1f–%.1f%%, lower bound %.1f%%)",
                         100 * p.estimate, 100 * p.confidence, 100 * p.lower, 100 * p.upper, 100 * p.lowerBound)]
    lines += ["", "largest campaigns (\(scan.campaigns.count) in all)"]
    for campaign in scan.campaigns.sorted(by: { $0.noteIDs.count > $1.noteIDs.count }).prefix(top) {
      let sample = String(campaign.sampleText.replacingOccurrences(of: "\n", with: " ").prefix(48))
      lines.append("  \(campaign.noteIDs.count) notes by \(campaign.authors.count) authors, brand \(campaign.brand ?? "?"): \(sample)…")
    }
    if !scan.lockstepGroups.isEmpty {
      let accounts = Set(scan.lockstepGroups.flatMap(\.users)).count
      lines += ["", "\(scan.lockstepGroups.count) lockstep groups: \(accounts) accounts engaging the same notes in step (each within a note's lockstep window)"]
    }
    lines += ["", "least-trusted authors"]
    for author in scan.authors.prefix(top) {
      lines.append(String(format: "  %@  trust %.2f  (%d notes, undisclosed %.0f%%, in campaigns %.0f%%, odd engagement %.0f%%)",
                          author.author, author.score, author.notes, 100 * author.undisclosedRate,
                          100 * author.campaignShare, 100 * author.engagementAnomalyShare)
                   + (author.suddenBrandFocus.map { ", sudden focus on \($0)" } ?? ""))
    }
    return lines.joined(separator: "\n")
  }
}

/// `recotrain trust train`.
struct TrustTrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a sponsored-content detector on your own notes (positive–unlabeled learning).",
    discussion: """
      Disclosed notes are the positives, with their markers masked so the model learns \
      sponsorship and not the label; the disclosure propensity depends on the author's audience \
      and on the 2023 互联网广告管理办法. Writes a versioned JSON model that `trust scan --model` reads.

      Example:
        recotrain trust train --notes notes.jsonl --out detector.json
      """)

  @OptionGroup var input: NoteInputOptions
  @Option(help: "Where to write the detector (JSON).") var out: String
  @Option(help: "Seed of the held-out split and the bootstrap.") var seed: UInt64 = 0
  @Flag(help: "Print a JSON summary on stdout.") var json = false
  @Flag(help: "No progress on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      let notes = try input.loadNotes(quiet: quiet)
      var configuration = try input.scannerConfiguration()
      configuration.training.seed = seed
      let clock = ContinuousClock()
      let start = clock.now
      let detector = try TrustScanner(configuration: configuration).trainDetector(on: notes)
      let trainSeconds = seconds(clock.now - start)
      try detector.save(to: out)
      let summary: [String: Any] = [
        "model": out, "notes": notes.count, "classPrior": detector.classPrior,
        "classPriorLow": detector.classPriorInterval.lowerBound, "classPriorHigh": detector.classPriorInterval.upperBound,
        "labelFrequency": detector.labelFrequency, "trainSeconds": trainSeconds,
        "disclosedTrainingNotes": detector.summary.trainingDisclosed, "trainingNotes": detector.summary.trainingNotes,
      ]
      if json {
        Console.printJSON(summary)
      } else if !quiet {
        Console.note(String(format: "trained on %d notes in %.2f s: estimated sponsored share %.1f%% (%.1f–%.1f%%), %.0f%% of sponsored notes disclosed",
                            notes.count, trainSeconds, 100 * detector.classPrior, 100 * detector.classPriorInterval.lowerBound,
                            100 * detector.classPriorInterval.upperBound, 100 * detector.labelFrequency))
        Console.note("wrote \(out)")
      }
    }
  }
}

/// `recotrain trust campaigns`.
struct TrustCampaignsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "campaigns",
    abstract: "Find coordinated campaigns: near-duplicate notes across authors, lockstep engagement.",
    discussion: """
      Near-duplicates: MinHash LSH and SimHash over normalised character shingles, linked within \
      a time window, kept when at least --minimum-authors different authors posted them.

      Example:
        recotrain trust campaigns --notes notes.jsonl --engagement events.tsv --json
      """)

  @OptionGroup var input: NoteInputOptions
  @Option(help: "Engagement events (user note [weight] timestamp) for lockstep groups.") var engagement: String?
  @OptionGroup var lockstep: LockstepOptions
  @Option(help: "Time window of a campaign, in hours.") var windowHours: Double = 168
  @Option(help: "Distinct authors that make a campaign.") var minimumAuthors: Int = 3
  @Flag(help: "Print JSON on stdout.") var json = false
  @Flag(help: "No progress on stderr.") var quiet = false

  func run() throws {
    try runReportingErrors {
      let notes = try input.loadNotes(quiet: quiet)
      var configuration = CampaignConfiguration()
      configuration.window = windowHours * 3600
      configuration.minimumAuthors = minimumAuthors
      configuration.lockstep.window = lockstep.windowSeconds
      let detector = try CampaignDetector(configuration: configuration)
      let brands = try input.scannerConfiguration().brands
      let signals = SignalDetector(brands: brands)
      let campaigns = detector.campaigns(in: notes) { note in
        signals.signals(in: note).first { $0.kind == .brandMention }.map(\.detail)
      }
      let groups = try engagement.map { path throws(ZhongcaoError) in try detector.lockstepGroups(in: try TrustScanCommand.loadEngagement(path)) } ?? []
      if json {
        Console.printJSON([
          "campaigns": campaigns.map { campaign -> [String: Any] in
            ["id": campaign.id, "notes": campaign.noteIDs, "authors": campaign.authors, "brand": campaign.brand ?? NSNull(),
             "start": campaign.start ?? NSNull(), "end": campaign.end ?? NSNull(), "sample": campaign.sampleText,
             "meanSimilarity": campaign.meanSimilarity]
          },
          "lockstepGroups": groups.map { ["users": $0.users, "notes": $0.notes, "support": $0.support] as [String: Any] },
        ])
      } else {
        print("\(campaigns.count) campaigns among \(notes.count) notes; \(groups.count) lockstep groups")
        for campaign in campaigns.sorted(by: { $0.noteIDs.count > $1.noteIDs.count }) {
          let sample = String(campaign.sampleText.replacingOccurrences(of: "\n", with: " ").prefix(60))
          print("\(campaign.id)  \(campaign.noteIDs.count) notes, \(campaign.authors.count) authors, brand \(campaign.brand ?? "?"), similarity \(String(format: "%.2f", campaign.meanSimilarity)): \(sample)")
        }
        for group in groups { print("lockstep: \(group.users.count) accounts on \(group.notes.count) notes") }
      }
    }
  }
}

/// `recotrain trust generate`.
struct TrustGenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Generate a bilingual note corpus with planted ground truth (ads of every grade, campaigns).",
    discussion: """
      Organic shares that use the same 种草 vocabulary, disclosed ads of every grade, undisclosed \
      promotion, shops promoting themselves and templated campaigns across accounts, with \
      engagement events and a truth file. The same seed gives the same files.

      Example:
        recotrain trust generate --notes 20000 --seed 7 --out notes.jsonl --truth truth.jsonl
      """)

  @Option(help: "Number of notes.") var notes: Int = 10_000
  @Option(help: "Number of accounts.") var authors: Int?
  @Option(help: "Seed.") var seed: UInt64 = 42
  @Option(help: "Share of sponsored notes.") var sponsoredShare: Double = 0.2
  @Option(help: "Share of single-creator paid notes that disclose.") var disclosedShare: Double = 0.3
  @Option(help: "Output format: zhongcao or mediacrawler.") var format: String = "zhongcao"
  @Option(help: "Where to write the notes (JSON Lines).") var out: String
  @Option(help: "Where to write the truth (JSON Lines, plus a .summary.json beside it).") var truth: String?
  @Option(help: "Where to write the engagement events (TSV: user note weight timestamp).") var engagementOut: String?

  func run() throws {
    try runReportingErrors {
      var generator = NoteCorpusGenerator()
      generator.notes = notes
      generator.authors = authors ?? max(10, notes / 5)
      generator.seed = seed
      generator.sponsoredShare = sponsoredShare
      generator.disclosedShareOfSponsored = disclosedShare
      try generator.validate()
      guard let noteFormat = NoteCorpus.NoteFormat(rawValue: format == "mediacrawler" ? "mediaCrawler" : format)
              ?? NoteCorpus.NoteFormat.allCases.first(where: { $0.rawValue.lowercased() == format.lowercased() }) else {
        throw ZhongcaoError(.invalidArgument, "unknown format '\(format)': use zhongcao or mediacrawler")
      }
      let corpus = generator.generate()
      try corpus.writeNotes(to: out, format: noteFormat)
      if let truth { try corpus.writeTruth(to: truth) }
      if let engagementOut {
        var text = "user\tnote\tweight\ttimestamp\n"
        for event in corpus.engagementEvents { text += "\(event.user)\t\(event.note)\t1\t\(Int64(event.timestamp))\n" }
        try AtomicFile.write(Array(text.utf8), to: engagementOut)
      }
      let summary = corpus.summary
      Console.note("generated \(summary.notes) notes (\(summary.kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))) → \(out)")
    }
  }
}
