import Foundation
import Testing
@testable import Zhongcao

/// The original text that a normalized range maps back to.
func originalText(_ text: String, _ range: Range<Int>) -> String {
  var view = String.UnicodeScalarView()
  view.append(contentsOf: Array(text.unicodeScalars)[range])
  return String(view)
}

@Suite("Trust: text normalization")
struct TrustTextTests {
  let normalizer = TextNormalizer()

  @Test func foldsWidthAndCase() {
    #expect(normalizer.normalize("＃ＡＤ　Ｈｅｌｌｏ").text == "#ad hello")
    #expect(normalizer.normalize("Ⓥ𝐚𝐝").text == "vad")
  }

  @Test func dropsZeroWidthAndCollapsesWhitespace() {
    #expect(normalizer.normalize("广\u{200B}告").text == "广告")
    #expect(normalizer.normalize("a  \n\t b").text == "a b")
  }

  @Test(arguments: ["广❤告", "广·告", "广✨✨告", "广*告", "广\u{200D}告"])
  func removesSymbolSeparatorsBetweenCJK(_ input: String) {
    #expect(normalizer.normalize(input).text == "广告")
  }

  @Test(arguments: ["a d", "a.d", "a❤d", "A D"])
  func gluesSplitSingleLetters(_ input: String) {
    #expect(normalizer.normalize("#" + input).text == "#ad")
  }

  @Test func doesNotGlueOrdinaryWords() {
    #expect(normalizer.normalize("天气 合作").text == "天气 合作")
    #expect(normalizer.normalize("a day at sea").text == "a day at sea")
    #expect(normalizer.normalize("love❤it").text == "love it")
    #expect(normalizer.normalize("#ad✨").text == "#ad ")
  }

  @Test(arguments: ["vx", "VX", "ｖｘ", "V❤", "v💗", "薇 abc123", "➕v", "+V", "加v", "威信", "wx", "微信", "WeChat", "微❤信", "v信"])
  func mapsWeChatEvasions(_ input: String) {
    let normalized = normalizer.normalize(input)
    #expect(normalized.values.contains(TextNormalizer.CanonicalToken.wechat.scalar.value), "\(input) → \(normalized.readableText)")
  }

  @Test(arguments: ["vxyz", "蔷薇花", "wxyz", "envy"])
  func leavesWordsThatOnlyLookLikeEvasions(_ input: String) {
    let normalized = normalizer.normalize(input)
    #expect(!normalized.values.contains(TextNormalizer.CanonicalToken.wechat.scalar.value), "\(normalized.readableText)")
  }

  @Test func mapsQQAndTaokouling() {
    #expect(normalizer.normalize("扣扣 12345").readableText == "⟨qq⟩ 12345")
    #expect(normalizer.normalize("QQ12345").readableText == "⟨qq⟩12345")
    #expect(normalizer.normalize("复制￥AbC1234xYz￥打开").readableText == "复制⟨taokouling⟩打开")
    #expect(normalizer.normalize("€AbC1234xYz€").readableText == "⟨taokouling⟩")
    #expect(normalizer.normalize("¥99 ¥199").readableText == "¥99 ¥199")
  }

  @Test func keepsLinksIntact() {
    let text = "看 https://wx.qq.com/a_b?ref=vx 和 vx123@qq.com"
    let normalized = normalizer.normalize(text)
    #expect(normalized.text == "看 https://wx.qq.com/a_b?ref=vx 和 vx123@qq.com")
    #expect(normalized.links.count == 2)
  }

  @Test func mapsEveryScalarBackToTheOriginal() {
    let text = "【ＡＤ】广❤告 加V❤: abc_123 ￥AbC1234xYz￥"
    let normalized = normalizer.normalize(text)
    #expect(normalized.readableText == "【ad】广告 加⟨wechat⟩: abc_123 ⟨taokouling⟩")
    let adRange = 1..<3
    #expect(originalText(text, normalized.originalRange(of: adRange)) == "ＡＤ")
    let value = Array(normalized.values)
    let tokenIndex = value.firstIndex(of: TextNormalizer.CanonicalToken.wechat.scalar.value)!
    #expect(originalText(text, normalized.originalRange(of: tokenIndex..<(tokenIndex + 1))) == "V❤")
    let adIndex = value.firstIndex(of: "广".unicodeScalars.first!.value)!
    #expect(originalText(text, normalized.originalRange(of: adIndex..<(adIndex + 2))) == "广❤告")
    let taoIndex = value.firstIndex(of: TextNormalizer.CanonicalToken.taokouling.scalar.value)!
    #expect(originalText(text, normalized.originalRange(of: taoIndex..<(taoIndex + 1))) == "￥AbC1234xYz￥")
  }

  @Test func emptyText() {
    let normalized = normalizer.normalize("")
    #expect(normalized.count == 0)
    #expect(normalized.originalRange(of: 0..<0) == 0..<0)
  }
}
