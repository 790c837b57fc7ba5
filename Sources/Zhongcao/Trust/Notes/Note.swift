import Foundation

/// One note of a social-commerce feed: the unit that disclosure grading, sponsored-content
/// detection and campaign detection judge.
///
/// The JSON Lines form (``NoteLoader``) is DESIGN.md's: `id`, `author`, `title`, `body`, `tags`
/// (array), optional `brand_label` (the platform's own partnership label, e.g. 品牌合作 via
/// 蒲公英), `created_at` and counts `likes collects comments shares`; MediaCrawler's `xhs_note`
/// field names are accepted too.
public struct Note: Sendable, Equatable, Hashable, Codable {
  /// The note's id, unique in a corpus.
  public var id: String
  /// The author's (account's) id.
  public var author: String
  /// Title, as written.
  public var title: String
  /// Body text, as written.
  public var body: String
  /// Hashtags or topic tags, without the leading `#`, in the order given.
  public var tags: [String]
  /// The platform's own partnership label (品牌合作, "Paid partnership"), when the note has one.
  public var brandLabel: String?
  /// When the note was published, in seconds since 1970 (UTC).
  public var createdAt: Double?
  /// Engagement counts, when known.
  public var likes: Int?
  /// Collects (收藏, saves).
  public var collects: Int?
  /// Comments.
  public var comments: Int?
  /// Shares.
  public var shares: Int?

  /// A note. Only `id` and `author` are required.
  public init(
    id: String, author: String, title: String = "", body: String = "", tags: [String] = [],
    brandLabel: String? = nil, createdAt: Double? = nil,
    likes: Int? = nil, collects: Int? = nil, comments: Int? = nil, shares: Int? = nil
  ) {
    self.id = id
    self.author = author
    self.title = title
    self.body = body
    self.tags = tags
    self.brandLabel = brandLabel
    self.createdAt = createdAt
    self.likes = likes
    self.collects = collects
    self.comments = comments
    self.shares = shares
  }

  /// The parts of a note that text evidence can point into.
  public enum Field: String, Sendable, Hashable, Codable, CaseIterable {
    case title, body, tags, brandLabel = "brand_label"
  }

  /// The text of one field. Tags are joined as they would be displayed: `#tag1 #tag2`.
  public func text(of field: Field) -> String {
    switch field {
    case .title: title
    case .body: body
    case .tags: tags.map { "#" + $0 }.joined(separator: " ")
    case .brandLabel: brandLabel ?? ""
    }
  }
}

/// Where a piece of evidence sits: a field of a note and a range of Unicode scalar offsets in
/// that field's original text (``Note/text(of:)``), so that `Array(text.unicodeScalars)[range]`
/// is the matched text. Scalar offsets are what Python's `str` indexing and most JSON consumers
/// count in.
public struct TextSpan: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The field.
  public var field: Note.Field
  /// Start and end (exclusive), in Unicode scalars of the field's original text.
  public var start: Int
  /// End offset (exclusive).
  public var end: Int

  /// A span `start ..< end` of `field`.
  public init(field: Note.Field, start: Int, end: Int) {
    self.field = field
    self.start = start
    self.end = end
  }

  /// `body[12..<16]`.
  public var description: String { "\(field.rawValue)[\(start)..<\(end)]" }

  /// The spanned text of `note`, or nil when the span does not fit the field.
  public func text(in note: Note) -> String? {
    let scalars = Array(note.text(of: field).unicodeScalars)
    guard start >= 0, start <= end, end <= scalars.count else { return nil }
    var result = String.UnicodeScalarView()
    result.append(contentsOf: scalars[start..<end])
    return String(result)
  }
}
