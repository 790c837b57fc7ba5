/// A log of user–note events, stored column by column (sized for 10⁹ events).
///
/// Each event has a user, a note, a non-negative finite weight and optionally a timestamp
/// (seconds since 1970). Repeated (user, note) pairs are kept as separate events here; they add up
/// when the log becomes an ``InteractionMatrix``.
///
///     var log = Interactions()
///     try log.append(user: "u1", note: "n1", weight: 2)
///     let matrix = InteractionMatrix(log)
public struct Interactions: Sendable, Equatable {
  /// User ids, in order of first appearance.
  public private(set) var users = IDMap()
  /// Note ids, in order of first appearance.
  public private(set) var notes = IDMap()
  /// User index of each event.
  public private(set) var userIndices: [Int32] = []
  /// Note index of each event.
  public private(set) var noteIndices: [Int32] = []
  /// Weight of each event.
  public private(set) var weights: [Float] = []
  /// Timestamp of each event (seconds since 1970), when every event has one.
  public private(set) var timestamps: [Int64]? = nil

  /// An empty log.
  public init() {}

  /// A log of `(user, note, weight)` triples.
  public init(_ events: [(user: String, note: String, weight: Float)]) throws(ZhongcaoError) {
    reserveCapacity(events.count)
    for event in events { try append(user: event.user, note: event.note, weight: event.weight) }
  }

  /// Number of events.
  public var count: Int { userIndices.count }

  /// Reserves room for `count` events.
  public mutating func reserveCapacity(_ count: Int) {
    userIndices.reserveCapacity(count)
    noteIndices.reserveCapacity(count)
    weights.reserveCapacity(count)
  }

  /// Appends one event. Throws for a negative or non-finite weight, or when a timestamp is given
  /// for some events but not others.
  public mutating func append(user: String, note: String, weight: Float = 1, timestamp: Int64? = nil) throws(ZhongcaoError) {
    guard weight.isFinite, weight >= 0 else {
      throw ZhongcaoError(.invalidInput, "weight must be finite and non-negative, got \(weight)")
    }
    if count == 0 { timestamps = timestamp == nil ? nil : [] }
    switch (timestamp, timestamps == nil) {
    case (.some(let time), false): timestamps!.append(time)
    case (nil, true): break
    default:
      throw ZhongcaoError(.invalidInput, "timestamps must be given for all events or for none (event \(count + 1))")
    }
    userIndices.append(Int32(users.insert(user)))
    noteIndices.append(Int32(notes.insert(note)))
    weights.append(weight)
  }

  /// Builds a log directly from its columns (used by loaders and the generator).
  package init(users: IDMap, notes: IDMap, userIndices: [Int32], noteIndices: [Int32], weights: [Float], timestamps: [Int64]?) {
    precondition(userIndices.count == noteIndices.count && userIndices.count == weights.count
                 && (timestamps == nil || timestamps!.count == weights.count), "event columns differ in length")
    self.users = users
    self.notes = notes
    self.userIndices = userIndices
    self.noteIndices = noteIndices
    self.weights = weights
    self.timestamps = timestamps
  }
}
