import Foundation
import Testing
@testable import Zhongcao

@Suite("Trust: commercial signals and brands")
struct TrustSignalTests {
  let detector = SignalDetector()

  func signals(_ body: String, title: String = "", tags: [String] = []) -> (Note, [Signal]) {
    let note = Note(id: "n", author: "a", title: title, body: body, tags: tags)
    return (note, detector.signals(in: note))
  }

  /// The (kind, original text) pairs of `body`'s signals.
  func found(_ body: String) -> [(Signal.Kind, String)] {
    let (note, result) = signals(body)
    for signal in result { #expect(signal.spans[0].text(in: note) == signal.text) }
    return result.map { ($0.kind, $0.text) }
  }

  func contains(_ body: String, _ kind: Signal.Kind, _ text: String) -> Bool {
    found(body).contains { $0.0 == kind && $0.1 == text }
  }

  @Test func couponCodes() {
    #expect(contains("下单用优惠码：ZC2024 立减", .couponCode, "优惠码：ZC2024"))
    #expect(contains("Use code SAVEBIG at checkout", .couponCode, "Use code SAVEBIG"))
    #expect(contains("折扣码 abc123", .couponCode, "折扣码 abc123"))
    #expect(contains("记得领券哦", .couponCode, "领券"))
    #expect(!found("use code here to compile").contains { $0.1.contains("here") })
  }

  @Test func purchaseAndAffiliateLinks() {
    #expect(contains("戳 https://item.taobao.com/item.htm?id=123 买", .purchaseLink, "https://item.taobao.com/item.htm?id=123"))
    #expect(contains("shop: https://www.amazon.com/dp/B0?tag=glow-20.", .affiliateLink, "https://www.amazon.com/dp/B0?tag=glow-20"))
    #expect(contains("see https://example.com/p?utm_source=xhs", .affiliateLink, "https://example.com/p?utm_source=xhs"))
    #expect(contains("链接 t.cn/A6xYz 自取", .purchaseLink, "t.cn/A6xYz"))
    #expect(contains("复制￥AbC1234xYz￥打开淘宝", .purchaseLink, "￥AbC1234xYz￥"))
    #expect(contains("左下角小黄车有同款", .purchaseLink, "小黄车"))
    #expect(contains("link in bio!", .purchaseLink, "link in bio"))
  }

  @Test func prices() {
    for (text, price) in [
      ("到手 ¥ 99 很值", "¥ 99"), ("才99元", "99元"), ("$19.99 only", "$19.99"), ("9.9r包邮", "9.9r"), ("￥1,299入的", "￥1,299"),
      ("199 RMB", "199 RMB"),
    ] {
      #expect(contains(text, .price, price), "\(text): \(found(text))")
    }
    #expect(!found("3 rooms and 2 baths").contains { $0.0 == .price })
    #expect(!found("2024年去了3次").contains { $0.0 == .price })
  }

  @Test func urgency() {
    #expect(contains("限时折扣", .urgency, "限时"))
    #expect(contains("最后3天！", .urgency, "最后3天"))
    #expect(contains("仅剩 5 件", .urgency, "仅剩 5 件"))
    #expect(contains("Only today: 20% off", .urgency, "Only today"))
    #expect(contains("Only today: 20% off", .price, "% off"))
  }

  @Test func diversionAndContacts() {
    #expect(contains("想要的私信我", .diversion, "私信"))
    #expect(contains("加V❤: abc_123 咨询", .contact, "V❤: abc_123"))
    #expect(contains("vx：zhongcao88", .contact, "vx：zhongcao88"))
    #expect(contains("薇 zhongcao88", .contact, "薇 zhongcao88"))
    #expect(contains("➕v 了解", .diversion, "v"))
    #expect(contains("扣扣 123456789", .contact, "扣扣 123456789"))
    #expect(contains("电话 138 0013 8000 订座", .contact, "138 0013 8000"))
    #expect(contains("tel +86-138-0013-8000", .contact, "+86-138-0013-8000"))
    #expect(contains("call 13800138000.", .contact, "13800138000"))
    #expect(contains("座机 021-12345678", .contact, "021-12345678"))
    #expect(contains("mail me: shop@glow.cn", .contact, "shop@glow.cn"))
    #expect(!found("订单号 123800138000999").contains { $0.0 == .contact })
    let (_, wechat) = signals("微信号：abc_123456")
    #expect(wechat.first { $0.kind == .contact }?.contactKind == .wechat)
  }

  @Test func shopPromotingItself() {
    let body = "本店新品上市，欢迎到店品尝！营业时间10:00-22:00，预约电话 13912345678"
    let kinds = Set(found(body).map(\.0))
    #expect(kinds.isSuperset(of: [.callToAction, .contact]))
    #expect(contains("Book now at our store!", .callToAction, "Book now"))
  }

  @Test func organicExperienceShareIsQuiet() {
    let body = "自费买的面霜，299元，用了一个月，皮肤状态稳定。#护肤 #探店"
    let kinds = found(body).map(\.0)
    #expect(kinds == [.price], "\(found(body))")
  }

  @Test func evidenceSpansPointAtTheRightCharacters() {
    let body = "👋 ＶＸ：Zc_8888 ｜ 到手价￥８９"
    let (note, result) = signals(body)
    let contact = result.first { $0.kind == .contact }!
    #expect(contact.spans == [TextSpan(field: .body, start: 2, end: 12)])
    #expect(contact.spans[0].text(in: note) == "ＶＸ：Zc_8888")
    let price = result.first { $0.kind == .price && $0.detail == "price" }!
    #expect(price.spans[0].text(in: note) == "￥８９")
    let priceWord = result.first { $0.kind == .price && $0.detail == "到手价" }!
    #expect(priceWord.spans == [TextSpan(field: .body, start: 15, end: 18)])
  }

  @Test func signalsInTitleAndTags() {
    let (note, result) = signals("好用", title: "限时秒杀", tags: ["优惠券"])
    #expect(result.map(\.spans[0].field) == [.title, .title, .tags])
    #expect(result.last?.spans[0].text(in: note) == "优惠券")
  }

  // MARK: Brands

  @Test func brandListFromFile() throws {
    let brands = try BrandList(parsing: "# brands\n兰蔻|Lancome|Lancôme\nDior\n\n")
    #expect(brands.brands == [.init(name: "兰蔻", aliases: ["Lancome", "Lancôme"]), .init(name: "Dior")])
    let detector = SignalDetector(brands: brands)
    let note = Note(id: "n", author: "a", body: "LANCÔME 小黑瓶和兰蔻粉水，还有 Dior；Diorama 不算")
    let mentions = detector.signals(in: note).filter { $0.kind == .brandMention }
    #expect(mentions.map { $0.spans[0].text(in: note)! } == ["LANCÔME", "兰蔻", "Dior"])
    #expect(mentions.map(\.detail) == ["兰蔻", "兰蔻", "Dior"])
    #expect(throws: ZhongcaoError.self) { try BrandList(parsing: "兰蔻||Lancome") }
    do {
      _ = try BrandList(parsing: "ok\n|x", file: "b.txt")
    } catch {
      #expect(error.location == .init(file: "b.txt", line: 2, field: "name"))
    }
  }

  @Test func brandsLearnedFromTheCorpus() {
    var notes: [Note] = []
    for author in 0..<4 {
      notes.append(Note(id: "c\(author)", author: "u\(author)", body: "#广告 GlowLab 精华，优惠码 GL\(author)00 #探店"))
      notes.append(Note(id: "o\(author)", author: "u\(author)", body: "Today 去了一家店 #探店", tags: ["探店"]))
    }
    notes.append(Note(id: "x", author: "solo", body: "合作｜OnlyOnce 面霜"))
    let learned = BrandList.learned(from: notes)
    #expect(learned.brands.map(\.name) == ["GlowLab"], "\(learned.brands)")
  }
}
