/// Character classes the text scanners of the trust module share. All work on Unicode scalar
/// values after ``TextNormalizer`` folding (so ASCII letters are already lowercase).
enum ScalarClass {
  /// CJK ideographs, kana and Hangul: scripts written without spaces between words.
  @inline(__always)
  static func isCJK(_ value: UInt32) -> Bool {
    switch value {
    case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x20000...0x2FA1F,
      0x3040...0x30FF, 0x31F0...0x31FF, 0xAC00...0xD7AF:
      return true
    default:
      return false
    }
  }

  /// ASCII lowercase letter or digit.
  @inline(__always)
  static func isASCIIAlphanumeric(_ value: UInt32) -> Bool {
    (value >= 0x61 && value <= 0x7A) || (value >= 0x30 && value <= 0x39)
  }

  /// ASCII digit.
  @inline(__always)
  static func isDigit(_ value: UInt32) -> Bool { value >= 0x30 && value <= 0x39 }

  /// ASCII lowercase letter.
  @inline(__always)
  static func isASCIILetter(_ value: UInt32) -> Bool { value >= 0x61 && value <= 0x7A }

  /// A letter or digit of a space-separated script (Latin, Greek, Cyrillic…): the characters a
  /// Latin word is made of. Canonical tokens are not word characters.
  @inline(__always)
  static func isWordCharacter(_ value: UInt32) -> Bool {
    if value < 0x80 { return (value | 0x20) &- 0x61 < 26 || value &- 0x30 < 10 }
    if isUnifiedIdeograph(value) { return false }
    if value < 0x10000 { return table.has(value, wordBit) }
    return isWordCharacterSlow(value)
  }

  /// CJK Unified Ideographs (U+4E00–U+9FFF), the bulk of Chinese text: a range check that
  /// spares the hot loops a lookup in ``table``.
  @inline(__always)
  static func isUnifiedIdeograph(_ value: UInt32) -> Bool { value &- 0x4E00 < 0x5200 }

  static func isWordCharacterSlow(_ value: UInt32) -> Bool {
    if value < 0x80 { return isASCIIAlphanumeric(value) || (value >= 0x41 && value <= 0x5A) }
    if isCJK(value) || TextNormalizer.CanonicalToken(scalarValue: value) != nil { return false }
    guard let scalar = Unicode.Scalar(value) else { return false }
    switch scalar.properties.generalCategory {
    case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .otherLetter, .modifierLetter,
      .decimalNumber, .nonspacingMark, .spacingMark:
      return true
    default:
      return false
    }
  }

  /// Whitespace of any kind.
  @inline(__always)
  static func isSpace(_ value: UInt32) -> Bool {
    switch value {
    case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029,
      0x202F, 0x205F, 0x3000:
      return true
    default:
      return false
    }
  }

  /// Invisible characters that are dropped outright (zero-width spaces and joiners, BOM, soft
  /// hyphen, variation selectors).
  @inline(__always)
  static func isInvisible(_ value: UInt32) -> Bool {
    switch value {
    case 0x00AD, 0x200B...0x200F, 0x2060...0x2064, 0xFEFF, 0xFE00...0xFE0F, 0x180E, 0xE0100...0xE01EF:
      return true
    default:
      return false
    }
  }

  /// Emoji, pictographs, dingbats and other symbols (general categories So, Sk, Sm) plus the
  /// ASCII punctuation used to split a word (`* . · _ - ~ | / \ ^ +`): what evaders put between
  /// the letters of a marker. Digits (which are `Emoji` in Unicode) and letters are not.
  @inline(__always)
  static func isSymbolSeparator(_ value: UInt32) -> Bool {
    if value < 0x80 {
      // The ASCII separators of isSymbolSeparatorSlow as a 128-bit set (checked against it by the tests).
      let bit: UInt64 = 1 << UInt64(value & 63)
      return (value < 64 ? 0x0000_EC84_0000_0000 as UInt64 : 0x5000_0001_D000_0000) & bit != 0
    }
    if isUnifiedIdeograph(value) { return false }
    if value < 0x10000 { return table.has(value, symbolSeparatorBit) }
    return isSymbolSeparatorSlow(value)
  }

  static func isSymbolSeparatorSlow(_ value: UInt32) -> Bool {
    if value < 0x80 {
      switch value {
      case 0x2A, 0x2E, 0x5F, 0x2D, 0x7E, 0x7C, 0x2F, 0x5C, 0x5E, 0x2B, 0x60, 0x27, 0x22: return true
      default: return false
      }
    }
    if value == 0xB7 || value == 0x30FB || value == 0x2022 || value == 0x2027 { return true }  // middle dots
    if value >= 0x1F000 && value <= 0x1FAFF { return true }  // emoji blocks
    guard let scalar = Unicode.Scalar(value) else { return false }
    switch scalar.properties.generalCategory {
    case .otherSymbol, .modifierSymbol, .mathSymbol: return true
    default: return false
    }
  }

  // MARK: Lookup table

  static let cjkBit: UInt8 = 1
  static let wordBit: UInt8 = 2
  static let symbolSeparatorBit: UInt8 = 4
  static let spaceBit: UInt8 = 8
  static let invisibleBit: UInt8 = 16
  static let wideBit: UInt8 = 32
  /// The fold changes the scalar: a full-width form, or one that changes under NFKC case folding
  /// (`Unicode.Scalar.Properties.changesWhenNFKCCaseFolded`).
  static let foldsBit: UInt8 = 64
  /// The scalar is one of ``TextHints/triggers(_:)``'s non-ASCII triggers.
  static let triggerBit: UInt8 = 128

  /// The classes of every BMP scalar, computed once from the functions above (the slow ones call
  /// into the Unicode property tables): one byte of bits per scalar.
  static let table = ClassTable()
}

/// One byte of ``ScalarClass`` bits per BMP scalar, in a buffer that lives as long as the process.
/// Written only in `init`, read-only afterwards, hence `@unchecked Sendable`.
final class ClassTable: @unchecked Sendable {
  let bits: UnsafeMutablePointer<UInt8>

  init() {
    bits = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x10000)
    for value in UInt32(0)..<0x10000 {
      var byte: UInt8 = 0
      if ScalarClass.isCJK(value) { byte |= ScalarClass.cjkBit }
      if ScalarClass.isWordCharacterSlow(value) { byte |= ScalarClass.wordBit }
      if ScalarClass.isSymbolSeparatorSlow(value) { byte |= ScalarClass.symbolSeparatorBit }
      if ScalarClass.isSpace(value) { byte |= ScalarClass.spaceBit }
      if ScalarClass.isInvisible(value) { byte |= ScalarClass.invisibleBit }
      if let scalar = Unicode.Scalar(value) {
        if DisclosureGrader.isWide(scalar) { byte |= ScalarClass.wideBit }
        if scalar.properties.changesWhenNFKCCaseFolded || TextNormalizer.widthFolded(value) != nil {
          byte |= ScalarClass.foldsBit
        }
      }
      if value >= 0x80 && !TextHints.triggers(value).isEmpty { byte |= ScalarClass.triggerBit }
      bits[Int(value)] = byte
    }
  }

  /// Whether the BMP scalar `value` has `bit`.
  @inline(__always)
  func has(_ value: UInt32, _ bit: UInt8) -> Bool { bits[Int(value)] & bit != 0 }
}

/// The rare scanners a text can need, so that text without their trigger scalars skips them: a
/// superset when taken while folding (``TextNormalizer``), exact when taken from final values.
struct TextHints: OptionSet, Sendable {
  let rawValue: UInt8

  /// A scalar an evasive spelling starts with (`v w q $ ¥ € 微 威 薇 徽 扣`…). It marks the class
  /// table's trigger bit; the fold records where these scalars are.
  static let evasion = TextHints(rawValue: 1)
  /// `/`, `@` or `w.`: a URL or e-mail address may be there.
  static let link = TextHints(rawValue: 2)
  /// An ASCII digit: phone numbers and prices.
  static let digit = TextHints(rawValue: 4)
  /// A canonical token (``TextNormalizer/CanonicalToken``).
  static let token = TextHints(rawValue: 8)
  /// 最, 仅, 还 or 只: the first scalars of countdowns (最后 3 天).
  static let countdown = TextHints(rawValue: 16)
  /// Every hint: nothing is skipped.
  static let all: TextHints = [.evasion, .link, .digit, .token, .countdown]

  /// The hints scalar `value` gives by itself (`w.` needs the scalar before; see ``TextNormalizer``).
  @inline(__always)
  static func triggers(_ value: UInt32) -> TextHints {
    switch value {
    case 0x30...0x39: .digit
    case 0x71, 0x76, 0x77, 0x24: .evasion  // q v w $
    case 0x2F, 0x40: .link  // / @
    case 0x5FAE, 0x5A01, 0x8587, 0x5FBD, 0x6263: .evasion  // 微 威 薇 徽 扣
    case 0xA5, 0x20AC, 0xA3, 0x20A4, 0xA2, 0x20B3, 0x20B4, 0x20B0, 0x2126: .evasion  // 淘口令 symbols
    case 0x6700, 0x4EC5, 0x8FD8, 0x53EA: .countdown  // 最 仅 还 只
    case 0xE000...0xE002: .token
    default: []
    }
  }

  /// The exact hints of normalized `values` (link hints left out: links are already found).
  static func scanning(_ values: UnsafeBufferPointer<UInt32>) -> TextHints {
    var hints: TextHints = []
    for value in values where value < 0x80 || ScalarClass.mayTrigger(value) { hints.formUnion(triggers(value)) }
    return hints.subtracting(.link)
  }
}

extension ScalarClass {
  /// Whether a non-ASCII scalar may give a ``TextHints`` hint (a table bit for the BMP).
  @inline(__always)
  static func mayTrigger(_ value: UInt32) -> Bool {
    if isUnifiedIdeograph(value) { return mayBeIdeographTrigger(value) }
    return value < 0x10000 ? table.has(value, triggerBit) : false
  }

  /// A cheap filter for unified ideographs: false for most, true for the triggers 微 威 薇 徽 扣
  /// 最 仅 还 只 (and others that share their value modulo 64). The literal has the bits
  /// `value % 64` of the triggers, so that the hot loops need no lazy global.
  @inline(__always)
  static func mayBeIdeographTrigger(_ value: UInt32) -> Bool {
    (0x2000_4408_0100_00A3 as UInt64) & (1 << UInt64(value & 63)) != 0
  }
}
