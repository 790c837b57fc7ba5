/// One product category of the generated note corpus: what its notes are about, in both languages.
struct CorpusCategory: Sendable {
  /// Chinese category name (also a tag).
  let chinese: String
  /// Chinese product nouns.
  let chineseProducts: [String]
  /// Chinese aspects a note praises (持妆, 保湿 …).
  let chineseAspects: [String]
  /// English category name (also a tag, spaces removed).
  let english: String
  /// English product nouns.
  let englishProducts: [String]
  /// English aspects.
  let englishAspects: [String]
  /// Typical price range, in yuan (English notes show it in dollars divided by 7).
  let prices: ClosedRange<Int>
  /// A place one visits (restaurant, café, hotel, gym): notes are shop visits (探店) with an
  /// address, opening hours and sometimes a phone number.
  let isVenue: Bool
}

/// The corpus vocabulary shared by both languages.
enum CorpusVocabulary {
  /// 34 categories: beauty, food, venues, fashion, tech, home, parenting, pets, travel, hobbies.
  static let categories: [CorpusCategory] = [
    .init(chinese: "面霜", chineseProducts: ["面霜", "修护霜", "保湿霜"], chineseAspects: ["保湿", "修护", "肤感", "吸收"],
          english: "moisturizer", englishProducts: ["moisturizer", "barrier cream", "night cream"], englishAspects: ["hydration", "texture", "barrier repair", "absorption"],
          prices: 89...680, isVenue: false),
    .init(chinese: "精华", chineseProducts: ["精华", "精华液", "安瓶"], chineseAspects: ["提亮", "抗老", "淡斑", "吸收"],
          english: "serum", englishProducts: ["serum", "essence", "ampoule"], englishAspects: ["glow", "brightening", "fine lines", "absorption"],
          prices: 129...980, isVenue: false),
    .init(chinese: "防晒", chineseProducts: ["防晒霜", "防晒乳", "防晒喷雾"], chineseAspects: ["防晒力", "不假白", "清爽度", "成膜速度"],
          english: "sunscreen", englishProducts: ["sunscreen", "SPF 50 fluid", "sun spray"], englishAspects: ["no white cast", "finish", "protection", "wearability"],
          prices: 59...320, isVenue: false),
    .init(chinese: "口红", chineseProducts: ["口红", "唇釉", "唇泥"], chineseAspects: ["显色", "持久度", "不拔干", "色号"],
          english: "lipstick", englishProducts: ["lipstick", "lip tint", "lip gloss"], englishAspects: ["pigment", "wear time", "comfort", "shade range"],
          prices: 49...380, isVenue: false),
    .init(chinese: "粉底", chineseProducts: ["粉底液", "气垫", "粉霜"], chineseAspects: ["持妆", "遮瑕", "服帖度", "控油"],
          english: "foundation", englishProducts: ["foundation", "cushion", "skin tint"], englishAspects: ["coverage", "wear time", "oil control", "finish"],
          prices: 99...560, isVenue: false),
    .init(chinese: "眼影", chineseProducts: ["眼影盘", "单色眼影", "眼线笔"], chineseAspects: ["粉质", "显色", "不飞粉", "配色"],
          english: "eyeshadow", englishProducts: ["eyeshadow palette", "single shadow", "eyeliner"], englishAspects: ["pigment", "blendability", "fallout", "color story"],
          prices: 59...450, isVenue: false),
    .init(chinese: "香水", chineseProducts: ["香水", "淡香精", "香氛"], chineseAspects: ["留香", "前调", "扩散度", "氛围感"],
          english: "fragrance", englishProducts: ["perfume", "eau de parfum", "body mist"], englishAspects: ["longevity", "projection", "top notes", "vibe"],
          prices: 199...1680, isVenue: false),
    .init(chinese: "洗护", chineseProducts: ["洗发水", "护发素", "发膜"], chineseAspects: ["蓬松", "控油", "柔顺", "香味"],
          english: "haircare", englishProducts: ["shampoo", "conditioner", "hair mask"], englishAspects: ["volume", "shine", "softness", "scent"],
          prices: 39...260, isVenue: false),
    .init(chinese: "身体护理", chineseProducts: ["身体乳", "沐浴露", "磨砂膏"], chineseAspects: ["滋润", "香味", "去角质", "不黏腻"],
          english: "bodycare", englishProducts: ["body lotion", "body wash", "body scrub"], englishAspects: ["softness", "scent", "exfoliation", "non-greasy feel"],
          prices: 39...299, isVenue: false),
    .init(chinese: "面膜", chineseProducts: ["面膜", "涂抹面膜", "泥膜"], chineseAspects: ["补水", "清洁力", "舒缓", "服帖"],
          english: "facemask", englishProducts: ["sheet mask", "clay mask", "sleeping mask"], englishAspects: ["hydration", "deep cleansing", "soothing", "fit"],
          prices: 29...268, isVenue: false),
    .init(chinese: "卸妆", chineseProducts: ["卸妆油", "卸妆膏", "卸妆水"], chineseAspects: ["乳化", "卸妆力", "不糊眼", "温和"],
          english: "cleanser", englishProducts: ["cleansing oil", "cleansing balm", "micellar water"], englishAspects: ["emulsifying", "makeup removal", "gentleness", "no residue"],
          prices: 49...320, isVenue: false),
    .init(chinese: "美甲", chineseProducts: ["穿戴甲", "甲油胶", "指甲油"], chineseAspects: ["显白", "持久", "质感", "颜色"],
          english: "nails", englishProducts: ["press-on nails", "gel polish", "nail polish"], englishAspects: ["staying power", "shine", "color", "application"],
          prices: 19...168, isVenue: false),
    .init(chinese: "咖啡", chineseProducts: ["挂耳咖啡", "冻干咖啡", "咖啡豆"], chineseAspects: ["香气", "酸度", "回甘", "醇厚"],
          english: "coffee", englishProducts: ["drip bags", "instant coffee", "coffee beans"], englishAspects: ["aroma", "acidity", "aftertaste", "body"],
          prices: 29...198, isVenue: false),
    .init(chinese: "零食", chineseProducts: ["坚果", "饼干", "辣条"], chineseAspects: ["口感", "咸甜度", "分量", "酥脆"],
          english: "snacks", englishProducts: ["trail mix", "cookies", "chips"], englishAspects: ["crunch", "flavor", "portion size", "sweetness"],
          prices: 9...99, isVenue: false),
    .init(chinese: "咖啡店", chineseProducts: ["拿铁", "手冲", "可颂"], chineseAspects: ["氛围", "出片", "口味", "服务"],
          english: "cafe", englishProducts: ["latte", "pour-over", "croissant"], englishAspects: ["vibe", "aesthetic", "taste", "service"],
          prices: 28...88, isVenue: true),
    .init(chinese: "火锅", chineseProducts: ["牛油锅底", "毛肚", "鸳鸯锅"], chineseAspects: ["锅底", "食材新鲜", "服务", "性价比"],
          english: "hotpot", englishProducts: ["spicy broth", "beef tripe", "split pot"], englishAspects: ["broth", "freshness", "service", "value"],
          prices: 88...268, isVenue: true),
    .init(chinese: "烘焙", chineseProducts: ["贝果", "欧包", "蛋挞"], chineseAspects: ["口感", "甜度", "面包香", "新鲜"],
          english: "bakery", englishProducts: ["bagel", "sourdough", "egg tart"], englishAspects: ["texture", "sweetness", "freshness", "crust"],
          prices: 12...68, isVenue: true),
    .init(chinese: "健身房", chineseProducts: ["私教课", "团课", "月卡"], chineseAspects: ["器械", "环境", "教练", "课程"],
          english: "gym", englishProducts: ["personal training", "group class", "monthly pass"], englishAspects: ["equipment", "cleanliness", "coaching", "class schedule"],
          prices: 99...599, isVenue: true),
    .init(chinese: "运动服", chineseProducts: ["瑜伽裤", "运动内衣", "速干衣"], chineseAspects: ["面料", "包裹感", "不卡裆", "显瘦"],
          english: "activewear", englishProducts: ["leggings", "sports bra", "running top"], englishAspects: ["fabric", "support", "squat-proofness", "fit"],
          prices: 79...499, isVenue: false),
    .init(chinese: "运动鞋", chineseProducts: ["跑鞋", "板鞋", "徒步鞋"], chineseAspects: ["脚感", "回弹", "包裹性", "颜值"],
          english: "sneakers", englishProducts: ["running shoes", "court sneakers", "hiking shoes"], englishAspects: ["cushioning", "bounce", "fit", "looks"],
          prices: 199...1299, isVenue: false),
    .init(chinese: "穿搭", chineseProducts: ["连衣裙", "衬衫", "阔腿裤"], chineseAspects: ["版型", "面料", "显瘦", "垂感"],
          english: "fashion", englishProducts: ["dress", "shirt", "wide-leg pants"], englishAspects: ["cut", "fabric", "drape", "fit"],
          prices: 89...699, isVenue: false),
    .init(chinese: "包包", chineseProducts: ["托特包", "腋下包", "双肩包"], chineseAspects: ["容量", "做工", "百搭", "皮质"],
          english: "bags", englishProducts: ["tote bag", "shoulder bag", "backpack"], englishAspects: ["capacity", "stitching", "versatility", "leather"],
          prices: 129...1999, isVenue: false),
    .init(chinese: "耳机", chineseProducts: ["降噪耳机", "蓝牙耳机", "头戴耳机"], chineseAspects: ["降噪", "音质", "续航", "佩戴感"],
          english: "headphones", englishProducts: ["noise-cancelling earbuds", "wireless earbuds", "over-ear headphones"], englishAspects: ["ANC", "sound quality", "battery life", "comfort"],
          prices: 199...2499, isVenue: false),
    .init(chinese: "数码配件", chineseProducts: ["手机壳", "充电宝", "数据线"], chineseAspects: ["手感", "充电速度", "做工", "颜值"],
          english: "gadgets", englishProducts: ["phone case", "power bank", "charging cable"], englishAspects: ["grip", "charging speed", "build", "design"],
          prices: 29...299, isVenue: false),
    .init(chinese: "相机", chineseProducts: ["微单", "拍立得", "卡片机"], chineseAspects: ["画质", "对焦", "便携", "色彩"],
          english: "camera", englishProducts: ["mirrorless camera", "instant camera", "compact camera"], englishAspects: ["image quality", "autofocus", "portability", "colors"],
          prices: 499...8999, isVenue: false),
    .init(chinese: "键盘", chineseProducts: ["机械键盘", "键帽", "静音键盘"], chineseAspects: ["手感", "声音", "连接", "颜值"],
          english: "keyboard", englishProducts: ["mechanical keyboard", "keycaps", "quiet keyboard"], englishAspects: ["typing feel", "sound", "connectivity", "looks"],
          prices: 99...999, isVenue: false),
    .init(chinese: "家居香氛", chineseProducts: ["香薰蜡烛", "无火香薰", "扩香石"], chineseAspects: ["香味", "扩香", "颜值", "持久"],
          english: "homefragrance", englishProducts: ["scented candle", "reed diffuser", "room spray"], englishAspects: ["scent throw", "burn time", "looks", "longevity"],
          prices: 59...399, isVenue: false),
    .init(chinese: "收纳", chineseProducts: ["收纳盒", "衣架", "置物架"], chineseAspects: ["容量", "承重", "省空间", "颜值"],
          english: "organizing", englishProducts: ["storage bins", "hangers", "shelf unit"], englishAspects: ["capacity", "sturdiness", "space saving", "looks"],
          prices: 19...299, isVenue: false),
    .init(chinese: "床品", chineseProducts: ["四件套", "枕头", "被子"], chineseAspects: ["亲肤", "透气", "不起球", "睡感"],
          english: "bedding", englishProducts: ["sheet set", "pillow", "duvet"], englishAspects: ["softness", "breathability", "pilling", "sleep quality"],
          prices: 99...1299, isVenue: false),
    .init(chinese: "厨房小家电", chineseProducts: ["空气炸锅", "破壁机", "电饭煲"], chineseAspects: ["好清洗", "容量", "噪音", "颜值"],
          english: "kitchen", englishProducts: ["air fryer", "blender", "rice cooker"], englishAspects: ["easy cleaning", "capacity", "noise", "design"],
          prices: 149...1299, isVenue: false),
    .init(chinese: "母婴", chineseProducts: ["纸尿裤", "湿巾", "奶瓶"], chineseAspects: ["柔软", "不红屁屁", "安全", "好用"],
          english: "baby", englishProducts: ["diapers", "baby wipes", "baby bottle"], englishAspects: ["softness", "no rashes", "safety", "ease of use"],
          prices: 39...399, isVenue: false),
    .init(chinese: "宠物", chineseProducts: ["猫粮", "冻干", "猫砂"], chineseAspects: ["适口性", "成分", "结团", "除臭"],
          english: "pets", englishProducts: ["cat food", "freeze-dried treats", "cat litter"], englishAspects: ["palatability", "ingredients", "clumping", "odor control"],
          prices: 39...499, isVenue: false),
    .init(chinese: "酒店", chineseProducts: ["江景房", "亲子房", "民宿"], chineseAspects: ["景观", "早餐", "隔音", "服务"],
          english: "hotel", englishProducts: ["river-view room", "family suite", "guesthouse"], englishAspects: ["views", "breakfast", "soundproofing", "service"],
          prices: 299...2599, isVenue: true),
    .init(chinese: "文具", chineseProducts: ["手账本", "中性笔", "贴纸"], chineseAspects: ["纸张", "顺滑", "颜值", "性价比"],
          english: "stationery", englishProducts: ["planner", "gel pens", "sticker set"], englishAspects: ["paper quality", "smoothness", "design", "value"],
          prices: 9...199, isVenue: false),
  ]
}
