import Foundation
import ZhongcaoLinearAlgebra

/// Finds coordinated campaigns: near-duplicate templated notes posted by several authors within
/// a time window (this type), and lockstep engagement (``lockstepGroups(in:)``, see
/// ``LockstepDetector``).
///
/// ```swift
/// let detector = try CampaignDetector(configuration: CampaignConfiguration(window: 3 * 86_400))
/// for campaign in detector.campaigns(in: notes, brand: { brandLexicon.firstMention(in: $0.body) }) {
///   print(campaign.authors.count, campaign.brand ?? "?", campaign.sampleText)
/// }
/// ```
///
/// ## Method
/// 1. Each note's title and body (and tags, if configured) become a bag of hashed shingles:
///    character 3-grams for CJK-heavy text, word 2-grams otherwise, after normalisation that drops
///    punctuation and emoji and folds every number to one token (`NoteShingler`).
/// 2. Every note with at least ``CampaignConfiguration/minimumShingles`` shingles gets a 64-bit
///    SimHash; notes below ``CampaignConfiguration/minHashShingleLimit`` shingles also get a
///    128-byte b-bit MinHash signature (fast similarity sketching, see ``MinHash``).
/// 3. Candidates: notes sharing one of the four 16-bit SimHash blocks (every pair within Hamming
///    distance 3 shares one), and notes sharing an LSH band key. Each index is one sorted array of
///    `(key, note)` built and scanned one block or band at a time; notes are numbered in time order,
///    so a bucket is scanned oldest first and each note is compared only with later notes of its
///    bucket that are within the window, at most ``CampaignConfiguration/maximumComparisonsPerNote``.
/// 4. A candidate pair is linked when its SimHash distance is within the threshold or its estimated
///    Jaccard similarity reaches ``CampaignConfiguration/minimumJaccard``, and its notes are at
///    most ``CampaignConfiguration/window`` apart. Union–find over the links gives clusters;
///    pairs already in one cluster are not re-verified.
/// 5. A cluster spanning at least ``CampaignConfiguration/minimumAuthors`` authors is a campaign.
///
/// - Complexity: Shingling and fingerprints O(L + 64·s + 128·log 128) per note (L characters, s
///   shingles); indexing O(n log n) per block and band; verification O(n·c) for c comparisons
///   per note (bounded by the cap). Memory about 160 bytes a note plus one n-element sort array
///   at a time: 10⁶ notes fit in a few hundred MB.
/// - Note: Output is deterministic: the same notes in any order give the same campaigns, in the
///   same order (by start time, untimed last, then first note id).
public struct CampaignDetector: Sendable {
  /// The thresholds in use.
  public let configuration: CampaignConfiguration

  /// A detector.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` when a threshold is out of range.
  public init(configuration: CampaignConfiguration = CampaignConfiguration()) throws(ZhongcaoError) {
    try configuration.validate()
    self.configuration = configuration
  }

  /// Lockstep engagement groups among `events`, with ``CampaignConfiguration/lockstep``.
  ///
  /// The same as `LockstepDetector(configuration: configuration.lockstep).groups(in: events)`.
  public func lockstepGroups(in events: [EngagementEvent]) -> [LockstepGroup] {
    LockstepDetector(validated: configuration.lockstep).groups(in: events)
  }

  /// Lockstep engagement groups among the events of `log`, with ``CampaignConfiguration/lockstep``.
  ///
  /// The same as `LockstepDetector(configuration: configuration.lockstep).groups(in: log)`.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidInput`` when the log has no timestamps.
  public func lockstepGroups(in log: Interactions) throws(ZhongcaoError) -> [LockstepGroup] {
    try LockstepDetector(validated: configuration.lockstep).groups(in: log)
  }

  /// The campaigns among `notes`.
  ///
  /// - Parameters:
  ///   - notes: The corpus; ids should be unique.
  ///   - brand: Names the brand a note promotes, or nil; a campaign reports its most frequent
  ///     brand. Without it, ``Campaign/brand`` is nil.
  /// - Returns: Campaigns ordered by start time (untimed last), then by first note id.
  public func campaigns(in notes: [Note], brand: ((Note) -> String?)? = nil) -> [Campaign] {
    campaignsWithMembers(in: notes, brandAt: brand.map { brand in { brand(notes[$0]) } }).map(\.campaign)
  }

  /// ``campaigns(in:brand:)`` with each campaign's notes as indices into `notes` (in the order of
  /// ``Campaign/noteIDs``), and the brand named by note index.
  func campaignsWithMembers(in notes: [Note], brandAt: ((Int) -> String?)?) -> [(campaign: Campaign, members: [Int])] {
    let index = NearDuplicateIndex(notes: notes, configuration: configuration)
    let links = index.link()
    return index.campaigns(from: links, brandAt: brandAt)
  }
}

/// The fingerprints of a corpus and the clustering over them (see ``CampaignDetector``).
struct NearDuplicateIndex {
  /// A verified pair of positions; a link of the spanning forest when it joined two clusters.
  struct Link {
    var first: Int32
    var second: Int32
    var method: Campaign.LinkMethod
    var similarity: Double
  }

  let notes: [Note]
  let configuration: CampaignConfiguration
  /// For each position (notes with enough shingles, in time order, untimed first): the note's index.
  private(set) var noteIndex: [Int32] = []
  /// `createdAt` per position, NaN when unknown.
  private(set) var times: [Double] = []
  /// SimHash per position.
  private(set) var fingerprints: [UInt64] = []
  /// Start of the position's signature in `signatures`, −1 when it has none.
  private(set) var signatureStart: [Int32] = []
  /// The b-bit MinHash signatures, `permutations` bytes each.
  private(set) var signatures: [UInt8] = []
  let minHash: MinHash

  init(notes: [Note], configuration: CampaignConfiguration) {
    self.notes = notes
    self.configuration = configuration
    minHash = MinHash(permutations: configuration.minHashBands * configuration.minHashRowsPerBand)
    let order = notes.indices.sorted { a, b in
      let ta = notes[a].createdAt ?? -.infinity, tb = notes[b].createdAt ?? -.infinity
      if ta != tb { return ta < tb }
      if notes[a].id != notes[b].id { return notes[a].id < notes[b].id }
      return a < b
    }
    // Shingles and fingerprints in parallel chunks of notes (in time order); chunk results are
    // concatenated in order, so the positions are the same as a sequential pass.
    struct Chunk: Sendable {
      var noteIndex: [Int32] = []
      var times: [Double] = []
      var fingerprints: [UInt64] = []
      var hasSignature: [Bool] = []
      var signatures: [UInt8] = []
    }
    let shingler = NoteShingler(normalizer: configuration.textNormalizer)
    let minHash = minHash
    let notesPerChunk = 256
    let chunks = parallelChunkedMap(count: (order.count + notesPerChunk - 1) / notesPerChunk, chunkSize: 1) { range in
      range.map { chunkIndex in
        var chunk = Chunk()
        var scratch = NoteShingler.Scratch()
        var shingles = NoteShingler.Shingles(hashes: [], counts: [])
        for index in order[(chunkIndex * notesPerChunk)..<min(order.count, (chunkIndex + 1) * notesPerChunk)] {
          // Fields by index: copying the note would retain and release every field.
          let parts = configuration.includeTags
            ? [notes[index].title, notes[index].body, notes[index].text(of: .tags)] : [notes[index].title, notes[index].body]
          shingler.shingles(of: parts, scratch: &scratch, into: &shingles)
          guard shingles.count >= configuration.minimumShingles else { continue }
          chunk.noteIndex.append(Int32(index))
          chunk.times.append(notes[index].createdAt ?? .nan)
          chunk.fingerprints.append(SimHash.fingerprint(shingles))
          let signed = shingles.count < configuration.minHashShingleLimit
          chunk.hasSignature.append(signed)
          if signed { minHash.appendSignature(of: shingles, to: &chunk.signatures) }
        }
        return chunk
      }
    }
    let kept = chunks.reduce(0) { $0 + $1.noteIndex.count }
    noteIndex.reserveCapacity(kept)
    times.reserveCapacity(kept)
    fingerprints.reserveCapacity(kept)
    signatureStart.reserveCapacity(kept)
    signatures.reserveCapacity(chunks.reduce(0) { $0 + $1.signatures.count })
    for chunk in chunks {
      noteIndex += chunk.noteIndex
      times += chunk.times
      fingerprints += chunk.fingerprints
      var start = signatures.count
      for signed in chunk.hasSignature {
        signatureStart.append(signed ? Int32(start) : -1)
        if signed { start += minHash.permutations }
      }
      signatures += chunk.signatures
    }
  }

  /// The estimated Jaccard similarity of two positions, nil when either has no signature.
  func jaccard(_ a: Int, _ b: Int) -> Double? {
    let startA = Int(signatureStart[a]), startB = Int(signatureStart[b])
    guard startA >= 0, startB >= 0 else { return nil }
    let length = minHash.permutations
    let equal = signatures.withUnsafeBufferPointer { signatures in
      MinHash.equalBytes(signatures.baseAddress! + startA, signatures.baseAddress! + startB, length)
    }
    return MinHash.jaccard(equalBytes: equal, of: length)
  }

  /// The verified link between two positions, or nil.
  func verify(_ a: Int, _ b: Int) -> (Campaign.LinkMethod, Double)? {
    let distance = SimHash.distance(fingerprints[a], fingerprints[b])
    if distance <= configuration.simHashMaximumDistance { return (.simHash, 1 - Double(distance) / 64) }
    if let similarity = jaccard(a, b), similarity >= configuration.minimumJaccard { return (.minHash, similarity) }
    return nil
  }

  /// Runs both candidate indexes and returns the union–find parents and the links that joined
  /// clusters (a spanning forest).
  ///
  /// The indexes (4 SimHash blocks, then the LSH bands) are built and scanned in parallel, a few
  /// at a time to bound memory: each scan verifies its candidate pairs on its own and lists the
  /// verified ones in scan order. The lists are then applied one index after another, in that
  /// order, to one union–find, keeping the pairs that join two clusters. That gives exactly the
  /// links of scanning each index in turn against the shared union–find (which verifies only the
  /// pairs not yet joined): an unverified pair never changed the clusters, and a pair a scan skips
  /// because its own links already joined it was joined in the shared union–find too.
  func link() -> (parents: [Int32], links: [Link]) {
    var unionFind = UnionFind(count: noteIndex.count)
    var links: [Link] = []
    let indexCount = 4 + configuration.minHashBands
    let batch = max(2, 2 * ProcessorCount.active)
    let fingerprints = fingerprints, signatureStart = signatureStart, signatures = signatures
    let rows = configuration.minHashRowsPerBand
    let index = self
    var first = 0
    while first < indexCount {
      let base = first, last = min(indexCount, first + batch)
      let verified = parallelChunkedMap(count: last - base, chunkSize: 1) { range in
        range.map { offset -> [Link] in
          let which = base + offset
          var keys: [UInt64] = []
          if which < 4 {
            keys.reserveCapacity(fingerprints.count)
            for position in fingerprints.indices {
              keys.append(SimHash.block(fingerprints[position], which) << 32 | UInt64(position))
            }
            return index.verifiedPairs(Self.sortedByKey(keys, keyBits: 16))
          }
          let band = which - 4
          signatureStart.withUnsafeBufferPointer { signatureStart in
            signatures.withUnsafeBufferPointer { signatures in
              for position in signatureStart.indices where signatureStart[position] >= 0 {
                let start = Int(signatureStart[position]) + band * rows
                var key: UInt64 = 0
                for offset in 0..<rows { key = key << 8 | UInt64(signatures[start + offset]) }
                if rows > 4 { key = SplitMix64.mix(key) >> 32 }
                keys.append(key << 32 | UInt64(position))
              }
            }
          }
          return index.verifiedPairs(Self.sortedByKey(keys, keyBits: 32))
        }
      }
      for pairs in verified {
        for link in pairs where unionFind.union(Int(link.first), Int(link.second)) { links.append(link) }
      }
      first = last
    }
    return (unionFind.flattenedParents(), links)
  }

  /// `keys` (`key << 32 | position`, positions ascending) sorted ascending: the same order as
  /// `keys.sorted()`, for a key of `keyBits` (16 or 32) bits.
  ///
  /// One counting pass on the key's top 16 bits puts every value in its bucket, positions still
  /// ascending within it; a 16-bit key is then sorted. A bucket of 32-bit keys holds 1.5 values on
  /// average at 100,000 notes (the copies of one template share their key and are already in
  /// order), so each is finished by insertion, or by `sort()` when long. Against two 16-bit radix
  /// passes this saves a scatter of every value and two sweeps of the 65,536 counts.
  static func sortedByKey(_ keys: [UInt64], keyBits: Int) -> [UInt64] {
    precondition(keyBits == 16 || keyBits == 32, "keys have 16 or 32 bits")
    guard keys.count > 4_096 else { return keys.sorted() }
    let shift = UInt64(16 + keyBits), digits = 1 << 16
    // `starts[digit]` is where the digit's bucket begins, then (after the scatter) where it ends.
    var starts = [Int32](repeating: 0, count: digits + 1)
    return [UInt64](unsafeUninitializedCapacity: keys.count) { sorted, initialized in
      keys.withUnsafeBufferPointer { keys in
        starts.withUnsafeMutableBufferPointer { starts in
          for key in keys { starts[Int(truncatingIfNeeded: key >> shift) &+ 1] &+= 1 }
          for digit in 1...digits { starts[digit] &+= starts[digit &- 1] }
          for key in keys {
            let digit = Int(truncatingIfNeeded: key >> shift)
            sorted.initializeElement(at: Int(starts[digit]), to: key)
            starts[digit] &+= 1
          }
        }
      }
      initialized = keys.count
      guard keyBits > 16 else { return }
      var start = 0
      while start < sorted.count {
        let digit = sorted[start] >> shift
        var end = start &+ 1
        while end < sorted.count, sorted[end] >> shift == digit { end &+= 1 }
        var bucket = UnsafeMutableBufferPointer(rebasing: sorted[start..<end])
        if bucket.count > 32 { bucket.sort() } else { NoteShingler.insertionSort(bucket) }
        start = end
      }
    }
  }

  /// The verified candidate pairs of one index, in scan order: the members of each equal-key run
  /// of sorted `(key << 32 | position)` values, each compared with the later ones within the
  /// window (at most ``CampaignConfiguration/maximumComparisonsPerNote``), skipping pairs this
  /// index's own verified pairs already joined.
  private func verifiedPairs(_ keys: [UInt64]) -> [Link] {
    let window = configuration.window
    let cap = configuration.maximumComparisonsPerNote
    var joined = UnionFind(count: noteIndex.count)
    var pairs: [Link] = []
    var runStart = 0
    while runStart < keys.count {
      var runEnd = runStart + 1
      while runEnd < keys.count, keys[runEnd] >> 32 == keys[runStart] >> 32 { runEnd += 1 }
      if runEnd - runStart > 1 {
        for i in runStart..<(runEnd - 1) {
          let a = Int(keys[i] & 0xFFFF_FFFF)
          let timeA = times[a]
          for j in (i + 1)..<min(runEnd, i + 1 + cap) {
            let b = Int(keys[j] & 0xFFFF_FFFF)
            // Positions are in time order with untimed notes first, so once a later note is
            // outside the window every following one is too.
            if let window, !timeA.isNaN, times[b] - timeA > window { break }
            if joined.find(a) == joined.find(b) { continue }
            guard let (method, similarity) = verify(a, b) else { continue }
            joined.union(a, b)
            pairs.append(Link(first: Int32(a), second: Int32(b), method: method, similarity: similarity))
          }
        }
      }
      runStart = runEnd
    }
    return pairs
  }

  /// The clusters that span enough authors, as campaigns, each with its notes' indices (in
  /// ``Campaign/noteIDs`` order).
  func campaigns(from linked: (parents: [Int32], links: [Link]), brandAt: ((Int) -> String?)?)
    -> [(campaign: Campaign, members: [Int])]
  {
    var members: [Int32: [Int]] = [:]
    for link in linked.links {
      members[linked.parents[Int(link.first)], default: []].append(Int(link.first))
      members[linked.parents[Int(link.first)], default: []].append(Int(link.second))
    }
    var linksByRoot: [Int32: [Link]] = [:]
    for link in linked.links { linksByRoot[linked.parents[Int(link.first)], default: []].append(link) }
    var campaigns: [(campaign: Campaign, members: [Int])] = []
    for (root, rawMembers) in members {
      let positions = Array(Set(rawMembers))
      let clusterNotes = positions.map { Int(noteIndex[$0]) }
      let authors = Set(clusterNotes.map { notes[$0].author })
      guard authors.count >= configuration.minimumAuthors else { continue }
      let clusterLinks = linksByRoot[root] ?? []
      var degree: [Int: Int] = [:]
      for link in clusterLinks {
        degree[Int(link.first), default: 0] += 1
        degree[Int(link.second), default: 0] += 1
      }
      // Most-linked note; ties to the earliest position (time order).
      let sample = positions.min { (degree[$0] ?? 0, -$0) > (degree[$1] ?? 0, -$1) } ?? positions[0]
      let sampleNote = notes[Int(noteIndex[sample])]
      let sampleText = String((sampleNote.title.isEmpty ? sampleNote.body : sampleNote.title + " " + sampleNote.body).prefix(200))
      let ordered = clusterNotes.sorted { a, b in
        let ta = notes[a].createdAt ?? .infinity, tb = notes[b].createdAt ?? .infinity
        return ta != tb ? ta < tb : notes[a].id < notes[b].id
      }
      let timestamps = clusterNotes.compactMap { notes[$0].createdAt }
      let sortedIDs = ordered.map { notes[$0].id }.sorted()
      let digest = Checksum.xxh64(Array(sortedIDs.joined(separator: "\u{1F}").utf8))
      let hex = String(digest, radix: 16)
      var brandName: String?
      if let brandAt {
        var tally: [String: Int] = [:]
        for note in clusterNotes { if let name = brandAt(note) { tally[name, default: 0] += 1 } }
        brandName = tally.min { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }?.key
      }
      let similarity = clusterLinks.isEmpty ? 1 : clusterLinks.map(\.similarity).reduce(0, +) / Double(clusterLinks.count)
      let campaign = Campaign(
        id: "campaign-" + String(repeating: "0", count: 16 - hex.count) + hex,
        noteIDs: ordered.map { notes[$0].id }, authors: authors.sorted(), brand: brandName,
        start: timestamps.min(), end: timestamps.max(), sampleText: sampleText,
        meanSimilarity: similarity,
        evidence: Campaign.Evidence(
          simHashLinks: clusterLinks.count { $0.method == .simHash },
          minHashLinks: clusterLinks.count { $0.method == .minHash }))
      campaigns.append((campaign, ordered))
    }
    return campaigns.sorted { a, b in
      let sa = a.campaign.start ?? .infinity, sb = b.campaign.start ?? .infinity
      return sa != sb ? sa < sb : a.campaign.noteIDs[0] < b.campaign.noteIDs[0]
    }
  }
}

/// Disjoint sets over 0..<count with path halving and union by size.
struct UnionFind {
  private var parent: [Int32]
  private var size: [Int32]

  /// `count` singletons.
  init(count: Int) {
    parent = (0..<count).map { Int32($0) }
    size = [Int32](repeating: 1, count: count)
  }

  /// The representative of `element`'s set.
  mutating func find(_ element: Int) -> Int {
    var current = element
    while Int(parent[current]) != current {
      let grandparent = parent[Int(parent[current])]
      parent[current] = grandparent
      current = Int(grandparent)
    }
    return current
  }

  /// Merges the sets of `a` and `b`; returns false when they were already one.
  @discardableResult
  mutating func union(_ a: Int, _ b: Int) -> Bool {
    var rootA = find(a), rootB = find(b)
    guard rootA != rootB else { return false }
    if size[rootA] < size[rootB] { swap(&rootA, &rootB) }
    parent[rootB] = Int32(rootA)
    size[rootA] += size[rootB]
    return true
  }

  /// Each element's representative.
  mutating func flattenedParents() -> [Int32] {
    (0..<parent.count).map { Int32(find($0)) }
  }
}
