/// One piece of commercial-intent evidence in a note, with where it is.
public struct Signal: Sendable, Hashable {
  /// What the evidence is.
  public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A coupon or discount code (优惠码 XYZ123, "use code SAVE20"), or a coupon keyword alone.
    case couponCode
    /// A purchase path: shop or marketplace URL, short link, 淘口令, 小黄车 / 链接 / 下单 / 店铺.
    case purchaseLink
    /// An affiliate or referral URL (`tag=`, `ref=`, `aff`, `utm_`, `pid=mm_`, affiliate networks).
    case affiliateLink
    /// A price (¥ 99, 99元, $19.99, 9.9r) or price talk (到手价, "% off").
    case price
    /// Urgency: 限时, 最后3天, "only today".
    case urgency
    /// Off-platform diversion: 私信, 加V, vx, 扣扣.
    case diversion
    /// Contact details (see ``ContactKind``).
    case contact
    /// A booking or ordering call to action (预约, 到店, "book now"), shops included.
    case callToAction
    /// A brand from the ``BrandList``.
    case brandMention
  }

  /// The kind of contact detail of a ``Kind/contact`` signal.
  public enum ContactKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A Chinese mobile (1[3-9] + 9 digits, separators allowed) or landline number.
    case phone
    /// A WeChat id after a diversion marker (`vx: abc_123`).
    case wechat
    /// A QQ number after 扣扣 / QQ.
    case qq
    /// An e-mail address.
    case email
  }

  /// The kind.
  public var kind: Kind
  /// For ``Kind/contact``: which contact detail.
  public var contactKind: ContactKind?
  /// Where the evidence is, in the original field text.
  public var spans: [TextSpan]
  /// The original text of the first span.
  public var text: String
  /// How strongly it indicates commercial intent, 0…1 (fixed per rule; see ``SignalDetector``).
  public var strength: Double
  /// What matched: the lexicon term, the brand, the code, the URL's host pattern.
  public var detail: String

  /// A signal.
  public init(
    kind: Kind, contactKind: ContactKind? = nil, spans: [TextSpan], text: String, strength: Double, detail: String
  ) {
    self.kind = kind
    self.contactKind = contactKind
    self.spans = spans
    self.text = text
    self.strength = strength
    self.detail = detail
  }
}
