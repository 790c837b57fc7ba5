import ArgumentParser
import Foundation
import Zhongcao

/// The model choice and hyper-parameters shared by `train`, `evaluate` and `tune`.
///
/// Precedence: a flag given on the command line, then `--config`, then the kind's default.
struct ModelOptions: ParsableArguments {
  @Option(help: "Model kind: als, ease, itemknn or popularity.") var model: String?
  @Option(help: "JSON settings file, as written by `recotrain tune` ({\"kind\": …, \"configuration\": {…}}).")
  var config: String?

  // ALS
  @Option(help: "ALS: latent factors.") var factors: Int?
  @Option(help: "ALS: iterations (a note sweep and a user sweep each).") var iterations: Int?
  @Option(help: "ALS and EASE: regularization λ.") var regularization: Float?
  @Option(help: "ALS: frequency scaling ν of λ: λ·(n_u + α₀·N)^ν (0 = plain λ).") var regularizationExponent: Float?
  @Option(help: "ALS: alpha in the confidence 1 + alpha·weight.") var alpha: Float?
  @Option(help: "ALS: weight α₀ of unobserved pairs.") var unobservedWeight: Float?
  @Option(help: "ALS: solver, cg (conjugate gradient) or cholesky (exact).") var solver: String?
  @Option(help: "ALS: regularization convention, frequency-scaled (λ·(n_u + α₀·N)^ν) or spark (λ·n_u, as Spark MLlib; needs α₀ 1, ν 0).")
  var convention: String?
  @Option(help: "ALS: conjugate-gradient steps per system.") var cgSteps: Int?
  @Option(help: "ALS: seed of the factor initialisation.") var seed: UInt64?
  @Flag(help: "ALS: compute and report the training loss after every iteration.") var loss = false

  // Item-kNN
  @Option(help: "item-kNN: neighbours kept per note.") var neighbours: Int?
  @Option(help: "item-kNN: similarity, cosine or bm25.") var similarity: String?
  @Option(help: "item-kNN: shrinkage added to the cosine's denominator.") var shrinkage: Float?

  // EASE and item-kNN
  @Flag(help: "EASE and item-kNN: use summed event weights instead of 1 per interacted note.") var weighted = false
  // Popularity
  @Option(help: "popularity: users (distinct users per note) or weight (summed weight).") var popularityMeasure: String?

  @Option(help: "Worker threads (0 = one per core this process may use: CPU affinity and cgroup quota count).") var threads: Int = 0

  /// The settings these options describe.
  func settings() throws(ZhongcaoError) -> ModelSettings {
    var base: ModelSettings
    if let config {
      guard let data = FileManager.default.contents(atPath: config) else {
        throw ZhongcaoError(.io, "cannot read settings file", location: .init(file: config))
      }
      base = try ModelSettings(json: Array(data), name: config)
    } else {
      base = .als(ALSConfiguration())
    }
    if let model {
      guard let kind = ModelKind(rawValue: model.lowercased()) else {
        throw ZhongcaoError(.invalidArgument, "unknown model '\(model)'; use one of \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      if kind != base.kind { base = Self.defaults(for: kind) }
    }
    switch base {
    case .als(var configuration):
      if let factors { configuration.factors = factors }
      if let iterations { configuration.iterations = iterations }
      if let regularization { configuration.regularization = regularization }
      if let regularizationExponent { configuration.regularizationExponent = regularizationExponent }
      if let alpha { configuration.alpha = alpha }
      if let unobservedWeight { configuration.unobservedWeight = unobservedWeight }
      if let solver {
        guard let choice = ALSConfiguration.Solver(rawValue: solver) else {
          throw ZhongcaoError(.invalidArgument, "unknown solver '\(solver)'; use cg or cholesky")
        }
        configuration.solver = choice
      }
      if let convention {
        guard let choice = ALSConfiguration.RegularizationConvention(rawValue: convention) else {
          throw ZhongcaoError(.invalidArgument, "unknown regularization convention '\(convention)'; use frequency-scaled or spark")
        }
        configuration.regularizationConvention = choice
      }
      if let cgSteps { configuration.conjugateGradientSteps = cgSteps }
      if let seed { configuration.seed = seed }
      if loss { configuration.computeLoss = true }
      configuration.threads = threads
      base = .als(configuration)
    case .ease(var configuration):
      if let regularization { configuration.regularization = regularization }
      if weighted { configuration.binary = false }
      configuration.threads = threads
      base = .ease(configuration)
    case .itemKNN(var configuration):
      if let neighbours { configuration.neighbours = neighbours }
      if let shrinkage { configuration.shrinkage = shrinkage }
      if let similarity {
        guard let weighting = ItemKNNConfiguration.Weighting(rawValue: similarity.lowercased()) else {
          throw ZhongcaoError(.invalidArgument, "unknown similarity '\(similarity)'; use cosine or bm25")
        }
        configuration.weighting = weighting
      }
      if weighted { configuration.binary = false }
      configuration.threads = threads
      base = .itemKNN(configuration)
    case .popularity(var configuration):
      if let popularityMeasure {
        guard let measure = PopularityConfiguration.Measure(rawValue: popularityMeasure.lowercased()) else {
          throw ZhongcaoError(.invalidArgument, "unknown popularity measure '\(popularityMeasure)'; use users or weight")
        }
        configuration.measure = measure
      }
      base = .popularity(configuration)
    }
    try base.validate()
    return base
  }

  /// The default settings of a kind.
  static func defaults(for kind: ModelKind) -> ModelSettings {
    switch kind {
    case .als: .als(ALSConfiguration())
    case .ease: .ease(EASEConfiguration())
    case .itemKNN: .itemKNN(ItemKNNConfiguration())
    case .popularity: .popularity(PopularityConfiguration())
    }
  }
}

extension ModelSettings {
  /// A one-line summary for people.
  var summary: String {
    switch self {
    case .als(let c):
      var text = "ALS, \(c.factors) factors × \(c.iterations) iterations, λ \(c.regularization), alpha \(c.alpha), \(c.solver.rawValue)"
      if c.regularizationExponent != 0 { text += ", ν \(c.regularizationExponent)" }
      if c.unobservedWeight != 1 { text += ", α₀ \(c.unobservedWeight)" }
      if c.regularizationConvention == .spark { text += ", Spark's λ·n_u" }
      return text
    case .ease(let c): return "EASE, λ \(c.regularization)\(c.binary ? "" : ", weighted")"
    case .itemKNN(let c): return "item-kNN, \(c.weighting.rawValue), \(c.neighbours) neighbours, shrinkage \(c.shrinkage)\(c.binary ? "" : ", weighted")"
    case .popularity(let c): return "popularity by \(c.measure.rawValue)"
    }
  }
}
