import Foundation

/// Folds note text into the one form every marker and signal is matched in, and remembers where
/// each folded scalar came from.
///
/// The steps, in order:
/// 1. **Width and case folding.** Full-width ASCII (`ＡＤ`, `＃`, `￥`) becomes ASCII, the ideographic
///    space a space, everything lowercase; other compatibility characters (circled or
///    mathematical letters such as `Ⓥ`, `𝐚𝐝`) get their NFKC case-folded form. Zero-width
///    characters, joiners, soft hyphens and variation selectors are dropped.
/// 2. **Links kept intact.** URLs (`http…`, `www.…`, known short-link hosts such as `t.cn/…`) and
///    e-mail addresses are found first and pass through the later steps unchanged, so that
///    `wx.qq.com` or `vx123@qq.com` is not rewritten as a diversion token.
/// 3. **Evasions to canonical tokens** (``CanonicalToken``): `vx`, `wx`, `wechat`, `weixin`,
///    `微信`, `威信`, `薇信`, `徽信`, `v信`, `v❤`, `➕v` / `+v` / `加v`, and `薇` before an id or after
///    `加` become ``CanonicalToken/wechat``; `qq` and `扣扣` become ``CanonicalToken/qq``; 淘口令
///    (`￥AbC123xYz￥`, `€…€` and the other currency-symbol pairs around 6–14 letters and digits)
///    become ``CanonicalToken/taokouling``. Latin forms need a word boundary on the left and no
///    letter on the right (`vx123` is one, `vxyz` is not).
/// 4. **Separators.** A run of emoji or symbols (`广❤告`, `广·告`) between two CJK characters is
///    removed unless it holds a space or a delimiter (`|`, `/`, `\\`: `广告｜新品` keeps its bar); a
///    run of single Latin letters split by symbols or single spaces (`a d`, `a.d`,
///    `s-p-o-n`) is glued; other emoji and non-ASCII symbols become one space (a word boundary,
///    so `#ad✨` still ends at `d`); runs of whitespace become one space. Plain spaces between CJK
///    characters are kept, so separator removal never glues two ordinary words.
/// 5. Step 3 again, so that `微❤信` (glued in step 4) becomes a token too.
///
/// Every normalized scalar maps back to a range of scalar offsets in the original text
/// (``NormalizedText/originalRange(of:)``), which is how matches become ``TextSpan``s.
public struct TextNormalizer: Sendable {
  /// A normalizer. It has no settings: the rules above are the contract.
  public init() {}

  /// Canonical tokens that evasive spellings are rewritten to. Each is one private-use scalar in
  /// the normalized text, so it can never be confused with ordinary letters.
  public enum CanonicalToken: String, Sendable, Hashable, CaseIterable, Codable {
    /// WeChat diversion (vx, V❤, 薇, ➕v, 加v, 威信, wx, 微信…).
    case wechat
    /// QQ diversion (qq, 扣扣).
    case qq
    /// A Taobao share password, 淘口令 (`￥AbC123xYz￥`).
    case taokouling

    /// The private-use scalar that stands for the token in ``NormalizedText``.
    public var scalar: Unicode.Scalar {
      switch self {
      case .wechat: "\u{E000}"
      case .qq: "\u{E001}"
      case .taokouling: "\u{E002}"
      }
    }

    /// The token a private-use scalar value stands for, if any.
    public init?(scalarValue: UInt32) {
      switch scalarValue {
      case 0xE000: self = .wechat
      case 0xE001: self = .qq
      case 0xE002: self = .taokouling
      default: return nil
      }
    }
  }

  /// Normalizes `text`.
  public func normalize(_ text: String) -> NormalizedText {
    normalize(text, using: NormalizerScratch())
  }

  /// Normalizes `text` in the buffers of `scratch` (share one across the fields of a note).
  func normalize(_ text: String, using scratch: NormalizerScratch) -> NormalizedText {
    var text = text
    return text.withUTF8 { NormalizedText(Self.normalize(utf8: $0, into: scratch)) }
  }
}

/// Text after ``TextNormalizer/normalize(_:)``, with the way back to the original.
public struct NormalizedText: Sendable, Hashable {
  /// The normalized scalar values. Canonical tokens are private-use scalars
  /// (``TextNormalizer/CanonicalToken/scalar``).
  public let values: [UInt32]
  let starts: [Int32]
  let ends: [Int32]
  /// Ranges (in normalized offsets) of URLs and e-mail addresses, found before evasion mapping.
  let links: [Link]
  /// The number of Unicode scalars in the original text.
  public let originalCount: Int

  struct Link: Sendable, Hashable {
    var range: Range<Int>
    var isEmail: Bool
  }

  init(values: [UInt32], starts: [Int32], ends: [Int32], links: [Link], originalCount: Int) {
    self.values = values
    self.starts = starts
    self.ends = ends
    self.links = links
    self.originalCount = originalCount
  }

  /// A copy of text normalized into scratch buffers.
  init(_ text: NormalizedField) {
    self.init(
      values: Array(text.values), starts: Array(text.starts), ends: Array(text.ends), links: text.links,
      originalCount: text.originalCount)
  }

  /// The number of normalized scalars.
  public var count: Int { values.count }

  /// The normalized text as a string (canonical tokens appear as private-use characters).
  public var text: String {
    var view = String.UnicodeScalarView()
    for value in values { if let scalar = Unicode.Scalar(value) { view.append(scalar) } }
    return String(view)
  }

  /// The normalized text with canonical tokens spelled `⟨wechat⟩`, `⟨qq⟩`, `⟨taokouling⟩`: for
  /// explanations and debugging.
  public var readableText: String {
    var result = ""
    for value in values {
      if let token = TextNormalizer.CanonicalToken(scalarValue: value) {
        result += "⟨\(token.rawValue)⟩"
      } else if let scalar = Unicode.Scalar(value) {
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// The original scalar offsets that the normalized range `range` came from.
  public func originalRange(of range: Range<Int>) -> Range<Int> {
    starts.withUnsafeBufferPointer { starts in
      ends.withUnsafeBufferPointer { ends in
        NormalizedField.originalRange(of: range, starts: starts, ends: ends, originalCount: originalCount)
      }
    }
  }

  /// The span of `field`'s original text that the normalized range `range` came from.
  public func span(of range: Range<Int>, in field: Note.Field) -> TextSpan {
    let original = originalRange(of: range)
    return TextSpan(field: field, start: original.lowerBound, end: original.upperBound)
  }

  /// Calls `body` with this text borrowed as a ``NormalizedField`` (with hints taken from the
  /// values when `hinted`, every hint otherwise).
  func withField<Result>(hinted: Bool = true, _ body: (NormalizedField) -> Result) -> Result {
    values.withUnsafeBufferPointer { values in
      starts.withUnsafeBufferPointer { starts in
        ends.withUnsafeBufferPointer { ends in
          body(
            NormalizedField(
              values: values, starts: starts, ends: ends, links: links, originalCount: originalCount,
              hints: hinted ? TextHints.scanning(values) : .all))
        }
      }
    }
  }
}
