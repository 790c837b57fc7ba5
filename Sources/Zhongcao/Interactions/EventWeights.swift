/// Weights of named event kinds (view, like, collect, …), combined into one implicit-feedback
/// weight per event.
///
/// Names are matched case-insensitively. An event line whose `event` column is not in the table
/// is an input error, so a typo never silently becomes weight 0.
public struct EventWeights: Sendable, Equatable, Codable {
  /// Weight by lower-cased event name.
  public private(set) var weights: [String: Float]

  /// The default table for note feeds: a purchase says more than a collect, a collect more than a
  /// like, a like more than a view.
  public static let `default` = EventWeights(uncheckedWeights: [
    "view": 1, "click": 1, "impression": 0.5, "like": 2, "collect": 4, "favorite": 4, "comment": 4,
    "share": 6, "follow": 4, "purchase": 10,
  ])

  private init(uncheckedWeights: [String: Float]) { weights = uncheckedWeights }

  /// A table of weights; every weight must be finite and non-negative.
  public init(_ weights: [String: Float]) throws(ZhongcaoError) {
    var table: [String: Float] = [:]
    for (name, weight) in weights {
      guard weight.isFinite, weight >= 0 else {
        throw ZhongcaoError(.invalidArgument, "event weight for '\(name)' must be finite and non-negative, got \(weight)")
      }
      table[name.lowercased()] = weight
    }
    self.weights = table
  }

  /// Parses `name=weight,name=weight` (the CLI's `--event-weights`), starting from the default
  /// table so only changes need to be given.
  public init(parsing specification: String, base: EventWeights = .default) throws(ZhongcaoError) {
    var table = base.weights
    for item in specification.split(separator: ",") where !item.trimmingCharacters(in: .whitespaces).isEmpty {
      let parts = item.split(separator: "=", maxSplits: 1)
      guard parts.count == 2, let weight = Float(parts[1].trimmingCharacters(in: .whitespaces)) else {
        throw ZhongcaoError(.invalidArgument, "event weight '\(item)' is not of the form name=number")
      }
      table[parts[0].trimmingCharacters(in: .whitespaces).lowercased()] = weight
    }
    try self.init(table)
  }

  /// The weight of `event`, or nil when the name is unknown.
  public func weight(of event: some StringProtocol) -> Float? {
    weights[event.lowercased()]
  }
}

import Foundation
