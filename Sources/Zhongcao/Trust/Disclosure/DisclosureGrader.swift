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
  /// One or two sentences: the grade, the deciding marker and the rule.
  public var explanation: String

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
    var markers: [DisclosureMarker] = [], negatives: [DisclosureMarker] = []
    // Display columns, not scalars: a CJK character takes two columns, so 140 Chinese characters
    // fill the same lines (and reach the same fold) as 280 Latin letters.
    var columnsBefore = [0]
    columnsBefore.reserveCapacity(normalized.note.body.unicodeScalars.count + 1)
    for scalar in normalized.note.body.unicodeScalars {
      let value = scalar.value
      let wide = value < 0x80 ? false : value < 0x10000 ? ScalarClass.table.has(value, ScalarClass.wideBit) : Self.isWide(scalar)
      columnsBefore.append(columnsBefore[columnsBefore.count - 1] + (wide ? 2 : 1))
    }
    let longBody = columnsBefore[columnsBefore.count - 1] > configuration.longBodyColumns
    for field in [Note.Field.title, .body, .tags, .brandLabel] {
      let text = normalized[field]
      if text.count == 0 { continue }
      let matches = lexicon.matches(in: text, allowingLabels: field == .title || field == .body)
      var sawPlatformLabel = false
      for match in matches {
        let entry = lexicon.entries[match.entryIndex]
        guard entry.entryClass.isDisclosure else { continue }
        let span = text.span(of: match.range, in: field)
        var prominent = true
        let hashtagsBefore = Self.hashtagCount(in: text.values, before: match.range.lowerBound)
        switch field {
        case .title, .brandLabel:
          prominent = true
        case .body:
          let belowFold = longBody && columnsBefore[min(span.start, columnsBefore.count - 1)] >= configuration.foldColumns
          let crowded = text.values[match.range.lowerBound] == 0x23 && hashtagsBefore >= configuration.hashtagCrowd
          prominent = !belowFold && !crowded
        case .tags:
          prominent = hashtagsBefore < configuration.hashtagCrowd && !longBody
        }
        if entry.entryClass == .platformLabel { sawPlatformLabel = true }
        let marker = DisclosureMarker(
          markerClass: entry.entryClass, span: span, text: normalized.originalText(span), term: entry.term,
          language: entry.language, source: entry.source, isProminent: prominent)
        if entry.entryClass == .negative { negatives.append(marker) } else { markers.append(marker) }
      }
      if field == .brandLabel && !sawPlatformLabel {
        let label = normalized.note.brandLabel ?? ""
        if !label.allSatisfy(\.isWhitespace) {
          let isChinese = normalized.brandLabel.values.contains(where: ScalarClass.isCJK)
          markers.append(
            DisclosureMarker(
              markerClass: .platformLabel,
              span: TextSpan(field: .brandLabel, start: 0, end: label.unicodeScalars.count), text: label,
              term: "brand_label", language: isChinese ? "zh" : "en",
              source: isChinese ? DisclosureRule.xiaohongshuBrandCooperation.id : DisclosureRule.ftcEndorsementGuides.id,
              isProminent: true))
        }
      }
    }
    return Self.decide(markers: markers, negatives: negatives, note: normalized)
  }

  /// The number of hashtags (`#` followed by a letter, digit or CJK character) before `offset`.
  static func hashtagCount(in values: [UInt32], before offset: Int) -> Int {
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

  static func isChinese(_ note: NormalizedNote) -> Bool {
    var cjk = 0, latin = 0
    for text in [note.title, note.body] {
      for value in text.values {
        if ScalarClass.isCJK(value) { cjk += 1 } else if ScalarClass.isASCIILetter(value) { latin += 1 }
      }
    }
    return cjk > 0 && cjk * 3 >= latin
  }

  static func decide(markers: [DisclosureMarker], negatives: [DisclosureMarker], note: NormalizedNote)
    -> DisclosureAssessment
  {
    func quote(_ marker: DisclosureMarker) -> String { "“\(marker.text)” at \(marker.span)" }
    let chinese = isChinese(note)
    let negativeRemark =
      negatives.isEmpty ? "" : " The note declares itself unsponsored (\(negatives.map(quote).joined(separator: ", "))); that is not a disclosure."
    let grade: DisclosureGrade
    let rule: DisclosureRule
    var explanation: String
    if let marker = markers.first(where: { $0.markerClass == .sufficient && $0.isProminent }) {
      grade = .sufficient
      rule = Self.rule(for: marker, fallback: chinese ? .internetAdvertisingMeasures : .ftcEndorsementGuides)
      explanation = "Sufficient: \(quote(marker)) marks the note as an ad where readers see it."
    } else if let marker = markers.first(where: { $0.markerClass == .platformLabel }) {
      grade = .platformLabel
      rule = Self.rule(for: marker, fallback: marker.language == "zh" ? .xiaohongshuBrandCooperation : .ftcEndorsementGuides)
      explanation =
        "Platform label only: \(quote(marker)). A platform's partnership label is not the 「广告」 / #ad label the law asks for."
    } else if let marker = markers.first(where: { $0.markerClass == .sufficient }) {
      grade = .buried
      rule = marker.language == "zh" ? .prcAdvertisingLaw : .ukInfluencerGuide
      explanation = "Buried: \(quote(marker)) is the only sufficient marker and sits where readers miss it (below the fold of a long body or among many hashtags)."
    } else if let marker = markers.first(where: { $0.markerClass == .vague }) {
      grade = .vague
      rule = Self.rule(for: marker, fallback: marker.language == "zh" ? .internetAdvertisingMeasures : .ftcEndorsementGuides)
      explanation = "Vague: only \(markers.filter { $0.markerClass == .vague }.map(quote).joined(separator: ", ")); ordinary readers do not understand it as an ad label."
    } else {
      grade = .absent
      rule = chinese ? .internetAdvertisingMeasures : .ftcEndorsementGuides
      explanation = "Absent: no disclosure marker."
    }
    explanation += " Judged by \(rule.id)." + negativeRemark
    return DisclosureAssessment(
      grade: grade, rule: rule, markers: markers, negativeDeclarations: negatives, explanation: explanation)
  }
}
