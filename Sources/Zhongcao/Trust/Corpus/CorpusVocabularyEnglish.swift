// English phrase pools of the generated note corpus (RedNote / Instagram style). The slots are
// those of CorpusVocabularyChinese.swift.

extension CorpusVocabulary {
  /// The English pools.
  static let english = CorpusLanguageVocabulary(
    openers: [
      "Okay besties,", "PSA:", "Real talk:", "Y'all.", "Not me buying another {p}.", "Story time:", "Quick review!",
      "Let's talk {c}.", "Bottom line first:", "Hear me out.", "Honest thoughts:", "Weekend haul time!", "Empties update:",
    ],
    organicTitles: [
      "{p} honest review", "{n} weeks with the {p}: the truth", "{c} empties {e}", "Budget {c} dupes", "Regret: the {p}",
      "Repurchasing {b} {p} for the {n}th time", "My {c} routine as {who}", "{c} hits and misses", "Is the {p} worth it?",
      "Tried {n} {p}s so you don't have to", "Paid for it myself: {b} {p}", "Monthly empties: {c} edition", "Thoughts on {b}",
      "Used up my {p}, here's my take", "Weekend {c} notes {e}", "First time trying {b}",
    ],
    promoTitles: [
      "The {p} everyone keeps asking about {e}", "Holy grail alert: {b} {p}", "{b} {p} is a total game changer",
      "Run don't walk: {b} {p}", "My new obsession {e}", "Why is no one talking about {b}?!", "This {p} changed my life",
      "The {c} product of the year", "TikTok made me buy it and I'm not sorry", "Obsessed with the new {b} drop {e}",
      "Best {p} ever, period", "You NEED this {p}",
    ],
    organicSentences: [
      "As {who}, I've used it for {n} weeks and the {a} really improved.", "Picked it up at {place} last weekend.",
      "I usually use another brand but gave {b} a try this time.", "Finished my {n}th one, will repurchase.",
      "Found a dupe: the {a} holds up against the ${price2} one.", "I'd give it {n}/10 overall, {a} is decent.",
      "Compared {n} options and this one had the most consistent {a}.", "Took me {n} days to get used to it.",
      "Honestly I had low expectations.", "My sister uses it too and likes the {a}.", "A friend recommended it, it's fine.",
      "The {a} is meh but the {a2} surprised me.", "This is my {n}th {p}.", "Great for winter, maybe too heavy for summer.",
      "Did a lot of research before buying.", "About the same {a} as my old one, but cheaper.", "Halfway through, so here's an update.",
      "Not as magical as the internet says, but solid.", "Writing this down for future me.", "Good for {who}, YMMV.",
      "Had it for {n} days now.", "I repurchase for one reason: consistent {a}.", "Part of my daily commute kit.",
      "My roommate stole it twice, so that says something.", "I switched from a ${price2} one and honestly can't tell the difference.",
      "Wore it to a {n}-hour shift and the {a} held up.", "Got mine in the {big}% off sale.", "The first week I hated the {a2}.",
      "Bought two because my partner kept using mine.", "It lives in my bag now.", "Used it on a trip, the {a} survived the humidity.",
      "Tried it in store first, then waited for a sale.", "My dermatologist didn't hate it.", "Rating it after {big} uses, not one.",
      "It replaced {n} things in my routine.", "Kept the receipt just in case, didn't need it.", "Fits my {who} lifestyle.",
    ],
    leadIns: [
      "Honestly, ", "Ngl ", "Also ", "Tbh ", "So ", "Plus ", "Side note: ", "Update: ", "Day {n}: ", "Fun fact: ", "Okay so ",
      "Week {n} check-in: ", "Quick note, ", "Btw ", "Full disclosure, I'm picky, ",
    ],
    asides: [
      " lol", " tbh", " for real", " 😅", " haha", " (no regrets)", " fwiw", " at least for me", " in my experience", " so far",
      " after {n} weeks", " ymmv", " imo", " which surprised me", " 10/10",
    ],
    sharedSentences: [
      "The {a} is great and the {a2} is nice too.", "Packaging feels premium {e}", "The {a} is legit.", "Love the texture {e}",
      "It looks so pretty {e}", "The {a} is better than I expected.", "Super easy to use.", "The details are really thoughtful.",
      "The {a2} is good too.", "For the price, the {a} holds up.", "{n} days in and no regrets.", "Repurchased so many times.",
    ],
    promoSentences: [
      "{b} {p} is a total holy grail, the {a} is unreal.", "Trust me, you NEED this.", "It's on sale for ${price} right now, way cheaper than usual.",
      "Limited drop, selling out fast {e}", "Everyone keeps asking what I use!", "{b} really outdid themselves with this launch.",
      "Best {a} I've ever tried, no contest.", "I've put all my friends on it already.", "Just add it to cart, thank me later {e}",
      "The {a} is next level.", "Forever loyal to {b}.", "Great {a} AND {a2}, insane value.", "How is nobody talking about {b}?!",
      "Wish I'd found it sooner.", "Will repurchase forever.", "Already stocked up on {n} of them.", "{b} never misses.",
      "At this price it's a no-brainer.", "Obsessed is an understatement.", "Run don't walk {e}", "Hidden gem, highly recommend {e}",
      "The official store is throwing in a free gift, grab it.",
    ],
    cons: [
      "it's a bit pricey", "the scent is strong", "the packaging is annoying", "the size is small", "it pills a little",
      "the shade runs darker than the photos", "shipping took forever", "it's kind of heavy", "it takes a while to absorb",
      "the line was way too long", "service was slow",
    ],
    conSentences: [
      "The only con: {con}.", "To be honest, {con}, but overall fine.", "Downside: {con}.", "Not perfect: {con}.",
      "Dealbreaker for me: {con}, won't buy again.", "{con}, so minus one point.",
    ],
    selfPaidSentences: [
      "Bought it myself for ${price}.", "Paid ${price} with my own money.", "Got it for ${price} on sale.",
      "Full price ${price}, couldn't wait for a sale.", "I paid for this myself, ${price}.",
    ],
    noAdSentences: ["Not sponsored, just love it.", "Not an ad, I paid for it.", "This isn't an ad btw.", "Not sponsored, no affiliate links."],
    couponSentences: [
      "Use code {code} for {pct}% off.", "My code {code} gets you ${n} off.", "Discount code {code} at checkout!",
      "Code {code} still works for {pct}% off.", "With my code it's only ${price}.",
    ],
    purchaseSentences: [
      "Link in bio!", "Shop it here: {url}", "Linked in my storefront.", "Tap the link in my bio to shop.", "It's in my Amazon list: {url}",
      "Swipe up to shop.", "Grab it here {url}",
    ],
    diversionSentences: [
      "DM me for the discount link.", "Text me at {phone} for the deal.", "WhatsApp {phone} for wholesale.", "Add my IG {handle} for more.",
      "Comment LINK and I'll DM you.", "Telegram: {handle}", "Search {b} on Amazon.", "Call {phone} to order.",
    ],
    venueSentences: [
      "Address: {addr}", "Open {hours}", "About ${price} per person.", "Waited {n} minutes for a table.", "Super photogenic spot {e}",
      "Phone: {phone}", "Packed on weekends, go on a weekday.", "Easy parking, near the subway.", "Staff were so friendly.",
    ],
    closers: [
      "Ask me anything in the comments.", "Saving this for later.", "Just my experience, YMMV.", "Have you tried it?",
      "More {c} posts soon.", "That's it, bye {e}", "Happy to chat!", "Like if this helped.",
    ],
    promoClosers: ["Follow for more finds {e}", "Go go go!", "Save this post!", "Don't miss it!", "Go try it {e}", "Like and save!"],
    shopSentences: [
      "New arrivals at {b} {e}", "Our {p} is back in stock, now ${price}.", "Show this post in store for ${n} off.", "Open {hours}.",
      "Visit us at {addr}.", "Order via DM.", "Call {phone} to book.", "{pct}% off all {p}s this week.", "Buy {n}, get one free.",
      "Free samples for returning customers.", "Come say hi {e}", "Bundle deal ${price}, link on our profile.",
    ],
    shopTitles: ["{b} | New this week {e}", "{b} anniversary sale", "{b} {p} restock", "{b}: {p} on sale", "{b} in-store perks {e}"],
    tags: ["haul", "review", "musthaves", "budgetfinds", "dupe", "empties", "honestreview", "dailylife", "favorites", "selfcare"],
    organicTags: ["honestreview", "empties", "unsponsored", "dupe", "hitsandmisses", "realreview"],
    promoTags: ["holygrail", "musthave", "gamechanger", "tiktokmademebuyit", "newlaunch", "obsessed", "runtoit"],
    venueTags: ["foodie", "weekendplans", "citywalk", "hiddengem"],
    personas: ["a broke student", "a busy mom", "someone with oily skin", "someone with dry skin", "a sensitive-skin girlie",
               "a commuter", "a lazy girl", "a petite person", "a night-shift nurse"],
    places: ["Sephora", "Target", "Ulta", "Costco", "the mall", "Trader Joe's", "a pop-up store", "Duty Free"],
    districts: ["Downtown", "Brooklyn", "Soho", "Mission District", "Shoreditch", "Queen West", "Fitzroy", "Kitsilano"],
    streets: ["Main St", "Bedford Ave", "Oak Street", "Valencia St", "Brick Lane", "King St", "Smith St", "4th Ave"],
    numberSuffix: "",
    emojis: ["✨", "💖", "🔥", "😭", "🥹", "👍", "💯", "🌟", "😍", "🙌", "🥰", "🤩", "💗", "🌸", "☕️", "🍃"],
    synonyms: [
      ["holy grail", "game changer", "must-have"], ["obsessed", "in love", "hooked"], ["amazing", "incredible", "unreal"],
      ["Trust me", "Believe me", "Honestly"], ["besties", "babes", "friends"], ["need", "want", "gotta have"],
      ["recommend", "suggest"], ["forever", "always"], ["super", "so", "really"], ["great", "awesome", "fantastic"],
      ["selling out", "going fast", "flying off the shelves"],
    ],
    sentenceSeparators: [" ", "\n", " "],
    markers: CorpusMarkers(
      sufficientTitlePrefixes: ["Ad | ", "#ad "], sufficientBodyPrefixes: ["#ad ", "Advertisement: ", "Ad: "],
      platformLabel: "Paid partnership", platformTextPrefixes: ["Paid partnership with {b}\n", "Paid partnership with {b}. "],
      vagueBodySuffixes: [" #sp", " #spon", " #collab", " #gifted", " thanks {b}! #collab"], vagueTags: ["sp", "spon", "collab", "gifted"],
      buriedBodySuffixes: ["\n#ad", " #ad", "\nAd."], buriedTags: ["ad"]),
    fillerTags: ["daily", "finds", "share", "life", "tips", "review", "recs", "essentials", "new", "unboxing", "diary", "wishlist"])
}

/// The phrase pools of one language.
struct CorpusLanguageVocabulary: Sendable {
  let openers: [String]
  let organicTitles: [String]
  let promoTitles: [String]
  let organicSentences: [String]
  /// Openings a sentence may take ("Honestly, ", "说真的，").
  let leadIns: [String]
  /// Endings a sentence may take (" lol", "哈哈").
  let asides: [String]
  let sharedSentences: [String]
  let promoSentences: [String]
  let cons: [String]
  let conSentences: [String]
  let selfPaidSentences: [String]
  let noAdSentences: [String]
  let couponSentences: [String]
  let purchaseSentences: [String]
  let diversionSentences: [String]
  let venueSentences: [String]
  let closers: [String]
  let promoClosers: [String]
  let shopSentences: [String]
  let shopTitles: [String]
  let tags: [String]
  let organicTags: [String]
  let promoTags: [String]
  let venueTags: [String]
  let personas: [String]
  let places: [String]
  let districts: [String]
  let streets: [String]
  let numberSuffix: String
  let emojis: [String]
  /// Groups of interchangeable words: campaign copies swap one for another.
  let synonyms: [[String]]
  let sentenceSeparators: [String]
  let markers: CorpusMarkers
  /// Extra hashtags that bury a marker among many.
  let fillerTags: [String]
}

/// The disclosure markers a generated note of each grade carries.
struct CorpusMarkers: Sendable {
  let sufficientTitlePrefixes: [String]
  let sufficientBodyPrefixes: [String]
  let platformLabel: String
  let platformTextPrefixes: [String]
  let vagueBodySuffixes: [String]
  let vagueTags: [String]
  let buriedBodySuffixes: [String]
  let buriedTags: [String]
}
