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
    let kinds = signalKinds
    var vector = [Double](repeating: 0, count: kinds.count + 3)
    for signal in signals {
      let k = kinds.firstIndex(of: signal.kind)!
      vector[k] = max(vector[k], signal.strength)
    }
    func clipped(_ z: Double?) -> Double { z.map { max(-5, min(5, $0)) / 5 } ?? 0 }
    vector[kinds.count] = Double(vector[..<kinds.count].count { $0 > 0 }) / 4
    vector[kinds.count + 1] = clipped(zScores.collect)
    vector[kinds.count + 2] = clipped(zScores.comment)
    return vector
  }

  /// ``Signal/Kind/allCases``, built once.
  static let signalKinds = Signal.Kind.allCases

  /// The propensity attributes of a note by an author whose notes have `medianLikes`.
  public static func propensityAttributes(createdAt: Double?, authorMedianLikes: Double) -> [Double] {
    [log10(1 + max(0, authorMedianLikes)), (createdAt ?? 0) >= measuresEffective ? 1 : 0]
  }

  /// The note's words with its disclosure markers (and the platform label) blanked out, so a
  /// detector trained with disclosed notes as positives learns sponsorship, not the markers.
  /// Title, body and tags are joined by newlines.
  public static func maskedText(of note: Note, markers: [DisclosureMarker]) -> String {
    maskedText(of: note, markers: markers, displayedTags: note.text(of: .tags))
  }

  /// ``maskedText(of:markers:)``, given the note's tags as displayed (``Note/text(of:)``).
  static func maskedText(of note: Note, markers: [DisclosureMarker], displayedTags: String) -> String {
    var result = ""
    result.reserveCapacity(note.title.utf8.count + note.body.utf8.count + displayedTags.utf8.count + 2)
    appendMasked(note.title, of: .title, markers: markers, to: &result)
    result.append("\n")
    appendMasked(note.body, of: .body, markers: markers, to: &result)
    result.append("\n")
    appendMasked(displayedTags, of: .tags, markers: markers, to: &result)
    return result
  }

  /// Appends `text`, the text of `field`, with the scalars at the offsets of the field's markers
  /// blanked. Without markers it is appended as it is (no UTF-8 validation); with markers it is
  /// laid out byte by byte, a space for each blanked scalar, and decoded.
  private static func appendMasked(
    _ text: String, of field: Note.Field, markers: [DisclosureMarker], to result: inout String
  ) {
    guard markers.contains(where: { $0.span.field == field }) else {
      result.append(text)
      return
    }
    var text = text
    text.withUTF8 { text in
      var scalarCount = 0
      for byte in text where byte & 0xC0 != 0x80 { scalarCount += 1 }
      let blanks = markers.compactMap {
        $0.span.field == field ? max(0, $0.span.start)..<min(scalarCount, $0.span.end) : nil
      }
      result.append(
        String(unsafeUninitializedCapacity: text.count) { buffer in
          var count = 0, offset = -1, blank = false
          for byte in text {
            if byte & 0xC0 != 0x80 {
              offset += 1
              blank = blanks.contains { $0.contains(offset) }
              if blank {
                buffer[count] = 0x20
                count += 1
              }
            }
            if !blank {
              buffer[count] = byte
              count += 1
            }
          }
          return count
        })
    }
  }
}
