/// One account engaging with one note at one time (a like, collect, comment or share): the
/// input of lockstep detection and what the note-corpus generator plants.
public struct EngagementEvent: Sendable, Hashable, Codable {
  /// The engaging account.
  public var user: String
  /// The note engaged with.
  public var note: String
  /// When, in seconds since 1970 (UTC) or any epoch shared by all events.
  public var timestamp: Double

  /// An event.
  public init(user: String, note: String, timestamp: Double) {
    self.user = user
    self.note = note
    self.timestamp = timestamp
  }
}
