/// What the trust scan reads from one note's text.
package struct NoteTextReading: Sendable {
  /// The disclosure grade, rule and markers, as ``DisclosureGrader/assess(_:)-(NormalizedNote)`` gives them.
  package var disclosure: DisclosureAssessment
  /// The commercial-intent signals, as ``SignalDetector/signals(in:)-(NormalizedNote)`` gives them.
  package var signals: [Signal]
  /// The detector's extra inputs (``TrustFeatures/vector(signals:zScores:)``).
  package var extra: [Double]
}

/// Reads notes' text for the trust scan: disclosure, signals and extra detector inputs in one
/// call per note.
///
/// The result equals what `NormalizedNote(note)`, `grader.assess(_:)`, `detector.signals(in:)`
/// and ``TrustFeatures/vector(signals:zScores:)`` return, with less work (the masked text the
/// detector reads is ``TrustFeatures/maskedText(of:markers:)`` of the disclosure's markers):
/// - each field is normalized into the reader's reusable buffers, without building a
///   ``NormalizedNote``;
/// - one lexicon scan per field serves the grader, the detector and the brand list (when the
///   grader and the detector share a lexicon);
/// - original text is decoded only for the evidence of matches.
///
/// A reader owns scratch buffers, so it is not `Sendable`: make one per worker task or chunk.
///
/// ```swift
/// let reads = parallelChunkedMap(count: notes.count, chunkSize: 512) { range in
///   var reader = NoteTextReader(grader: grader, detector: detector)
///   return range.map { reader.read(notes[$0], zScores: norms.zScores(of: notes[$0])) }
/// }
/// ```
package struct NoteTextReader {
  /// The grader of disclosure.
  package let grader: DisclosureGrader
  /// The detector of signals.
  package let detector: SignalDetector
  private let sharesLexicon: Bool
  private let scratch = NormalizerScratch()
  private var candidates: [LexiconMatcher.Candidate] = []

  /// A reader for `grader` and `detector`.
  package init(grader: DisclosureGrader = DisclosureGrader(), detector: SignalDetector = SignalDetector()) {
    self.grader = grader
    self.detector = detector
    // The same compiled matcher (Lexicon.default for both) is the same lexicon; else compare.
    sharesLexicon = grader.lexicon.matcher === detector.lexicon.matcher || grader.lexicon == detector.lexicon
  }

  /// Reads `note`; `zScores` are its engagement z-scores (``EngagementNorms/zScores(of:)``).
  package mutating func read(_ note: Note, zScores: (collect: Double?, comment: Double?) = (nil, nil))
    -> NoteTextReading
  {
    var markers = DisclosureGrader.MarkerCollection()
    var signals: [Signal] = []
    var title = note.title, body = note.body, label = note.brandLabel ?? ""
    title.withUTF8 { read(.title, $0, of: note, into: &markers, &signals) }
    body.withUTF8 { read(.body, $0, of: note, into: &markers, &signals) }
    let tags = scratch.displayedTags(note.tags)
    read(.tags, tags, of: note, into: &markers, &signals)
    label.withUTF8 { read(.brandLabel, $0, of: note, into: &markers, &signals) }
    return NoteTextReading(
      disclosure: grader.assessment(of: markers), signals: signals, extra: TrustFeatures.vector(signals: signals, zScores: zScores))
  }

  /// Normalizes one field (its UTF-8 `original`) and reads its markers and signals.
  private mutating func read(
    _ field: Note.Field, _ original: UnsafeBufferPointer<UInt8>, of note: Note,
    into markers: inout DisclosureGrader.MarkerCollection, _ signals: inout [Signal]
  ) {
    let text = FieldText(
      field: field, normalized: TextNormalizer.normalize(utf8: original, into: scratch), original: original)
    let labels = field == .title || field == .body
    if labels {
      if let scripts = text.normalized.scriptCounts {
        markers.cjkCount += scripts.cjk
        markers.latinCount += scripts.latin
      } else {
        markers.countScripts(text.values)
      }
    }
    if field == .body { markers.bodyColumns = text.normalized.originalColumns }
    guard text.normalized.count > 0 else { return }
    candidates.removeAll(keepingCapacity: true)
    let matcher = detector.matcher
    if sharesLexicon {
      // One scan for the grader (labels allowed in the title and body), the detector and the brands.
      matcher.collectCandidates(
        in: text.values, classes: text.normalized.classes, allowingLabels: labels, into: &candidates)
      let graded = matcher.resolve(candidates)
      grader.collectMarkers(in: text, matches: graded, note: note, into: &markers)
      let hasLabels = labels && candidates.contains(where: \.isLabel)
      let found = hasLabels ? matcher.resolve(candidates, includingLabels: false) : graded
      detector.collectSignals(
        in: text, lexiconMatches: found, brandMatches: matcher.resolve(candidates, source: 1), into: &signals)
    } else {
      let graded = grader.lexicon.matcher.matches(in: text.values, allowingLabels: labels)
      grader.collectMarkers(in: text, matches: graded, note: note, into: &markers)
      matcher.collectCandidates(
        in: text.values, classes: text.normalized.classes, allowingLabels: false, into: &candidates)
      detector.collectSignals(
        in: text, lexiconMatches: matcher.resolve(candidates), brandMatches: matcher.resolve(candidates, source: 1),
        into: &signals)
    }
  }
}
