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
    let scratch = NormalizerScratch()
    title = normalizer.normalize(note.title, using: scratch)
    body = normalizer.normalize(note.body, using: scratch)
    tags = normalizer.normalize(note.text(of: .tags), using: scratch)
    brandLabel = normalizer.normalize(note.brandLabel ?? "", using: scratch)
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
}
