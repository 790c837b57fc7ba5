import Foundation

extension ModelSettings {
  /// Reads settings from JSON: `{"kind": "als", "configuration": {"factors": 128, …}}`, as
  /// `recotrain tune` writes it. Keys left out take their defaults; unknown keys are errors, so a
  /// typo never silently trains with a default.
  public init(json: [UInt8], name: String = "<settings>") throws(ZhongcaoError) {
    func fail(_ message: String) -> ZhongcaoError {
      ZhongcaoError(.invalidArgument, message, location: .init(file: name))
    }
    guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
      throw fail("settings must be a JSON object like {\"kind\": \"als\", \"configuration\": {…}}")
    }
    let unknownTop = Set(object.keys).subtracting(["kind", "configuration"])
    guard unknownTop.isEmpty else { throw fail("unknown key(s) \(unknownTop.sorted()); expected kind and configuration") }
    guard let kindName = object["kind"] as? String, let kind = ModelKind(rawValue: kindName.lowercased()) else {
      throw fail("'kind' must be one of \(ModelKind.allCases.map(\.rawValue)), got \(object["kind"].map { "\($0)" } ?? "nothing")")
    }
    let overrides = object["configuration"] as? [String: Any] ?? [:]
    if object["configuration"] != nil && !(object["configuration"] is [String: Any]) {
      throw fail("'configuration' must be a JSON object")
    }
    func merged<Configuration: Codable>(_ defaults: Configuration) throws(ZhongcaoError) -> Configuration {
      guard let data = try? JSONEncoder().encode(defaults),
            var base = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
        preconditionFailure("default settings always encode")
      }
      let unknown = Set(overrides.keys).subtracting(base.keys)
      guard unknown.isEmpty else {
        throw fail("unknown \(kind.rawValue) setting(s) \(unknown.sorted()); known: \(base.keys.sorted())")
      }
      base.merge(overrides) { _, new in new }
      do {
        let data = try JSONSerialization.data(withJSONObject: base)
        return try JSONDecoder().decode(Configuration.self, from: data)
      } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
        throw fail("setting '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type or value")
      } catch {
        throw fail("settings are not valid: \(error)")
      }
    }
    switch kind {
    case .als: self = .als(try merged(ALSConfiguration()))
    case .ease: self = .ease(try merged(EASEConfiguration()))
    case .itemKNN: self = .itemKNN(try merged(ItemKNNConfiguration()))
    case .popularity: self = .popularity(try merged(PopularityConfiguration()))
    }
    do {
      try validate()
    } catch {
      throw fail(error.message)
    }
  }

  /// The settings as pretty-printed JSON with sorted keys (what ``init(json:name:)`` reads).
  public var json: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    guard let data = try? encoder.encode(self), let text = String(data: data, encoding: .utf8) else {
      preconditionFailure("settings always encode")
    }
    return text
  }
}
