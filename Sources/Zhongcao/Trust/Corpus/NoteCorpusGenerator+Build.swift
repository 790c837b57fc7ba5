import Dispatch
import Foundation

/// One planned note: everything decided before its text is written.
struct CorpusNotePlan: Sendable {
  var kind: NoteTruth.Kind
  var english: Bool
  var author: Int
  var time: Double
  /// Brand index, or -1.
  var brand: Int
  var category: Int
  var grade: NoteTruth.Grade = .absent
  /// Campaign index, or -1.
  var campaign: Int = -1
}

/// An account while the corpus is built.
struct CorpusAccount: Sendable {
  var english: Bool
  var shop: Bool
  var followers: Int
  var activity: Double
  var interests: (Int, Int, Int)
  /// Brand index for shops, -1 otherwise.
  var brand: Int
}

/// A note's text before it is joined: opener, middle sentences, closer.
struct ComposedNote {
  var title: String
  var opener: String?
  var middle: [String]
  var closer: String?
  var tags: [String]
  var separator: String
  var brandLabel: String?

  func body(prefix: String = "", suffix: String = "") -> String {
    var parts: [String] = []
    if let opener { parts.append(opener) }
    parts.append(contentsOf: middle)
    if let closer { parts.append(closer) }
    return prefix + parts.joined(separator: separator) + suffix
  }
}

/// Builds a corpus from a validated ``NoteCorpusGenerator``.
struct CorpusBuilder {
  let parameters: NoteCorpusGenerator
  let categories = CorpusVocabulary.categories

  init(_ parameters: NoteCorpusGenerator) { self.parameters = parameters }

  // Stream families of the seed.
  private static let accountStream: UInt64 = 1
  private static let brandStream: UInt64 = 2
  private static let planStream: UInt64 = 3
  private static let campaignStream: UInt64 = 4
  private static let engagementStream: UInt64 = 5
  private static let noteStreams: UInt64 = 1 << 40
  private static let campaignTemplateStreams: UInt64 = 2 << 40

  static let chineseBrandHeads = ["植", "澜", "素", "悦", "沐", "初", "然", "元", "木", "青", "雪", "星", "朵", "汐", "柚", "棠"]
  static let chineseBrandTails = ["研社", "肌", "之谜", "小铺", "家", "实验室", "森林", "物语", "良品", "小馆"]
  static let latinBrandHeads = ["Lumi", "Nova", "Aura", "Mossa", "Kiko", "Vela", "Orra", "Sola", "Mira", "Tova", "Elan", "Rosa", "Juno", "Nala", "Opal", "Zephy"]
  static let latinBrandTails = [" Lab", " Skin", " & Co", " Studio", " Beauty", " Home", " Goods", " Atelier"]

  static func paddedID(_ prefix: String, _ index: Int, width: Int) -> String {
    let digits = String(index)
    return prefix + String(repeating: "0", count: max(0, width - digits.count)) + digits
  }

  func build() -> NoteCorpus {
    let p = parameters
    // Brands.
    var brandRandom = SeededRandom(seed: p.seed, stream: Self.brandStream)
    var chineseNames = Self.chineseBrandHeads.flatMap { head in Self.chineseBrandTails.map { head + $0 } }
    var latinNames = Self.latinBrandHeads.flatMap { head in Self.latinBrandTails.map { head + $0 } }
    chineseNames.shuffle(using: &brandRandom)
    latinNames.shuffle(using: &brandRandom)
    let categoryOffset = brandRandom.index(below: categories.count)
    var brandNames: [String] = []
    var brandCategory: [Int] = []
    var brandsByCategory = [[Int]](repeating: [], count: categories.count)
    for b in 0..<p.brands {
      brandNames.append(b % 2 == 0 ? chineseNames[b / 2] : latinNames[b / 2])
      let category = (b + categoryOffset) % categories.count
      brandCategory.append(category)
      brandsByCategory[category].append(b)
    }

    // Accounts.
    var accountRandom = SeededRandom(seed: p.seed, stream: Self.accountStream)
    var englishCount = Int((p.englishShare * Double(p.authors)).rounded())
    if p.englishShare > 0 && p.englishShare < 1 { englishCount = min(max(englishCount, 2), p.authors - 2) }
    var isEnglish = [Bool](repeating: false, count: p.authors)
    for a in 0..<englishCount { isEnglish[a] = true }
    isEnglish.shuffle(using: &accountRandom)
    var accounts: [CorpusAccount] = []
    accounts.reserveCapacity(p.authors)
    for a in 0..<p.authors {
      let followers = Int(exp(log(1_500.0) + 1.6 * accountRandom.standardNormal()).rounded())
      let interests = (accountRandom.index(below: categories.count), accountRandom.index(below: categories.count),
                       accountRandom.index(below: categories.count))
      accounts.append(CorpusAccount(
        english: isEnglish[a], shop: false, followers: min(max(followers, 10), 20_000_000),
        activity: exp(0.8 * accountRandom.standardNormal()), interests: interests, brand: -1))
    }
    var shopsByLanguage: [[Int]] = [[], []]
    for english in [false, true] {
      let members = (0..<p.authors).filter { accounts[$0].english == english }
      guard !members.isEmpty else { continue }
      var shops = Int((p.shopShare * Double(members.count)).rounded())
      if p.selfPromotionShare > 0 { shops = max(shops, 1) }
      shops = min(shops, members.count - 1)
      var pool = members
      for s in 0..<max(shops, 0) {
        let pick = s + accountRandom.index(below: pool.count - s)
        pool.swapAt(s, pick)
        let a = pool[s]
        accounts[a].shop = true
        accounts[a].followers = min(max(Int(exp(log(3_000.0) + accountRandom.standardNormal()).rounded()), 50), 5_000_000)
        accounts[a].brand = accountRandom.index(below: p.brands)
        shopsByLanguage[english ? 1 : 0].append(a)
      }
    }
    // Sampling tables of creators per language.
    var creators: [[Int]] = [[], []]
    var organicWeights: [[Double]] = [[], []]
    var paidWeights: [[Double]] = [[], []]
    for (a, account) in accounts.enumerated() where !account.shop {
      let l = account.english ? 1 : 0
      creators[l].append(a)
      organicWeights[l].append((organicWeights[l].last ?? 0) + account.activity)
      paidWeights[l].append((paidWeights[l].last ?? 0) + account.activity * pow(Double(account.followers) / 1_000, 0.4))
    }
    func sample(_ cumulative: [Double], _ random: inout SeededRandom) -> Int {
      let target = random.unitDouble() * cumulative[cumulative.count - 1]
      var low = 0, high = cumulative.count - 1
      while low < high {
        let middle = (low + high) / 2
        if cumulative[middle] > target { high = middle } else { low = middle + 1 }
      }
      return low
    }
    func language(_ english: Bool) -> Int {
      // A language without creators falls back to the other.
      let l = english ? 1 : 0
      return creators[l].isEmpty ? 1 - l : l
    }

    let span = Double(p.days) * 86_400
    var plans: [CorpusNotePlan] = []
    plans.reserveCapacity(p.notes)

    // Campaigns.
    var campaignRandom = SeededRandom(seed: p.seed, stream: Self.campaignStream)
    var campaignMembers = [[Int]](repeating: [], count: p.authors)
    for c in 0..<p.campaigns {
      let size = p.campaignSize.lowerBound + campaignRandom.index(below: p.campaignSize.count)
      let bilingual = p.englishShare > 0 && p.englishShare < 1
      let english = bilingual && c < 2 ? c == 1 : campaignRandom.unitDouble() < p.englishShare
      let l = language(english)
      let brand = campaignRandom.index(below: p.brands)
      let window = p.campaignWindowHours * 3_600
      let begin = p.start + campaignRandom.unitDouble() * (span - window)
      // Distinct low-follower creators of the language; then the smallest others; then anyone.
      var chosen: [Int] = []
      var seen = Set<Int>()
      let low = creators[l].filter { accounts[$0].followers < 1_000 }
      var attempts = 0
      while chosen.count < size, !low.isEmpty, attempts < size * 50 {
        let a = low[campaignRandom.index(below: low.count)]
        if seen.insert(a).inserted { chosen.append(a) }
        attempts += 1
      }
      if chosen.count < size {
        let rest = (creators[l] + creators[1 - l]).filter { !seen.contains($0) }
          .sorted { (accounts[$0].followers, $0) < (accounts[$1].followers, $1) }
        for a in rest.prefix(size - chosen.count) {
          seen.insert(a)
          chosen.append(a)
        }
      }
      for a in chosen {
        campaignMembers[a].append(c)
        let time = (begin + campaignRandom.unitDouble() * window).rounded(.down)
        plans.append(CorpusNotePlan(
          kind: .campaign, english: english, author: a, time: time, brand: brand, category: brandCategory[brand],
          campaign: c))
      }
    }

    // Single-creator paid notes, self-promotion and organic notes.
    var planRandom = SeededRandom(seed: p.seed, stream: Self.planStream)
    let campaignNotes = plans.count
    let sponsored = max(Int((p.sponsoredShare * Double(p.notes)).rounded()), campaignNotes)
    let paid = sponsored - campaignNotes
    let selfPromotion = Int((p.selfPromotionShare * Double(p.notes)).rounded())
    let organic = p.notes - sponsored - selfPromotion
    precondition(organic >= 0, "sponsored and self-promotion notes exceed the note count")
    var paidPlans: [Int] = []
    for n in 0..<(paid + selfPromotion + organic) {
      let english = planRandom.unitDouble() < p.englishShare
      let time = (p.start + planRandom.unitDouble() * span).rounded(.down)
      if n < paid {
        let l = language(english)
        let author = creators[l][sample(paidWeights[l], &planRandom)]
        let brand = planRandom.index(below: p.brands)
        paidPlans.append(plans.count)
        plans.append(CorpusNotePlan(
          kind: .undisclosedPromotion, english: english, author: author, time: time, brand: brand,
          category: brandCategory[brand]))
      } else if n < paid + selfPromotion, !shopsByLanguage[english ? 1 : 0].isEmpty || !shopsByLanguage[english ? 0 : 1].isEmpty {
        let shops = shopsByLanguage[english ? 1 : 0].isEmpty ? shopsByLanguage[english ? 0 : 1] : shopsByLanguage[english ? 1 : 0]
        let author = shops[planRandom.index(below: shops.count)]
        let brand = accounts[author].brand
        plans.append(CorpusNotePlan(
          kind: .selfPromotion, english: accounts[author].english, author: author, time: time, brand: brand,
          category: brandCategory[brand]))
      } else {
        let l = language(english)
        let author = creators[l][sample(organicWeights[l], &planRandom)]
        let interests = accounts[author].interests
        let category: Int
        if planRandom.unitDouble() < 0.8 {
          category = [interests.0, interests.1, interests.2][planRandom.index(below: 3)]
        } else {
          category = planRandom.index(below: categories.count)
        }
        let candidates = brandsByCategory[category]
        let brand = !candidates.isEmpty && planRandom.unitDouble() < 0.55 ? candidates[planRandom.index(below: candidates.count)] : -1
        plans.append(CorpusNotePlan(kind: .organic, english: english, author: author, time: time, brand: brand, category: category))
      }
    }

    // Who discloses: weighted sampling without replacement (Efraimidis–Spirakis keys u^(1/w)),
    // favouring big accounts and notes after the regulation date.
    let disclosed = Int((p.disclosedShareOfSponsored * Double(paid)).rounded())
    var keys: [(key: Double, plan: Int)] = paidPlans.map { index in
      let plan = plans[index]
      let followers = Double(accounts[plan.author].followers)
      let after = plan.time >= p.regulationDate ? 1.0 : 0.0
      let weight = exp(0.9 * (log10(followers) - 3.5) + 1.2 * after)
      return (log(planRandom.positiveUnitDouble()) / weight, index)
    }
    keys.sort { ($0.key, $0.plan) > ($1.key, $1.plan) }
    for (_, index) in keys.prefix(disclosed) {
      let after = plans[index].time >= p.regulationDate
      let big = accounts[plans[index].author].followers >= 1_000
      let mix = p.gradeMix
      let weights = [mix.sufficient * (after ? 1.5 : 1), big ? mix.platformLabel : 0, mix.vague * (after ? 0.6 : 1), mix.buried]
      var target = planRandom.unitDouble() * weights.reduce(0, +)
      var grade = NoteTruth.Grade.buried
      for (g, weight) in zip([NoteTruth.Grade.sufficient, .platformLabel, .vague, .buried], weights) {
        if target < weight { grade = g; break }
        target -= weight
      }
      plans[index].kind = .disclosedAd
      plans[index].grade = grade
    }

    // Publication order and ids.
    plans.sort { ($0.time, $0.author, $0.campaign, $0.brand) < ($1.time, $1.author, $1.campaign, $1.brand) }
    let noteWidth = max(6, String(max(p.notes - 1, 0)).count)
    let authorWidth = max(5, String(max(p.authors - 1, 0)).count)
    let authorIDs = (0..<p.authors).map { Self.paddedID("a", $0, width: authorWidth) }

    // Text, in parallel chunks; every note draws from its own stream.
    let chunkSize = 2_048
    let chunkCount = (plans.count + chunkSize - 1) / chunkSize
    let frozenPlans = plans, frozenAccounts = accounts, frozenBrands = brandNames
    let parts = parallelMap(count: chunkCount, chunkSize: 1, workspace: {}) { _, chunk -> ([Note], [NoteTruth]) in
      var notes: [Note] = [], truths: [NoteTruth] = []
      let range = (chunk * chunkSize)..<min((chunk + 1) * chunkSize, frozenPlans.count)
      notes.reserveCapacity(range.count)
      truths.reserveCapacity(range.count)
      for index in range {
        let plan = frozenPlans[index]
        let id = Self.paddedID("n", index, width: noteWidth)
        let (note, truth) = writeNote(
          plan, id: id, author: authorIDs[plan.author], account: frozenAccounts[plan.author],
          brand: plan.brand >= 0 ? frozenBrands[plan.brand] : nil, index: index)
        notes.append(note)
        truths.append(truth)
      }
      return (notes, truths)
    }
    var notes: [Note] = [], truth: [NoteTruth] = []
    notes.reserveCapacity(plans.count)
    truth.reserveCapacity(plans.count)
    for part in parts {
      notes.append(contentsOf: part.0)
      truth.append(contentsOf: part.1)
    }

    let (events, groups) = engagement(plans: plans, notes: notes)
    let profiles = accounts.enumerated().map { a, account in
      AuthorProfile(
        id: authorIDs[a], kind: account.shop ? .shop : .creator, language: account.english ? .english : .chinese,
        followers: account.followers, brand: account.brand >= 0 ? brandNames[account.brand] : nil,
        campaigns: campaignMembers[a])
    }
    return NoteCorpus(
      notes: notes, truth: truth, authors: profiles, brands: brandNames, engagementEvents: events,
      lockstepGroups: groups, parameters: p)
  }

  // MARK: - One note

  private func writeNote(
    _ plan: CorpusNotePlan, id: String, author: String, account: CorpusAccount, brand: String?, index: Int
  ) -> (Note, NoteTruth) {
    let book = plan.english ? CorpusPhrasebook.english : CorpusPhrasebook.chinese
    let category = categories[plan.category]
    var own = SeededRandom(seed: parameters.seed, stream: Self.noteStreams + UInt64(index))
    var draw: NoteDraw
    if plan.campaign >= 0 {
      let template = SeededRandom(seed: parameters.seed, stream: Self.campaignTemplateStreams + UInt64(plan.campaign))
      draw = NoteDraw(shared: template, own: own, variation: 0.1)
    } else {
      draw = NoteDraw(own)
    }
    let slots = NoteSlots(book: book, english: plan.english, category: category, brand: brand, draw: &draw)
    var composed: ComposedNote
    var campaignEdit: NoteTruth.CampaignEdit?
    var prefix = "", suffix = ""
    switch plan.kind {
    case .selfPromotion:
      composed = composeShop(slots: slots, draw: &draw)
    default:
      let buriedInBody = plan.grade == .buried && draw.chance(0.5)
      composed = compose(kind: plan.kind, slots: slots, draw: &draw, long: buriedInBody)
      if plan.kind == .campaign {
        (draw.own, campaignEdit) = vary(&composed, book: book, slots: slots, draw: &draw)
      }
      if plan.kind == .disclosedAd {
        disclose(&composed, grade: plan.grade, buriedInBody: buriedInBody, slots: slots, draw: &draw,
                 prefix: &prefix, suffix: &suffix)
      }
    }
    own = draw.own
    let counts = engagementCounts(kind: plan.kind, followers: account.followers, random: &own)
    let note = Note(
      id: id, author: author, title: composed.title, body: composed.body(prefix: prefix, suffix: suffix),
      tags: composed.tags, brandLabel: composed.brandLabel, createdAt: plan.time,
      likes: counts.likes, collects: counts.collects, comments: counts.comments, shares: counts.shares)
    let truth = NoteTruth(
      id: id, kind: plan.kind, sponsored: plan.kind == .disclosedAd || plan.kind == .undisclosedPromotion || plan.kind == .campaign,
      commercial: plan.kind != .organic, intendedGrade: plan.grade, brand: brand,
      campaign: plan.campaign >= 0 ? plan.campaign : nil, campaignEdit: campaignEdit,
      language: plan.english ? .english : .chinese)
    return (note, truth)
  }

  /// Per-kind rates of the optional sentences: drawback, self-paid price, negated marker,
  /// coupon, purchase path, diversion.
  private func rates(_ kind: NoteTruth.Kind) -> (con: Double, selfPaid: Double, noAd: Double, coupon: Double, purchase: Double, diversion: Double) {
    switch kind {
    case .organic: (0.45, 0.30, 0.08, 0.02, 0.03, 0.015)
    case .undisclosedPromotion: (0.06, 0.05, 0.04, 0.30, 0.40, 0.15)
    case .disclosedAd: (0.06, 0.02, 0, 0.30, 0.40, 0.05)
    case .campaign: (0.03, 0.02, 0.03, 0.35, 0.50, 0.20)
    case .selfPromotion: (0, 0, 0, 0.2, 0.3, 0.4)
    }
  }

  private func compose(kind: NoteTruth.Kind, slots: NoteSlots, draw: inout NoteDraw, long: Bool) -> ComposedNote {
    let book = slots.book
    let paid = kind != .organic
    let intensity = kind == .campaign ? draw.uniform(0.45...0.85) : paid ? draw.uniform(0.35...0.85) : draw.uniform(0...0.25)
    let title = slots.render(
      slots.choose(draw.chance(min(1, intensity * 1.2)) ? book.promoTitles : book.organicTitles, draw: &draw), draw: &draw)
    let opener = draw.chance(paid ? 0.7 : 0.6) ? slots.render(book.openers[draw.pick(book.openers.count)], draw: &draw) : nil
    var middle: [String] = []
    // A sentence is used at most once per note; a repeat is redrawn (up to four tries).
    func add(_ pool: [CorpusTemplate], _ draw: inout NoteDraw) {
      for _ in 0..<4 {
        // Lead-ins and asides make the same template read differently from note to note.
        var text = draw.chance(0.4) ? slots.render(book.leadIns[draw.pick(book.leadIns.count)], draw: &draw) : ""
        var core = slots.render(slots.choose(pool, draw: &draw), draw: &draw)
        if slots.english, !text.isEmpty, let first = core.first, first.isUppercase,
           !core.hasPrefix("I "), !core.hasPrefix("I'"), core.dropFirst().first?.isLowercase == true {
          core = first.lowercased() + core.dropFirst()
        }
        if draw.chance(0.35) {
          let aside = slots.render(book.asides[draw.pick(book.asides.count)], draw: &draw)
          if slots.english, let last = core.last, last == "." || last == "!" {
            core = core.dropLast() + aside + String(last)
          } else {
            core += aside
          }
        }
        text += core
        if !middle.contains(text) {
          middle.append(text)
          return
        }
      }
    }
    // Campaign templates are longer: a copy's small edits must leave most of it intact.
    let count = long ? 9 + draw.pick(4) : kind == .campaign ? 5 + draw.pick(3) : 4 + draw.pick(4)
    for _ in 0..<count {
      if draw.chance(intensity) {
        add(book.promoSentences, &draw)
      } else if draw.chance(0.55) {
        add(book.organicSentences, &draw)
      } else {
        add(book.sharedSentences, &draw)
      }
    }
    let r = rates(kind)
    if draw.chance(r.con) { add(book.conSentences, &draw) }
    if draw.chance(r.selfPaid) { add(book.selfPaidSentences, &draw) }
    if draw.chance(r.coupon) { add(book.couponSentences, &draw) }
    if draw.chance(r.purchase) { add(book.purchaseSentences, &draw) }
    if draw.chance(r.diversion) { add(book.diversionSentences, &draw) }
    if slots.category.isVenue {
      for _ in 0..<(1 + draw.pick(3)) { add(book.venueSentences, &draw) }
    }
    middle.shuffle(using: &draw.shared)
    if draw.chance(r.noAd) {
      let claim = slots.render(book.noAdSentences[draw.pick(book.noAdSentences.count)], draw: &draw)
      if draw.chance(0.5) { middle.insert(claim, at: 0) } else { middle.append(claim) }
    }
    let closer: String? = draw.chance(paid ? 0.6 : 0.5)
      ? slots.render(slots.choose(draw.chance(intensity) ? book.promoClosers : book.closers, draw: &draw), draw: &draw)
      : nil
    let tags = makeTags(slots: slots, intensity: intensity, draw: &draw)
    let separator = book.words.sentenceSeparators[draw.pick(book.words.sentenceSeparators.count)]
    return ComposedNote(title: title, opener: opener, middle: middle, closer: closer, tags: tags, separator: separator)
  }

  private func makeTags(slots: NoteSlots, intensity: Double, draw: inout NoteDraw) -> [String] {
    let words = slots.book.words
    let english = slots.english
    func squeeze(_ text: String) -> String { text.filter { !$0.isWhitespace && $0 != "&" && $0 != "-" }.lowercased() }
    var tags = [english ? slots.category.english : slots.category.chinese]
    if draw.chance(0.5) { tags.append(english ? squeeze(slots.product) : slots.product) }
    if let brand = slots.brand, draw.chance(0.3) { tags.append(english ? squeeze(brand) : brand) }
    for _ in 0..<(1 + draw.pick(3)) {
      if draw.chance(intensity) {
        tags.append(draw.element(words.promoTags))
      } else if draw.chance(0.4 * (1 - intensity)) {
        tags.append(draw.element(words.organicTags))
      } else {
        tags.append(draw.element(words.tags))
      }
    }
    if slots.category.isVenue { tags.append(draw.element(words.venueTags)) }
    var seen = Set<String>()
    return tags.filter { seen.insert($0).inserted }
  }

  private func composeShop(slots: NoteSlots, draw: inout NoteDraw) -> ComposedNote {
    let book = slots.book
    let title = slots.render(book.shopTitles[draw.pick(book.shopTitles.count)], draw: &draw)
    var middle: [String] = []
    var order = Array(book.shopSentences.indices)
    order.shuffle(using: &draw.shared)
    for index in order.prefix(3 + draw.pick(4)) { middle.append(slots.render(book.shopSentences[index], draw: &draw)) }
    let r = rates(.selfPromotion)
    if draw.chance(r.diversion) { middle.append(slots.render(draw.element(book.diversionSentences), draw: &draw)) }
    if draw.chance(r.purchase) { middle.append(slots.render(draw.element(book.purchaseSentences), draw: &draw)) }
    if draw.chance(r.coupon) { middle.append(slots.render(draw.element(book.couponSentences), draw: &draw)) }
    if slots.category.isVenue { middle.append(slots.render(draw.element(book.venueSentences), draw: &draw)) }
    var tags = makeTags(slots: slots, intensity: 1, draw: &draw)
    if let brand = slots.brand {
      let tag = slots.english ? brand.filter { !$0.isWhitespace && $0 != "&" }.lowercased() : brand
      if !tags.contains(tag) { tags.insert(tag, at: 0) }
    }
    let separator = book.words.sentenceSeparators[draw.pick(book.words.sentenceSeparators.count)]
    return ComposedNote(title: title, opener: nil, middle: middle, closer: nil, tags: tags, separator: separator)
  }

  /// Varies a campaign copy with its own stream; returns the advanced stream and how far the copy
  /// was edited.
  ///
  /// Ghost-written copies of one brief are edited to different degrees: most change a word or
  /// two and move a sentence (light, 45%); some also swap more words, and now and then add a
  /// line of their own, drop one, retitle or open in their own words (moderate, 40%); and some
  /// are reworked, doing most of that at once (heavy, 15%). Every copy keeps most of the brief:
  /// campaigns are templated, but no longer near-identical clones of each other.
  private func vary(
    _ note: inout ComposedNote, book: CorpusPhrasebook, slots: NoteSlots, draw: inout NoteDraw
  ) -> (SeededRandom, NoteTruth.CampaignEdit) {
    var random = draw.own
    let level = random.unitDouble()
    let edit: NoteTruth.CampaignEdit = level >= 0.85 ? .heavy : level >= 0.45 ? .moderate : .light
    // Per degree: most synonym swaps, the chance of each, and the chances of a new title and opener.
    let (maximumSwaps, swapChance, retitle, reopen): (Int, Double, Double, Double) =
      switch edit {
      case .light: (2, 0.35, 0, 0.1)
      case .moderate: (3, 0.45, 0.25, 0.25)
      case .heavy: (4, 0.5, 0.5, 0.5)
      }
    /// Renders a template with the copy's own stream.
    func own(_ pool: [CorpusTemplate]) -> String {
      var copy = NoteDraw(random)
      let text = slots.render(slots.choose(pool, draw: &copy), draw: &copy)
      random = copy.shared
      return text
    }
    func chance(_ probability: Double) -> Bool { random.unitDouble() < probability }
    var swaps = 0
    func swapSynonyms(_ text: String) -> String {
      var text = text
      for group in book.words.synonyms where swaps < maximumSwaps {
        for (position, word) in group.enumerated() where text.contains(word) {
          if random.unitDouble() < swapChance {
            let replacement = group[(position + 1 + random.index(below: group.count - 1)) % group.count]
            text = Self.replacing(word, with: replacement, in: text, wholeWords: slots.english)
            swaps += 1
          }
          break
        }
      }
      return text
    }
    note.title = chance(retitle) ? own(book.promoTitles) : swapSynonyms(note.title)
    note.middle = note.middle.map(swapSynonyms)
    if let closer = note.closer { note.closer = swapSynonyms(closer) }
    if note.middle.count >= 2, chance(0.6) {
      let i = random.index(below: note.middle.count - 1)
      note.middle.swapAt(i, i + 1)
    }
    let drops = switch edit {
    case .light: chance(0.05)
    case .moderate: chance(0.25) || chance(0.05)
    case .heavy: chance(0.6)
    }
    if drops, note.middle.count >= 4 {
      note.middle.remove(at: random.index(below: note.middle.count))
    }
    let adds = switch edit {
    case .light: false
    case .moderate: chance(0.25)
    case .heavy: chance(0.6)
    }
    if adds {
      let line = own(chance(0.5) ? book.organicSentences : book.sharedSentences)
      note.middle.insert(line, at: random.index(below: note.middle.count + 1))
    }
    if chance(reopen) { note.opener = own(book.openers) }
    if edit == .heavy, chance(0.3) { note.closer = chance(0.5) ? own(book.promoClosers) : nil }
    note.tags.shuffle(using: &random)
    if note.tags.count > 2, chance(0.3) { note.tags.removeLast() }
    return (random, edit)
  }

  /// `text` with every occurrence of `word` replaced; with `wholeWords`, only occurrences not
  /// inside a longer word ("so" is not replaced in "softness").
  static func replacing(_ word: String, with replacement: String, in text: String, wholeWords: Bool) -> String {
    guard wholeWords else { return text.replacingOccurrences(of: word, with: replacement) }
    var result = ""
    var rest = text[...]
    while let range = rest.range(of: word) {
      let before = range.lowerBound > rest.startIndex ? rest[rest.index(before: range.lowerBound)] : nil
      let after = range.upperBound < rest.endIndex ? rest[range.upperBound] : nil
      result += rest[..<range.lowerBound]
      let isWord = !(before?.isLetter ?? false) && !(after?.isLetter ?? false)
      result += isWord ? replacement : word
      rest = rest[range.upperBound...]
    }
    return result + rest
  }

  /// Adds the disclosure of `grade`.
  private func disclose(
    _ note: inout ComposedNote, grade: NoteTruth.Grade, buriedInBody: Bool, slots: NoteSlots, draw: inout NoteDraw,
    prefix: inout String, suffix: inout String
  ) {
    let book = slots.book
    let markers = book.words.markers
    switch grade {
    case .sufficient:
      if draw.chance(0.5) {
        note.title = slots.render(draw.element(book.sufficientTitlePrefixes), draw: &draw) + note.title
      } else {
        prefix = slots.render(draw.element(book.sufficientBodyPrefixes), draw: &draw)
      }
    case .platformLabel:
      if draw.chance(0.6) {
        note.brandLabel = slots.english ? "\(markers.platformLabel) with \(slots.brand ?? "a brand")" : markers.platformLabel
      } else {
        prefix = slots.render(draw.element(book.platformTextPrefixes), draw: &draw)
      }
    case .vague:
      if draw.chance(0.6) {
        suffix = slots.render(draw.element(book.vagueBodySuffixes), draw: &draw)
      } else {
        note.tags.insert(draw.element(markers.vagueTags), at: draw.pick(note.tags.count + 1))
      }
    case .buried:
      if buriedInBody {
        suffix = slots.render(draw.element(book.buriedBodySuffixes), draw: &draw)
      } else {
        let target = 8 + draw.pick(5)
        var filler = book.words.fillerTags + book.words.tags
        filler.shuffle(using: &draw.shared)
        for tag in filler where note.tags.count < target - 1 && !note.tags.contains(tag) { note.tags.append(tag) }
        note.tags.insert(draw.element(markers.buriedTags), at: 5 + draw.pick(note.tags.count - 4))
      }
    case .absent:
      break
    }
  }

  // MARK: - Engagement

  private func engagementCounts(kind: NoteTruth.Kind, followers: Int, random: inout SeededRandom)
    -> (likes: Int, collects: Int, comments: Int, shares: Int)
  {
    let (lift, collect, comment, share): (Double, Double, Double, Double) = switch kind {
    case .organic: (1.0, 0.35, 0.08, 0.05)
    case .disclosedAd: (0.8, 0.24, 0.06, 0.03)
    case .undisclosedPromotion: (1.1, 0.24, 0.06, 0.03)
    case .campaign: (6.0, 0.09, 0.12, 0.02)
    case .selfPromotion: (0.5, 0.12, 0.10, 0.02)
    }
    let reach = pow(Double(followers), 0.55) * exp(0.8 * random.standardNormal())
    let likes = Int((reach * lift).rounded())
    func ratio(_ median: Double, _ random: inout SeededRandom) -> Int {
      Int((Double(likes) * median * exp(0.5 * random.standardNormal())).rounded())
    }
    return (likes, ratio(collect, &random), ratio(comment, &random), ratio(share, &random))
  }

  private func engagement(plans: [CorpusNotePlan], notes: [Note]) -> ([EngagementEvent], [[String]]) {
    let p = parameters
    var random = SeededRandom(seed: p.seed, stream: Self.engagementStream)
    let userWidth = max(6, String(max(p.users - 1, 0)).count)
    var activity: [Double] = []
    activity.reserveCapacity(p.users)
    var total = 0.0
    for _ in 0..<p.users {
      total += exp(random.standardNormal())
      activity.append(total)
    }
    func user(_ random: inout SeededRandom) -> Int {
      let target = random.unitDouble() * total
      var low = 0, high = activity.count - 1
      while low < high {
        let middle = (low + high) / 2
        if activity[middle] > target { high = middle } else { low = middle + 1 }
      }
      return low
    }
    // Lockstep groups: disjoint while users last.
    var groups: [[Int]] = []
    var taken = Set<Int>()
    for _ in 0..<p.campaigns {
      let size = min(p.lockstepGroupSize.lowerBound + random.index(below: p.lockstepGroupSize.count), p.users)
      var group: [Int] = []
      var attempts = 0
      while group.count < size && attempts < size * 100 {
        let u = random.index(below: p.users)
        attempts += 1
        if (taken.count >= p.users || !taken.contains(u)) && !group.contains(u) {
          taken.insert(u)
          group.append(u)
        }
      }
      groups.append(group)
    }
    var events: [(time: Double, note: Int32, user: Int32)] = []
    events.reserveCapacity(Int(Double(notes.count) * (p.engagementsPerNote + 0.5)))
    let limit = exp(-p.engagementsPerNote)
    for (n, plan) in plans.enumerated() {
      // Poisson count (Knuth; normal approximation for large means).
      var count = 0
      if p.engagementsPerNote > 30 {
        count = max(0, Int((p.engagementsPerNote + p.engagementsPerNote.squareRoot() * random.standardNormal()).rounded()))
      } else {
        var product = random.unitDouble()
        while product > limit {
          count += 1
          product *= random.unitDouble()
        }
      }
      let group = plan.campaign >= 0 ? groups[plan.campaign] : []
      var picked: [Int] = []
      for _ in 0..<min(count, p.users) {
        let u = user(&random)
        if picked.contains(u) || group.contains(u) { continue }
        picked.append(u)
        let delay = -log(random.positiveUnitDouble()) * 36 * 3_600
        events.append(((plan.time + delay).rounded(.down), Int32(n), Int32(u)))
      }
      for u in group where random.unitDouble() < 0.9 {
        events.append(((plan.time + random.unitDouble() * 3 * 3_600).rounded(.down), Int32(n), Int32(u)))
      }
    }
    events.sort { ($0.time, $0.note, $0.user) < ($1.time, $1.note, $1.user) }
    var userIDs = [String?](repeating: nil, count: p.users)
    func userID(_ u: Int) -> String {
      if let id = userIDs[u] { return id }
      let id = Self.paddedID("u", u, width: userWidth)
      userIDs[u] = id
      return id
    }
    let result = events.map { EngagementEvent(user: userID(Int($0.user)), note: notes[Int($0.note)].id, timestamp: $0.time) }
    return (result, groups.map { $0.map(userID) })
  }
}
