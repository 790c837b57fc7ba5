/// A law, regulation or platform rule that a disclosure grade is judged by.
public struct DisclosureRule: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Stable id, as used in the lexicon's `source` column (`cn.internet-ad-measures.2023`).
  public var id: String
  /// Where it applies: `CN`, `US`, `UK`, `DE`, or a platform (`XHS`).
  public var jurisdiction: String
  /// The citation and the requirement in a sentence.
  public var citation: String
  /// When it took effect (`YYYY-MM-DD`, or coarser when only that is known).
  public var effective: String

  /// A rule.
  public init(id: String, jurisdiction: String, citation: String, effective: String) {
    self.id = id
    self.jurisdiction = jurisdiction
    self.citation = citation
    self.effective = effective
  }

  /// `id (jurisdiction, effective)`.
  public var description: String { "\(id) (\(jurisdiction), \(effective))" }

  /// PRC Advertising Law art. 14: ads must be identifiable.
  public static let prcAdvertisingLaw = DisclosureRule(
    id: "cn.ad-law.14", jurisdiction: "CN",
    citation: "《中华人民共和国广告法》(2015) 第十四条：广告应当具有可识别性，能够使消费者辨明其为广告",
    effective: "2015-09-01")
  /// The 2023 Internet Advertising Measures: experience shares with a purchase path must be
  /// marked 「广告」 conspicuously.
  public static let internetAdvertisingMeasures = DisclosureRule(
    id: "cn.internet-ad-measures.2023", jurisdiction: "CN",
    citation:
      "《互联网广告管理办法》(国家市场监督管理总局令第72号, 2023) 第九条第三款：通过知识介绍、体验分享、消费测评等形式推销商品或者服务，并附加购物链接等购买方式的，应当显著标明「广告」",
    effective: "2023-05-01")
  /// Xiaohongshu community pact: declare 利益相关 when a merchant sponsored or helped.
  public static let xiaohongshuCommunityPact = DisclosureRule(
    id: "xhs.community-pact", jurisdiction: "XHS",
    citation: "小红书《社区公约》(2021)：如果你在分享和创作过程中受到商家提供的赞助或便利，请申明利益相关",
    effective: "2021-04")
  /// Xiaohongshu brand-marketing score: paid cooperation goes through 蒲公英 and carries 品牌合作.
  public static let xiaohongshuBrandCooperation = DisclosureRule(
    id: "xhs.brand-marketing-score", jurisdiction: "XHS",
    citation: "小红书 品牌违规营销分 (2022)：商业合作须经蒲公英报备，笔记显示「品牌合作」；未报备的合作属违规营销",
    effective: "2022-04-20")
  /// Xiaohongshu community norms: no contact details, QR codes or shop links in notes.
  public static let xiaohongshuCommunityNorms = DisclosureRule(
    id: "xhs.community-norms.2018", jurisdiction: "XHS",
    citation: "小红书《社区规范》(2018)：品牌合作内容须在标题或正文声明；禁止留联系方式、二维码、店铺链接导流",
    effective: "2018")
  /// FTC Endorsement Guides: disclose material connections clearly and conspicuously.
  public static let ftcEndorsementGuides = DisclosureRule(
    id: "us.ftc.16cfr255", jurisdiction: "US",
    citation:
      "FTC Endorsement Guides, 16 CFR Part 255 (rev. 2023): §255.5 material connections must be disclosed; §255.0(f) clear and conspicuous (#ad, Sponsored; not #sp, #spon, #collab or a bare thanks)",
    effective: "2023-07-26")
  /// UK CMA/ASA influencer guidance: "Ad" up front, not buried in hashtags.
  public static let ukInfluencerGuide = DisclosureRule(
    id: "uk.cma-asa.2023", jurisdiction: "UK",
    citation:
      "CMA/ASA, Influencers' guide to making clear that ads are ads (3rd ed., 2023): label 'Ad' or '#ad' up front, not at the end or among other hashtags",
    effective: "2023-03-23")
  /// German labelling practice (Werbung / Anzeige).
  public static let germanLabelling = DisclosureRule(
    id: "de.tmg-uwg", jurisdiction: "DE",
    citation: "German labelling duty for commercial communication (TMG §6 / UWG §5a): 'Werbung' or 'Anzeige'",
    effective: "2016-11")
  /// Vocabulary without legal force.
  public static let heuristic = DisclosureRule(
    id: "heuristic", jurisdiction: "—", citation: "heuristic vocabulary; no legal force", effective: "—")

  /// Every rule the shipped lexicon cites.
  public static let all: [DisclosureRule] = [
    prcAdvertisingLaw, internetAdvertisingMeasures, xiaohongshuCommunityPact, xiaohongshuBrandCooperation,
    xiaohongshuCommunityNorms, ftcEndorsementGuides, ukInfluencerGuide, germanLabelling, heuristic,
  ]

  /// The rule with id `id`, if it is one of ``all``.
  public static func named(_ id: String) -> DisclosureRule? { all.first { $0.id == id } }
}
