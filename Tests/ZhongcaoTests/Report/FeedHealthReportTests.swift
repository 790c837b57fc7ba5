import Foundation
import Testing
@testable import Zhongcao

/// The feed-health page: every data-derived string escaped, every section present, nothing fetched.
@Suite struct FeedHealthReportTests {
  /// A string that breaks markup three ways: an element, an entity and both quote kinds.
  static let hostile = "<script>alert(\"x\")</script> & 'quoted' <img src=x onerror=1>"

  /// A small but real ad-density study (a tiny simulated experiment), for the chart.
  static func study() throws -> (AdDensityStudyResult, AdDensityPlan) {
    var configuration = AdLoadSimulator.Configuration()
    configuration.users = 200
    configuration.weeks = 1
    configuration.organicNotes = 300
    let simulation = try AdLoadSimulator(configuration: configuration).run()
    var options = AdDensityStudy.Options()
    options.bootstrapSamples = 20
    let study = try AdDensityStudy(options: options).run(simulation.impressions)
    let plan = try AdDensityPlanner(maximumLoss: 0.02, revenuePerAd: 0.5).plan(from: study)
    return (study, plan)
  }

  /// A report whose every data string is `hostile` (prefixed to tell them apart).
  static func hostileReport() throws -> FeedHealthReport {
    let h = hostile
    var report = FeedHealthReport()
    report.training = .init(kind: "als\(h)", events: 10, users: 2, notes: 3, pairs: 4, trainSeconds: 0.5, factors: 8,
                            iterations: 2, blasCore: "core\(h)", threads: 1)
    let metric = FeedHealthReport.EvaluationSummary.Metric(mean: 0.2, low: 0.1, high: 0.3)
    report.evaluation = .init(
      split: .init(strategy: "holdout\(h)", seed: 1, trainPairs: 10, testPairs: 2, testUsers: 2),
      models: [.init(kind: "kind\(h)", summary: "summary\(h)", users: 2, catalogSize: 3, cutoffs: [10],
                     bootstrap: .init(samples: 10, confidence: 0.95, seed: 1),
                     metrics: ["ndcg@10": metric, "precision@10": metric], beyondAccuracy: ["coverage@10": 0.5], trainSeconds: 1)])
    report.trust = .init(
      notes: 5, grades: ["sufficient": 1, "absent": 4], verdicts: ["organic": 3, "suspected_undisclosed_promotion": 2],
      prevalence: .init(estimate: 0.2, low: 0.1, high: 0.3, lowerBound: 0.05, confidence: 0.95),
      detector: .init(source: "source\(h)", classPrior: 0.2, labelFrequency: 0.3), campaigns: 1,
      largestCampaigns: [.init(id: "campaign\(h)", notes: 3, authors: 3, brand: "brand\(h)", start: 0, end: 3600, sample: "sample\(h)")],
      lockstepGroups: 0,
      leastTrustedAuthors: [.init(author: "author\(h)", score: 0.1, notes: 2, undisclosedRate: 0.5, campaignShare: 0.5)])
    let (study, plan) = try study()
    report.study = study
    report.plan = plan
    let evidence = NoteFlag.Evidence(kind: "kind\(h)", detail: "detail\(h)", text: "text\(h)")
    report.feeds = [SampleFeed(user: "user\(h)", historyCount: 3, slots: [
      .init(position: 1, note: "note\(h)", kind: "organic", label: "suspected_undisclosed_promotion", shownLabel: "shown\(h)",
            title: "title\(h)", grade: "grade\(h)", probability: 0.9, campaign: "in-campaign\(h)", evidence: [evidence], score: 1),
      .init(position: 2, note: "n2", kind: "organic", label: "label\(h)", shownLabel: nil, title: nil, grade: nil,
            probability: nil, campaign: nil, evidence: [evidence], score: 0.5),
    ])]
    var configuration = NoteWorld.Configuration.preset(.tiny)
    configuration.name = "world\(h)"
    var generator = NoteCorpusGenerator(notes: 60, authors: 10, brands: 3, seed: 1)
    generator.campaigns = 2
    generator.campaignSize = 3...4
    report.world = .init(configuration: configuration, corpus: generator.generate().summary, plantedEngagementEffect: -2)
    return report
  }

  @Test func escapesEveryStringFromTheData() throws {
    let html = try Self.hostileReport().html()
    #expect(!html.contains("<script"))
    #expect(!html.contains("<img"))
    #expect(!html.contains("onerror=1>"))
    #expect(!html.contains("\"x\""))
    #expect(!html.contains("'quoted'"))
    let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;quoted&apos; &lt;img src=x onerror=1&gt;"
    // Every planted field shows up, escaped.
    for prefix in ["core", "holdout", "summary", "source", "campaign", "brand", "sample", "author", "user", "note",
                   "shown", "title", "detail", "in-campaign", "world"] {
      #expect(html.contains(prefix + escaped), "the \(prefix) field is missing or not escaped")
    }
    // Upper-cased before escaping (model kinds), and matched text cut to 60 characters.
    #expect(html.contains("ALS" + escaped.uppercased().replacingOccurrences(of: "&QUOT;", with: "&quot;")
      .replacingOccurrences(of: "&LT;", with: "&lt;").replacingOccurrences(of: "&GT;", with: "&gt;")
      .replacingOccurrences(of: "&AMP;", with: "&amp;").replacingOccurrences(of: "&APOS;", with: "&apos;")))
    #expect(html.contains("text&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;quoted&apos;"))
    // Only markup of our own: every `<` opens one of the page's elements or the chart's.
    let allowed: Set<String> = ["!DOCTYPE", "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3",
                                "p", "div", "a", "span", "nav", "ol", "ul", "li", "section", "table", "thead", "tbody", "tr",
                                "th", "td", "b", "i", "br", "small", "code", "article", "figure", "details", "summary", "dl",
                                "dt", "dd", "footer", "svg", "desc", "rect", "g", "text", "tspan", "line", "path", "polyline",
                                "polygon", "circle"]
    var index = html.startIndex
    while let open = html[index...].firstIndex(of: "<") {
      let name = html[html.index(after: open)...].prefix { $0 != " " && $0 != ">" && $0 != "\n" && $0 != "/" }
      let tag = name.isEmpty ? String(html[html.index(after: open)...].dropFirst().prefix { $0 != ">" && $0 != " " }) : String(name)
      #expect(allowed.contains(tag), "unexpected element <\(tag)")
      index = html.index(after: open)
    }
  }

  @Test func isSelfContained() throws {
    let html = try Self.hostileReport().html()
    for pattern in ["src=\"http", "href=\"http", "src='http", "href='http", "url(", "@import", "<link", "<script", "<iframe"] {
      #expect(!html.contains(pattern), "\(pattern) in the page")
    }
    // The only URL is the SVG namespace, which is a name, not a fetch.
    let urls = html.components(separatedBy: "http").dropFirst().map { String($0.prefix(30)) }
    #expect(urls.allSatisfy { $0.hasPrefix("://www.w3.org/2000/svg") }, "\(urls)")
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.contains("<svg"))
  }

  @Test func hasEverySectionAndIsDeterministic() throws {
    let report = try Self.hostileReport()
    let html = report.html()
    for id in FeedHealthReport.sectionIDs { #expect(html.contains("id=\"\(id)\""), "section \(id)") }
    #expect(html == report.html())
  }

  @Test func emptyReportSaysWhichCommandMakesEachSection() {
    let html = FeedHealthReport().html()
    for id in FeedHealthReport.sectionIDs { #expect(html.contains("id=\"\(id)\"")) }
    for command in ["recotrain evaluate", "recotrain trust scan", "recotrain feeds", "recotrain ads study"] {
      #expect(html.contains(command), "\(command)")
    }
  }

  @Test func loadsTheFilesOfADirectory() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(throws: ZhongcaoError.self) { try FeedHealthReport.load(directory: directory.path) }
    let report = try Self.hostileReport()
    try report.study!.json().write(to: directory.appendingPathComponent(FeedHealthReport.Files.adsStudy), atomically: true, encoding: .utf8)
    try SampleFeed.json(report.feeds!).write(to: directory.appendingPathComponent(FeedHealthReport.Files.feeds), atomically: true, encoding: .utf8)
    try report.world!.json().write(to: directory.appendingPathComponent(FeedHealthReport.Files.world), atomically: true, encoding: .utf8)
    let loaded = try FeedHealthReport.load(directory: directory.path)
    #expect(loaded.study == report.study && loaded.feeds == report.feeds && loaded.world == report.world)
    #expect(loaded.evaluation == nil && loaded.trust == nil)
    try "{\"split\": 3}".write(to: directory.appendingPathComponent(FeedHealthReport.Files.evaluation), atomically: true, encoding: .utf8)
    #expect(throws: ZhongcaoError.self) { try FeedHealthReport.load(directory: directory.path) }
  }
}

/// The demo's world: one set of ids across notes, interactions and feeds.
@Suite struct NoteWorldTests {
  @Test func isCoherentAndReproducible() throws {
    let world = try NoteWorld.generate(.preset(.tiny, seed: 3))
    let noteIDs = Set(world.corpus.notes.map(\.id))
    #expect(world.feed.interactions.notes.ids.allSatisfy { noteIDs.contains($0) })
    #expect(world.feed.interactions.notes.count == world.corpus.notes.count)
    #expect(world.feed.interactions.count == world.configuration.interactions)
    let again = try NoteWorld.generate(.preset(.tiny, seed: 3))
    #expect(again.feed.interactions == world.feed.interactions)
    #expect(again.corpus.notes == world.corpus.notes)
    #expect(world.adLoad.undisclosedPromotionShare > 0 && world.adLoad.disclosedPartnershipShare > 0)
    var bad = NoteWorld.Configuration.preset(.tiny)
    bad.experimentUsers = 0
    #expect(throws: ZhongcaoError.self) { try NoteWorld.generate(bad) }
  }

  @Test func variedFeedsCoverTheLabels() {
    func feed(_ user: String, _ labels: [String]) -> SampleFeed {
      SampleFeed(user: user, historyCount: 1, slots: labels.enumerated().map {
        .init(position: $0.offset + 1, note: "n\($0.offset)", kind: "organic", label: $0.element, shownLabel: nil, title: nil,
              grade: nil, probability: nil, campaign: nil, evidence: [], score: 0)
      })
    }
    let feeds = [feed("a", ["organic"]), feed("b", ["organic", "paid_ad"]), feed("c", ["organic"]),
                 feed("d", ["suspected_undisclosed_promotion", "organic"])]
    #expect(SampleFeed.varied(feeds, count: 2).map(\.user) == ["b", "d"])
    #expect(SampleFeed.varied(feeds, count: 9).map(\.user) == ["a", "b", "c", "d"])
    #expect(SampleFeed.varied(feeds, count: 0).isEmpty)
  }
}
