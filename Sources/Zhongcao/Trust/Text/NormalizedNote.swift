/// A note with each text field normalized once, for graders and detectors that share the work.
public struct NormalizedNote: Sendable, Hashable {
  /// The note as written.
  public let note: Note
  /// The normalized title.
  public let title: NormalizedText
  /// The normalized body.
  public let body: NormalizedText
  /// The normalized tags, as displayed (`#tag1 #tag2`, ``Note/text(of:)``).
  public let tags: NormalizedText
  /// The normalized platform label (empty when the note has none).
  public let brandLabel: NormalizedText

  /// Normalizes every field of `note`.
  public init(_ note: Note, normalizer: TextNormalizer = TextNormalizer()) {
    self.note = note
    title = normalizer.normalize(note.title)
    body = normalizer.normalize(note.body)
    tags = normalizer.normalize(note.text(of: .tags))
    brandLabel = normalizer.normalize(note.brandLabel ?? "")
  }

  /// The normalized text of `field`.
  public subscript(field: Note.Field) -> NormalizedText {
    switch field {
    case .title: title
    case .body: body
    case .tags: tags
    case .brandLabel: brandLabel
    }
  }

  /// The original text of `span` (nil when it does not fit the field).
  func originalText(_ span: TextSpan) -> String { note.originalText(span) }
}

extension Note {
  /// The original text of `span` (the scalars of ``text(of:)`` at its offsets).
  func originalText(_ span: TextSpan) -> String {
    let text = self.text(of: span.field)
    var view = String.UnicodeScalarView()
    var offset = 0
    for scalar in text.unicodeScalars {
      if offset >= span.end { break }
      if offset >= span.start { view.append(scalar) }
      offset += 1
    }
    return String(view)
  }
}
