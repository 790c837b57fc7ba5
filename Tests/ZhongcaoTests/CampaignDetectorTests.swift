import Foundation
import Testing
@testable import Zhongcao

/// A small planted-campaign corpus: templated notes with realistic edits (synonym swaps, emoji,
/// reordered sentences, changed numbers; Chinese and English) posted by several authors within
/// days, among organic notes that share the templates' vocabulary and stock phrases. Hard
/// negatives: one author reposting their own template, and a template reposted by different
/// authors a month apart.
enum CampaignFixture {
  /// `{a|b|c}` picks one alternative, `#` becomes a random number.
  static func expand(_ pattern: String, _ random: inout TestRandom) -> String {
    var result = "", options: [String] = [], current = "", inBraces = false
    for character in pattern {
      switch character {
      case "{": inBraces = true; options = []; current = ""
      case "|" where inBraces: options.append(current); current = ""
      case "}":
        options.append(current)
        result += options[Int(random.next() % UInt64(options.count))]
        inBraces = false
      case "#": if inBraces { current += String(Int(random.next() % 190) + 10) } else { result += String(Int(random.next() % 190) + 10) }
      default: if inBraces { current.append(character) } else { result.append(character) }
      }
    }
    return result
  }

  static let emoji = ["✨", "💕", "🔥", "👍", "😭", "🌟", "💯", "🥰", "‼️", "🍀"]

  /// A variant of a template: every sentence expanded, the middle ones shuffled half the time,
  /// 0–3 emoji sprinkled between sentences.
  static func variant(_ sentences: [String], _ random: inout TestRandom, separator: String) -> String {
    var parts = sentences.map { expand($0, &random) }
    if parts.count > 3, random.next() % 2 == 0 {
      var middle = Array(parts[1..<(parts.count - 1)])
      middle.shuffle(using: &random)
      parts.replaceSubrange(1..<(parts.count - 1), with: middle)
    }
    for _ in 0..<Int(random.next() % 4) {
      let at = Int(random.next() % UInt64(parts.count))
      parts[at] += emoji[Int(random.next() % UInt64(emoji.count))]
    }
    return parts.joined(separator: separator)
  }

  static let serum = [
    "{姐妹们|宝子们|集美们}！最近挖到一款宝藏精华，光研小棕瓶真的{绝了|太好用了|爱了}。",
    "连续用了#天，皮肤{明显变亮|肉眼可见地亮了|亮了一个度}，毛孔也{细腻了很多|变小了不少}。",
    "质地{清爽不黏腻|水润不油腻}，吸收{超快|特别快}，敏感肌也能{放心用|安心用}。",
    "早晚各用一次，搭配面霜效果{更好|翻倍}，上脸{一点都不搓泥|完全不搓泥}。",
    "现在{活动价|到手价}只要#元，性价比{超高|绝绝子}，{闭眼入|放心冲|冲就完事}不踩雷！",
  ]
  static let serumTitles = ["挖到宝了！这支精华真的绝", "宝藏精华分享｜用完皮肤亮了", "被问爆的精华终于来分享了"]
  static let fryer = [
    "{家人们|姐妹们}，这个{空气炸锅|炸锅}真的{太香了|绝了}！",
    "不用油也能做{炸鸡|薯条}，#分钟就好，{清洗超方便|好清洗}。",
    "{双十一|618}只要#，{赶紧冲|快冲}！",
  ]
  static let glow = [
    "{Obsessed|In love} with the new GlowLab vitamin C serum!",
    "After # days my skin looks {brighter|more radiant} and my dark spots {faded|are fading}.",
    "The texture is {lightweight|super light} and it absorbs {fast|quickly}, {no sticky feeling|not sticky at all}.",
    "Use my code GLOW# for # percent off, {link in bio|check the link in my bio}!",
  ]
  static let daigou = [
    "{今日|本周}上新：日本代购面膜眼霜现货#件，私信下单顺丰包邮，手慢无！",
    "全部专柜小票可查，支持验货，假一赔十，老客回购再减#元，量大从优。",
  ]
  static let coffee = [
    "{新店开业|开业大酬宾}！星巴克同款咖啡豆#元一斤，香醇不苦，办公室宿舍必备，每天一杯提神醒脑。",
    "评论区领券，下单再送滤纸和杯子，数量有限先到先得，回购率超高的一款豆子。",
  ]
  static let organicChinese = [
    "今天{终于|总算}把{这支|这瓶}{精华|面霜|防晒}用完了，{说说|聊聊}真实感受。",
    "我是{干皮|油皮|混油皮|敏感肌}，{冬天|夏天|换季}{特别容易|总是}{起皮|出油|泛红}。",
    "质地{清爽不黏腻|偏厚重|水水的}，{吸收还行|吸收一般|需要多按摩一会}。",
    "用了#周{没什么感觉|有一点点提亮|痘痘少了些}，{不算惊艳|中规中矩|还算满意}。",
    "{价格|到手价}#元{左右|出头}，{不算便宜|学生党能接受|有点小贵}。",
    "{楼下|公司附近|学校旁边}新开了一家{火锅|烤肉|咖啡|面包}店，{排队|等位}等了#分钟。",
    "{味道|口味}{还不错|一般般|超出预期}，{服务|环境}{挺好|有点吵|很干净}。",
    "周末{和朋友|一个人|带爸妈}去了{西湖|外滩|故宫|鼓浪屿}，{人超多|天气很好|拍照很出片}。",
    "{空气炸锅|电饭煲|咖啡机}{买了|用了}#个月，{说实话|坦白讲}{没想象中好用|还挺方便|用得不多}。",
    "{敏感肌|痘肌}{姐妹|朋友}{慎入|可以试试|先做皮试}。",
    "{不是广告|纯自费|自用分享}，{大家|各位}{理性消费|按需购买}。",
    "{最近|这几天}{熬夜|加班|降温}{比较多|有点猛}，{皮肤|状态}{变差了|很不稳定}。",
    "{毛孔|黑头|闭口}{问题|困扰}{好多年了|一直都有}，{试过|用过}{很多|不少}{方法|产品}。",
    "{早上|晚上}{洗完脸|护肤}{第一步|最后一步}{用它|抹一层}，{第二天|早上起来}{脸不紧绷|很舒服}。",
    "{下次|以后}{大概|可能|应该}{不会回购|会回购|换别的试试}了。",
    "{炸鸡|薯条|烤翅}{外酥里嫩|有点干|偏咸}，{配啤酒|配可乐}{刚好|绝配}。",
    "{宿舍|出租屋|家里}{空间小|没有厨房}，{小家电|锅具}{选了好久|对比了很多款}。",
    "{这次|上次}{双十一|618}{囤了|买了}{好多|一堆}{面膜|零食|日用品}，{后悔|不后悔}。",
    "{同事|室友|闺蜜}{推荐|安利}的，{抱着试试的心态|将信将疑}{买了|入了}。",
    "{包装|瓶身}{很好看|有点廉价|挺有质感}，{送人|自用}{合适|也不错}。",
    "{气味|香味}{淡淡的|有点冲|很好闻}，{不喜欢香精的|鼻子敏感的}{注意一下|可以放心}。",
    "{搭配|叠加}{防晒|面霜|乳液}{没有搓泥|会搓泥|也还好}，{上妆|底妆}{服帖|一般}。",
    "{天气|气温}{忽冷忽热|一下子降了}，{嘴唇|手}{干到起皮|裂口子}，{润唇膏|护手霜}{随身带|不离手}。",
    "{学生党|打工人}{预算有限|钱包紧张}，{平价|便宜}{好物|替代}{真的香|也够用}。",
    "{图书馆|咖啡馆|自习室}{坐了一下午|待了一天}，{效率很高|啥也没干}。",
    "{跑步|瑜伽|健身}{坚持了|打卡了}#天，{体重|体脂}{掉了一点|没什么变化}。",
    "{妈妈|奶奶}{做的|包的}{饺子|红烧肉|糖醋排骨}{永远是|还是}{最好吃的|记忆里的味道}。",
    "{猫|狗}{最近|今天}{拆家|掉毛|撒娇}{严重|厉害}，{铲屎官|主人}{好累|好快乐}。",
    "{电影|剧}{看完了|补完了}，{结局|剧情}{有点烂尾|很意外|很感动}。",
    "{买之前|入手前}{做了很多功课|看了很多测评}，{结果|最后}{踩雷了|还行|挺惊喜}。",
  ]
  static let organicEnglish = [
    "Finally finished my {serum|moisturizer|sunscreen}, here are my honest thoughts.",
    "My skin is {dry|oily|combination|sensitive} and {winter|summer} is {always|usually} tough.",
    "The texture is {lightweight|thick|watery} and it {absorbs fast|takes a while to sink in}.",
    "After # weeks I {noticed nothing|saw a little glow|had fewer breakouts}, {not amazing|decent|pretty happy}.",
    "It costs about # dollars, {not cheap|affordable|a bit pricey}.",
    "Went to {the new cafe|a ramen place|the farmers market} {downtown|near work} with {friends|my sister}.",
    "{Not sponsored|Bought it myself}, {just sharing|my own opinion}.",
    "The {packaging|bottle} is {cute|cheap looking|nice}, {would gift it|fine for myself}.",
    "My {roommate|coworker|best friend} {recommended|swore by} it so I {gave it a try|caved}.",
    "{Vitamin C|Retinol|Niacinamide} {serums|products} {sting|work well|do nothing} on my skin.",
    "{Morning|Night} routine: {cleanser|toner}, {serum|essence}, then {moisturizer|sunscreen}.",
    "{Dark spots|Breakouts|Dry patches} have been {my biggest struggle|annoying me} for {years|months}.",
    "{Would repurchase|Will not repurchase|Might try the other version} {honestly|for sure}.",
    "Spent the {weekend|afternoon} {hiking|baking|reading} and {it was lovely|I am exhausted}.",
  ]

  struct Corpus {
    var notes: [Note]
    /// Planted campaign label of each campaign note ("serum", "fryer", "glow").
    var planted: [String: String]
  }

  static let day = 86_400.0

  static func corpus(seed: UInt64 = 7) -> Corpus {
    var random = TestRandom(seed: seed)
    var notes: [Note] = [], planted: [String: String] = [:]
    let base = 1_700_000_000.0
    func post(_ label: String?, _ author: String, _ title: String, _ body: String, _ time: Double, brand: String? = nil) {
      let id = "n\(notes.count)"
      notes.append(Note(id: id, author: author, title: title, body: body, tags: brand.map { [$0, "好物分享"] } ?? ["日常"], createdAt: time))
      if let label { planted[id] = label }
    }
    // Planted campaigns: (template, notes, distinct authors, start day, span days).
    let campaigns: [(String, [String], [String], Int, Int, Double, Double, String)] = [
      ("serum", serum, serumTitles, 12, 8, 10, 3, "。"),
      ("fryer", fryer, ["空气炸锅yyds", "懒人必备炸锅"], 8, 6, 25, 2, ""),
      ("glow", glow, ["My new holy grail", "GlowLab review"], 8, 6, 40, 2, " "),
    ]
    for (label, sentences, titles, count, authorCount, startDay, spanDays, separator) in campaigns {
      for index in 0..<count {
        let author = "\(label)-writer-\(index % authorCount)"
        let time = base + startDay * day + Double(random.next() % UInt64(spanDays * day))
        post(label, author, titles[Int(random.next() % UInt64(titles.count))], variant(sentences, &random, separator: separator), time, brand: label)
      }
    }
    // One author reposting the same template: not cross-author.
    for _ in 0..<6 {
      post(nil, "daigou-shop", "日本代购上新", variant(daigou, &random, separator: ""), base + 15 * day + Double(random.next() % UInt64(5 * day)))
    }
    // One template reposted by different authors a month apart: no burst.
    for index in 0..<5 {
      post(nil, "coffee-\(index)", "咖啡豆推荐", variant(coffee, &random, separator: ""), base + Double(index) * 35 * day)
    }
    // Organic notes: 5–7 Chinese or 3–5 English stock sentences each, over 60 days, 300 authors.
    for index in 0..<420 {
      let english = index % 5 == 0
      let pool = english ? organicEnglish : organicChinese
      var chosen = Array(pool.indices.shuffled(using: &random).prefix(english ? 3 + Int(random.next() % 3) : 5 + Int(random.next() % 3)))
      chosen.shuffle(using: &random)
      let body = variant(chosen.map { pool[$0] }, &random, separator: english ? " " : "")
      post(nil, "user-\(random.next() % 300)", english ? "My thoughts" : "真实分享", body, base + Double(random.next() % UInt64(60 * day)))
    }
    return Corpus(notes: notes, planted: planted)
  }
}

/// Precision and recall of found campaigns against planted ones.
struct CampaignScore: CustomStringConvertible {
  var notePrecision: Double, noteRecall: Double, clusterPrecision: Double, clusterRecall: Double

  /// Note level: a note is positive when any campaign holds it. Cluster level: a found campaign is
  /// correct, and a planted campaign recovered, when their note sets have Jaccard ≥ 0.5.
  init(found: [Campaign], planted: [String: String]) {
    let foundNotes = Set(found.flatMap(\.noteIDs))
    let truth = Set(planted.keys)
    notePrecision = foundNotes.isEmpty ? 1 : Double(foundNotes.intersection(truth).count) / Double(foundNotes.count)
    noteRecall = truth.isEmpty ? 1 : Double(foundNotes.intersection(truth).count) / Double(truth.count)
    let plantedSets = Dictionary(grouping: planted.keys, by: { planted[$0]! }).mapValues(Set.init)
    func matches(_ a: Set<String>, _ b: Set<String>) -> Bool { Double(a.intersection(b).count) / Double(a.union(b).count) >= 0.5 }
    let correct = found.filter { campaign in plantedSets.values.contains { matches(Set(campaign.noteIDs), $0) } }.count
    let recovered = plantedSets.values.filter { set in found.contains { matches(Set($0.noteIDs), set) } }.count
    clusterPrecision = found.isEmpty ? 1 : Double(correct) / Double(found.count)
    clusterRecall = plantedSets.isEmpty ? 1 : Double(recovered) / Double(plantedSets.count)
  }

  var description: String {
    String(format: "notes P %.3f R %.3f, clusters P %.3f R %.3f", notePrecision, noteRecall, clusterPrecision, clusterRecall)
  }
}

@Suite struct CampaignDetectorTests {
  /// Five fixtures, scanned concurrently. Precision and recall are pooled over their planted
  /// notes: whether one pair of copies near the 0.45 threshold links is a coin flip of the hash
  /// functions, so one fixture's recall moves by a note or three whenever a hash changes (over 80
  /// fixtures, about 1 in 20–40 falls below 0.95, the mean stays at 0.995), while the pool of 140
  /// planted notes measures the detector. Each fixture must still recover every campaign.
  @Test func plantedCampaignsAreFoundAndOrganicNotesFormNone() async throws {
    let seeds: [UInt64] = [7, 1, 2, 3, 4]
    let results = try await withThrowingTaskGroup(of: (UInt64, CampaignFixture.Corpus, [Campaign]).self) { group in
      for seed in seeds {
        group.addTask {
          let corpus = CampaignFixture.corpus(seed: seed)
          let found = try CampaignDetector().campaigns(in: corpus.notes, brand: { $0.tags.count == 2 ? $0.tags[0] : nil })
          return (seed, corpus, found)
        }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    var truePositives = 0, foundNotes = 0, plantedNotes = 0
    for (seed, corpus, found) in results.sorted(by: { $0.0 < $1.0 }) {
      let score = CampaignScore(found: found, planted: corpus.planted)
      print("campaigns (default configuration, seed \(seed)): \(score); \(found.count) campaigns")
      for campaign in found {
        print("  \(campaign.id) \(campaign.noteIDs.count) notes, \(campaign.authors.count) authors, brand \(campaign.brand ?? "-"), similarity \(String(format: "%.2f", campaign.meanSimilarity)), links simhash \(campaign.evidence.simHashLinks) minhash \(campaign.evidence.minHashLinks): \(campaign.sampleText.prefix(40))")
      }
      let foundIDs = Set(found.flatMap(\.noteIDs))
      truePositives += foundIDs.intersection(corpus.planted.keys).count
      foundNotes += foundIDs.count
      plantedNotes += corpus.planted.count
      #expect(score.noteRecall >= 0.85, "seed \(seed): \(score)")
      #expect(score.clusterPrecision >= 0.95 && score.clusterRecall >= 0.95, "seed \(seed): \(score)")
      // Every campaign is one planted template with its brand, spanning ≥ 3 authors within its burst.
      for campaign in found {
        let labels = Set(campaign.noteIDs.compactMap { corpus.planted[$0] })
        #expect(labels.count == 1 && campaign.brand == labels.first)
        #expect(campaign.authors.count >= 3)
        #expect(try #require(campaign.end) - (try #require(campaign.start)) <= 3 * CampaignFixture.day)
      }
      // The hard negatives are in no campaign.
      let negatives = corpus.notes.filter { $0.author == "daigou-shop" || $0.author.hasPrefix("coffee-") }
      #expect(negatives.count == 11 && negatives.allSatisfy { !foundIDs.contains($0.id) })
    }
    let precision = Double(truePositives) / Double(max(foundNotes, 1)), recall = Double(truePositives) / Double(plantedNotes)
    print(String(format: "campaigns over %d fixtures: notes P %.3f R %.3f (%d planted)", seeds.count, precision, recall, plantedNotes))
    #expect(plantedNotes == 140 && precision >= 0.95 && recall >= 0.95)
  }

  /// Clusters of near-duplicates whatever their authors (the index before the author rule).
  static func clusters(_ notes: [Note], _ configuration: CampaignConfiguration = CampaignConfiguration()) -> Set<Set<String>> {
    let index = NearDuplicateIndex(notes: notes, configuration: configuration)
    let (parents, links) = index.link()
    var members: [Int32: Set<String>] = [:]
    for link in links {
      for position in [link.first, link.second] {
        members[parents[Int(position)], default: []].insert(notes[Int(index.noteIndex[Int(position)])].id)
      }
    }
    return Set(members.values)
  }

  /// The candidate indexes' sort gives `sorted()`'s order: random keys, keys that share their top
  /// 16 bits (a bucket long enough for the general sort), and runs of one key (template copies).
  @Test(arguments: [16, 32]) func indexKeysSortLikeSorted(keyBits: Int) {
    var random = TestRandom(seed: UInt64(keyBits))
    let keyMask: UInt64 = keyBits == 16 ? 0xFFFF : 0xFFFF_FFFF
    let keys = (0..<20_000).map { position -> UInt64 in
      let key: UInt64
      switch position % 10 {
      case 0: key = 0x1234_0000 & keyMask | random.next() & 0xFFFF  // 2,000 keys in one 32-bit bucket
      case 1: key = 0xBEEF  // a template's copies
      default: key = random.next() & keyMask
      }
      return key << 32 | UInt64(position)
    }
    #expect(NearDuplicateIndex.sortedByKey(keys, keyBits: keyBits) == keys.sorted())
    let short = Array(keys.prefix(100))
    #expect(NearDuplicateIndex.sortedByKey(short, keyBits: keyBits) == short.sorted())
  }

  @Test func hardNegativesAreNearDuplicatesButNoCampaign() throws {
    let corpus = CampaignFixture.corpus()
    let daigou = Set(corpus.notes.filter { $0.author == "daigou-shop" }.map(\.id))
    let coffee = Set(corpus.notes.filter { $0.author.hasPrefix("coffee-") }.map(\.id))
    let timed = Self.clusters(corpus.notes)
    // The one-author reposts are one cluster (of one author); the coffee notes link to nothing.
    #expect(timed.contains(daigou))
    #expect(!timed.contains { !$0.isDisjoint(with: coffee) })
    // Without a window the coffee notes are one cluster, and a campaign.
    let timeless = Self.clusters(corpus.notes, CampaignConfiguration(window: nil))
    #expect(timeless.contains(coffee))
  }

  @Test func organicNotesAloneFormNoCampaign() throws {
    let corpus = CampaignFixture.corpus(seed: 11)
    let organic = corpus.notes.filter { corpus.planted[$0.id] == nil }
    #expect(try CampaignDetector().campaigns(in: organic).isEmpty)
    // Even with no time window at all, the coffee template is the only cross-author cluster.
    let timeless = try CampaignDetector(configuration: CampaignConfiguration(window: nil)).campaigns(in: organic)
    #expect(timeless.count == 1 && timeless.allSatisfy { $0.authors.allSatisfy { $0.hasPrefix("coffee-") } })
  }

  @Test func simHashAloneFindsCopiesButNotEditedTemplates() throws {
    let corpus = CampaignFixture.corpus()
    let simHashOnly = try CampaignDetector(configuration: CampaignConfiguration(minHashShingleLimit: 0)).campaigns(in: corpus.notes)
    let score = CampaignScore(found: simHashOnly, planted: corpus.planted)
    print("campaigns (SimHash only): \(score)")
    #expect(score.notePrecision >= 0.95)
    // Exact copies with emoji and punctuation changed are one SimHash cluster.
    let copies = (0..<4).map { index in
      Note(id: "c\(index)", author: "a\(index)", body: "姐妹们！最近挖到一款宝藏精华，光研小棕瓶真的绝了" + String(repeating: "✨", count: index) + "。连续用了28天，皮肤明显变亮，毛孔也细腻了很多", createdAt: Double(index) * 3_600)
    }
    let found = try CampaignDetector(configuration: CampaignConfiguration(minHashShingleLimit: 0)).campaigns(in: copies)
    #expect(found.map(\.noteIDs) == [["c0", "c1", "c2", "c3"]])
    #expect(found.first?.evidence.methods == [.simHash] && found.first?.meanSimilarity == 1)
  }

  @Test func outputIsIndependentOfInputOrder() throws {
    let corpus = CampaignFixture.corpus()
    var random = TestRandom(seed: 3)
    let detector = try CampaignDetector()
    let first = detector.campaigns(in: corpus.notes)
    let second = detector.campaigns(in: corpus.notes.shuffled(using: &random))
    #expect(first == second && !first.isEmpty)
    #expect(first.allSatisfy { $0.id.hasPrefix("campaign-") && $0.id.count == 25 })
  }

  @Test func untimedNotesAreClusteredByTextAlone() throws {
    let corpus = CampaignFixture.corpus()
    let untimed = corpus.notes.filter { corpus.planted[$0.id] == "serum" }.map { note in
      var note = note
      note.createdAt = nil
      return note
    }
    let found = try CampaignDetector().campaigns(in: untimed)
    #expect(found.count == 1 && found.first?.noteIDs.count == untimed.count)
    #expect(found.first?.start == nil && found.first?.end == nil)
  }

  @Test func singleAuthorAndTwoAuthorClustersAreNotCampaigns() throws {
    let text = "最近挖到一款宝藏精华，光研小棕瓶真的绝了，连续用了28天，皮肤明显变亮，毛孔也细腻了很多"
    let oneAuthor = (0..<5).map { Note(id: "x\($0)", author: "same", body: text, createdAt: Double($0)) }
    #expect(try CampaignDetector().campaigns(in: oneAuthor).isEmpty)
    let twoAuthors = (0..<5).map { Note(id: "y\($0)", author: "a\($0 % 2)", body: text, createdAt: Double($0)) }
    #expect(try CampaignDetector().campaigns(in: twoAuthors).isEmpty)
    #expect(try CampaignDetector(configuration: CampaignConfiguration(minimumAuthors: 2)).campaigns(in: twoAuthors).count == 1)
  }

  @Test func giantBucketOfIdenticalTextStillConnects() throws {
    let text = "Use my code GLOW20 for 20 percent off the new GlowLab vitamin C serum, link in bio, limited time only"
    let notes = (0..<2_000).map { Note(id: String(format: "g%04d", $0), author: "bot\($0 % 50)", body: text, createdAt: Double($0) * 60) }
    let found = try CampaignDetector(configuration: CampaignConfiguration(maximumComparisonsPerNote: 5)).campaigns(in: notes)
    #expect(found.count == 1 && found.first?.noteIDs.count == 2_000 && found.first?.authors.count == 50)
  }

  @Test func shinglesIgnoreEmojiPunctuationWidthAndNumbers() {
    let shingler = NoteShingler()
    let plain = shingler.shingles(of: "光研小棕瓶只要99元")
    #expect(plain == shingler.shingles(of: "光研小棕瓶🔥，只要１２９元！！"))
    #expect(plain.count == 7)  // 9 tokens (8 CJK characters and one number): 7 character 3-grams
    let english = shingler.shingles(of: "Obsessed with the NEW GlowLab serum!!! ✨")
    #expect(english == shingler.shingles(of: "obsessed   with the new glowlab serum"))
    #expect(english.count == 5)  // word bigrams of 6 words
  }

  @Test func minHashSketchEqualsItsDefinition() {
    // Fast similarity sketching as defined: in round r every shingle offers the value
    // r·2³² + h to one bin (by hash before round k, cyclically after); each bin keeps its
    // smallest offer; rounds continue until every bin has one. A shingle's key is
    // hash ^ seed; its round-r offer is (key ^ r·γ)·μ, top half the bin, low half h. A bin
    // keeps the top byte of its minimum times an odd constant.
    let bins = 128, seed: UInt64 = 0x5A48_4F4E_4743_414F
    let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15, mu: UInt64 = 0xD6E8_FEB8_6659_FD93
    func reference(_ hashes: [UInt64]) -> [UInt8] {
      guard !hashes.isEmpty else { return [UInt8](repeating: 0, count: bins) }
      var minima = [UInt64](repeating: .max, count: bins)
      var round: UInt64 = 0
      while minima.contains(.max) {
        for hash in hashes {
          let key = hash ^ seed
          let offer = round < UInt64(bins) ? (key ^ round &* gamma) &* mu : key
          let bin = round < UInt64(bins)
            ? Int(((offer >> 32) &* UInt64(bins)) >> 32)
            : (Int(key % UInt64(bins)) + Int(round) - bins) % bins
          minima[bin] = min(minima[bin], round << 32 | (offer & 0xFFFF_FFFF))
        }
        round += 1
      }
      return minima.map { UInt8(truncatingIfNeeded: ($0 &* 0x94D0_49BB_1331_11EB) >> 56) }
    }
    var random = TestRandom(seed: 13)
    let minHash = MinHash(permutations: bins)
    for size in [0, 1, 2, 3, 5, 8, 20, 60, 127, 128, 200, 700] {
      let hashes = (0..<size).map { _ in random.next() }.sorted()
      var signature: [UInt8] = [7]
      minHash.appendSignature(of: NoteShingler.Shingles(hashes: hashes, counts: [Int32](repeating: 1, count: size)), to: &signature)
      #expect(signature == [7] + reference(hashes), "\(size) shingles")
    }
  }

  @Test func simHashEqualsBitByBitVote() {
    // The definition, one bit at a time: a bit is set when the shingles with it set outweigh
    // those without. Counts up to 70,000 exercise the carry of the 16-bit sums.
    var random = TestRandom(seed: 11)
    for trial in 0..<400 {
      let size = 1 + Int(random.next() % (trial < 200 ? 50 : 600))
      let hashes = (0..<size).map { _ in random.next() }.sorted()
      let counts: [Int32] = hashes.indices.map { _ in
        switch random.next() % 20 { case 0: Int32(1 + random.next() % 70_000); case 1...4: Int32(1 + random.next() % 9); default: 1 }
      }
      var expected: UInt64 = 0
      for bit in 0..<64 {
        var vote = 0
        for (hash, count) in zip(hashes, counts) { vote += (hash >> UInt64(bit)) & 1 == 1 ? Int(count) : -Int(count) }
        if vote > 0 { expected |= 1 << UInt64(bit) }
      }
      #expect(SimHash.fingerprint(NoteShingler.Shingles(hashes: hashes, counts: counts)) == expected)
    }
  }

  @Test func simHashBlocksCatchEveryPairWithinThreeBits() {
    var random = TestRandom(seed: 5)
    for _ in 0..<2_000 {
      let fingerprint = random.next()
      var other = fingerprint
      for _ in 0..<Int(random.next() % 4) { other ^= 1 << (random.next() % 64) }
      #expect(SimHash.distance(fingerprint, other) <= 3)
      #expect((0..<4).contains { SimHash.block(fingerprint, $0) == SimHash.block(other, $0) })
    }
  }

  @Test(arguments: [0.2, 0.5, 0.8]) func minHashEstimatesJaccard(target: Double) {
    let minHash = MinHash(permutations: 128)
    var random = TestRandom(seed: 9)
    let shared = (0..<Int(400 * target)).map { _ in random.next() }
    let onlyA = (0..<Int(200 * (1 - target))).map { _ in random.next() }
    let onlyB = (0..<Int(200 * (1 - target))).map { _ in random.next() }
    func shingles(_ hashes: [UInt64]) -> NoteShingler.Shingles {
      NoteShingler.Shingles(hashes: hashes.sorted(), counts: [Int32](repeating: 1, count: hashes.count))
    }
    var signatures: [UInt8] = []
    minHash.appendSignature(of: shingles(shared + onlyA), to: &signatures)
    minHash.appendSignature(of: shingles(shared + onlyB), to: &signatures)
    let exact = Double(shared.count) / Double(shared.count + onlyA.count + onlyB.count)
    let estimate = MinHash.estimatedJaccard(signatures[0..<128], signatures[128..<256])
    #expect(abs(estimate - exact) < 0.12, "exact \(exact), estimated \(estimate)")
  }

  /// The sketch is unbiased for sparse and dense sets alike:
  /// the mean estimate over many random pairs sits on the exact Jaccard similarity, and
  /// unrelated sets look unrelated.
  @Test(arguments: [6, 40, 300]) func minHashSketchIsUnbiased(setSize: Int) {
    let minHash = MinHash(permutations: 128)
    var random = TestRandom(seed: UInt64(setSize))
    for target in [0.0, 0.3, 0.7] {
      var total = 0.0, exactTotal = 0.0
      let pairs = 60
      for _ in 0..<pairs {
        let sharedCount = Int((Double(setSize) * 2 * target / (1 + target)).rounded())
        let shared = (0..<sharedCount).map { _ in random.next() }
        let onlyA = (0..<(setSize - sharedCount)).map { _ in random.next() }
        let onlyB = (0..<(setSize - sharedCount)).map { _ in random.next() }
        var signatures: [UInt8] = []
        for set in [shared + onlyA, shared + onlyB] {
          minHash.appendSignature(
            of: NoteShingler.Shingles(hashes: set.sorted(), counts: [Int32](repeating: 1, count: set.count)), to: &signatures)
        }
        total += MinHash.estimatedJaccard(signatures[0..<128], signatures[128..<256])
        exactTotal += Double(shared.count) / Double(shared.count + onlyA.count + onlyB.count)
      }
      let mean = total / Double(pairs), exact = exactTotal / Double(pairs)
      #expect(abs(mean - exact) < 0.05, "set size \(setSize), target \(target): exact \(exact), mean estimate \(mean)")
    }
  }

  @Test func badParametersAreRejected() {
    let bad: [CampaignConfiguration] = [
      CampaignConfiguration(window: -1), CampaignConfiguration(window: .nan), CampaignConfiguration(minimumAuthors: 1),
      CampaignConfiguration(simHashMaximumDistance: 4), CampaignConfiguration(minimumJaccard: 0),
      CampaignConfiguration(minHashBands: 0), CampaignConfiguration(minHashRowsPerBand: 9),
      CampaignConfiguration(maximumComparisonsPerNote: 0), CampaignConfiguration(lockstep: LockstepConfiguration(minimumUsers: 1)),
    ]
    for configuration in bad {
      #expect(throws: ZhongcaoError.self) { try CampaignDetector(configuration: configuration) }
    }
    #expect(throws: ZhongcaoError.self) { try LockstepDetector(configuration: LockstepConfiguration(window: -5)) }
  }

  @Test func customNormalizerIsApplied() throws {
    // A normaliser that folds 薇 to v: evasion spellings of the same template then match.
    let normalizer: @Sendable (String) -> String = { $0.lowercased().replacingOccurrences(of: "薇", with: "v") }
    let detector = try CampaignDetector(configuration: CampaignConfiguration(minHashShingleLimit: 0, textNormalizer: normalizer))
    let notes = (0..<3).map { index in
      Note(id: "v\(index)", author: "a\(index)", body: (index == 0 ? "加薇" : "加v") + "信领取光研小棕瓶试用装，名额有限先到先得，私信发地址包邮到家", createdAt: 0)
    }
    #expect(detector.campaigns(in: notes).count == 1)
  }
}
