/// Escaping for text that goes into HTML.
enum HTMLText {
  /// `text` safe as HTML character data and as a double- or single-quoted attribute value:
  /// `&`, `<`, `>`, `"` and `'` become entities, and control characters other than tab, line
  /// feed and carriage return become U+FFFD (the same rules as the SVG charts' text).
  static func escaped(_ text: String) -> String { SVGMarkup.escaped(text) }

  /// `text` escaped, or `fallback` (already markup) when `text` is nil or empty.
  static func escaped(_ text: String?, or fallback: String) -> String {
    guard let text, !text.isEmpty else { return fallback }
    return escaped(text)
  }
}
