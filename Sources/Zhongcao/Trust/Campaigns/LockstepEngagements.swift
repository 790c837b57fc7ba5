/// Steps 1–3 of ``LockstepDetector``: names numbered, each (user, note)'s earliest engagement in
/// per-note time order, co-engaging user pairs, and their connected components (the seeds).
///
/// The output is exactly that of the original implementation (kept in the tests as
/// ReferenceLockstepDetector); only the means changed, each where the original spent its time:
/// - names were numbered through `[String: Int32]`, SipHash over every name of every event; now
///   each name's UTF-8 is hashed once into a ``ByteKeyedIDs`` table, and only distinct names are
///   compared as strings (to sort them);
/// - the earliest engagement per (note, user) went through a dictionary and then a closure sort of
///   all engagements by (note, time, user); now a counting sort groups events by note and each
///   note's few engagements are sorted on their own;
/// - pair counts were a `[UInt64: Int32]`; now pairs are grouped by their first user (a counting
///   sort) and counted in a dense array;
/// - notes are processed in chunks on all cores, users and notes are numbered on one core each.
struct LockstepEngagements {
  /// Distinct names numbered in sorted order.
  struct Numbering: Sendable {
    /// The name of each number.
    var names: [String]
    /// The number of each event's name, in event order.
    var numbers: [Int32]
  }

  /// One user's engagement with a note, for refinement.
  struct UserEngagement {
    var note: Int32
    var time: Double
  }

  /// Inputs with fewer events run on one core: below this, starting threads costs more than it saves.
  static let parallelEvents = 20_000

  let userCount: Int
  /// Note n's engagements (each user's earliest) are `users[noteStart[n]..<noteStart[n + 1]]`
  /// with their `times`, in (time, user) order.
  private let noteStart: [Int]
  private let users: [Int32]
  private let times: [Double]
  /// User pairs (smaller number << 32 | larger) that engaged with one note within the window and
  /// the comparison cap, once per such note; one array per chunk of notes.
  private let pairs: [[UInt64]]
  private let minimumNotes: Int

  // MARK: - Step 1: names

  /// Users and notes numbered by sorted name, each under its first spelling, as the original did
  /// (`String` equality: canonically equivalent spellings are one name). Users on one core,
  /// notes on another.
  static func numberNames(of events: [EngagementEvent]) -> (users: Numbering, notes: Numbering) {
    // Two chunks of one part each run in parallel; one chunk of both parts runs serially.
    let parts = parallelChunkedMap(count: 2, chunkSize: events.count >= parallelEvents ? 1 : 2) { parts in
      parts.map { part in number(events, users: part == 0) }
    }
    return (parts[0], parts[1])
  }

  /// The users (or the notes) of `events`, numbered by sorted name.
  ///
  /// Each name's bytes are looked up in a ``ByteKeyedIDs`` table: one fast hash per event instead
  /// of `String` hashing (loading a batch's table slots ahead, as the loader does, did not pay
  /// here). Byte-distinct names can still be equal strings (a precomposed "é" and "e" + U+0301,
  /// or "K" and the Kelvin sign), so when any name is not ASCII the distinct spellings are merged
  /// under `String ==` (first spelling first) and sorted as strings; ASCII names sort by their
  /// bytes, as `String` orders them.
  private static func number(_ events: [EngagementEvent], users: Bool) -> Numbering {
    func withBytes<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
      let text = users ? events[index].user : events[index].note
      // Native strings are contiguous; the copy is for any other.
      return text.utf8.withContiguousStorageIfAvailable(body) ?? Array(text.utf8).withUnsafeBufferPointer(body)
    }
    var table = ByteKeyedIDs()
    var spellings: [String] = []
    var sortKeys: [SortKey] = []
    var allASCII = true
    var numbers: [Int32] = []
    numbers.reserveCapacity(events.count)
    for index in events.indices {
      let spelling = withBytes(index) { bytes -> Int32 in
        let hash = ByteKeyedIDs.hash(bytes)
        switch table.find(bytes, hash: hash) {
        case .found(let spelling):
          return spelling
        case .missing(let slot):
          let spelling = Int32(spellings.count)
          table.insert(bytes, index: spelling, hash: hash, slot: slot)
          allASCII = allASCII && bytes.allSatisfy { $0 < 0x80 }
          sortKeys.append(SortKey(bytes, spelling: spelling))
          return spelling
        }
      }
      if spelling == spellings.count { spellings.append(users ? events[index].user : events[index].note) }
      numbers.append(spelling)
    }
    return numbering(spellings: spellings, numbers: numbers, allASCII: allASCII, sortKeys: &sortKeys)
  }

  /// The users and notes of `log` numbered by sorted name, as ``numberNames(of:)`` numbers the
  /// same events given as ``EngagementEvent``s. The loader already numbered each distinct id
  /// (canonically equivalent spellings as one, under the first), so only the distinct names are
  /// sorted: no name of an event is hashed again. Users on one core, notes on another.
  static func numberNames(of log: Interactions) -> (users: Numbering, notes: Numbering) {
    let parts = parallelChunkedMap(count: 2, chunkSize: log.count >= parallelEvents ? 1 : 2) { parts in
      parts.map { part in
        let users = part == 0
        let map = users ? log.users : log.notes
        var sortKeys: [SortKey] = []
        sortKeys.reserveCapacity(map.count)
        var allASCII = true
        map.forEachUTF8 { bytes in
          allASCII = allASCII && bytes.allSatisfy { $0 < 0x80 }
          sortKeys.append(SortKey(bytes, spelling: Int32(sortKeys.count)))
        }
        return numbering(spellings: map.ids, numbers: users ? log.userIndices : log.noteIndices, allASCII: allASCII,
                         sortKeys: &sortKeys)
      }
    }
    return (parts[0], parts[1])
  }

  /// Ranks distinct `spellings` (first appearances, with their ``SortKey``s in spelling order) by
  /// sorted name and renumbers `numbers` (each event's spelling) by rank. Equal strings spelled
  /// with other bytes are one name, under the first spelling.
  private static func numbering(spellings: [String], numbers: [Int32], allASCII: Bool, sortKeys: inout [SortKey]) -> Numbering {
    var numbers = numbers
    // Distinct names in sorted order, and each spelling's rank among them.
    var rank = [Int32](repeating: 0, count: spellings.count)
    let sortedNames: [String]
    if allASCII {
      SortKey.sort(&sortKeys)
      // Keys tie only when names share their first 16 bytes (or differ by trailing NULs).
      var runStart = 0
      while runStart < sortKeys.count {
        var runEnd = runStart + 1
        while runEnd < sortKeys.count, sortKeys[runEnd].high == sortKeys[runStart].high, sortKeys[runEnd].low == sortKeys[runStart].low { runEnd += 1 }
        if runEnd - runStart > 1 { sortKeys[runStart..<runEnd].sort { spellings[Int($0.spelling)] < spellings[Int($1.spelling)] } }
        runStart = runEnd
      }
      for (sortedIndex, key) in sortKeys.enumerated() { rank[Int(key.spelling)] = Int32(sortedIndex) }
      sortedNames = sortKeys.map { spellings[Int($0.spelling)] }
    } else {
      var map = IDMap()
      let nameOfSpelling = spellings.map { Int32(map.insert($0)) }
      let names = map.ids
      let order = names.indices.sorted { names[$0] < names[$1] }
      var nameRank = [Int32](repeating: 0, count: names.count)
      for (sortedIndex, firstSeen) in order.enumerated() { nameRank[firstSeen] = Int32(sortedIndex) }
      rank = nameOfSpelling.map { nameRank[Int($0)] }
      sortedNames = order.map { names[$0] }
    }
    for index in numbers.indices { numbers[index] = rank[Int(numbers[index])] }
    return Numbering(names: sortedNames, numbers: numbers)
  }

  /// A spelling's first 16 bytes, big-endian and zero-padded: for ASCII names, ordering by these
  /// and then (on a tie) by the strings orders them as `String <` does, mostly without touching them.
  private struct SortKey {
    var high: UInt64 = 0
    var low: UInt64 = 0
    var spelling: Int32

    init(spelling: Int32) { self.spelling = spelling }

    init(_ bytes: UnsafeBufferPointer<UInt8>, spelling: Int32) {
      self.spelling = spelling
      for (offset, byte) in bytes.prefix(16).enumerated() {
        if offset < 8 { high |= UInt64(byte) << (56 - 8 * offset) } else { low |= UInt64(byte) << (120 - 8 * offset) }
      }
    }

    /// The key's byte `position` (0 = the first byte of the name).
    private func byte(_ position: Int) -> Int {
      Int(truncatingIfNeeded: (position < 8 ? high : low) >> (56 - 8 * (position % 8)) & 0xFF)
    }

    /// Sorts by (high, low), stably: a least-significant-byte-first radix sort, several times
    /// faster than a comparison sort on 10⁵ keys. Bytes that are the same in every key (a shared
    /// prefix, the padding of short names) are skipped; the passes use buffer pointers, as the
    /// array accesses' checks cost more than the work.
    static func sort(_ keys: inout [SortKey]) {
      guard let first = keys.first else { return }
      var varying = SortKey(spelling: 0)
      for key in keys {
        varying.high |= key.high ^ first.high
        varying.low |= key.low ^ first.low
      }
      var sorted = keys
      var start = [Int](repeating: 0, count: 256)
      for position in (0..<16).reversed() where varying.byte(position) != 0 {
        keys.withUnsafeBufferPointer { keys in
          sorted.withUnsafeMutableBufferPointer { sorted in
            start.withUnsafeMutableBufferPointer { start in
              start.update(repeating: 0)
              for key in keys { start[key.byte(position)] += 1 }
              var total = 0
              for byte in 0..<256 { (start[byte], total) = (total, total + start[byte]) }
              for key in keys {
                sorted[start[key.byte(position)]] = key
                start[key.byte(position)] += 1
              }
            }
          }
        }
        swap(&keys, &sorted)
      }
    }
  }

  // MARK: - Step 2: per-note engagements and pairs

  /// Groups the events with finite times by note, then, in chunks of notes on all cores, keeps each
  /// user's earliest engagement with each note and lists the co-engaging pairs. Event `i` is
  /// user `users.numbers[i]` engaging with note `notes.numbers[i]` at `timestamps[i]`.
  init(timestamps: [Double], users userNumbers: Numbering, notes noteNumbers: Numbering, configuration: LockstepConfiguration) {
    userCount = userNumbers.names.count
    minimumNotes = configuration.minimumNotes
    let noteCount = noteNumbers.names.count
    // Counting sort by note; within a note, events stay in input order.
    var start = [Int](repeating: 0, count: noteCount + 1)
    for index in timestamps.indices where timestamps[index].isFinite { start[Int(noteNumbers.numbers[index]) + 1] += 1 }
    for note in 0..<noteCount { start[note + 1] += start[note] }
    var next = start
    var groupedUsers = [Int32](repeating: 0, count: start[noteCount])
    var groupedTimes = [Double](repeating: 0, count: start[noteCount])
    for index in timestamps.indices where timestamps[index].isFinite {
      let note = Int(noteNumbers.numbers[index])
      groupedUsers[next[note]] = userNumbers.numbers[index]
      groupedTimes[next[note]] = timestamps[index]
      next[note] += 1
    }
    next = []

    // Chunks of notes with about equal numbers of events.
    let chunkCount = timestamps.count >= Self.parallelEvents ? min(64, max(2, start[noteCount] / 16_384)) : 1
    let bounds = (0...chunkCount).map { chunk in
      chunk == chunkCount ? noteCount : Self.firstNote(atOrAfter: start[noteCount] * chunk / chunkCount, in: start)
    }
    let grouped = (start: start, users: groupedUsers, times: groupedTimes)
    let userCount = userCount
    let chunks = parallelChunkedMap(count: chunkCount, chunkSize: 1) { chunks in
      chunks.map { chunk in
        NoteChunk(notes: bounds[chunk]..<bounds[chunk + 1], grouped: grouped, userCount: userCount,
                  window: configuration.window, cap: configuration.maximumComparisonsPerEvent)
      }
    }
    var noteStart = [Int](repeating: 0, count: noteCount + 1)
    var users: [Int32] = [], times: [Double] = []
    users.reserveCapacity(chunks.reduce(0) { $0 + $1.users.count })
    times.reserveCapacity(users.capacity)
    for (chunk, part) in chunks.enumerated() {
      for (offset, count) in part.counts.enumerated() {
        let note = bounds[chunk] + offset
        noteStart[note + 1] = noteStart[note] + count
      }
      users += part.users
      times += part.times
    }
    self.noteStart = noteStart
    self.users = users
    self.times = times
    pairs = chunks.map(\.pairs)
  }

  /// The first note whose events start at or after `event` (binary search in `start`).
  private static func firstNote(atOrAfter event: Int, in start: [Int]) -> Int {
    var low = 0, high = start.count - 1
    while low < high {
      let middle = (low + high) / 2
      if start[middle] < event { low = middle + 1 } else { high = middle }
    }
    return low
  }

  /// Step 2 for a chunk of notes.
  private struct NoteChunk: Sendable {
    /// Engagements kept per note of the chunk.
    var counts: [Int] = []
    var users: [Int32] = []
    var times: [Double] = []
    var pairs: [UInt64] = []

    /// An event of one note: its time, user and place among the note's events in input order.
    private struct Event {
      var time: Double
      var user: Int32
      var position: Int32

      /// (time, user, position) order. Times compare as doubles, so -0.0 and 0.0 tie, as in the
      /// original's tuple sort; position makes the first of tied repeats the one kept.
      static func precedes(_ a: Event, _ b: Event) -> Bool {
        if a.time != b.time { return a.time < b.time }
        if a.user != b.user { return a.user < b.user }
        return a.position < b.position
      }
    }

    init(notes: Range<Int>, grouped: (start: [Int], users: [Int32], times: [Double]), userCount: Int, window: Double, cap: Int) {
      counts.reserveCapacity(notes.count)
      let events = grouped.start[notes.lowerBound]..<grouped.start[notes.upperBound]
      users.reserveCapacity(events.count)
      times.reserveCapacity(events.count)
      var scratch: [Event] = []
      /// Last note in which each user was kept, for notes with many events (allocated on demand).
      var keptIn: [Int32] = []
      for note in notes {
        let first = grouped.start[note], end = grouped.start[note + 1]
        scratch.removeAll(keepingCapacity: true)
        for index in first..<end {
          scratch.append(Event(time: grouped.times[index], user: grouped.users[index], position: Int32(index - first)))
        }
        if scratch.count <= 16 {
          Self.insertionSort(&scratch)
        } else {
          scratch.sort(by: Event.precedes)
          if keptIn.isEmpty { keptIn = [Int32](repeating: -1, count: userCount) }
        }
        // In time order, a user's first event is their earliest.
        let keptStart = users.count
        for event in scratch {
          if scratch.count <= 16 {
            if users[keptStart...].contains(event.user) { continue }
          } else {
            if keptIn[Int(event.user)] == Int32(note) { continue }
            keptIn[Int(event.user)] = Int32(note)
          }
          users.append(event.user)
          times.append(event.time)
        }
        counts.append(users.count - keptStart)
        appendPairs(keptStart..<users.count, window: window, cap: cap)
      }
    }

    /// Pairs each engagement of one note (`range`, in time order) with the later ones at most
    /// `window` after it, at most `cap` of them, as the original did.
    private mutating func appendPairs(_ range: Range<Int>, window: Double, cap: Int) {
      for i in range {
        let end = range.upperBound - i - 1 <= cap ? range.upperBound : i + 1 + cap
        for j in (i + 1)..<end {
          if times[j] - times[i] > window { break }
          let a = UInt64(UInt32(min(users[i], users[j]))), b = UInt64(UInt32(max(users[i], users[j])))
          pairs.append(a << 32 | b)
        }
      }
    }

    /// Sorts a few events (a note's are usually under ten) without the general sort's overhead.
    private static func insertionSort(_ events: inout [Event]) {
      guard events.count > 1 else { return }
      for index in 1..<events.count {
        let event = events[index]
        var slot = index
        while slot > 0, Event.precedes(event, events[slot - 1]) {
          events[slot] = events[slot - 1]
          slot -= 1
        }
        events[slot] = event
      }
    }
  }

  // MARK: - Step 3: seeds

  /// The connected components of the pairs that co-engaged with at least `minimumNotes` notes,
  /// each sorted, in order of their first user.
  ///
  /// Pairs are grouped by their first user (a counting sort); each user's partners are then
  /// counted in a dense array, and a pair becomes an edge when its count reaches the threshold.
  func seeds() -> [[Int32]] {
    var partnerStart = [Int](repeating: 0, count: userCount + 1)
    for chunk in pairs { for pair in chunk { partnerStart[Int(pair >> 32) + 1] += 1 } }
    for user in 0..<userCount { partnerStart[user + 1] += partnerStart[user] }
    var next = partnerStart
    var partners = [Int32](repeating: 0, count: partnerStart[userCount])
    for chunk in pairs {
      for pair in chunk {
        let user = Int(pair >> 32)
        partners[next[user]] = Int32(truncatingIfNeeded: pair)
        next[user] += 1
      }
    }
    next = []
    var unionFind = UnionFind(count: userCount)
    var linked = [Bool](repeating: false, count: userCount)
    var counts = [Int32](repeating: 0, count: userCount)
    for user in 0..<userCount {
      let range = partnerStart[user]..<partnerStart[user + 1]
      for partner in partners[range] {
        counts[Int(partner)] += 1
        if Int(counts[Int(partner)]) == minimumNotes {
          unionFind.union(user, Int(partner))
          linked[user] = true
          linked[Int(partner)] = true
        }
      }
      for partner in partners[range] { counts[Int(partner)] = 0 }
    }
    var seedOfRoot: [Int: Int] = [:]
    var seeds: [[Int32]] = []
    for user in 0..<userCount where linked[user] {
      let root = unionFind.find(user)
      if let seed = seedOfRoot[root] {
        seeds[seed].append(Int32(user))
      } else {
        seedOfRoot[root] = seeds.count
        seeds.append([Int32(user)])
      }
    }
    return seeds
  }

  /// The engagements of the users in `seeds`, `engagements[userStart[u]..<userStart[u + 1]]` for
  /// user u, by note (a counting sort of the per-note order; other users' ranges are empty).
  func byUser(in seeds: [[Int32]]) -> (userStart: [Int], engagements: [UserEngagement]) {
    var wanted = [Bool](repeating: false, count: userCount)
    for seed in seeds { for user in seed { wanted[Int(user)] = true } }
    var userStart = [Int](repeating: 0, count: userCount + 1)
    for user in users where wanted[Int(user)] { userStart[Int(user) + 1] += 1 }
    for user in 0..<userCount { userStart[user + 1] += userStart[user] }
    var next = userStart
    var engagements = [UserEngagement](repeating: UserEngagement(note: 0, time: 0), count: userStart[userCount])
    for note in 0..<(noteStart.count - 1) {
      for index in noteStart[note]..<noteStart[note + 1] where wanted[Int(users[index])] {
        let user = Int(users[index])
        engagements[next[user]] = UserEngagement(note: Int32(note), time: times[index])
        next[user] += 1
      }
    }
    return (userStart, engagements)
  }
}
