import Foundation

/// Brands whose mention counts as a commercial signal, each with its aliases.
///
/// File format: UTF-8, one brand per line, the name first and aliases after it, separated by
/// `|` (`兰蔻|Lancome|Lancôme`); `#` starts a comment line; blank lines are ignored. Matching is
/// in ``TextNormalizer`` form: case- and width-insensitive, Latin aliases on word boundaries
/// (`Dior` is not in `Diorama`), CJK aliases anywhere.
public struct BrandList: Sendable, Hashable {
  /// A brand and the other names it goes by.
  public struct Brand: Sendable, Hashable, Codable {
    /// The canonical name.
    public var name: String
    /// Other spellings (the name itself need not be repeated).
    public var aliases: [String]

    /// A brand.
    public init(name: String, aliases: [String] = []) {
      self.name = name
      self.aliases = aliases
    }
  }

  /// The brands.
  public let brands: [Brand]
  /// The aliases compiled as lexicon entries, and the brand of each entry.
  let lexicon: Lexicon
  let entryBrand: [Int]

  /// A list of brands.
  public init(_ brands: [Brand] = []) {
    self.brands = brands
    var entries: [Lexicon.Entry] = [], entryBrand: [Int] = []
    for (index, brand) in brands.enumerated() {
      var seen = Set<String>()
      for alias in [brand.name] + brand.aliases where !alias.isEmpty && seen.insert(alias.lowercased()).inserted {
        entries.append(
          Lexicon.Entry(
            term: alias, language: "und", entryClass: .purchase, mode: .substring, source: "brand-list",
            effective: "—"))
        entryBrand.append(index)
      }
    }
    self.lexicon = Lexicon(version: "brands", entries: entries)
    self.entryBrand = entryBrand
  }

  /// Parses a brand list; `file` names it in errors.
  public init(parsing text: String, file: String = "<memory>") throws(ZhongcaoError) {
    var brands: [Brand] = []
    var lineNumber = 0
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let names = line.split(separator: "|", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      if let empty = names.firstIndex(where: \.isEmpty) {
        throw ZhongcaoError(
          .invalidInput, "empty brand name (position \(empty + 1) of '\(line)')",
          location: .init(file: file, line: lineNumber, field: empty == 0 ? "name" : "alias"))
      }
      brands.append(Brand(name: names[0], aliases: Array(names.dropFirst())))
    }
    self.init(brands)
  }

  /// Reads a brand list file.
  ///
  /// - Throws: ``ZhongcaoError`` with code `io` if the file cannot be read, `invalidInput` with
  ///   the line if a line has an empty name.
  public init(contentsOf url: URL) throws(ZhongcaoError) {
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw ZhongcaoError(.io, "cannot read brand list: \(error.localizedDescription)", location: .init(file: url.path))
    }
    try self.init(parsing: text, file: url.path)
  }

  /// This list followed by the brands of `other` whose name it does not have yet.
  public func merging(_ other: BrandList) -> BrandList {
    let names = Set(brands.map { $0.name.lowercased() })
    return BrandList(brands + other.brands.filter { !names.contains($0.name.lowercased()) })
  }

  public static func == (lhs: BrandList, rhs: BrandList) -> Bool { lhs.brands == rhs.brands }
  public func hash(into hasher: inout Hasher) { hasher.combine(brands) }

  /// Brands learned from a corpus: names that turn up in commercial notes of several distinct
  /// authors and mostly in commercial notes.
  ///
  /// The heuristic:
  /// 1. A note is **commercial** when ``DisclosureGrader`` finds any disclosure marker (grade
  ///    not `absent`) or ``SignalDetector`` finds a coupon, link, diversion, contact or call to
  ///    action signal.
  /// 2. **Candidates** per note: capitalised Latin tokens of 3–30 letters/digits in the title,
  ///    body and brand label (`Lancome`, `CeraVe`, `YSL`), minus an English stop-word list and
  ///    the lexicon's terms; CJK tags of 2–8 characters; CJK text of 2–8 characters inside
  ///    `「」`, `【】`, `“”` or after `品牌合作：` / `合作：`. Lexicon terms never count.
  /// 3. A candidate is kept when at least `minimumAuthors` distinct authors use it in commercial
  ///    notes and at least `minimumCommercialShare` of all notes that use it are commercial
  ///    (ordinary tags such as #探店 or words such as "Today" also appear in organic notes).
  /// 4. Latin candidates that differ only in case are one brand, named by the most frequent
  ///    spelling. Brands are ordered by commercial authors, most first, then by name.
  public static func learned(
    from notes: [Note], lexicon: Lexicon = .default, minimumAuthors: Int = 3, minimumCommercialShare: Double = 0.5
  ) -> BrandList {
    let grader = DisclosureGrader(lexicon: lexicon)
    let detector = SignalDetector(lexicon: lexicon)
    let strongKinds: Set<Signal.Kind> = [.couponCode, .purchaseLink, .affiliateLink, .diversion, .contact, .callToAction]
    let lexiconTerms = Set(lexicon.entries.map { $0.term.lowercased() })
    struct Tally {
      var commercialAuthors = Set<String>()
      var notes = 0
      var commercialNotes = 0
      var spellings: [String: Int] = [:]
    }
    var tallies: [String: Tally] = [:]
    for note in notes {
      let normalized = NormalizedNote(note)
      let commercial =
        grader.assess(normalized).grade != .absent
        || detector.signals(in: normalized).contains { strongKinds.contains($0.kind) }
      var seen = Set<String>()
      for candidate in candidates(in: note) {
        let key = candidate.lowercased()
        guard !lexiconTerms.contains(key), seen.insert(key).inserted else { continue }
        tallies[key, default: Tally()].notes += 1
        tallies[key]!.spellings[candidate, default: 0] += 1
        if commercial {
          tallies[key]!.commercialNotes += 1
          tallies[key]!.commercialAuthors.insert(note.author)
        }
      }
    }
    let kept = tallies.filter { _, tally in
      tally.commercialAuthors.count >= minimumAuthors
        && Double(tally.commercialNotes) >= minimumCommercialShare * Double(tally.notes)
    }
    let ordered = kept.sorted {
      ($0.value.commercialAuthors.count, $1.key) > ($1.value.commercialAuthors.count, $0.key)
    }
    return BrandList(
      ordered.map { _, tally in
        let spellings = tally.spellings.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
        return Brand(name: spellings[0], aliases: Array(spellings.dropFirst()))
      })
  }

  static let stopWords: Set<String> = [
    "the", "and", "this", "that", "with", "for", "you", "your", "our", "are", "was", "but", "not", "have", "has", "just",
    "love", "today", "new", "now", "get", "got", "use", "my", "its", "it's", "all", "one", "day", "what", "when", "how",
    "why", "who", "so", "very", "really", "best", "good", "great", "top", "link", "shop", "buy", "code", "free", "sale",
    "off", "only", "here", "there", "they", "she", "he", "we", "me", "his", "her", "from", "also", "still", "thanks",
    "thank", "hello", "hi", "omg", "wow", "yes", "no", "ok", "okay", "must", "can", "will", "did", "does", "got", "ad",
    "dm", "pr", "diy", "ootd", "vlog", "day", "week", "year", "morning", "night", "spring", "summer", "autumn", "fall",
    "winter", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
  ]

  /// Brand candidates of one note (step 2 of ``learned(from:lexicon:minimumAuthors:minimumCommercialShare:)``).
  static func candidates(in note: Note) -> [String] {
    var result: [String] = []
    for text in [note.title, note.body, note.brandLabel ?? ""] {
      var token = ""
      func flush() {
        if (3...30).contains(token.count), let first = token.unicodeScalars.first, first.properties.isUppercase,
          token.unicodeScalars.contains(where: { $0.properties.isAlphabetic }), !stopWords.contains(token.lowercased())
        {
          result.append(token)
        }
        token = ""
      }
      for scalar in text.unicodeScalars {
        if scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) || scalar.value == 0xE9
          || scalar.value == 0xF4
        {
          token.unicodeScalars.append(scalar)
        } else {
          flush()
        }
      }
      flush()
      // CJK inside brackets or after a partnership colon.
      let scalars = Array(text.unicodeScalars)
      let openers: [UInt32: UInt32] = [0x300C: 0x300D, 0x3010: 0x3011, 0x201C: 0x201D]
      var index = 0
      while index < scalars.count {
        if let closer = openers[scalars[index].value] {
          var end = index + 1
          while end < scalars.count && end - index <= 9 && scalars[end].value != closer { end += 1 }
          if end < scalars.count && scalars[end].value == closer {
            let inner = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
            if (2...8).contains(end - index - 1), inner.unicodeScalars.allSatisfy({ ScalarClass.isCJK($0.value) }) {
              result.append(inner)
            }
          }
        }
        index += 1
      }
      for prefix in ["品牌合作：", "品牌合作:", "合作："] {
        if let range = text.range(of: prefix) {
          let rest = text[range.upperBound...].unicodeScalars.prefix { ScalarClass.isCJK($0.value) }
          if (2...8).contains(rest.count) { result.append(String(String.UnicodeScalarView(rest))) }
        }
      }
    }
    for tag in note.tags where (2...8).contains(tag.unicodeScalars.count) {
      if tag.unicodeScalars.allSatisfy({ ScalarClass.isCJK($0.value) }) { result.append(tag) }
    }
    return result
  }
}
