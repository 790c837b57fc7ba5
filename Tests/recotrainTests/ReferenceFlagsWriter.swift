import Foundation
@testable import Zhongcao

/// The flags writer as it was before it appended bytes (`String` appends, string interpolation
/// for numbers), kept as the oracle for `TrustScanCommand.appendFlagsLine`.
enum ReferenceFlagsWriter {
  static func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }

  static func appendFlagsLine(_ assessment: NoteAssessment, to out: inout String) {
    out += "{\"author\":"
    appendJSONString(assessment.author, to: &out)
    out += ",\"campaign\":"
    if let campaign = assessment.campaign { appendJSONString(campaign, to: &out) } else { out += "null" }
    out += ",\"evidence\":["
    for (position, item) in assessment.evidence.enumerated() {
      out += position == 0 ? "{\"detail\":" : ",{\"detail\":"
      appendJSONString(item.detail, to: &out)
      if let span = item.span {
        out += ",\"end\":\(span.end),\"field\":"
        appendJSONString(span.field.rawValue, to: &out)
      }
      out += ",\"kind\":"
      appendJSONString(item.kind.rawValue, to: &out)
      if let span = item.span { out += ",\"start\":\(span.start)" }
      if let strength = item.strength { out += ",\"strength\":" + number(strength) }
      if let text = item.text {
        out += ",\"text\":"
        appendJSONString(text, to: &out)
      }
      out += "}"
    }
    out += "],\"grade\":"
    appendJSONString(assessment.grade.rawValue, to: &out)
    out += ",\"id\":"
    appendJSONString(assessment.id, to: &out)
    out += ",\"probability\":" + number(assessment.probability) + ",\"rule\":"
    appendJSONString(assessment.disclosure.rule.id, to: &out)
    out += ",\"verdict\":"
    appendJSONString(assessment.verdict.rawValue, to: &out)
    out += "}"
  }

  /// `NoteCorpus.appendJSONString` as it was: the string escaping of the flags and corpus writers.
  static func appendJSONString(_ text: String, to line: inout String) {
    line += "\""
    let utf8 = text.utf8
    var plainStart = utf8.startIndex
    var index = plainStart
    while index < utf8.endIndex {
      let byte = utf8[index]
      if byte == 0x22 || byte == 0x5C || byte < 0x20 {
        line += Substring(utf8[plainStart..<index])
        switch byte {
        case 0x22: line += "\\\""
        case 0x5C: line += "\\\\"
        case 0x0A: line += "\\n"
        case 0x0D: line += "\\r"
        case 0x09: line += "\\t"
        default:
          let hex = String(byte, radix: 16)
          line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        plainStart = utf8.index(after: index)
      }
      index = utf8.index(after: index)
    }
    line += Substring(utf8[plainStart..<utf8.endIndex])
    line += "\""
  }
}
