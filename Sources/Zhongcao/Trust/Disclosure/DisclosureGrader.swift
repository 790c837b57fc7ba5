/// How well a note discloses that it is an ad, from best to worst.
public enum DisclosureGrade: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
  /// A legally sufficient marker, prominent: 「广告」, `#ad`, `Advertisement`, `Ad` up front.
  case sufficient
  /// Only the platform's partnership label: 品牌合作 (from `brand_label` or text), "Paid partnership".
  case platformLabel
  /// A sufficient marker exists but only where readers miss it (see ``DisclosureGrader/Configuration``).
  case buried
  /// Only vague self-disclosure: 合作, 恰饭, 商单, `#sp`, `#collab`, `#gifted`…
  case vague
  /// No disclosure at all (a self-declared 自费 / "not sponsored" note is absent too).
  case absent

  private var rank: Int { Self.allCases.firstIndex(of: self)! }
  /// Better grades sort first.
  public static func < (lhs: DisclosureGrade, rhs: DisclosureGrade) -> Bool { lhs.rank < rhs.rank }
}

/// One disclosure marker (or self-declaration of no sponsorship) found in a note.
public struct DisclosureMarker: Sendable, Hashable {
  /// The lexicon class: ``Lexicon/EntryClass/sufficient``, `platformLabel`, `vague` or `negative`.
  public var markerClass: Lexicon.EntryClass
  /// Where it is, in the original text.
  public var span: TextSpan
  /// The original text at ``span``.
  public var text: String
  /// The lexicon term it matched (`ad`, `广告`), or `brand_label` for the platform field itself.
  public var term: String
  /// The lexicon entry's language.
  public var language: String
  /// The id of the rule behind the lexicon entry.
  public var source: String
  /// False when the marker is buried (``DisclosureGrader/Configuration``).
  public var isProminent: Bool

  /// A marker.
  public init(
    markerClass: Lexicon.EntryClass, span: TextSpan, text: String, term: String, language: String,
    source: String, isProminent: Bool
  ) {
    self.markerClass = markerClass
    self.span = span
    self.text = text
    self.term = term
    self.language = language
    self.source = source
    self.isProminent = isProminent
  }
}

/// The disclosure grade of one note, the rule it is judged by and the evidence.
public struct DisclosureAssessment: Sendable, Hashable {
  /// The grade.
  public var grade: DisclosureGrade
  /// The rule the grade is judged by.
  public var rule: DisclosureRule
  /// The disclosure markers found (sufficient, platform label, vague), in field then text order.
  public var markers: [DisclosureMarker]
  /// Self-declarations of no sponsorship (自费, 无广, "not sponsored"). They never count as
  /// markers; a detector may weigh them.
  public var negativeDeclarations: [DisclosureMarker]
  /// One or two sentences: the grade, the deciding marker and the rule. Composed when read (a
  /// scan of 100,000 notes would otherwise build a sentence for every disclosed note that no
  /// output shows).
  public var explanation: String { DisclosureGrader.explanation(of: self) }

  /// Whether the note declares itself unsponsored.
  public var declaresNoSponsorship: Bool { !negativeDeclarations.isEmpty }
}

/// Grades a note's disclosure against the lexicon.
///
/// The grade is the first that applies:
/// 1. ``DisclosureGrade/sufficient``: a `sufficient` marker that is prominent.
/// 2. ``DisclosureGrade/platformLabel``: a non-empty `brand_label`, or a `platformLabel` marker.
/// 3. ``DisclosureGrade/buried``: `sufficient` markers, none prominent.
/// 4. ``DisclosureGrade/vague``: a `vague` marker.
/// 5. ``DisclosureGrade/absent``.
///
/// A marker is **prominent** unless it is buried (thresholds in ``Configuration``):
/// - in the title or the brand label: always prominent;
/// - in the body: buried when the body is long (more than `longBodyColumns` display columns, a
///   CJK or full-width character counting two) and the marker starts at or after column
///   `foldColumns` (below the "see more" fold), or when it is a
///   hashtag with at least `hashtagCrowd` other hashtags before it in the body;
/// - in the tags: buried when at least `hashtagCrowd` tags come before it, or when the body is
///   long (tags are shown after the body).
///
/// The rule: the deciding marker's lexicon source (``DisclosureRule/named(_:)``); for `buried`
/// the "up front" rule of the marker's language (zh: PRC Advertising Law art. 14, otherwise
/// UK CMA/ASA); for `absent` the note's language (zh: 互联网广告管理办法 2023, otherwise FTC 16
/// CFR 255).
public struct DisclosureGrader: Sendable {
  /// Thresholds of the "buried" rule.
  public struct Configuration: Sendable, Hashable {
    /// Body markers starting at or after this display column of a long body are below the fold.
    public var foldColumns: Int
    /// A body wider than this many display columns (CJK characters count two) is long.
    public var longBodyColumns: Int
    /// A hashtag marker with this many other hashtags before it in its field is buried.
    public var hashtagCrowd: Int

    /// Defaults: fold at column 140, long above 280 columns, crowd of 4 hashtags.
    public init(foldColumns: Int = 140, longBodyColumns: Int = 280, hashtagCrowd: Int = 4) {
      self.foldColumns = foldColumns
      self.longBodyColumns = longBodyColumns
      self.hashtagCrowd = hashtagCrowd
    }
  }

  /// The lexicon markers come from.
  public let lexicon: Lexicon
  /// The thresholds.
  public let configuration: Configuration
  private let normalizer = TextNormalizer()

  /// A grader over `lexicon`.
  public init(lexicon: Lexicon = .default, configuration: Configuration = Configuration()) {
    self.lexicon = lexicon
    self.configuration = configuration
  }

  /// Whether a scalar takes two display columns: CJK ideographs, kana, hangul and full-width forms.
  static func isWide(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
         0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
      true
    default:
      false
    }
  }

  /// Grades `note`.
  public func assess(_ note: Note) -> DisclosureAssessment {
    assess(NormalizedNote(note, normalizer: normalizer))
  }

  /// Grades a note normalized beforehand (share it with ``SignalDetector``).
  public func assess(_ normalized: NormalizedNote) -> DisclosureAssessment {
    var collection = MarkerCollection()
    for field in Note.Field.allCases {
      normalized.withFieldText(field, hinted: false) { text in
        let labels = field == .title || field == .body
        if labels { collection.countScripts(text.values) }
        guard text.normalized.count > 0 else { return }
        collectMarkers(
          in: text, matches: lexicon.matcher.matches(in: text.values, allowingLabels: labels), note: normalized.note,
          into: &collection)
      }
    }
    return assessment(of: collection)
  }

  /// What grading gathers from a note's fields, in field order.
  struct MarkerCollection {
    /// Sufficient, platform-label and vague markers.
    var markers: [DisclosureMarker] = []
    /// Self-declarations of no sponsorship.
    var negatives: [DisclosureMarker] = []
    /// CJK characters and ASCII letters of the normalized title and body: the note's language.
    var cjkCount = 0, latinCount = 0
    /// The body's width in display columns, once a marker needed it.
    var bodyColumns: Int?

    /// Counts the CJK characters and ASCII letters of a normalized title or body.
    mutating func countScripts(_ values: UnsafeBufferPointer<UInt32>) {
      var cjk = 0, latin = 0
      for value in values {
        if value < 0x80 {
          if ScalarClass.isASCIILetter(value) { latin += 1 }
        } else if ScalarClass.isCJK(value) {
          cjk += 1
        }
      }
      cjkCount += cjk
      latinCount += latin
    }

    /// Whether the title and body are mostly Chinese.
    var isChinese: Bool { cjkCount > 0 && cjkCount * 3 >= latinCount }
  }

  /// Adds the disclosure markers among `matches`, the lexicon's matches in `text` (labels allowed
  /// in the title and body only), and for the brand label the label itself.
  func collectMarkers(
    in text: FieldText, matches: [Lexicon.Match], note: Note, into collection: inout MarkerCollection
  ) {
    let field = text.field
    /// Whether the body is long (measured once per note, when first needed).
    func longBody() -> Bool {
      if collection.bodyColumns == nil { collection.bodyColumns = Self.columns(of: note.body) }
      return collection.bodyColumns! > configuration.longBodyColumns
    }
    var sawPlatformLabel = false
    for match in matches {
      let entry = lexicon.entries[match.entryIndex]
      guard entry.entryClass.isDisclosure else { continue }
      let span = text.span(of: match.range)
      var prominent = true
      let hashtagsBefore = Self.hashtagCount(in: text.values, before: match.range.lowerBound)
      switch field {
      case .title, .brandLabel:
        prominent = true
      case .body:
        let belowFold = longBody() && Self.columns(of: note.body, before: span.start) >= configuration.foldColumns
        let crowded = text.values[match.range.lowerBound] == 0x23 && hashtagsBefore >= configuration.hashtagCrowd
        prominent = !belowFold && !crowded
      case .tags:
        prominent = hashtagsBefore < configuration.hashtagCrowd && !longBody()
      }
      if entry.entryClass == .platformLabel { sawPlatformLabel = true }
      let marker = DisclosureMarker(
        markerClass: entry.entryClass, span: span, text: text.originalText(span), term: entry.term,
        language: entry.language, source: entry.source, isProminent: prominent)
      if entry.entryClass == .negative { collection.negatives.append(marker) } else { collection.markers.append(marker) }
    }
    if field == .brandLabel && !sawPlatformLabel {
      let label = note.brandLabel ?? ""
      if !label.allSatisfy(\.isWhitespace) {
        let chinese = text.values.contains(where: ScalarClass.isCJK)
        collection.markers.append(Self.platformLabelMarker(label, chinese: chinese))
      }
    }
  }

  /// The marker of a note's own `brand_label` (when no lexicon marker in it is one already).
  static func platformLabelMarker(_ label: String, chinese: Bool) -> DisclosureMarker {
    DisclosureMarker(
      markerClass: .platformLabel, span: TextSpan(field: .brandLabel, start: 0, end: label.unicodeScalars.count),
      text: label, term: "brand_label", language: chinese ? "zh" : "en",
      source: chinese ? DisclosureRule.xiaohongshuBrandCooperation.id : DisclosureRule.ftcEndorsementGuides.id,
      isProminent: true)
  }

  /// Display columns of the first `limit` scalars of `text` (all of them by default): a CJK or
  /// full-width character counts two, so 140 Chinese characters fill the same lines (and reach
  /// the same fold) as 280 Latin letters.
  static func columns(of text: String, before limit: Int = .max) -> Int {
    var columns = 0, offset = 0
    for scalar in text.unicodeScalars {
      if offset >= limit { break }
      let value = scalar.value
      let wide = value < 0x80 ? false : value < 0x10000 ? ScalarClass.table.has(value, ScalarClass.wideBit) : isWide(scalar)
      columns += wide ? 2 : 1
      offset += 1
    }
    return columns
  }

  /// The grade of the markers collected from a note's fields.
  func assessment(of collection: MarkerCollection) -> DisclosureAssessment {
    Self.decide(markers: collection.markers, negatives: collection.negatives, chinese: collection.isChinese)
  }

  /// The number of hashtags (`#` followed by a letter, digit or CJK character) before `offset`.
  static func hashtagCount(in values: UnsafeBufferPointer<UInt32>, before offset: Int) -> Int {
    var count = 0
    var index = 0
    while index < offset && index + 1 < values.count {
      if values[index] == 0x23 && (ScalarClass.isWordCharacter(values[index + 1]) || ScalarClass.isCJK(values[index + 1])) {
        count += 1
      }
      index += 1
    }
    return count
  }

  static func rule(for marker: DisclosureMarker, fallback: DisclosureRule) -> DisclosureRule {
    DisclosureRule.named(marker.source).flatMap { $0 == .heuristic ? nil : $0 } ?? fallback
  }

  /// The grade and rule of a note's markers; `chinese` tells which law an undisclosed note falls
  /// under.
  static func decide(markers: [DisclosureMarker], negatives: [DisclosureMarker], chinese: Bool)
    -> DisclosureAssessment
  {
    let grade: DisclosureGrade, rule: DisclosureRule
    switch decidingMarker(of: markers) {
    case let (.sufficient, marker?):
      (grade, rule) = (.sufficient, Self.rule(for: marker, fallback: chinese ? .internetAdvertisingMeasures : .ftcEndorsementGuides))
    case let (.platformLabel, marker?):
      (grade, rule) = (.platformLabel, Self.rule(for: marker, fallback: marker.language == "zh" ? .xiaohongshuBrandCooperation : .ftcEndorsementGuides))
    case let (.buried, marker?):
      (grade, rule) = (.buried, marker.language == "zh" ? .prcAdvertisingLaw : .ukInfluencerGuide)
    case let (.vague, marker?):
      (grade, rule) = (.vague, Self.rule(for: marker, fallback: marker.language == "zh" ? .internetAdvertisingMeasures : .ftcEndorsementGuides))
    default:
      (grade, rule) = (.absent, chinese ? .internetAdvertisingMeasures : .ftcEndorsementGuides)
    }
    return DisclosureAssessment(grade: grade, rule: rule, markers: markers, negativeDeclarations: negatives)
  }

  /// The grade that `markers` decide and the marker that decides it (none for absent): the first
  /// grade, in this order, that has a deciding marker.
  static func decidingMarker(of markers: [DisclosureMarker]) -> (DisclosureGrade, DisclosureMarker?) {
    for grade in markedGrades {
      if let marker = Self.marker(deciding: grade, in: markers) { return (grade, marker) }
    }
    return (.absent, nil)
  }

  /// The grades a marker decides, strongest first.
  private static let markedGrades: [DisclosureGrade] = [.sufficient, .platformLabel, .buried, .vague]

  /// The first marker that would decide `grade`: a prominent sufficient marker, a platform label,
  /// any sufficient marker (buried), a vague marker; none for absent.
  static func marker(deciding grade: DisclosureGrade, in markers: [DisclosureMarker]) -> DisclosureMarker? {
    switch grade {
    case .sufficient: markers.first { $0.markerClass == .sufficient && $0.isProminent }
    case .platformLabel: markers.first { $0.markerClass == .platformLabel }
    case .buried: markers.first { $0.markerClass == .sufficient }
    case .vague: markers.first { $0.markerClass == .vague }
    case .absent: nil
    }
  }

  /// The sentences of ``DisclosureAssessment/explanation``: the grade with the marker that decides
  /// it, the rule, and any declaration of no sponsorship.
  static func explanation(of assessment: DisclosureAssessment) -> String {
    func quote(_ marker: DisclosureMarker) -> String { "“\(marker.text)” at \(marker.span)" }
    let marker = Self.marker(deciding: assessment.grade, in: assessment.markers)
    var explanation: String
    switch assessment.grade {
    case .sufficient:
      explanation = "Sufficient: \(marker.map(quote) ?? "a disclosure") marks the note as an ad where readers see it."
    case .platformLabel:
      explanation = "Platform label only: \(marker.map(quote) ?? "a partnership label"). A platform's partnership label is not the 「广告」 / #ad label the law asks for."
    case .buried:
      explanation = "Buried: \(marker.map(quote) ?? "a disclosure") is the only sufficient marker and sits where readers miss it (below the fold of a long body or among many hashtags)."
    case .vague:
      explanation = "Vague: only \(assessment.markers.filter { $0.markerClass == .vague }.map(quote).joined(separator: ", ")); ordinary readers do not understand it as an ad label."
    case .absent:
      explanation = "Absent: no disclosure marker."
    }
    explanation += " Judged by \(assessment.rule.id)."
    if !assessment.negativeDeclarations.isEmpty {
      explanation += " The note declares itself unsponsored (\(assessment.negativeDeclarations.map(quote).joined(separator: ", "))); that is not a disclosure."
    }
    return explanation
  }
}
