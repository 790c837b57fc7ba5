/// SVG text built element by element, with every attribute value and text content XML-escaped
/// and every coordinate rounded to 2 decimals.
struct SVGMarkup {
  /// The document so far.
  private(set) var text = ""

  /// An attribute value: text (escaped when written) or a coordinate (rounded when written).
  enum Value: ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    case text(String)
    case number(Double)

    init(stringLiteral value: String) { self = .text(value) }
    init(floatLiteral value: Double) { self = .number(value) }
    init(integerLiteral value: Int) { self = .number(Double(value)) }
  }

  /// Appends markup that contains no caller text (the XML declaration, a closing tag).
  mutating func raw(_ markup: String) {
    text += markup
  }

  /// Appends `<name attributes…/>`, or `<name attributes…>content</name>` with `content` escaped.
  mutating func element(_ name: String, _ attributes: KeyValuePairs<String, Value>, content: String? = nil) {
    open(name, attributes, selfClosing: content == nil)
    if let content {
      text += Self.escaped(content)
      close(name)
    }
  }

  /// Appends `<name attributes…>`; close it with ``close(_:)``.
  mutating func open(_ name: String, _ attributes: KeyValuePairs<String, Value>, selfClosing: Bool = false) {
    open(name, Array(attributes), selfClosing: selfClosing)
  }

  /// Appends one `<text>` of `lines`, the first with its baseline at (`x`, `y`) and each next
  /// `lineHeight` lower, in a `<tspan>` each when there are several.
  mutating func lines(_ lines: [String], x: Double, y: Double, lineHeight: Double, _ attributes: KeyValuePairs<String, Value>) {
    let position: [(key: String, value: Value)] = [("x", .number(x)), ("y", .number(y))]
    guard lines.count > 1 else {
      open("text", position + Array(attributes))
      text += Self.escaped(lines.first ?? "")
      close("text")
      return
    }
    open("text", position + Array(attributes))
    for (index, line) in lines.enumerated() {
      open("tspan", [("x", .number(x)), ("y", .number(y + Double(index) * lineHeight))])
      text += Self.escaped(line) + "</tspan>"
    }
    close("text")
  }

  private mutating func open(_ name: String, _ attributes: [(key: String, value: Value)], selfClosing: Bool = false) {
    text += "<" + name
    for (key, value) in attributes {
      text += " " + key + "=\""
      switch value {
      case .text(let string): text += Self.escaped(string)
      case .number(let number): text += Self.coordinate(number)
      }
      text += "\""
    }
    text += selfClosing ? "/>\n" : ">"
  }

  /// Appends `</name>`.
  mutating func close(_ name: String) {
    text += "</\(name)>\n"
  }

  /// `text` safe as XML character data and as a quoted attribute value: `&`, `<`, `>`, `"` and
  /// `'` as entities, and the characters XML 1.0 does not allow (controls other than tab, line
  /// feed and carriage return; U+FFFE, U+FFFF) replaced by U+FFFD.
  static func escaped(_ text: String) -> String {
    var result = ""
    result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&apos;"
      case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
      case "\u{0}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": result += "\u{FFFD}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// A coordinate rounded to 2 decimals, without trailing zeros (`12.5`, `-3`, `0`); clamped to
  /// ±10⁹ so that it always fits the integer arithmetic.
  static func coordinate(_ value: Double) -> String {
    let hundredths = Int((min(max(value.isNaN ? 0 : value, -1e9), 1e9) * 100).rounded())
    if hundredths == 0 { return "0" }
    let whole = hundredths.magnitude / 100, fraction = hundredths.magnitude % 100
    var text = (hundredths < 0 ? "-" : "") + String(whole)
    if fraction != 0 {
      text += fraction % 10 == 0 ? ".\(fraction / 10)" : (fraction < 10 ? ".0\(fraction)" : ".\(fraction)")
    }
    return text
  }

  /// `text` cut into lines no wider than `width` (by ``estimatedWidth(_:fontSize:)``): after a
  /// run of spaces, or around an East Asian wide character, but never before closing punctuation
  /// (`，` `。` `）` …) nor after an opening bracket (`（` `《` `「` …); a word wider than a line is
  /// cut between characters. The spaces stay at the end of their line, so the lines joined are `text`.
  static func wrapped(_ text: String, width: Double, fontSize: Double) -> [String] {
    var pieces: [String] = [], current = ""
    for character in text {
      if let last = current.last, !character.isWhitespace, !closingPunctuation.contains(character), !openingPunctuation.contains(last),
         last.isWhitespace || isWide(last) || isWide(character) {
        pieces.append(current)
        current = ""
      }
      current.append(character)
    }
    if !current.isEmpty { pieces.append(current) }
    var lines: [String] = [], line = "", lineWidth = 0.0
    for piece in pieces.flatMap({ estimatedWidth($0, fontSize: fontSize) > width ? $0.map(String.init) : [$0] }) {
      let visible = String(piece.reversed().drop { $0.isWhitespace }.reversed())
      if !line.isEmpty, lineWidth + estimatedWidth(visible, fontSize: fontSize) > width {
        lines.append(line)
        (line, lineWidth) = ("", 0)
      }
      line += piece
      lineWidth += estimatedWidth(piece, fontSize: fontSize)
    }
    if !line.isEmpty || lines.isEmpty { lines.append(line) }
    return lines
  }

  /// Punctuation that must not start a line.
  private static let closingPunctuation: Set<Character> = [
    "）", "〕", "］", "｝", "〉", "》", "」", "』", "】", "’", "”", "，", "。", "、", "．", "：", "；", "！", "？", "・", "…", "ー", "%", "％",
  ]
  /// Punctuation that must not end a line.
  private static let openingPunctuation: Set<Character> = ["（", "〔", "［", "｛", "〈", "《", "「", "『", "【", "‘", "“"]

  /// Whether `character` is set a full em wide: Chinese, Japanese, Korean, full-width forms, emoji.
  static func isWide(_ character: Character) -> Bool {
    character.unicodeScalars.first.map { isWide($0) } ?? false
  }

  private static func isWide(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
         0xFFE0...0xFFE6, 0x1F300...0x1FAFF, 0x20000...0x3FFFD:
      true
    default:
      false
    }
  }

  /// A rough width of `text` set in a sans-serif font of `fontSize` pixels, to lay out labels and
  /// the legend without measuring: East Asian wide characters and emoji take 1 em, combining
  /// marks none, narrow Latin letters and punctuation 0.34 em, capitals and `m`/`w` 0.78 em,
  /// anything else 0.62 em. The widths are those of the widest common fallback (DejaVu Sans,
  /// which Chromium on Linux picks for `system-ui`), so labels never overrun in it.
  static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
    var ems = 0.0
    for scalar in text.unicodeScalars {
      if isWide(scalar) {
        ems += 1
        continue
      }
      switch scalar.value {
      case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F: break
      case 0x69, 0x6A, 0x6C, 0x49, 0x2E, 0x2C, 0x3A, 0x3B, 0x27, 0x7C, 0x21, 0x20, 0x66, 0x74, 0x72, 0x28, 0x29:
        ems += 0.34  // i j l I . , : ; ' | ! space f t r ( )
      case 0x41...0x5A, 0x6D, 0x77, 0x25, 0x40:
        ems += 0.78  // capitals, m w % @
      default:
        ems += 0.62
      }
    }
    return ems * fontSize
  }
}
