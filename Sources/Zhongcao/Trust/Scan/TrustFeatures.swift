import Foundation

/// The inputs of the sponsored-content detector that are not the note's words: explainable
/// signals, engagement mix, and what disclosure depends on (the labelling propensity).
///
/// Kept in one place so that training (`recotrain trust train`) and scanning build exactly the
/// same vectors in the same order.
public enum TrustFeatures {
  /// Names of the extra features, in vector order: the strongest signal of each
  /// ``Signal/Kind`` (0 when absent), the number of distinct signal kinds / 4, and the
  /// engagement z-scores of ``EngagementNorms`` (clipped to ±5, divided by 5, 0 when unknown).
  public static let names: [String] =
    Signal.Kind.allCases.map { "signal:\($0.rawValue)" } + ["signal:kinds", "engagement:collectZ", "engagement:commentZ"]

  /// Names of the propensity attributes: `log10(1 + the author's median likes)` (audience size)
  /// and whether the note was published after the 2023 互联网广告管理办法 took effect
  /// (2023-05-01), 0 or 1.
  public static let propensityNames = ["author:log10MedianLikes", "time:after2023Measures"]

  /// When the 2023 互联网广告管理办法 took effect (2023-05-01 00:00 UTC+8), in seconds since 1970.
  public static let measuresEffective: Double = 1_682_870_400

  /// The extra feature vector of a note.
  public static func vector(signals: [Signal], zScores: (collect: Double?, comment: Double?)) -> [Double] {
    var strongest = [Double](repeating: 0, count: Signal.Kind.allCases.count)
    for signal in signals {
      let k = Signal.Kind.allCases.firstIndex(of: signal.kind)!
      strongest[k] = max(strongest[k], signal.strength)
    }
    let kinds = Double(strongest.count { $0 > 0 }) / 4
    func clipped(_ z: Double?) -> Double { z.map { max(-5, min(5, $0)) / 5 } ?? 0 }
    return strongest + [kinds, clipped(zScores.collect), clipped(zScores.comment)]
  }

  /// The propensity attributes of a note by an author whose notes have `medianLikes`.
  public static func propensityAttributes(createdAt: Double?, authorMedianLikes: Double) -> [Double] {
    [log10(1 + max(0, authorMedianLikes)), (createdAt ?? 0) >= measuresEffective ? 1 : 0]
  }

  /// The note's words with its disclosure markers (and the platform label) blanked out, so a
  /// detector trained with disclosed notes as positives learns sponsorship, not the markers.
  /// Title, body and tags are joined by newlines.
  public static func maskedText(of note: Note, markers: [DisclosureMarker]) -> String {
    var result = ""
    for field in [Note.Field.title, .body, .tags] {
      if field != .title { result.unicodeScalars.append("\n") }
      let text = note.text(of: field)
      guard markers.contains(where: { $0.span.field == field }) else {
        result += text
        continue
      }
      // Blank the scalars at the offsets of this field's markers.
      var blank = [Bool](repeating: false, count: text.unicodeScalars.count)
      for marker in markers where marker.span.field == field {
        let range = max(0, marker.span.start)..<min(blank.count, marker.span.end)
        for i in range { blank[i] = true }
      }
      var offset = 0
      for scalar in text.unicodeScalars {
        result.unicodeScalars.append(blank[offset] ? " " : scalar)
        offset += 1
      }
    }
    return result
  }
}
