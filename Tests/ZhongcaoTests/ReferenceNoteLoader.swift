import Foundation
@testable import Zhongcao

/// NoteLoader's line reading as it was before JSONLineReader: Foundation's JSONSerialization into
/// `[String: Any]`, then the fields. Kept verbatim as the reference the new reader is held to.
enum ReferenceNoteLoader {
  /// One line → one note; the flag tells whether MediaCrawler field names were used.
  static func parseLine(_ line: ArraySlice<UInt8>, file: String, line lineNumber: Int)
    throws(ZhongcaoError) -> (Note, Bool)
  {
    func fail(_ message: String, field: String? = nil) -> ZhongcaoError {
      ZhongcaoError(.invalidInput, message, location: .init(file: file, line: lineNumber, field: field))
    }
    guard String(validating: line, as: UTF8.self) != nil else { throw fail("not valid UTF-8") }
    let object: [String: Any]
    do {
      guard let parsed = try JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]) as? [String: Any] else {
        throw fail("not a JSON object")
      }
      object = parsed
    } catch let error as ZhongcaoError {
      throw error
    } catch {
      throw fail("invalid JSON: \(Self.describe(error))")
    }
    var usedMediaCrawler = false
    /// The first present, non-null key of `names`, with the name it was found under.
    func value(_ names: [String]) -> (String, Any)? {
      for name in names {
        if let found = object[name], !(found is NSNull) {
          if name != names[0] { usedMediaCrawler = true }
          return (name, found)
        }
      }
      return nil
    }
    func identifier(_ names: [String]) throws(ZhongcaoError) -> String {
      guard let (name, raw) = value(names) else { throw fail("missing field", field: names[0]) }
      let text: String
      if let string = raw as? String {
        text = string
      } else if let number = raw as? NSNumber, !Self.isBoolean(number), number.doubleValue.rounded() == number.doubleValue,
                abs(number.doubleValue) < 9.0e15 {
        text = String(number.int64Value)
      } else {
        throw fail("must be a string or an integer", field: name)
      }
      guard !text.isEmpty else { throw fail("must not be empty", field: name) }
      return text
    }
    func string(_ names: [String]) throws(ZhongcaoError) -> String? {
      guard let (name, raw) = value(names) else { return nil }
      guard let text = raw as? String else { throw fail("must be a string", field: name) }
      return text
    }
    func count(_ names: [String]) throws(ZhongcaoError) -> Int? {
      guard let (name, raw) = value(names) else { return nil }
      if let number = raw as? NSNumber, !Self.isBoolean(number) {
        let double = number.doubleValue
        guard double.isFinite, double >= 0, double.rounded() == double, double < 9.0e15 else {
          throw fail("must be a non-negative integer, got \(number)", field: name)
        }
        return Int(double)
      }
      if let text = raw as? String {
        guard let parsed = Self.parseCount(text) else {
          throw fail("must be a non-negative count such as 123, 1.2万 or 10+, got '\(text)'", field: name)
        }
        return parsed
      }
      throw fail("must be a number or a numeric string", field: name)
    }

    let id = try identifier(["id", "note_id"])
    let author = try identifier(["author", "user_id"])
    let title = try string(["title"]) ?? ""
    let body = try string(["body", "desc"]) ?? ""
    var tags: [String] = []
    if let (name, raw) = value(["tags", "tag_list"]) {
      if let text = raw as? String {
        tags = text.split(separator: ",").map(String.init)
      } else if let array = raw as? [Any] {
        for element in array {
          guard let tag = element as? String else { throw fail("must be an array of strings", field: name) }
          tags.append(tag)
        }
      } else {
        throw fail("must be an array of strings or a comma-separated string", field: name)
      }
      tags = tags.map { $0.trimmingCharacters(in: .whitespaces) }
        .map { $0.hasPrefix("#") || $0.hasPrefix("＃") ? String($0.dropFirst()) : $0 }
        .filter { !$0.isEmpty }
    }
    let brandLabel = try string(["brand_label"]).flatMap { $0.isEmpty ? nil : $0 }
    var createdAt: Double? = nil
    if let (name, raw) = value(["created_at", "time"]) {
      let scale = name == "time" ? 0.001 : 1
      if let number = raw as? NSNumber, !Self.isBoolean(number), number.doubleValue.isFinite {
        createdAt = number.doubleValue * scale
      } else if let text = raw as? String, let seconds = Double(text.trimmingCharacters(in: .whitespaces)), seconds.isFinite {
        createdAt = seconds * scale
      } else if let text = raw as? String, name == "created_at", let date = NoteLoader.parseISODate(text) {
        createdAt = date
      } else {
        throw fail(name == "time" ? "must be milliseconds since 1970" : "must be seconds since 1970 or an ISO 8601 date",
                   field: name)
      }
    }
    let note = Note(
      id: id, author: author, title: title, body: body, tags: tags, brandLabel: brandLabel, createdAt: createdAt,
      likes: try count(["likes", "liked_count"]), collects: try count(["collects", "collected_count"]),
      comments: try count(["comments", "comment_count"]), shares: try count(["shares", "share_count"]))
    return (note, usedMediaCrawler)
  }

  /// `123`, `1,234`, `1.2万`, `3亿`, `10+`, `1.5w` → a count; nil for anything else.
  static func parseCount(_ text: String) -> Int? {
    var digits = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
    if digits.hasSuffix("+") { digits.removeLast() }
    var scale = 1.0
    if let last = digits.last, let multiplier = ["万": 1e4, "w": 1e4, "W": 1e4, "亿": 1e8, "k": 1e3, "K": 1e3][String(last)] {
      scale = multiplier
      digits.removeLast()
    }
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
          let value = Double(digits), value.isFinite, value >= 0 else { return nil }
    let scaled = (value * scale).rounded()
    guard scaled < 9.0e15 else { return nil }
    return Int(scaled)
  }

  /// JSON `true`/`false` arrive as NSNumbers of type `char` (`c`), here and on Darwin.
  private static func isBoolean(_ number: NSNumber) -> Bool {
    String(cString: number.objCType) == "c"
  }

  private static func describe(_ error: any Error) -> String {
    let nsError = error as NSError
    return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
  }
}
