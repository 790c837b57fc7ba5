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
  /// Title, body and tags (as ``Note/text(of:)`` displays them) are joined by newlines; each
  /// blanked scalar becomes one space.
  public static func maskedText(of note: Note, markers: [DisclosureMarker]) -> String {
    var bytes: [UInt8] = []
    writeMaskedUTF8(of: note, markers: markers, into: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The UTF-8 of ``maskedText(of:markers:)``, written over `bytes` (whose capacity a scan reuses
  /// from note to note, so the masked text costs no string of its own).
  static func writeMaskedUTF8(of note: Note, markers: [DisclosureMarker], into bytes: inout [UInt8]) {
    writeMaskedUTF8(title: note.title, body: note.body, tags: note.tags, markers: markers, into: &bytes)
  }

  /// ``writeMaskedUTF8(of:markers:into:)`` of a note's fields, for a caller that holds the note
  /// in an array (passing the element would copy it, retaining and releasing every field).
  static func writeMaskedUTF8(
    title: String, body: String, tags: [String], markers: [DisclosureMarker], into bytes: inout [UInt8]
  ) {
    bytes.removeAll(keepingCapacity: true)
    appendUTF8(title, to: &bytes)
    blank(.title, markers: markers, from: 0, in: &bytes)
    bytes.append(0x0A)
    var start = bytes.count
    appendUTF8(body, to: &bytes)
    blank(.body, markers: markers, from: start, in: &bytes)
    bytes.append(0x0A)
    start = bytes.count
    for (index, tag) in tags.enumerated() {
      if index > 0 { bytes.append(0x20) }
      bytes.append(0x23)
      appendUTF8(tag, to: &bytes)
    }
    blank(.tags, markers: markers, from: start, in: &bytes)
  }

  /// Appends the UTF-8 of `text` by one copy (the generic `append(contentsOf: text.utf8)` takes
  /// hundreds of instructions a call).
  @inline(__always)
  private static func appendUTF8(_ text: String, to bytes: inout [UInt8]) {
    TextFeaturizer.withUTF8(text) { bytes.append(contentsOf: $0) }
  }

  /// Blanks, in the field text that fills `bytes` from `start` on, the scalars at the offsets of
  /// the field's markers: each becomes one space, in place (the text only shrinks).
  private static func blank(_ field: Note.Field, markers: [DisclosureMarker], from start: Int, in bytes: inout [UInt8]) {
    guard markers.contains(where: { $0.span.field == field }) else { return }
    let end = bytes.withUnsafeMutableBufferPointer { bytes -> Int in
      var scalarCount = 0
      for index in start..<bytes.count where bytes[index] & 0xC0 != 0x80 { scalarCount += 1 }
      let blanks = markers.compactMap {
        $0.span.field == field ? max(0, $0.span.start)..<min(scalarCount, $0.span.end) : nil
      }
      var written = start, offset = -1, isBlank = false
      for index in start..<bytes.count {
        let byte = bytes[index]
        if byte & 0xC0 != 0x80 {
          offset += 1
          isBlank = blanks.contains { $0.contains(offset) }
          if isBlank {
            bytes[written] = 0x20
            written += 1
          }
        }
        if !isBlank {
          bytes[written] = byte
          written += 1
        }
      }
      return written
    }
    bytes.removeSubrange(end...)
  }
}
