import Foundation

/// The versioned vocabulary of disclosure markers and commercial-intent words, with the rule
/// behind each entry.
///
/// The lexicon is data: the shipped one is `Models/trust-lexicon-v1.tsv` (format in its header
/// and in `Models/trust-lexicon-v1.md`), embedded in the library as ``Lexicon/default`` so that
/// nothing is read at run time. Users extend it with their own file:
///
/// ```swift
/// let lexicon = Lexicon.default.merging(try Lexicon(contentsOf: URL(filePath: "my-markers.tsv")))
/// let grader = DisclosureGrader(lexicon: lexicon)
/// ```
public struct Lexicon: Sendable, Hashable {
  /// What an entry is evidence of.
  public enum EntryClass: String, Sendable, Hashable, Codable, CaseIterable {
    /// A legally sufficient disclosure: 「广告」, `#ad`, `Advertisement`, `Ad` up front.
    case sufficient
    /// A platform's partnership label: 品牌合作, "Paid partnership".
    case platformLabel
    /// A vague self-disclosure: 合作, 恰饭, 商单, `#sp`, `#collab`, `#gifted`…
    case vague
    /// A self-declaration of *no* sponsorship (自费, 无广, "not sponsored"). Never a marker.
    case negative
    /// A purchase path: 小黄车, 链接, 下单, 店铺, "link in bio".
    case purchase
    /// Price talk: 到手价, 券后, "% off".
    case price
    /// A coupon or discount code keyword: 优惠码, 折扣码, "promo code".
    case coupon
    /// Urgency: 限时, 秒杀, "only today".
    case urgency
    /// Off-platform diversion: 私信, 加我, "DM me".
    case diversion
    /// A booking or ordering call to action: 预约, 到店, "book now".
    case callToAction

    /// Whether the class is one of the four disclosure classes (including ``negative``).
    public var isDisclosure: Bool {
      switch self {
      case .sufficient, .platformLabel, .vague, .negative: true
      default: false
      }
    }
  }

  /// How an entry's term must sit in the text to count.
  public enum MatchMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// `#term`, followed by the end or by a character that is neither a letter, digit nor CJK
    /// (`#ad` matches in `#ad #ootd`, not in `#adidas`).
    case hashtag
    /// No letter or digit of the same script on either side; for CJK terms no CJK character on
    /// either side (`【合作】` matches, `天气合作出彩虹` does not).
    case word
    /// Anywhere, except that an edge that is a Latin letter or digit needs a word boundary.
    case substring
    /// At the start of the title or body, after nothing but brackets, punctuation, spaces or
    /// emoji, and bounded like ``word`` (`Ad | my routine`, `[AD]`).
    case label
  }

  /// One line of the lexicon file.
  public struct Entry: Sendable, Hashable, Codable {
    /// The marker as written (a hashtag without its `#`).
    public var term: String
    /// ISO 639-1 language code: `zh`, `en`, `de`…
    public var language: String
    /// What the entry is evidence of.
    public var entryClass: EntryClass
    /// How the term must sit in the text.
    public var mode: MatchMode
    /// The id of the rule behind the entry (``DisclosureRule/id``) or `heuristic`.
    public var source: String
    /// When that rule took effect: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    public var effective: String
    /// Free text.
    public var note: String
    /// Longer phrases inside which the term is not a match (`推广普通话` for `推广`).
    public var exclusions: [String]

    /// An entry.
    public init(
      term: String, language: String, entryClass: EntryClass, mode: MatchMode, source: String,
      effective: String, note: String = "", exclusions: [String] = []
    ) {
      self.term = term
      self.language = language
      self.entryClass = entryClass
      self.mode = mode
      self.source = source
      self.effective = effective
      self.note = note
      self.exclusions = exclusions
    }
  }

  /// One occurrence of an entry in normalized text.
  public struct Match: Sendable, Hashable {
    /// Index into ``Lexicon/entries``.
    public var entryIndex: Int
    /// The matched range in normalized scalar offsets (``NormalizedText``).
    public var range: Range<Int>
  }

  /// The lexicon's version, from its `# version:` comment line (`trust-lexicon-v1`).
  public let version: String
  /// The entries, in file order.
  public let entries: [Entry]
  let matcher: LexiconMatcher

  /// A lexicon from entries.
  public init(version: String, entries: [Entry]) {
    self.version = version
    self.entries = entries
    self.matcher = LexiconMatcher(entries: entries)
  }

  /// The column names, in order, of the header row every lexicon file starts with.
  public static let columns = ["term", "language", "class", "mode", "source", "effective", "note", "exclude"]

  /// Reads a lexicon file (format: ``Lexicon``, `Models/trust-lexicon-v1.md`).
  ///
  /// - Throws: ``ZhongcaoError`` with code `io` if the file cannot be read, `invalidInput` with
  ///   the file, line and column if a line is malformed.
  public init(contentsOf url: URL) throws(ZhongcaoError) {
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw ZhongcaoError(.io, "cannot read lexicon: \(error.localizedDescription)", location: .init(file: url.path))
    }
    try self.init(parsing: text, file: url.path)
  }

  /// Parses lexicon text; `file` names it in errors.
  public init(parsing text: String, file: String = "<memory>") throws(ZhongcaoError) {
    var version = "unversioned"
    var entries: [Entry] = []
    var sawHeader = false
    var lineNumber = 0
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
      if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
      if line.hasPrefix("#") {
        let comment = line.dropFirst().drop { $0 == " " }
        if comment.hasPrefix("version:") {
          version = comment.dropFirst("version:".count).trimmingCharacters(in: .whitespaces)
        }
        continue
      }
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      func fail(_ message: String, column: Int? = nil) -> ZhongcaoError {
        ZhongcaoError(
          .invalidInput, message,
          location: .init(file: file, line: lineNumber, field: column.map { Self.columns[$0] }))
      }
      if !sawHeader {
        guard fields.count >= 7, Array(fields.prefix(7)) == Array(Self.columns.prefix(7)) else {
          throw fail("expected the header row '\(Self.columns.joined(separator: "<TAB>"))'")
        }
        sawHeader = true
        continue
      }
      guard fields.count == 7 || fields.count == 8 else {
        throw fail("expected 7 or 8 tab-separated columns, found \(fields.count)")
      }
      let term = fields[0]
      guard !term.isEmpty, term.trimmingCharacters(in: .whitespaces) == term else {
        throw fail("term is empty or has leading/trailing spaces", column: 0)
      }
      let language = fields[1]
      guard (2...3).contains(language.count), language.allSatisfy({ $0.isASCII && $0.isLowercase }) else {
        throw fail("language '\(language)' is not an ISO 639-1 code such as zh or en", column: 1)
      }
      guard let entryClass = EntryClass(rawValue: fields[2]) else {
        throw fail(
          "unknown class '\(fields[2])'; expected one of \(EntryClass.allCases.map(\.rawValue).joined(separator: ", "))",
          column: 2)
      }
      guard let mode = MatchMode(rawValue: fields[3]) else {
        throw fail(
          "unknown mode '\(fields[3])'; expected one of \(MatchMode.allCases.map(\.rawValue).joined(separator: ", "))",
          column: 3)
      }
      if mode == .hashtag && term.hasPrefix("#") {
        throw fail("write hashtag terms without '#': mode 'hashtag' adds it", column: 0)
      }
      guard !fields[4].isEmpty else { throw fail("source is empty; use a rule id or 'heuristic'", column: 4) }
      guard Self.isDate(fields[5]) else {
        throw fail("effective date '\(fields[5])' is not YYYY-MM-DD, YYYY-MM or YYYY", column: 5)
      }
      let exclusions = fields.count == 8 ? fields[7].split(separator: "|").map(String.init) : []
      let normalizer = TextNormalizer()
      let normalizedTerm = normalizer.normalize(term).values
      if normalizedTerm.isEmpty { throw fail("term normalizes to nothing", column: 0) }
      for exclusion in exclusions {
        let normalizedExclusion = normalizer.normalize(exclusion).values
        if TextNormalizer.firstIndex(of: normalizedTerm, in: normalizedExclusion) == nil {
          throw fail("exclusion '\(exclusion)' does not contain the term '\(term)'", column: 7)
        }
      }
      entries.append(
        Entry(
          term: term, language: language, entryClass: entryClass, mode: mode, source: fields[4],
          effective: fields[5], note: fields[6], exclusions: exclusions))
    }
    guard sawHeader else {
      throw ZhongcaoError(.invalidInput, "no header row: not a lexicon file", location: .init(file: file))
    }
    self.init(version: version, entries: entries)
  }

  static func isDate(_ text: String) -> Bool {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard (1...3).contains(parts.count), parts[0].count == 4 else { return false }
    for (index, part) in parts.enumerated() {
      guard part.allSatisfy(\.isASCIIDigit), index == 0 || part.count == 2 else { return false }
    }
    if parts.count >= 2, let month = Int(parts[1]), !(1...12).contains(month) { return false }
    if parts.count == 3, let day = Int(parts[2]), !(1...31).contains(day) { return false }
    return true
  }

  /// The shipped lexicon, `Models/trust-lexicon-v1.tsv`, embedded in the library.
  public static let `default`: Lexicon = {
    do {
      return try Lexicon(parsing: defaultLexiconText, file: "Models/trust-lexicon-v1.tsv (embedded)")
    } catch {
      preconditionFailure("the embedded lexicon is invalid: \(error)")
    }
  }()

  /// This lexicon extended by `other`: an entry of `other` with the same term and mode as one of
  /// this lexicon's replaces it (so a user can reclassify a marker); the rest are appended.
  public func merging(_ other: Lexicon) -> Lexicon {
    struct Key: Hashable {
      var term: String
      var mode: MatchMode
    }
    let replaced = Set(other.entries.map { Key(term: $0.term, mode: $0.mode) })
    let kept = entries.filter { !replaced.contains(Key(term: $0.term, mode: $0.mode)) }
    return Lexicon(version: "\(version)+\(other.version)", entries: kept + other.entries)
  }

  /// Every match of the lexicon in `text`, overlaps resolved (the longest match wins; on a tie
  /// a ``EntryClass/negative`` entry wins), in text order. Pass `allowingLabels: false` for
  /// fields other than the title and body: ``MatchMode/label`` entries then never match.
  public func matches(in text: NormalizedText, allowingLabels: Bool = true) -> [Match] {
    matcher.matches(in: text.values, allowingLabels: allowingLabels)
  }

  public static func == (lhs: Lexicon, rhs: Lexicon) -> Bool {
    lhs.version == rhs.version && lhs.entries == rhs.entries
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(version)
    hasher.combine(entries)
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

/// The lexicon compiled for scanning: normalized patterns indexed by their first scalar, built
/// once per lexicon and shared by every grader and detector over it.
///
/// One pass over the text: at each position the first scalar selects the candidate patterns
/// (longest first) through a dense table for the BMP (a dictionary beyond it); each candidate is
/// compared in place and its boundary rules checked with the precomputed classes of its first
/// and last scalar. ``bruteForceMatches(in:allowingLabels:)`` is the reference it is tested against.
///
/// A class, so that the graders and scanners that share it retain one reference, not its dozen
/// arrays; immutable, hence `Sendable`.
final class LexiconMatcher: Sendable {
  struct Pattern: Sendable {
    var entryIndex: Int
    var values: [UInt32]
    var mode: Lexicon.MatchMode
    var isNegative: Bool
    /// Normalized exclusions with the offset of the term inside each.
    var exclusions: [(values: [UInt32], offset: Int)]
  }

  /// What the scan needs of a pattern, without references to count.
  struct Compiled: Sendable {
    var offset: Int32
    var count: Int32
    var entryIndex: Int32
    /// Which matcher the pattern came from (``init(combining:_:)``); 0 for a lexicon's own.
    var source: UInt8
    var isNegative: Bool
    var mode: Lexicon.MatchMode
    var firstIsWord: Bool
    var lastIsWord: Bool
    var firstIsCJK: Bool
    var lastIsCJK: Bool
    var hasExclusions: Bool
  }

  let patterns: [Pattern]
  /// Pattern indices by first scalar, longest first.
  let byFirst: [UInt32: [Int]]
  /// The scalars of every pattern, one after the other (``Compiled/offset``).
  let scalars: [UInt32]
  let compiled: [Compiled]
  /// Per BMP scalar: 0, or 1 + the index of the group of the patterns starting with it, plus
  /// ``singleFlag`` when some pattern of the group is that one scalar (the pair filter does not
  /// apply then).
  let groupOfFirst: [UInt16]
  static let singleFlag: UInt16 = 0x8000
  /// Three bitsets of 1024 words each (24 KiB that stay in the L1 cache, where ``groupOfFirst``
  /// takes 128 KiB): the BMP scalars some pattern starts with; those of them that are no word
  /// character (only these can start a match right after a word character); and per hash of
  /// the first two scalars of a longer pattern (``pairHash(_:_:)``), a bit: a position whose
  /// pair's bit is clear starts no pattern of two or more scalars.
  let filterBits: [UInt64]
  /// Some pattern starts with an astral scalar (else ``byFirst`` need not be asked about them).
  let hasAstralFirsts: Bool
  /// Group `g`'s members are `groupMembers[groupStarts[g]..<groupStarts[g + 1]]`: pattern
  /// indices, longest first.
  let groupStarts: [Int32]
  let groupMembers: [Int32]

  @inline(__always)
  static func pairHash(_ first: UInt32, _ second: UInt32) -> Int {
    Int(((first &* 0x9E37_79B1) ^ (second &* 0x85EB_CA77)) >> 16)
  }

  convenience init(entries: [Lexicon.Entry]) {
    let normalizer = TextNormalizer()
    var patterns: [Pattern] = []
    for (index, entry) in entries.enumerated() {
      var values = normalizer.normalize(entry.term).values
      if entry.mode == .hashtag { values.insert(0x23, at: 0) }
      guard !values.isEmpty else { continue }
      let exclusions = entry.exclusions.compactMap { exclusion -> (values: [UInt32], offset: Int)? in
        let normalized = normalizer.normalize(exclusion).values
        let term = entry.mode == .hashtag ? Array(values.dropFirst()) : values
        guard let offset = TextNormalizer.firstIndex(of: term, in: normalized) else { return nil }
        return (normalized, offset - (entry.mode == .hashtag ? 1 : 0))
      }
      patterns.append(
        Pattern(
          entryIndex: index, values: values, mode: entry.mode, isNegative: entry.entryClass == .negative,
          exclusions: exclusions))
    }
    var byFirst: [UInt32: [Int]] = [:]
    for (index, pattern) in patterns.enumerated() {
      byFirst[pattern.values[0], default: []].append(index)
    }
    for key in byFirst.keys { byFirst[key]!.sort { patterns[$0].values.count > patterns[$1].values.count } }
    self.init(patterns: patterns, sources: [UInt8](repeating: 0, count: patterns.count), byFirst: byFirst)
  }

  /// One matcher for the patterns of `first` (source 0) and `second` (source 1), so that one scan
  /// finds the candidates of both; ``resolve(_:source:includingLabels:)`` tells them apart. Each
  /// first-scalar group lists `first`'s members and then `second`'s, each in its own order, so the
  /// candidates of one source come in the order its own matcher finds them.
  convenience init(combining first: LexiconMatcher, _ second: LexiconMatcher) {
    let shift = first.patterns.count
    var byFirst = first.byFirst
    for (scalar, members) in second.byFirst { byFirst[scalar, default: []] += members.map { $0 + shift } }
    self.init(
      patterns: first.patterns + second.patterns,
      sources: [UInt8](repeating: 0, count: shift) + [UInt8](repeating: 1, count: second.patterns.count),
      byFirst: byFirst)
  }

  /// A matcher for `patterns` from `sources`, grouped by first scalar as `byFirst` lists them.
  private init(patterns: [Pattern], sources: [UInt8], byFirst: [UInt32: [Int]]) {
    var scalars: [UInt32] = [], compiled: [Compiled] = []
    for (pattern, source) in zip(patterns, sources) {
      let first = pattern.values[0], last = pattern.values[pattern.values.count - 1]
      compiled.append(
        Compiled(
          offset: Int32(scalars.count), count: Int32(pattern.values.count), entryIndex: Int32(pattern.entryIndex),
          source: source, isNegative: pattern.isNegative, mode: pattern.mode,
          firstIsWord: ScalarClass.isWordCharacter(first), lastIsWord: ScalarClass.isWordCharacter(last),
          firstIsCJK: ScalarClass.isCJK(first), lastIsCJK: ScalarClass.isCJK(last),
          hasExclusions: !pattern.exclusions.isEmpty))
      scalars += pattern.values
    }
    var groupOfFirst = [UInt16](repeating: 0, count: 0x10000)
    var filterBits = [UInt64](repeating: 0, count: 3 * 1024)
    var groupStarts: [Int32] = [0], groupMembers: [Int32] = []
    for pattern in patterns where pattern.values.count >= 2 {
      let hash = Self.pairHash(pattern.values[0], pattern.values[1])
      filterBits[2048 + hash >> 6] |= 1 << UInt64(hash & 63)
    }
    for (first, members) in byFirst.sorted(by: { $0.key < $1.key }) where first < 0x10000 {
      precondition(groupStarts.count < Int(Self.singleFlag), "too many distinct first scalars")
      let hasSingle = members.contains { patterns[$0].values.count == 1 }
      groupOfFirst[Int(first)] = UInt16(groupStarts.count) | (hasSingle ? Self.singleFlag : 0)
      filterBits[Int(first >> 6)] |= 1 << UInt64(first & 63)
      if !ScalarClass.isWordCharacter(first) { filterBits[1024 + Int(first >> 6)] |= 1 << UInt64(first & 63) }
      groupMembers += members.map { Int32($0) }
      groupStarts.append(Int32(groupMembers.count))
    }
    self.patterns = patterns
    self.byFirst = byFirst
    self.scalars = scalars
    self.compiled = compiled
    self.groupOfFirst = groupOfFirst
    self.filterBits = filterBits
    hasAstralFirsts = byFirst.keys.contains { $0 >= 0x10000 }
    self.groupStarts = groupStarts
    self.groupMembers = groupMembers
  }

  /// Whether pattern `index` matches `text` at `start` (the first scalar is known to match).
  @inline(__always)
  private func matchesAt(
    _ index: Int, _ compiled: UnsafeBufferPointer<Compiled>, _ text: UnsafeBufferPointer<UInt32>,
    _ scalars: UnsafeBufferPointer<UInt32>, _ start: Int, allowingLabels: Bool
  ) -> Bool {
    let pattern = compiled[index]
    let count = Int(pattern.count), offset = Int(pattern.offset)
    let end = start + count
    guard end <= text.count else { return false }
    var position = 1
    while position < count {
      if text[start + position] != scalars[offset + position] { return false }
      position += 1
    }
    let before: UInt32? = start > 0 ? text[start - 1] : nil
    let after: UInt32? = end < text.count ? text[end] : nil
    if pattern.firstIsWord, let before, ScalarClass.isWordCharacter(before) { return false }
    if pattern.lastIsWord, let after, ScalarClass.isWordCharacter(after) { return false }
    switch pattern.mode {
    case .substring:
      break
    case .hashtag:
      if let after, ScalarClass.isWordCharacter(after) || ScalarClass.isCJK(after) { return false }
    case .word, .label:
      if pattern.firstIsCJK, let before, ScalarClass.isCJK(before) { return false }
      if pattern.lastIsCJK, let after, ScalarClass.isCJK(after) { return false }
      if pattern.mode == .label {
        guard allowingLabels else { return false }
        for index in 0..<start where ScalarClass.isWordCharacter(text[index]) || ScalarClass.isCJK(text[index]) {
          return false
        }
      }
    }
    if pattern.hasExclusions {
      for exclusion in patterns[index].exclusions {
        let origin = start - exclusion.offset
        if origin >= 0 && origin + exclusion.values.count <= text.count {
          var equal = true
          for (step, value) in exclusion.values.enumerated() where text[origin + step] != value {
            equal = false
            break
          }
          if equal { return false }
        }
      }
    }
    return true
  }

  /// A pattern found at a position, before overlaps are resolved.
  struct Candidate {
    /// Index into ``LexiconMatcher/patterns``.
    var pattern: Int32
    var start: Int32
    var count: Int32
    /// The pattern's ``Compiled/source``.
    var source: UInt8
    /// A ``Lexicon/MatchMode/label`` pattern: found only where labels are allowed.
    var isLabel: Bool

    var range: Range<Int> { Int(start)..<Int(start + count) }
  }

  /// Every match of the lexicon in `text`, overlaps resolved (``Lexicon/matches(in:allowingLabels:)``).
  func matches(in text: [UInt32], allowingLabels: Bool) -> [Lexicon.Match] {
    text.withUnsafeBufferPointer { matches(in: $0, allowingLabels: allowingLabels) }
  }

  /// Every match of the lexicon in `text`, overlaps resolved (``Lexicon/matches(in:allowingLabels:)``).
  func matches(in text: UnsafeBufferPointer<UInt32>, allowingLabels: Bool) -> [Lexicon.Match] {
    var found: [Candidate] = []
    collectCandidates(in: text, allowingLabels: allowingLabels, into: &found)
    return resolve(found)
  }

  /// Appends every pattern that matches `text`, by position and then longest first. The
  /// candidates without labels are exactly those found with `allowingLabels: false`, in the same
  /// order, so one scan serves both (``resolve(_:source:includingLabels:)``).
  /// `classes`, when given, are the text's class bits (``NormalizedField/classes``): whether a
  /// scalar is a word character is read there instead of looked up.
  func collectCandidates(
    in text: UnsafeBufferPointer<UInt32>, classes: UnsafePointer<UInt8>? = nil, allowingLabels: Bool,
    into found: inout [Candidate]
  ) {
    scalars.withUnsafeBufferPointer { scalars in
      compiled.withUnsafeBufferPointer { compiled in
        groupOfFirst.withUnsafeBufferPointer { groupOfFirst in
          filterBits.withUnsafeBufferPointer { filterBits in
            groupStarts.withUnsafeBufferPointer { groupStarts in
              groupMembers.withUnsafeBufferPointer { members in
                func add(_ index: Int, at start: Int) {
                  let pattern = compiled[index]
                  found.append(
                    Candidate(
                      pattern: Int32(index), start: Int32(start), count: pattern.count, source: pattern.source,
                      isLabel: pattern.mode == .label))
                }
                var previousIsWord = false
                for start in 0..<text.count {
                  let value = text[start]
                  let isWord: Bool
                  if let classes {
                    isWord = classes[start] & TextNormalizer.wordClass != 0
                  } else {
                    isWord = ScalarClass.isWordCharacter(value)
                  }
                  let afterWord = previousIsWord
                  previousIsWord = isWord
                  // Inside a word: a pattern starting with a word character would need a boundary
                  // before it (matchesAt), and only those start with one.
                  if afterWord && isWord { continue }
                  if value < 0x10000 {
                    // After a word character, only groups whose first scalar is none can match.
                    let word = (afterWord ? 1024 : 0) + Int(value >> 6)
                    if filterBits[word] & (1 << UInt64(value & 63)) == 0 { continue }
                    let entry = groupOfFirst[Int(value)]
                    if entry & Self.singleFlag == 0 {
                      guard start + 1 < text.count else { continue }
                      let hash = Self.pairHash(value, text[start + 1])
                      if filterBits[2048 + hash >> 6] & (1 << UInt64(hash & 63)) == 0 { continue }
                    }
                    let group = Int(entry & ~Self.singleFlag)
                    for member in Int(groupStarts[group - 1])..<Int(groupStarts[group]) {
                      let index = Int(members[member])
                      // Most members differ in their second scalar: checked here, before the call.
                      let count = Int(compiled[index].count)
                      if start &+ count > text.count { continue }
                      if count > 1 && text[start &+ 1] != scalars[Int(compiled[index].offset) &+ 1] { continue }
                      if matchesAt(index, compiled, text, scalars, start, allowingLabels: allowingLabels) {
                        add(index, at: start)
                      }
                    }
                  } else if hasAstralFirsts, let candidates = byFirst[value] {
                    for index in candidates
                    where matchesAt(index, compiled, text, scalars, start, allowingLabels: allowingLabels) {
                      add(index, at: start)
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// The matches among the candidates of `source`: longest first, negatives first on ties; keeps
  /// what does not overlap a kept match; text order. With `includingLabels: false`, label
  /// candidates are left out first (the result of a scan with labels not allowed).
  func resolve(_ candidates: [Candidate], source: UInt8 = 0, includingLabels: Bool = true) -> [Lexicon.Match] {
    func isLeftOut(_ candidate: Candidate) -> Bool {
      candidate.source != source || (!includingLabels && candidate.isLabel)
    }
    var kept = 0, first = 0
    for (index, candidate) in candidates.enumerated() where !isLeftOut(candidate) {
      if kept == 0 { first = index }
      kept += 1
    }
    if kept == 0 { return [] }
    if kept == 1 {
      let candidate = candidates[first]
      return [Lexicon.Match(entryIndex: Int(compiled[Int(candidate.pattern)].entryIndex), range: candidate.range)]
    }
    var found = kept == candidates.count ? candidates : candidates.filter { !isLeftOut($0) }
    if found.count > 1 {
      let order = found.indices.sorted { a, b in
        let la = found[a].count, lb = found[b].count
        if la != lb { return la > lb }
        let na = compiled[Int(found[a].pattern)].isNegative, nb = compiled[Int(found[b].pattern)].isNegative
        if na != nb { return na }
        return found[a].start < found[b].start
      }
      var kept: [Candidate] = []
      for index in order where !kept.contains(where: { $0.range.overlaps(found[index].range) }) {
        kept.append(found[index])
      }
      found = kept.sorted { $0.start < $1.start }
    }
    return found.map { Lexicon.Match(entryIndex: Int(compiled[Int($0.pattern)].entryIndex), range: $0.range) }
  }

  /// The reference matcher: every pattern tried at every position with the rules spelled out
  /// directly (the matcher before it was compiled). Tests compare ``matches(in:allowingLabels:)``
  /// with it.
  func bruteForceMatches(in text: [UInt32], allowingLabels: Bool) -> [Lexicon.Match] {
    var found: [Candidate] = []
    for start in 0..<text.count {
      let ordered = patterns.indices.filter { patterns[$0].values[0] == text[start] }
        .sorted { patterns[$0].values.count > patterns[$1].values.count }
      for index in ordered where Self.referenceMatch(patterns[index], text, start, allowingLabels: allowingLabels) {
        found.append(
          Candidate(
            pattern: Int32(index), start: Int32(start), count: Int32(patterns[index].values.count), source: 0,
            isLabel: patterns[index].mode == .label))
      }
    }
    return resolve(found)
  }

  private static func referenceMatch(_ pattern: Pattern, _ text: [UInt32], _ start: Int, allowingLabels: Bool) -> Bool {
    let values = pattern.values
    let end = start + values.count
    guard end <= text.count else { return false }
    for offset in 1..<values.count where text[start + offset] != values[offset] { return false }
    let first = values[0], last = values[values.count - 1]
    let before: UInt32? = start > 0 ? text[start - 1] : nil
    let after: UInt32? = end < text.count ? text[end] : nil
    if ScalarClass.isWordCharacterSlow(first), let before, ScalarClass.isWordCharacterSlow(before) { return false }
    if ScalarClass.isWordCharacterSlow(last), let after, ScalarClass.isWordCharacterSlow(after) { return false }
    switch pattern.mode {
    case .substring:
      break
    case .hashtag:
      if let after, ScalarClass.isWordCharacterSlow(after) || ScalarClass.isCJK(after) { return false }
    case .word, .label:
      if ScalarClass.isCJK(first), let before, ScalarClass.isCJK(before) { return false }
      if ScalarClass.isCJK(last), let after, ScalarClass.isCJK(after) { return false }
      if pattern.mode == .label {
        guard allowingLabels else { return false }
        for index in 0..<start where ScalarClass.isWordCharacterSlow(text[index]) || ScalarClass.isCJK(text[index]) {
          return false
        }
      }
    }
    for exclusion in pattern.exclusions {
      let origin = start - exclusion.offset
      if origin >= 0 && TextNormalizer.hasPrefix(text, exclusion.values, at: origin) { return false }
    }
    return true
  }
}
