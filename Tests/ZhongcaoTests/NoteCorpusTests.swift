import Foundation
import Testing
@testable import Zhongcao

@Suite("NoteCorpus")
struct NoteCorpusTests {
  /// The default generator (10,000 notes), generated once.
  static let standard = NoteCorpusGenerator().generate()

  static func small(seed: UInt64 = 42) -> NoteCorpusGenerator {
    var generator = NoteCorpusGenerator(notes: 3_000, authors: 600, brands: 40, seed: seed)
    generator.campaigns = 6
    generator.users = 1_000
    return generator
  }

  /// Character 3-shingles of title and body, hashed and sorted (the campaign detector's view).
  static func shingles(_ note: Note) -> [Int] {
    let scalars = Array((note.title + "\n" + note.body).unicodeScalars).map { Int($0.value) }
    guard scalars.count >= 3 else { return [scalars.reduce(0) { $0 &* 1_000_003 &+ $1 }] }
    var hashes: [Int] = []
    hashes.reserveCapacity(scalars.count)
    for start in 0...(scalars.count - 3) {
      hashes.append((scalars[start] &* 1_000_003 &+ scalars[start + 1]) &* 1_000_003 &+ scalars[start + 2])
    }
    return Array(Set(hashes)).sorted()
  }

  static func jaccard(_ a: [Int], _ b: [Int]) -> Double {
    var i = 0, j = 0, common = 0
    while i < a.count && j < b.count {
      if a[i] == b[j] { common += 1; i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
    }
    return Double(common) / Double(a.count + b.count - common)
  }

  /// The similarity above which a pair counts as near-duplicate.
  static let campaignThreshold = 0.5
  /// The similarity every campaign copy has to its nearest other copy: the brief survives the edits.
  static let templatedThreshold = 0.4

  // MARK: Determinism

  @Test func sameSeedGivesIdenticalCorpus() {
    let a = Self.small().generate(), b = Self.small().generate()
    #expect(a.notes == b.notes)
    #expect(a.truth == b.truth)
    #expect(a.authors == b.authors)
    #expect(a.engagementEvents == b.engagementEvents)
    #expect(a.lockstepGroups == b.lockstepGroups)
  }

  @Test func differentSeedGivesDifferentCorpus() {
    let a = Self.small(seed: 1).generate(), b = Self.small(seed: 2).generate()
    #expect(a.notes.map(\.body) != b.notes.map(\.body))
    #expect(a.truth.map(\.kind) != b.truth.map(\.kind))
  }

  // MARK: Counts and shares

  @Test func countsAndSharesMatchParameters() {
    let corpus = Self.standard, p = corpus.parameters, summary = corpus.summary
    #expect(corpus.notes.count == p.notes && corpus.truth.count == p.notes)
    #expect(corpus.authors.count == p.authors && corpus.brands.count == p.brands)
    #expect(Set(corpus.notes.map(\.id)).count == p.notes)
    #expect(zip(corpus.notes, corpus.truth).allSatisfy { $0.id == $1.id })
    #expect(summary.sponsoredShare == p.sponsoredShare)
    #expect(abs(summary.disclosedShareOfSponsored - p.disclosedShareOfSponsored) < 0.005)
    #expect(summary.kinds["selfPromotion"] == Int(p.selfPromotionShare * Double(p.notes)))
    let english = Double(summary.languages["en"] ?? 0) / Double(p.notes)
    #expect(abs(english - p.englishShare) < 0.03)
    #expect(summary.campaigns == p.campaigns)
    let campaignNotes = summary.kinds["campaign"] ?? 0
    #expect(campaignNotes >= p.campaigns * p.campaignSize.lowerBound && campaignNotes <= p.campaigns * p.campaignSize.upperBound)
    let perNote = Double(corpus.engagementEvents.count) / Double(p.notes)
    #expect(perNote > p.engagementsPerNote * 0.9 && perNote < p.engagementsPerNote + 1.5)
    // Notes are in time order, inside the window.
    let times = corpus.notes.map { $0.createdAt! }
    #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
    #expect(times.first! >= p.start && times.last! < p.start + Double(p.days) * 86_400)
  }

  @Test func truthIsConsistent() {
    for truth in Self.standard.truth {
      #expect((truth.kind == .campaign) == (truth.campaignEdit != nil), "\(truth.id)")
      switch truth.kind {
      case .organic:
        #expect(!truth.sponsored && !truth.commercial && truth.intendedGrade == .absent && truth.campaign == nil)
      case .disclosedAd:
        #expect(truth.sponsored && truth.intendedGrade != .absent && truth.brand != nil)
      case .undisclosedPromotion:
        #expect(truth.sponsored && truth.intendedGrade == .absent && truth.brand != nil)
      case .selfPromotion:
        #expect(!truth.sponsored && truth.commercial && truth.intendedGrade == .absent)
      case .campaign:
        #expect(truth.sponsored && truth.campaign != nil && truth.intendedGrade == .absent)
      }
    }
  }

  @Test func disclosureDependsOnAuthorSizeAndTime() {
    let summary = Self.standard.summary
    #expect(summary.disclosedShareAfterRegulation > summary.disclosedShareBeforeRegulation + 0.1)
    #expect(summary.disclosedShareLargeAuthors > summary.disclosedShareSmallAuthors + 0.1)
  }

  @Test func everyKindAndGradeInBothLanguages() {
    let summary = Self.standard.summary
    for kind in NoteTruth.Kind.allCases {
      for language in NoteTruth.Language.allCases {
        #expect((summary.kindsByLanguage["\(kind.rawValue)/\(language.rawValue)"] ?? 0) > 0, "\(kind) \(language)")
      }
    }
    for grade in NoteTruth.Grade.allCases where grade != .absent {
      for language in NoteTruth.Language.allCases {
        #expect((summary.gradesByLanguage["\(grade.rawValue)/\(language.rawValue)"] ?? 0) > 0, "\(grade) \(language)")
      }
    }
  }

  // MARK: Disclosure markers

  static let sufficientMarkers = ["【广告】", "广告｜", "「广告」", "Ad | ", "#ad ", "Advertisement: ", "Ad: "]

  @Test func markersSitWhereTheGradeSays() {
    for (note, truth) in zip(Self.standard.notes, Self.standard.truth) where truth.kind == .disclosedAd {
      let upFront = Self.sufficientMarkers.contains { note.title.hasPrefix($0) || note.body.hasPrefix($0) }
      switch truth.intendedGrade {
      case .sufficient:
        #expect(upFront, "\(note.id)")
      case .platformLabel:
        #expect(!upFront)
        #expect(note.brandLabel != nil || note.body.hasPrefix("品牌合作") || note.body.hasPrefix("Paid partnership"))
      case .vague:
        #expect(!upFront && note.brandLabel == nil)
        #expect(!note.body.contains("广告") && !note.tags.contains("ad") && !note.tags.contains("广告"))
      case .buried:
        #expect(!upFront && note.brandLabel == nil)
        let inTags = note.tags.count >= 8 && (note.tags.firstIndex(of: "广告") ?? note.tags.firstIndex(of: "ad") ?? 0) >= 5
        let atEnd = ["#广告", "「广告」", "广告", "#ad", "Ad."].contains { note.body.hasSuffix($0) }
        #expect(inTags || (atEnd && note.body.count > 100), "\(note.id)")
      case .absent:
        Issue.record("disclosed ad \(note.id) without a grade")
      }
    }
  }

  @Test func undisclosedNotesCarryNoMarker() {
    for (note, truth) in zip(Self.standard.notes, Self.standard.truth) where truth.kind != .disclosedAd {
      #expect(note.brandLabel == nil)
      #expect(!Self.sufficientMarkers.contains { note.title.hasPrefix($0) || note.body.hasPrefix($0) })
      for vague in ["合作", "恰饭", "商单", "#sp", "#collab", "#gifted", "#ad"] {
        #expect(!note.body.contains(vague) && !note.title.contains(vague), "\(note.id) \(vague)")
      }
      #expect(!note.tags.contains { ["广告", "合作", "恰饭", "商单", "ad", "sp", "spon", "collab", "gifted"].contains($0) })
    }
  }

  @Test func organicNotesIncludeHardNegatives() {
    let organic = zip(Self.standard.notes, Self.standard.truth).filter { $0.1.kind == .organic }.map(\.0)
    let texts = organic.map { $0.title + $0.body }
    #expect(texts.contains { $0.contains("自费") && $0.contains("¥") })
    #expect(texts.contains { $0.contains("Not sponsored") || $0.contains("not sponsored") })
    #expect(texts.contains { $0.contains("无广") })
    for word in ["回购", "平替", "空瓶", "绝绝子", "dupe", "holy grail"] {
      #expect(texts.contains { $0.contains(word) }, "\(word)")
    }
  }

  // MARK: Campaigns and lockstep

  @Test func campaignsAreTemplatedAcrossLowFollowerAccountsInTheWindow() {
    let corpus = Self.standard, p = corpus.parameters
    let followers = Dictionary(uniqueKeysWithValues: corpus.authors.map { ($0.id, $0.followers) })
    var lowestNearest = 1.0, pairs = 0, distantPairs = 0, sameTitlePairs = 0
    for c in 0..<p.campaigns {
      let members = zip(corpus.notes, corpus.truth).filter { $0.1.campaign == c }
      #expect(p.campaignSize.contains(members.count))
      #expect(Set(members.map(\.0.author)).count == members.count)
      #expect(Set(members.map { $0.1.brand }).count == 1)
      #expect(members.allSatisfy { followers[$0.0.author]! < 1_000 })
      let times = members.map { $0.0.createdAt! }
      #expect(times.max()! - times.min()! <= p.campaignWindowHours * 3_600)
      let sets = members.map { Self.shingles($0.0) }
      for i in sets.indices {
        var nearest = 0.0
        for j in sets.indices where j != i {
          let value = Self.jaccard(sets[i], sets[j])
          nearest = max(nearest, value)
          guard j > i else { continue }
          pairs += 1
          if value < Self.campaignThreshold { distantPairs += 1 }
          if members[i].0.title == members[j].0.title { sameTitlePairs += 1 }
        }
        lowestNearest = min(lowestNearest, nearest)
      }
    }
    // Copies are edited to all three degrees, heavy ones the fewest (15% planned).
    let edits = Dictionary(grouping: corpus.truth.compactMap(\.campaignEdit), by: { $0 }).mapValues(\.count)
    let copies = edits.values.reduce(0, +)
    #expect(NoteTruth.CampaignEdit.allCases.allSatisfy { edits[$0, default: 0] > 0 }, "\(edits)")
    #expect(edits[.heavy, default: 0] * 4 < copies && edits[.heavy, default: 0] * 25 > copies, "\(edits)")
    // Templated: every copy is a near-duplicate of some other copy of its campaign …
    #expect(lowestNearest >= Self.templatedThreshold, "lowest nearest-copy Jaccard \(lowestNearest)")
    // … but edited, not cloned: some pairs of copies are far apart, and titles are often rewritten.
    #expect(distantPairs * 50 >= pairs, "\(distantPairs) of \(pairs) copy pairs below \(Self.campaignThreshold)")
    #expect(sameTitlePairs * 4 <= pairs * 3, "\(sameTitlePairs) of \(pairs) copy pairs share their title")
  }

  @Test func organicNotesAreNotNearDuplicates() {
    let corpus = Self.standard
    let organic = zip(corpus.notes, corpus.truth).filter { $0.1.kind == .organic }.map(\.0)
    let sample = stride(from: 0, to: organic.count, by: max(1, organic.count / 800)).map { organic[$0] }
    let sets = sample.map(Self.shingles)
    var highest = 0.0
    for i in sets.indices {
      for j in sets.indices where j > i && sample[i].author != sample[j].author {
        let value = Self.jaccard(sets[i], sets[j])
        highest = max(highest, value)
      }
    }
    #expect(highest < Self.campaignThreshold, "highest organic Jaccard \(highest)")
  }

  @Test func lockstepGroupsEngageTheirCampaignsTogether() {
    let corpus = Self.standard, p = corpus.parameters
    #expect(corpus.lockstepGroups.count == p.campaigns)
    var allMembers = Set<String>()
    for group in corpus.lockstepGroups {
      #expect(p.lockstepGroupSize.contains(group.count))
      #expect(allMembers.isDisjoint(with: group))
      allMembers.formUnion(group)
    }
    let byID = Dictionary(uniqueKeysWithValues: zip(corpus.notes, corpus.truth).map { ($0.0.id, ($0.0, $0.1)) })
    var perCampaignMember: [String: Int] = [:]
    for event in corpus.engagementEvents {
      let (note, truth) = byID[event.note]!
      #expect(event.timestamp >= note.createdAt!)
      if let c = truth.campaign, corpus.lockstepGroups[c].contains(event.user) {
        #expect(event.timestamp - note.createdAt! <= 3 * 3_600)
        perCampaignMember["\(c)/\(event.user)", default: 0] += 1
      }
    }
    // Most members engage most of their campaign's notes.
    let campaignSizes = Dictionary(grouping: corpus.truth.compactMap(\.campaign), by: { $0 }).mapValues(\.count)
    var covered = 0, total = 0
    for (c, group) in corpus.lockstepGroups.enumerated() {
      for user in group {
        covered += perCampaignMember["\(c)/\(user)"] ?? 0
        total += campaignSizes[c]!
      }
    }
    #expect(Double(covered) / Double(total) > 0.8)
    #expect(zip(corpus.engagementEvents, corpus.engagementEvents.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
  }

  @Test func campaignEngagementIsInflatedButOverlaps() {
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    let pairs = zip(Self.standard.notes, Self.standard.truth)
    let ratio: (Note) -> Double = { Double($0.collects!) / Double(max($0.likes!, 1)) }
    let organic = pairs.filter { $0.1.kind == .organic && $0.0.likes! >= 20 }.map { ratio($0.0) }
    let campaign = pairs.filter { $0.1.kind == .campaign && $0.0.likes! >= 20 }.map { ratio($0.0) }
    #expect(median(campaign) < median(organic) / 2)
    // Overlap: some organic notes have a collect/like ratio below the campaign median.
    #expect(organic.contains { $0 < median(campaign) })
  }

  // MARK: Learnability

  /// Masks the disclosure markers, as a PU detector must.
  static func maskedText(_ note: Note) -> String {
    var text = note.title + " " + note.body + " " + note.tags.filter {
      !["广告", "合作", "恰饭", "商单", "ad", "sp", "spon", "collab", "gifted"].contains($0)
    }.joined(separator: " ")
    for marker in ["【广告】", "「广告」", "广告｜", "广告", "品牌合作", "合作", "恰饭", "商单", "Advertisement:", "Paid partnership",
                   "#ad", "Ad | ", "Ad:", "Ad.", "#spon", "#sp", "#collab", "#gifted"] {
      text = text.replacingOccurrences(of: marker, with: " ")
    }
    return text.lowercased()
  }

  static func features(_ text: String) -> [Int] {
    let scalars = Array(text.unicodeScalars).map { Int($0.value) }
    var result: [Int] = []
    for n in 2...3 where scalars.count >= n {
      for start in 0...(scalars.count - n) {
        var hash = n
        for offset in 0..<n { hash = hash &* 1_000_003 &+ scalars[start + offset] }
        result.append(Int(UInt(bitPattern: hash) % (1 << 18)))
      }
    }
    return result
  }

  /// A naive-Bayes ranker trained on disclosed ads (markers masked) against everything else
  /// ranks undisclosed promotion above organic notes: learnable, but not perfectly.
  @Test func sponsorshipIsLearnableButNotTrivial() {
    let pairs = Array(zip(Self.standard.notes, Self.standard.truth))
    var positive = [Double](repeating: 1, count: 1 << 18), unlabeled = positive
    var positiveTotal = 0.0, unlabeledTotal = 0.0
    let features = pairs.map { Self.features(Self.maskedText($0.0)) }
    for (index, pair) in pairs.enumerated() {
      for feature in features[index] {
        if pair.1.kind == .disclosedAd { positive[feature] += 1; positiveTotal += 1 } else { unlabeled[feature] += 1; unlabeledTotal += 1 }
      }
    }
    func score(_ index: Int) -> Double {
      features[index].reduce(0) { $0 + log(positive[$1] / positiveTotal) - log(unlabeled[$1] / unlabeledTotal) }
        / Double(max(features[index].count, 1))
    }
    let promoted = pairs.indices.filter { pairs[$0].1.kind == .undisclosedPromotion }.map(score)
    let organic = pairs.indices.filter { pairs[$0].1.kind == .organic }.map(score).sorted()
    var wins = 0.0
    for value in promoted {
      var low = 0, high = organic.count
      while low < high { let mid = (low + high) / 2; if organic[mid] < value { low = mid + 1 } else { high = mid } }
      wins += Double(low)
    }
    let auc = wins / Double(promoted.count * organic.count)
    #expect(auc > 0.9, "AUC \(auc)")
    #expect(auc < 0.995, "AUC \(auc): too easy")
  }

  // MARK: Writers

  static func readLines(_ path: String) throws -> [[String: Any]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try text.split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
  }

  static func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  @Test func zhongcaoFormatRoundTrips() throws {
    let corpus = Self.small().generate()
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try corpus.writeNotes(to: directory + "/notes.jsonl", format: .zhongcao)
    let lines = try Self.readLines(directory + "/notes.jsonl")
    #expect(lines.count == corpus.notes.count)
    for (object, note) in zip(lines, corpus.notes) {
      #expect(object["id"] as? String == note.id)
      #expect(object["author"] as? String == note.author)
      #expect(object["title"] as? String == note.title)
      #expect(object["body"] as? String == note.body)
      #expect(object["tags"] as? [String] == note.tags)
      #expect(object["brand_label"] as? String == note.brandLabel)
      #expect((object["created_at"] as? NSNumber)?.doubleValue == note.createdAt)
      #expect(object["likes"] as? Int == note.likes)
      #expect(object["collects"] as? Int == note.collects)
      #expect(object["comments"] as? Int == note.comments)
      #expect(object["shares"] as? Int == note.shares)
    }
    #expect(lines.contains { $0["brand_label"] != nil })
  }

  @Test func mediaCrawlerFormatUsesItsFieldNamesAndTypes() throws {
    let corpus = Self.small().generate()
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try corpus.writeNotes(to: directory + "/xhs_note.jsonl", format: .mediaCrawler)
    let lines = try Self.readLines(directory + "/xhs_note.jsonl")
    #expect(lines.count == corpus.notes.count)
    for (object, note) in zip(lines, corpus.notes) {
      #expect(Set(object.keys) == [
        "note_id", "type", "title", "desc", "tag_list", "user_id", "time", "last_update_time",
        "liked_count", "collected_count", "comment_count", "share_count",
      ])
      #expect(object["note_id"] as? String == note.id)
      #expect(object["type"] as? String == "normal")
      #expect(object["title"] as? String == note.title)
      #expect(object["desc"] as? String == note.body)
      #expect(object["tag_list"] as? String == note.tags.joined(separator: ","))
      #expect(object["user_id"] as? String == note.author)
      #expect((object["time"] as? NSNumber)?.int64Value == Int64(note.createdAt! * 1000))
      #expect(object["liked_count"] as? String == String(note.likes!))
      #expect(object["collected_count"] as? String == String(note.collects!))
      #expect(object["comment_count"] as? String == String(note.comments!))
      #expect(object["share_count"] as? String == String(note.shares!))
    }
  }

  @Test func truthAndSummaryRoundTrip() throws {
    let corpus = Self.small().generate()
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try corpus.writeTruth(to: directory + "/truth.jsonl")
    let lines = try Self.readLines(directory + "/truth.jsonl")
    #expect(lines.count == corpus.truth.count)
    for (object, truth) in zip(lines, corpus.truth) {
      #expect(object["id"] as? String == truth.id)
      #expect(object["kind"] as? String == truth.kind.rawValue)
      #expect(object["sponsored"] as? Bool == truth.sponsored)
      #expect(object["commercial"] as? Bool == truth.commercial)
      #expect(object["intended_grade"] as? String == truth.intendedGrade.rawValue)
      #expect(object["brand"] as? String == truth.brand)
      #expect(object["campaign"] as? Int == truth.campaign)
      #expect(object["campaign_edit"] as? String == truth.campaignEdit?.rawValue)
      #expect(object["language"] as? String == truth.language.rawValue)
    }
    // The Codable form reads the same lines.
    let text = try String(contentsOfFile: directory + "/truth.jsonl", encoding: .utf8)
    let decoded = try text.split(separator: "\n").map { try JSONDecoder().decode(NoteTruth.self, from: Data($0.utf8)) }
    #expect(decoded == corpus.truth)
    let summary = try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: directory + "/truth.summary.json"))) as! [String: Any]
    let parameters = summary["parameters"] as! [String: Any]
    #expect(parameters["notes"] as? Int == corpus.parameters.notes)
    #expect(parameters["sponsoredShare"] as? Double == corpus.parameters.sponsoredShare)
    #expect((summary["lockstep_groups"] as? [[String]])?.count == corpus.parameters.campaigns)
    #expect((summary["summary"] as? [String: Any])?["sponsoredShare"] as? Double == corpus.summary.sponsoredShare)
    let reparsed = try JSONDecoder().decode(
      NoteCorpusGenerator.self, from: JSONSerialization.data(withJSONObject: parameters))
    #expect(reparsed == corpus.parameters)
  }

  @Test func writingToAMissingDirectoryFails() {
    #expect(throws: ZhongcaoError.self) {
      try Self.small().generate().writeNotes(to: "/nonexistent-\(UUID().uuidString)/notes.jsonl")
    }
  }

  // MARK: Validation

  @Test func invalidParametersAreNamed() {
    var generator = NoteCorpusGenerator()
    generator.campaignSize = 2...5
    #expect(throws: ZhongcaoError.self) { try generator.validate() }
    generator = NoteCorpusGenerator()
    generator.englishShare = 1.5
    #expect(throws: ZhongcaoError.self) { try generator.validate() }
    generator = NoteCorpusGenerator(notes: 100, authors: 50)
    #expect(throws: ZhongcaoError.self) { try generator.validate() }  // 20 campaigns × 12 > 50
    #expect(throws: Never.self) { try NoteCorpusGenerator().validate() }
  }

  @Test func singleLanguageCorporaWork() {
    for share in [0.0, 1.0] {
      var generator = Self.small()
      generator.englishShare = share
      let corpus = generator.generate()
      #expect(corpus.notes.count == generator.notes)
      let english = corpus.truth.filter { $0.language == .english }.count
      #expect(share == 0 ? english == 0 : english == corpus.notes.count)
    }
  }
}
