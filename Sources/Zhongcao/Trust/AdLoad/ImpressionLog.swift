/// Feed impressions: which user saw which note, in which session and slot, whether the slot was
/// a paid ad and how the user engaged — the input of ad-density studies. Stored column by column
/// (about 30 bytes an impression, sized for 10⁸ impressions).
///
/// Sessions are keyed by (user, session id): two users' sessions never merge even when their ids
/// are equal. An experiment's arm, when given, belongs to the impression; analyses of persistent
/// experiments check that each user stays in one arm.
///
///     var log = ImpressionLog()
///     try log.append(user: "u1", session: "s1", position: 1, note: "n9", sponsored: false, engagement: 1)
public struct ImpressionLog: Sendable, Equatable {
  /// User ids, in order of first appearance.
  public private(set) var users = IDMap()
  /// Note ids, in order of first appearance.
  public private(set) var notes = IDMap()
  /// Arm names, in order of first appearance (empty without an arm column).
  public private(set) var arms = IDMap()
  /// Session ids as given in the input (not unique across users), by session index.
  public private(set) var sessionIDs: [String] = []
  /// The user index of each session.
  public private(set) var sessionUsers: [Int32] = []

  /// User index of each impression.
  public private(set) var userIndices: [Int32] = []
  /// Session index of each impression (sessions numbered in order of first appearance).
  public private(set) var sessionIndices: [Int32] = []
  /// Slot of each impression in its session's feed (any integers; only their order matters).
  public private(set) var positions: [Int32] = []
  /// Note index of each impression.
  public private(set) var noteIndices: [Int32] = []
  /// Whether each impression was a paid (sponsored) slot.
  public private(set) var sponsored: [Bool] = []
  /// Engagement of each impression: 0 for none, 1 for an engagement (or a count of them).
  public private(set) var engagements: [Float] = []
  /// Dwell seconds of each impression (NaN where unknown), when the input has a dwell column.
  public private(set) var dwell: [Float]? = nil
  /// Timestamp of each impression (seconds since 1970), when the input has one.
  public private(set) var timestamps: [Int64]? = nil
  /// Arm index of each impression, when the input has an arm column.
  public private(set) var armIndices: [Int32]? = nil

  /// Session index by (user index, session id), for ``append(user:session:position:note:sponsored:engagement:dwell:timestamp:arm:)``;
  /// built on the first append to a log made from numbered columns.
  private var sessionLookup: [SessionKey: Int32] = [:]

  private struct SessionKey: Hashable, Sendable {
    var user: Int32
    var session: String
  }

  /// An empty log.
  public init() {}

  /// Number of impressions.
  public var count: Int { userIndices.count }
  /// Number of sessions.
  public var sessionCount: Int { sessionUsers.count }

  /// Appends one impression. The optional columns (dwell, timestamp, arm) must be given for all
  /// impressions or for none; dwell may be NaN (unknown).
  ///
  /// - Throws: ``ZhongcaoError/Code/invalidInput`` for an empty id, a negative or non-finite
  ///   engagement, a negative dwell, or an optional column given for some impressions only.
  public mutating func append(
    user: String, session: String, position: Int32, note: String, sponsored: Bool, engagement: Float,
    dwell: Float? = nil, timestamp: Int64? = nil, arm: String? = nil
  ) throws(ZhongcaoError) {
    guard !user.isEmpty, !session.isEmpty, !note.isEmpty else {
      throw ZhongcaoError(.invalidInput, "impression \(count + 1): user, session and note ids must not be empty")
    }
    guard engagement.isFinite, engagement >= 0 else {
      throw ZhongcaoError(.invalidInput, "impression \(count + 1): engagement must be finite and non-negative, got \(engagement)")
    }
    if let dwell, dwell < 0 || dwell.isInfinite {
      throw ZhongcaoError(.invalidInput, "impression \(count + 1): dwell must be a non-negative number of seconds, got \(dwell)")
    }
    if count == 0 {
      self.dwell = dwell == nil ? nil : []
      timestamps = timestamp == nil ? nil : []
      armIndices = arm == nil ? nil : []
    }
    guard (dwell == nil) == (self.dwell == nil), (timestamp == nil) == (timestamps == nil),
          (arm == nil) == (armIndices == nil) else {
      throw ZhongcaoError(.invalidInput, "impression \(count + 1): dwell, timestamp and arm must each be given for all impressions or for none")
    }
    let userIndex = Int32(users.insert(user))
    appendColumns(user: userIndex, session: sessionIndex(user: userIndex, id: session), position: position,
                  note: Int32(notes.insert(note)), sponsored: sponsored, engagement: engagement, dwell: dwell,
                  timestamp: timestamp, arm: arm.map { Int32(arms.insert($0)) })
  }

  /// The session index of (user, id), numbering a new session.
  mutating func sessionIndex(user: Int32, id: String) -> Int32 {
    if sessionLookup.count != sessionUsers.count {
      // A log built from numbered columns (loader, simulator) has no lookup until it is appended to.
      for (index, user) in sessionUsers.enumerated() {
        sessionLookup[SessionKey(user: user, session: sessionIDs[index])] = Int32(index)
      }
    }
    let key = SessionKey(user: user, session: id)
    if let index = sessionLookup[key] { return index }
    let index = Int32(sessionUsers.count)
    sessionLookup[key] = index
    sessionIDs.append(id)
    sessionUsers.append(user)
    return index
  }

  /// Appends the columns of one impression whose ids are already numbered (for the loader).
  mutating func appendColumns(user: Int32, session: Int32, position: Int32, note: Int32, sponsored: Bool,
                              engagement: Float, dwell: Float?, timestamp: Int64?, arm: Int32?) {
    userIndices.append(user)
    sessionIndices.append(session)
    positions.append(position)
    noteIndices.append(note)
    self.sponsored.append(sponsored)
    engagements.append(engagement)
    if let dwell { self.dwell?.append(dwell) }
    if let timestamp { timestamps?.append(timestamp) }
    if let arm { armIndices?.append(arm) }
  }

  /// Starts the optional columns of an empty log (for the loader, once it knows the columns).
  mutating func startOptionalColumns(dwell: Bool, timestamp: Bool, arm: Bool) {
    precondition(count == 0, "optional columns are fixed by the first impression")
    self.dwell = dwell ? [] : nil
    timestamps = timestamp ? [] : nil
    armIndices = arm ? [] : nil
  }

  /// Builds a log from columns already numbered (for the loader and the simulator).
  init(users: IDMap, notes: IDMap, arms: IDMap, sessionIDs: [String], sessionUsers: [Int32],
       userIndices: [Int32], sessionIndices: [Int32], positions: [Int32], noteIndices: [Int32], sponsored: [Bool],
       engagements: [Float], dwell: [Float]?, timestamps: [Int64]?, armIndices: [Int32]?) {
    self.users = users
    self.notes = notes
    self.arms = arms
    self.sessionIDs = sessionIDs
    self.sessionUsers = sessionUsers
    self.userIndices = userIndices
    self.sessionIndices = sessionIndices
    self.positions = positions
    self.noteIndices = noteIndices
    self.sponsored = sponsored
    self.engagements = engagements
    self.dwell = dwell
    self.timestamps = timestamps
    self.armIndices = armIndices
  }

  /// Reserves room for `count` impressions.
  public mutating func reserveCapacity(_ count: Int) {
    userIndices.reserveCapacity(count)
    sessionIndices.reserveCapacity(count)
    positions.reserveCapacity(count)
    noteIndices.reserveCapacity(count)
    sponsored.reserveCapacity(count)
    engagements.reserveCapacity(count)
  }

  public static func == (lhs: ImpressionLog, rhs: ImpressionLog) -> Bool {
    lhs.users == rhs.users && lhs.notes == rhs.notes && lhs.arms == rhs.arms && lhs.sessionIDs == rhs.sessionIDs
      && lhs.sessionUsers == rhs.sessionUsers && lhs.userIndices == rhs.userIndices
      && lhs.sessionIndices == rhs.sessionIndices && lhs.positions == rhs.positions
      && lhs.noteIndices == rhs.noteIndices && lhs.sponsored == rhs.sponsored && lhs.engagements == rhs.engagements
      && lhs.dwell.map { $0.map(\.bitPattern) } == rhs.dwell.map { $0.map(\.bitPattern) }
      && lhs.timestamps == rhs.timestamps && lhs.armIndices == rhs.armIndices
  }
}
