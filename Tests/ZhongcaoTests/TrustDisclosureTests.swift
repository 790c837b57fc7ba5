import Foundation
import Testing
@testable import Zhongcao

@Suite("Trust: lexicon and disclosure grading")
struct TrustDisclosureTests {
  let grader = DisclosureGrader()

  func note(title: String = "", body: String = "", tags: [String] = [], label: String? = nil) -> Note {
    Note(id: "n", author: "a", title: title, body: body, tags: tags, brandLabel: label)
  }

  func grade(title: String = "", body: String = "", tags: [String] = [], label: String? = nil) -> DisclosureAssessment {
    grader.assess(note(title: title, body: body, tags: tags, label: label))
  }

  // MARK: Lexicon file

  @Test func embeddedLexiconEqualsModelsFile() throws {
    let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let file = try String(contentsOf: root.appending(path: "Models/trust-lexicon-v1.tsv"), encoding: .utf8)
    #expect(defaultLexiconText + "\n" == file, "run Tools/embed-lexicon.sh after editing Models/trust-lexicon-v1.tsv")
    let fromFile = try Lexicon(contentsOf: root.appending(path: "Models/trust-lexicon-v1.tsv"))
    #expect(fromFile == Lexicon.default)
    #expect(Lexicon.default.version == "trust-lexicon-v1")
  }

  @Test func defaultLexiconCoversEveryClassInBothLanguages() {
    for entryClass in Lexicon.EntryClass.allCases {
      for language in ["zh", "en"] {
        #expect(
          Lexicon.default.entries.contains { $0.entryClass == entryClass && $0.language == language },
          "no \(language) entry of class \(entryClass)")
      }
    }
    for entry in Lexicon.default.entries where entry.source != "heuristic" {
      #expect(DisclosureRule.named(entry.source) != nil, "unknown source \(entry.source)")
    }
  }

  @Test func lexiconErrorsNameLineAndField() {
    let header = Lexicon.columns.joined(separator: "\t")
    func error(_ body: String) -> ZhongcaoError? {
      do {
        _ = try Lexicon(parsing: "# version: t\n" + header + "\n" + body, file: "x.tsv")
        return nil
      } catch { return error }
    }
    let badClass = error("广告\tzh\tsufficent\tword\tcn.ad-law.14\t2015-09-01\t")
    #expect(badClass?.code == .invalidInput)
    #expect(badClass?.location == ZhongcaoError.Location(file: "x.tsv", line: 3, field: "class"))
    #expect(error("广告\tzh\tsufficient\tregex\tx\t2015\t")?.location?.field == "mode")
    #expect(error("广告\tzh\tsufficient\tword\tx\t2015-13-01\t")?.location?.field == "effective")
    #expect(error("广告\tzh\tsufficient\tword\tx\t2015\t\t广")?.location?.field == "exclude")
    #expect(error("广告\tChinese\tsufficient\tword\tx\t2015\t")?.location?.field == "language")
    #expect(error("广告\tzh\tsufficient")?.location?.line == 3)
    #expect(throws: ZhongcaoError.self) { try Lexicon(parsing: "广告\tzh\n") }
    #expect(throws: ZhongcaoError.self) { try Lexicon(contentsOf: URL(filePath: "/nonexistent/lexicon.tsv")) }
  }

  @Test func mergingAddsAndReclassifies() throws {
    let header = Lexicon.columns.joined(separator: "\t")
    let user = try Lexicon(
      parsing: "# version: mine\n\(header)\n种草官\tzh\tvague\tsubstring\theuristic\t2024\tour slang\n合作\tzh\tnegative\tword\theuristic\t2024\t\n")
    let merged = Lexicon.default.merging(user)
    #expect(merged.version == "trust-lexicon-v1+mine")
    #expect(merged.entries.count == Lexicon.default.entries.count + 1)
    let grader = DisclosureGrader(lexicon: merged)
    #expect(grader.assess(note(body: "本期种草官来啦")).grade == .vague)
    #expect(grader.assess(note(body: "【合作】新品")).grade == .absent)
  }

  // MARK: Grades, by class and language, with evasions

  @Test(arguments: [
    "【广告】这款面霜真的好用", "广告｜这款面霜", "#广告 这款面霜", "本文含广告，面霜", "【广❤告】面霜", "【广·告】面霜", "＃广告 面霜",
  ])
  func chineseSufficient(_ body: String) {
    let assessment = grade(body: body)
    #expect(assessment.grade == .sufficient, "\(body): \(assessment.explanation)")
    #expect(assessment.rule == .internetAdvertisingMeasures)
  }

  @Test(arguments: ["#ad loving this serum", "Ad | my morning routine", "[AD] new serum", "#AD new serum", "#a d new serum", "＃ＡＤ new serum", "Advertisement: new serum", "This post is sponsored by Glow", "#sponsored new in"])
  func englishSufficient(_ body: String) {
    let assessment = grade(body: body)
    #expect(assessment.grade == .sufficient, "\(body): \(assessment.explanation)")
  }

  @Test func sufficientInTitleOrTags() {
    #expect(grade(title: "Ad: new serum", body: "so good").grade == .sufficient)
    #expect(grade(body: "so good", tags: ["ad", "skincare"]).grade == .sufficient)
    #expect(grade(title: "广告", body: "面霜").grade == .sufficient)
  }

  @Test func platformLabel() {
    let fromField = grade(body: "面霜分享", label: "品牌合作")
    #expect(fromField.grade == .platformLabel)
    #expect(fromField.rule == .xiaohongshuBrandCooperation)
    #expect(fromField.markers.first?.span == TextSpan(field: .brandLabel, start: 0, end: 4))
    #expect(grade(body: "面霜分享", label: "Paid partnership with Glow").grade == .platformLabel)
    #expect(grade(body: "品牌合作：兰蔻 小黑瓶").grade == .platformLabel)
    #expect(grade(body: "Paid partnership with Glow. Love it").grade == .platformLabel)
    #expect(grade(body: "#广告 面霜", label: "品牌合作").grade == .sufficient)
  }

  @Test(arguments: [
    "【合作】这款面霜", "#合作 这款面霜", "恰饭啦！这款面霜", "这是一条商单", "感谢品牌方寄来的面霜", "利益相关：品牌赠送", "合❤作｜这款面霜",
    "感谢XX的赞助", "合作愉快～",
  ])
  func chineseVague(_ body: String) {
    let assessment = grade(body: body)
    #expect(assessment.grade == .vague, "\(body): \(assessment.explanation)")
  }

  @Test(arguments: ["#sp new serum", "#spon", "#collab with Glow", "#gifted serum", "Gifted by Glow", "#partner", "affiliate link below", "#s p love it"])
  func englishVague(_ body: String) {
    let assessment = grade(body: body)
    #expect(assessment.grade == .vague, "\(body): \(assessment.explanation)")
    #expect(assessment.rule == .ftcEndorsementGuides)
  }

  // MARK: Explanations

  @Test func explanationNamesTheGradeTheDecidingMarkerAndTheRule() {
    let filler = String(repeating: "今天去试了这款面霜，质地很轻薄，吸收也快。", count: 15)
    let cases: [(DisclosureAssessment, prefix: String, quoted: String?)] = [
      (grade(title: "广告 | 面霜测评", body: "合作款"), "Sufficient: ", "广告"),
      (grade(body: "新面霜", label: "品牌合作"), "Platform label only: ", "品牌合作"),
      (grade(body: filler + "#广告"), "Buried: ", "广告"),
      (grade(body: "感谢品牌方 #合作 #恰饭"), "Vague: only ", "合作"),
      (grade(body: "自费买的面霜，299元"), "Absent: no disclosure marker.", nil),
    ]
    for (assessment, prefix, quoted) in cases {
      let explanation = assessment.explanation
      #expect(explanation.hasPrefix(prefix), "\(assessment.grade): \(explanation)")
      #expect(explanation.contains("Judged by \(assessment.rule.id)."), "\(explanation)")
      if let quoted {
        let marker = assessment.markers.first { $0.text.contains(quoted) }
        #expect(marker.map { explanation.contains("“\($0.text)” at \($0.span)") } == true, "\(explanation)")
      }
    }
    // Both vague markers are quoted; a self-declaration is remarked on, and is no disclosure.
    let vague = grade(body: "感谢品牌方 #合作 #恰饭").explanation
    #expect(vague.contains("合作") && vague.contains("恰饭"), "\(vague)")
    let declared = grade(body: "无广！纯分享，¥199 入的").explanation
    #expect(declared.contains("declares itself unsponsored") && declared.contains("无广"), "\(declared)")
    #expect(!grade(body: "新面霜", label: "品牌合作").explanation.contains("unsponsored"))
  }

  // MARK: Token awareness

  @Test(arguments: [
    "#adidas 新鞋上脚", "天气合作出彩虹", "#探店 这家店真好吃", "read the ad copy? no: #advent calendar", "这个广告拍得好", "#spring #collaboration",
    "推广普通话", "my dad bought it", "#sporty look", "I saw an ad for it",
  ])
  func ordinaryTextIsNoDisclosure(_ body: String) {
    let assessment = grade(body: body)
    #expect(assessment.grade == .absent, "\(body): \(assessment.explanation)")
    #expect(assessment.markers.isEmpty)
  }

  // MARK: Hard negatives

  @Test(arguments: [
    "自费买的面霜，299元，用了一个月真实感受", "无广！纯分享，¥199 入的", "非广告，自己花钱买的", "不是广告不是恰饭，真心推荐",
    "Not sponsored, I paid $45 for it myself", "#notsponsored bought it myself for $30", "利益相关：无，自费",
  ])
  func selfDeclaredOrganicIsNotDisclosure(_ body: String) {
    let assessment = grade(body: body)
    #expect(assessment.grade == .absent, "\(body): \(assessment.explanation)")
    #expect(assessment.markers.isEmpty, "\(assessment.markers)")
    #expect(assessment.declaresNoSponsorship)
    #expect(assessment.negativeDeclarations.allSatisfy { $0.markerClass == .negative })
  }

  // MARK: Buried

  @Test func buriedAtTheEndOfALongBody() {
    let filler = String(repeating: "今天去试了这款面霜，质地很轻薄，吸收也快。", count: 15)
    let assessment = grade(body: filler + "#广告")
    #expect(assessment.grade == .buried, "\(assessment.explanation)")
    #expect(assessment.rule == .prcAdvertisingLaw)
    #expect(grade(body: "#广告 " + filler).grade == .sufficient)
    let english = String(repeating: "This serum is light and sinks in fast. ", count: 10)
    let buried = grade(body: english + "#ad")
    #expect(buried.grade == .buried)
    #expect(buried.rule == .ukInfluencerGuide)
    // A short note is read whole.
    #expect(grade(body: "So light. Sinks in fast. Love it. #ad").grade == .sufficient)
  }

  @Test func buriedAmongManyHashtags() {
    #expect(grade(body: "new in #ootd #fashion #style #love #ad").grade == .buried)
    #expect(grade(body: "new in #ootd #fashion #style #ad").grade == .sufficient)
    #expect(grade(body: "new in", tags: ["ootd", "fashion", "style", "love", "ad"]).grade == .buried)
    #expect(grade(body: "new in", tags: ["ad", "ootd", "fashion", "style", "love"]).grade == .sufficient)
    let long = String(repeating: "long body text ", count: 30)
    #expect(grade(body: long, tags: ["ad"]).grade == .buried)
  }

  @Test func buriedWithVagueIsBuried() {
    let filler = String(repeating: "今天去试了这款面霜，质地很轻薄，吸收也快。", count: 15)
    #expect(grade(body: "合作｜" + filler + "#广告").grade == .buried)
    #expect(grade(title: "合作", body: filler + "#广告").grade == .buried)
  }

  // MARK: Evidence spans

  @Test func spansPointAtTheOriginalCharacters() {
    let body = "👋【Ａｄ】广❤告 and #ＳＰ"
    let n = note(title: "恰饭", body: body)
    let assessment = grader.assess(n)
    let texts = assessment.markers.map { $0.span.text(in: n) }
    #expect(texts == ["恰饭", "Ａｄ", "广❤告", "#ＳＰ"], "\(assessment.markers)")
    #expect(assessment.markers.map(\.text) == texts.map { $0! })
    #expect(assessment.markers[0].span == TextSpan(field: .title, start: 0, end: 2))
    #expect(assessment.markers[1].span == TextSpan(field: .body, start: 2, end: 4))
    #expect(assessment.markers[2].span == TextSpan(field: .body, start: 5, end: 8))
    let tagged = note(body: "x", tags: ["探店", "AD"])
    let tagMarker = grader.assess(tagged).markers[0]
    #expect(tagMarker.span.text(in: tagged) == "#AD")
  }
}
