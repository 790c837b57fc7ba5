extension DataSplit {
  /// A split given as two logs (e.g. files prepared by another tool): `train` as it is, and as
  /// test set each training user's `test` notes that occur in `train` and that the user did not
  /// already interact with in `train`. Test users unknown to `train` and cold notes are dropped
  /// and counted.
  public init(train: Interactions, test: Interactions) throws(ZhongcaoError) {
    let trainMatrix = InteractionMatrix(train)
    var testUsers: [String] = [], testNotes: [[String]] = []
    var position: [String: Int] = [:]
    var counts = SplitCounts(pairs: trainMatrix.pairCount, trainPairs: trainMatrix.pairCount, trainEvents: train.count)
    let testMatrix = InteractionMatrix(test)
    for u in 0..<testMatrix.users.count {
      let user = testMatrix.users[u]
      let range = testMatrix.byUser.range(ofRow: u)
      counts.pairs += range.count
      guard let trainUser = trainMatrix.users.index(of: user) else {
        counts.droppedUserPairs += range.count
        continue
      }
      let seen = Set(trainMatrix.byUser.indices[trainMatrix.byUser.range(ofRow: trainUser)])
      for e in range {
        let note = testMatrix.notes[Int(testMatrix.byUser.indices[e])]
        guard let trainNote = trainMatrix.notes.index(of: note) else {
          counts.droppedColdNotePairs += 1
          continue
        }
        if seen.contains(Int32(trainNote)) { continue }
        if position[user] == nil {
          position[user] = testUsers.count
          testUsers.append(user)
          testNotes.append([])
        }
        testNotes[position[user]!].append(note)
        counts.testPairs += 1
      }
    }
    counts.testUsers = testUsers.count
    guard !testUsers.isEmpty else {
      throw ZhongcaoError(.invalidInput, "no test pair names a training user and a training note: nothing to evaluate")
    }
    self.init(train: train, testUsers: testUsers, testNotes: testNotes, foldInHistory: nil, strategy: .predefined,
              seed: 0, counts: counts)
  }
}
