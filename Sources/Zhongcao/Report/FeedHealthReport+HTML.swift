import Foundation

extension FeedHealthReport {
  /// The section ids of the page, in order (tests and the browser check look for them).
  public static let sectionIDs = ["summary", "data", "ranking", "feeds", "disclosure", "campaigns", "ads", "methods"]

  /// The page: a complete HTML5 document with inline CSS and SVG, no scripts and no external
  /// resources. The same inputs give byte-for-byte the same page.
  public func html() -> String {
    var page = HTMLPage()
    page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
    page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
    page.raw("<title>\(HTMLText.escaped(title))</title>\n<style>\n\(Self.styleSheet)</style>\n</head>\n<body>\n<main>\n")
    summarySection(&page)
    dataSection(&page)
    rankingSection(&page)
    feedsSection(&page)
    disclosureSection(&page)
    campaignsSection(&page)
    adsSection(&page)
    methodsSection(&page)
    page.raw("<footer>Made by Zhongcao \(HTMLText.escaped(Zhongcao.version)) from the JSON results in this folder "
             + "(\(HTMLText.escaped([Files.training, Files.evaluation, Files.trustScan, Files.adsStudy, Files.adsPlan, Files.feeds].joined(separator: ", "))))."
             + " Rebuild it with <code>recotrain report --from DIR</code>.</footer>\n")
    page.raw("</main>\n</body>\n</html>\n")
    return page.text
  }

  // MARK: Sections

  private func summarySection(_ page: inout HTMLPage) {
    page.raw("<header id=\"summary\">\n<h1>\(HTMLText.escaped(title))</h1>\n")
    var lede = "How well the feed ranks, how much of it is advertising, and how much advertising it can carry"
    if let world {
      lede += " — on a generated note world (\(HTMLText.escaped(world.configuration.name)) size, seed \(world.configuration.seed)), so every planted answer is known"
    }
    page.raw("<p class=\"lede\">\(lede).</p>\n<div class=\"cards\">\n")
    // Ranking.
    if let evaluation, let best = bestModel(evaluation) {
      let k = mainCutoff(evaluation)
      let value = best.metrics["ndcg@\(k)"]?.mean
      var detail = "NDCG@\(k) of the best model, \(HTMLText.escaped(Self.modelName(best.kind))) (1 = every held-out note at the top)"
      if let popularity = evaluation.models.first(where: { $0.kind == "popularity" }), let base = popularity.metrics["ndcg@\(k)"]?.mean,
         let value, base > 0, best.kind != "popularity" {
        detail += "; \(Self.fixed(value / base, 1))× the popularity baseline"
      }
      card(&page, title: "Ranking quality", value: value.map { Self.fixed($0, 3) } ?? "—", detail: detail, anchor: "ranking")
    } else {
      card(&page, title: "Ranking quality", value: "—", detail: "no evaluate.json", anchor: "ranking")
    }
    // Sponsored share.
    if let trust {
      let p = trust.prevalence
      var detail = "of \(Self.count(trust.notes)) notes are advertising (\(Self.percent(p.confidence, 0)) interval \(Self.percent(p.low)) – \(Self.percent(p.high)))"
      if let world { detail += "; planted \(Self.percent(world.corpus.sponsoredShare))" }
      card(&page, title: "Sponsored share", value: Self.percent(p.estimate), detail: detail, anchor: "disclosure")
      let suspected = trust.verdicts[TrustVerdict.suspectedUndisclosedPromotion.rawValue] ?? 0
      card(&page, title: "Undisclosed promotion", value: Self.count(suspected),
           detail: "notes suspected of hidden paid promotion (软广), \(Self.count(trust.campaigns)) coordinated campaigns", anchor: "campaigns")
    } else {
      card(&page, title: "Sponsored share", value: "—", detail: "no trust-scan.json", anchor: "disclosure")
    }
    // Ad density.
    if let plan {
      card(&page, title: "Recommended ad density", value: Self.percent(plan.density),
           detail: "revenue-maximising within a \(Self.percent(plan.maximumLoss, 0)) limit on lost organic engagement (limited by the \(HTMLText.escaped(plan.limitedBy)))",
           anchor: "ads")
    } else if study != nil {
      card(&page, title: "Recommended ad density", value: "—", detail: "no ads-plan.json", anchor: "ads")
    }
    page.raw("</div>\n<nav><ol>")
    let names = ["The data", "Ranking quality", "Sample feeds", "Disclosure and sponsored share", "Largest campaigns",
                 "Ad density", "How each figure was computed"]
    for (id, name) in zip(Self.sectionIDs.dropFirst(), names) { page.raw("<li><a href=\"#\(id)\">\(name)</a></li>") }
    page.raw("</ol></nav>\n</header>\n")
  }

  private func card(_ page: inout HTMLPage, title: String, value: String, detail: String, anchor: String) {
    page.raw("<a class=\"card\" href=\"#\(anchor)\"><span class=\"card-title\">\(title)</span>"
             + "<span class=\"card-value\">\(value)</span><span class=\"card-detail\">\(detail)</span></a>\n")
  }

  private func dataSection(_ page: inout HTMLPage) {
    page.open(section: "data", title: "1. The data at a glance")
    var rows: [(String, String)] = []
    if let training {
      rows.append(("Interactions", "\(Self.count(training.events)) events: \(Self.count(training.users)) users × \(Self.count(training.notes)) notes, \(Self.count(training.pairs)) distinct pairs"))
    }
    if let world {
      let corpus = world.corpus
      let kinds = corpus.kinds.sorted { $0.value > $1.value }.map { "\(Self.count($0.value)) \(HTMLText.escaped(Self.kindName($0.key)))" }.joined(separator: ", ")
      rows.append(("Notes (planted)", kinds))
      let languages = corpus.languages.sorted { $0.key > $1.key }.map { "\(Self.count($0.value)) \($0.key == "zh" ? "Chinese" : $0.key == "en" ? "English" : HTMLText.escaped($0.key))" }.joined(separator: ", ")
      rows.append(("Languages", languages))
      rows.append(("Authors and brands", "\(Self.count(world.configuration.authors)) accounts, \(Self.count(world.configuration.brands)) brands, \(Self.count(corpus.campaigns)) planted campaigns, \(Self.count(corpus.engagementEvents)) engagement events"))
    }
    if let trust {
      rows.append(("Notes scanned", "\(Self.count(trust.notes)) notes for disclosure, hidden promotion and campaigns"))
    }
    if let study {
      let o = study.overview
      var text = "\(Self.count(o.impressions)) impressions in \(Self.count(o.sessions)) sessions of \(Self.count(o.users)) users; paid ad density \(Self.percent(o.paidDensity)), perceived \(Self.percent(o.perceivedDensity))"
      if let experiment = study.experiment { text += "; \(experiment.organicEngagementRate.arms.count)-arm experiment" }
      rows.append(("Ad-load experiment", text))
    }
    if let training {
      var text = "\(HTMLText.escaped(training.kind.uppercased()))"
      if let factors = training.factors, let iterations = training.iterations { text += ", \(factors) factors × \(iterations) iterations" }
      text += ", trained in \(Self.seconds(training.trainSeconds)) on \(training.threads) threads (OpenBLAS \(HTMLText.escaped(training.blasCore)))"
      rows.append(("Feed model", text))
    }
    if rows.isEmpty {
      page.missing("train.json, trust-scan.json or ads-study.json", command: "recotrain train --interactions events.tsv --out feed.zcm --json > train.json")
    } else {
      page.raw("<table class=\"facts\">\n")
      for (name, value) in rows { page.raw("<tr><th scope=\"row\">\(name)</th><td>\(value)</td></tr>\n") }
      page.raw("</table>\n")
    }
    page.close()
  }

  private func rankingSection(_ page: inout HTMLPage) {
    section(&page, "ranking", "2. Ranking quality", evaluation.flatMap { evaluation in !evaluation.models.isEmpty ? evaluation : nil },
            missing: Files.evaluation, command: "recotrain evaluate --interactions events.tsv --compare als,ease,popularity --json > evaluate.json") { evaluation, page in
      let k = mainCutoff(evaluation), split = evaluation.split
      let largest = evaluation.models.first?.cutoffs.last ?? k
      page.raw("<p>Each model is trained on \(Self.count(split.trainPairs)) pairs and asked for the notes of \(Self.count(split.testUsers)) users that were held out "
               + "(\(HTMLText.escaped(split.strategy)), seed \(split.seed)); notes the user has seen are never recommended. "
               + "NDCG@\(k) is 1 when a user's held-out notes fill the top of the list and 0 when none is in the top \(k); "
               + "higher is better, and brackets are \(Self.percent(evaluation.models[0].bootstrap.confidence, 0)) bootstrap intervals over users.</p>\n")
      var metrics = [("ndcg@\(k)", "NDCG@\(k)"), ("precision@\(k)", "Precision@\(k)"), ("recallTruncated@\(largest)", "Recall@\(largest)")]
      if largest == k { metrics[2] = ("recallTruncated@\(k)", "Recall@\(k)") }
      let top = evaluation.models.compactMap { $0.metrics["ndcg@\(k)"]?.high ?? $0.metrics["ndcg@\(k)"]?.mean }.max() ?? 1
      page.raw("<table class=\"metrics\">\n<thead><tr><th>Model</th>")
      for (_, name) in metrics { page.raw("<th>\(name)</th>") }
      page.raw("<th>Coverage@\(k)</th><th>Train</th></tr></thead>\n<tbody>\n")
      let best = bestModel(evaluation)?.kind
      for model in evaluation.models {
        page.raw("<tr\(model.kind == best ? " class=\"best\"" : "")><th scope=\"row\"><b>\(HTMLText.escaped(Self.modelName(model.kind)))</b><br><small>\(HTMLText.escaped(model.summary))</small></th>")
        for (index, (key, _)) in metrics.enumerated() {
          let metric = model.metrics[key]
          var cell = Self.interval(metric)
          if index == 0, let mean = metric?.mean, top > 0 {
            cell += Self.bar(mean: mean, low: metric?.low, high: metric?.high, scale: top)
          }
          page.raw("<td>\(cell)</td>")
        }
        let coverage = model.beyondAccuracy["coverage@\(k)"].flatMap { $0 }.map { Self.percent($0) } ?? "—"
        page.raw("<td>\(coverage)</td><td>\(Self.seconds(model.trainSeconds))</td></tr>\n")
      }
      page.raw("</tbody>\n</table>\n")
    }
  }

  private func feedsSection(_ page: inout HTMLPage) {
    section(&page, "feeds", "3. Sample feeds", feeds.flatMap { feeds in !feeds.isEmpty ? feeds : nil },
            missing: Files.feeds, command: "recotrain feeds --model feed.zcm --flags flags.jsonl --notes notes.jsonl --out feeds.json") { feeds, page in
      page.raw("<p>What a few active users would see: the model's ranking with suspected undisclosed promotion demoted, "
               + "and paid slots placed by the ad policy. Every slot says what it is, and why.</p>\n")
      page.raw("<p class=\"legend\">\(Self.badge("organic")) \(Self.badge("paid_ad")) \(Self.badge("disclosed_ad")) "
               + "\(Self.badge("suspected_undisclosed_promotion")) \(Self.badge("business_self_promotion"))</p>\n<div class=\"feeds\">\n")
      for feed in feeds {
        page.raw("<article class=\"feed\"><h3>User \(HTMLText.escaped(feed.user)) <small>\(Self.count(feed.historyCount)) notes in their history</small></h3>\n<ol>\n")
        for slot in feed.slots {
          page.raw("<li class=\"slot \(HTMLText.escaped(slot.label))\"><span class=\"pos\">\(slot.position)</span>\(Self.badge(slot.label))")
          page.raw("<span class=\"note-title\">\(HTMLText.escaped(slot.title, or: "<i>untitled</i>"))</span> <code>\(HTMLText.escaped(slot.note))</code>")
          var facts: [String] = []
          if let shown = slot.shownLabel, !shown.isEmpty { facts.append("shown as “\(HTMLText.escaped(shown))”") }
          if let grade = slot.grade, grade != "absent" { facts.append("disclosure: \(HTMLText.escaped(Self.gradeName(grade)))") }
          if let probability = slot.probability, slot.label != "organic" || probability >= 0.3 { facts.append("P(paid) \(Self.fixed(probability, 2))") }
          if let campaign = slot.campaign { facts.append("campaign \(HTMLText.escaped(campaign))") }
          if !facts.isEmpty { page.raw("<div class=\"facts-line\">\(facts.joined(separator: " · "))</div>") }
          if slot.label != "organic" && !slot.evidence.isEmpty {
            page.raw("<ul class=\"evidence\">")
            for item in slot.evidence {
              var text = "<b>\(HTMLText.escaped(item.kind))</b> \(HTMLText.escaped(item.detail))"
              if let matched = item.text, !matched.isEmpty { text += ": “\(HTMLText.escaped(String(matched.prefix(60))))”" }
              page.raw("<li>\(text)</li>")
            }
            page.raw("</ul>")
          }
          page.raw("</li>\n")
        }
        page.raw("</ol></article>\n")
      }
      page.raw("</div>\n")
    }
  }

  private func disclosureSection(_ page: inout HTMLPage) {
    section(&page, "disclosure", "4. Disclosure and sponsored share", trust,
            missing: Files.trustScan, command: "recotrain trust scan --notes notes.jsonl --out flags.jsonl --json > trust-scan.json") { trust, page in
      let total = max(1, trust.notes)
      let disclosed = DisclosureGrade.allCases.filter { $0 != .absent }
      let largest = max(1, disclosed.map { trust.grades[$0.rawValue] ?? 0 }.max() ?? 1)
      page.raw("<div class=\"two\">\n<div><h3>Disclosure grade of disclosed notes</h3>\n<table class=\"bars\">\n")
      for grade in disclosed {
        let n = trust.grades[grade.rawValue] ?? 0
        page.raw("<tr><th scope=\"row\">\(HTMLText.escaped(Self.gradeName(grade.rawValue)))</th><td class=\"num\">\(Self.count(n))</td>"
                 + "<td class=\"barcell\"><span class=\"hbar grade-\(grade.rawValue)\" style=\"width:\(Self.fixed(100 * Double(n) / Double(largest), 1))%\"></span></td></tr>\n")
      }
      page.raw("</table>\n<p class=\"note\">\(Self.count(trust.grades[DisclosureGrade.absent.rawValue] ?? 0)) notes (\(Self.percent(Double(trust.grades[DisclosureGrade.absent.rawValue] ?? 0) / Double(total)))) carry no disclosure at all.</p></div>\n")
      page.raw("<div><h3>Verdicts</h3>\n<table class=\"bars\">\n")
      let verdictMax = max(1, TrustVerdict.allCases.filter { $0 != .organic }.map { trust.verdicts[$0.rawValue] ?? 0 }.max() ?? 1)
      for verdict in TrustVerdict.allCases {
        let n = trust.verdicts[verdict.rawValue] ?? 0
        let width = verdict == .organic ? 0 : 100 * Double(n) / Double(verdictMax)
        page.raw("<tr><th scope=\"row\">\(Self.badge(verdict.rawValue))</th><td class=\"num\">\(Self.count(n))</td>"
                 + "<td class=\"barcell\">\(verdict == .organic ? "<small>\(Self.percent(Double(n) / Double(total))) of notes</small>" : "<span class=\"hbar \(verdict.rawValue)\" style=\"width:\(Self.fixed(width, 1))%\"></span>")</td></tr>\n")
      }
      page.raw("</table></div>\n</div>\n")
      let p = trust.prevalence
      var text = "<p class=\"headline\">Estimated sponsored share: <b>\(Self.percent(p.estimate))</b> (\(Self.percent(p.confidence, 0)) interval \(Self.percent(p.low)) – \(Self.percent(p.high)); "
        + "at least \(Self.percent(p.lowerBound)) is certain from disclosures and business accounts alone)"
      if let world { text += ". Planted: <b>\(Self.percent(world.corpus.sponsoredShare))</b>" }
      page.raw(text + ".</p>\n")
      page.raw("<p class=\"note\">The detector (\(HTMLText.escaped(Self.detectorName(trust.detector.source)))) estimates that \(Self.percent(trust.detector.labelFrequency, 0)) of sponsored notes disclose.</p>\n")
    }
  }

  private func campaignsSection(_ page: inout HTMLPage) {
    section(&page, "campaigns", "5. Largest campaigns", trust,
            missing: Files.trustScan, command: "recotrain trust scan --notes notes.jsonl --json > trust-scan.json") { trust, page in
      page.raw("<p>\(Self.count(trust.campaigns)) campaigns of near-duplicate notes posted by different accounts within a week (代写代发), and \(Self.count(trust.lockstepGroups)) groups of accounts engaging the same notes in lockstep.</p>\n")
      if !trust.largestCampaigns.isEmpty {
        page.raw("<table class=\"campaigns\">\n<thead><tr><th>Campaign</th><th>Notes</th><th>Accounts</th><th>Brand</th><th>Posted</th><th>One copy</th></tr></thead>\n<tbody>\n")
        for campaign in trust.largestCampaigns {
          let sample = campaign.sample.replacingOccurrences(of: "\n", with: " ")
          page.raw("<tr><td><code>\(HTMLText.escaped(campaign.id))</code></td><td class=\"num\">\(campaign.notes)</td><td class=\"num\">\(campaign.authors)</td>"
                   + "<td>\(HTMLText.escaped(campaign.brand, or: "—"))</td><td>\(Self.dateRange(campaign.start, campaign.end))</td>"
                   + "<td class=\"sample\">\(HTMLText.escaped(sample.count > 90 ? String(sample.prefix(90)) + "…" : sample))</td></tr>\n")
        }
        page.raw("</tbody>\n</table>\n")
      }
      if !trust.leastTrustedAuthors.isEmpty {
        page.raw("<p class=\"note\">Least-trusted accounts: "
                 + trust.leastTrustedAuthors.map { "<code>\(HTMLText.escaped($0.author))</code> \(Self.fixed($0.score, 2))" }.joined(separator: ", ")
                 + " (trust in 0–1).</p>\n")
      }
    }
  }

  private func adsSection(_ page: inout HTMLPage) {
    section(&page, "ads", "6. Ad density and engagement", study,
            missing: Files.adsStudy, command: "recotrain ads study --impressions impressions.tsv --out ads-study.json") { study, page in
      if let plan {
        let e = plan.expected
        page.raw("<p class=\"headline\">Recommended ad density: <b>\(Self.percent(plan.density))</b> of feed slots. "
                 + "Expected: \(Self.signed(e.organicEngagementChange))% organic engagement, \(Self.signed(e.sessionLengthChange))% session length, "
                 + "revenue \(Self.fixed(e.revenuePerSession, 3)) per session.</p>\n")
      }
      if let slope = study.experiment?.organicEngagementLine(.logLinear) ?? study.organicEngagement.withinUser(.logLinear) {
        var text = "<p>Each +10 points of ad density change organic engagement by <b>\(Self.signed(slope.percentPer10Points))%</b> (95% interval \(Self.signed(slope.low)) to \(Self.signed(slope.high))%)"
        if let world { text += "; planted: \(Self.signed(world.plantedEngagementEffect))% before trust effects" }
        page.raw(text + ".</p>\n")
      }
      if let chart = try? study.doseResponseChart(plannedDensity: plan?.density) {
        var svg = chart.svg()
        if svg.hasPrefix("<?xml"), let end = svg.range(of: "?>\n") { svg = String(svg[end.upperBound...]) }
        page.raw("<figure class=\"chart\">\(svg)</figure>\n")
      }
      if let plan {
        page.raw("<details><summary>Trade-off table (\(plan.tradeOff.count) densities)</summary>\n<table class=\"tradeoff\"><thead><tr><th>Density</th><th>Revenue / session</th><th>Organic engagement</th><th>Session length</th><th>Within limit</th></tr></thead><tbody>\n")
        for point in plan.tradeOff {
          page.raw("<tr\(abs(point.density - plan.density) < 1e-9 ? " class=\"best\"" : "")><td>\(Self.percent(point.density))</td><td>\(Self.fixed(point.revenuePerSession, 4))</td>"
                   + "<td>\(Self.signed(point.organicEngagementChange))%</td><td>\(Self.signed(point.sessionLengthChange))%</td><td>\(point.allowed ? "yes" : "no")</td></tr>\n")
        }
        page.raw("</tbody></table></details>\n")
      } else {
        page.missing(Files.adsPlan, command: "recotrain ads plan --study ads-study.json --max-loss 0.02 --revenue-per-ad 0.5 --json > ads-plan.json")
      }
    }
  }

  private func methodsSection(_ page: inout HTMLPage) {
    page.open(section: "methods", title: "7. How each figure was computed")
    page.raw("<dl>\n")
    if let evaluation {
      let samples = evaluation.models.first?.bootstrap.samples ?? 0
      page.raw("<dt>Ranking quality</dt><dd>Split \(HTMLText.escaped(evaluation.split.strategy)) (per-user random holdout, seed \(evaluation.split.seed)). Each model ranks every note the user has not seen; "
               + "NDCG@K uses binary gains, precision@K = hits ÷ K, recall@K = hits ÷ min(K, held-out notes), coverage = share of the catalogue in some list. "
               + "Means over test users; intervals are percentile bootstrap intervals over \(samples) resamples of the users. Command: <code>recotrain evaluate --compare als,ease,popularity --json</code>.</dd>\n")
    }
    if feeds != nil {
      page.raw("<dt>Sample feeds</dt><dd>The ALS model's top notes for each user with seen notes excluded; notes the scan suspects of undisclosed promotion lose half their score (TrustPolicy), "
               + "then paid slots (notes disclosed as ads with a sufficient or platform label, valued bid × predicted relevance) go where the AdPolicy allows: at most 20% of slots, the first at slot 3, three organic notes between ads. Command: <code>recotrain feeds</code>.</dd>\n")
    }
    if let trust {
      page.raw("<dt>Disclosure grades</dt><dd>Lexicon matching after normalising width, case, separators and evasions: sufficient = 「广告」/#ad/Advertisement up front (PRC Advertising Law art. 14, 互联网广告管理办法 2023, FTC 16 CFR 255); platform label = 品牌合作 / Paid partnership only; "
               + "vague = 合作, 恰饭, #sp, #collab; buried = a sufficient marker only below the fold or behind many hashtags.</dd>\n")
      page.raw("<dt>Verdicts and sponsored share</dt><dd>A logistic model over character and word n-grams plus commercial signals (coupon codes, purchase links, 私信/加V, prices, brands), trained by positive–unlabeled learning with disclosed notes as positives (markers masked) and calibrated isotonically (\(HTMLText.escaped(Self.detectorName(trust.detector.source)))). "
               + "A note with no disclosure is suspected undisclosed promotion at probability ≥ 0.5 (the default <code>--threshold</code>) or when it belongs to a campaign. The sponsored share is the mean calibrated probability with a bootstrap interval widened by the detector's prior uncertainty. Command: <code>recotrain trust scan --json</code>.</dd>\n")
      page.raw("<dt>Campaigns</dt><dd>MinHash LSH and SimHash over normalised character shingles link near-duplicate notes within a week; a campaign needs at least three authors. Lockstep groups: at least five accounts that engaged with at least three of the same notes within hours of each other (CopyCatch-style).</dd>\n")
    }
    if let study {
      page.raw("<dt>Dose-response</dt><dd>Organic engagement rate = engagements with organic notes ÷ organic impressions, binned by the \(study.measure == .perceived ? "perceived" : "paid") ad density of each session; bands are cluster-bootstrap intervals (\(study.bootstrapSamples) resamples of users). "
               + "With an experiment, the headline is the impression-weighted log-linear line across the randomized arms (causal); otherwise the within-user fit. Command: <code>recotrain ads study --out ads-study.json</code>.</dd>\n")
    }
    if let plan {
      page.raw("<dt>Recommended ad density</dt><dd>The density d that maximises revenue per session R·d·L(d) (R = \(Self.fixed(plan.revenuePerAd, 2)) per ad, L the fitted session length) while the fitted loss of organic engagement (\(HTMLText.escaped(plan.lossMeasure.rawValue))) stays within \(Self.percent(plan.maximumLoss, 0)); "
               + "based on \(HTMLText.escaped(plan.basis)), never beyond the densest studied arm (\(Self.percent(plan.studiedMaximum))). Command: <code>recotrain ads plan --json</code>.</dd>\n")
    }
    if let world {
      page.raw("<dt>The generated world</dt><dd>NoteWorld (\(HTMLText.escaped(world.configuration.name)), seed \(world.configuration.seed)): NoteCorpusGenerator writes the notes with their true kind and disclosure grade, FeedGenerator draws the interactions over the same note ids from planted user tastes, "
               + "and AdLoadSimulator runs a five-arm ad-load experiment with a planted effect. The same seed gives the same report.</dd>\n")
    }
    page.raw("</dl>\n")
    page.close()
  }

  // MARK: Helpers

  /// A section: its heading, then `body` when its input is there, else which command makes it.
  private func section<Input>(
    _ page: inout HTMLPage, _ id: String, _ title: String, _ input: Input?, missing file: String, command: String,
    _ body: (Input, inout HTMLPage) -> Void
  ) {
    page.open(section: id, title: title)
    if let input { body(input, &page) } else { page.missing(file, command: command) }
    page.close()
  }

  private func mainCutoff(_ evaluation: EvaluationSummary) -> Int { evaluation.models.first?.cutoffs.first ?? 10 }

  private func bestModel(_ evaluation: EvaluationSummary) -> EvaluationSummary.Model? {
    let k = mainCutoff(evaluation)
    return evaluation.models.max { ($0.metrics["ndcg@\(k)"]?.mean ?? -1) < ($1.metrics["ndcg@\(k)"]?.mean ?? -1) }
  }

  static func badge(_ label: String) -> String {
    let name: String = switch label {
    case "organic": "Organic"
    case "paid_ad": "Paid ad"
    case "disclosed_ad": "Disclosed ad"
    case "suspected_undisclosed_promotion": "Suspected undisclosed promotion"
    case "business_self_promotion": "Business"
    default: label
    }
    return "<span class=\"badge \(HTMLText.escaped(label))\">\(HTMLText.escaped(name))</span>"
  }

  static func gradeName(_ grade: String) -> String {
    switch grade {
    case "sufficient": "Sufficient (「广告」, #ad up front)"
    case "platformLabel": "Platform label only (品牌合作)"
    case "buried": "Buried (below the fold)"
    case "vague": "Vague (合作, 恰饭, #sp)"
    case "absent": "None"
    default: grade
    }
  }

  static func kindName(_ kind: String) -> String {
    switch kind {
    case "organic": "organic shares"
    case "disclosedAd": "disclosed ads"
    case "undisclosedPromotion": "undisclosed promotion"
    case "selfPromotion": "shop self-promotion"
    case "campaign": "campaign copies"
    default: kind
    }
  }

  static func detectorName(_ source: String) -> String {
    source == "given" ? "a trained detector file, e.g. the shipped Models/trust-detector-v1.json" : source
  }

  static func modelName(_ kind: String) -> String {
    switch kind {
    case "als": "ALS"
    case "ease": "EASE"
    case "itemknn": "Item-kNN"
    case "popularity": "Popularity"
    default: kind
    }
  }

  static func interval(_ metric: EvaluationSummary.Metric?) -> String {
    guard let mean = metric?.mean, mean.isFinite else { return "—" }
    guard let low = metric?.low, let high = metric?.high, low.isFinite, high.isFinite else { return fixed(mean, 3) }
    return "\(fixed(mean, 3)) <small>[\(fixed(low, 3)), \(fixed(high, 3))]</small>"
  }

  static func bar(mean: Double, low: Double?, high: Double?, scale: Double) -> String {
    func at(_ value: Double) -> String { fixed(max(0, min(100, 100 * value / scale)), 1) }
    var markup = "<span class=\"meter\"><span class=\"fill\" style=\"width:\(at(mean))%\"></span>"
    if let low, let high, low.isFinite, high.isFinite {
      markup += "<span class=\"whisker\" style=\"left:\(at(low))%;width:\(fixed(max(0, min(100, 100 * (high - low) / scale)), 1))%\"></span>"
    }
    return markup + "</span>"
  }

  static func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "—" }
    return String(format: "%.\(digits)f", value)
  }

  static func percent(_ share: Double, _ digits: Int = 1) -> String {
    guard share.isFinite else { return "—" }
    return String(format: "%.\(digits)f%%", 100 * share)
  }

  static func signed(_ value: Double) -> String {
    guard value.isFinite else { return "—" }
    return String(format: "%+.2f", value).replacingOccurrences(of: "-", with: "−")
  }

  static func count(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var grouped = ""
    for (index, character) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
      grouped.append(character)
    }
    return (value < 0 ? "−" : "") + grouped
  }

  static func seconds(_ value: Double) -> String {
    guard value.isFinite else { return "—" }
    return value < 10 ? String(format: "%.2f s", value) : String(format: "%.1f s", value)
  }

  static func dateRange(_ start: Double?, _ end: Double?) -> String {
    guard let start else { return "—" }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd"
    let first = formatter.string(from: Date(timeIntervalSince1970: start))
    guard let end else { return first }
    let hours = (end - start) / 3600
    return "\(first), over \(fixed(hours, 0)) h"
  }
}

/// Accumulates the page's markup.
struct HTMLPage {
  private(set) var text = ""

  /// Appends markup as it is (callers escape data first).
  mutating func raw(_ markup: String) { text += markup }

  /// Opens a section with its heading.
  mutating func open(section id: String, title: String) {
    text += "<section id=\"\(id)\">\n<h2>\(title)</h2>\n"
  }

  /// Closes the open section.
  mutating func close() { text += "</section>\n" }

  /// Says which file is missing and which command writes it.
  mutating func missing(_ file: String, command: String) {
    text += "<p class=\"missing\">Not available: no \(HTMLText.escaped(file)) in this folder. Make it with <code>\(HTMLText.escaped(command))</code>.</p>\n"
  }
}
