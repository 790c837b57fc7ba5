import Foundation

/// A binary logistic regression over sparse features: `P(y = 1 | x) = σ(w·x + b)`.
///
/// ``train(features:targets:exampleWeights:dimension:configuration:)`` minimises the weighted
/// mean binary cross-entropy plus an L2 penalty on the weights (not on the bias),
///
///     L(w, b) = Σᵢ ωᵢ·[log(1 + e^{zᵢ}) − tᵢ·zᵢ] / Σᵢ ωᵢ + (λ/2)·‖w‖²,   zᵢ = w·xᵢ + b,
///
/// with L-BFGS (Nocedal & Wright 2006, algorithm 7.5; history of ``Configuration/historySize``
/// pairs, backtracking Armijo line search). Targets `tᵢ` may be soft, in [0, 1]. The problem is
/// strictly convex for λ > 0, so the result does not depend on a starting point.
///
/// Only features that occur in the training data are optimised: a weight whose feature never
/// occurs has zero gradient apart from the penalty, so its optimum is exactly 0. Training is
/// single-threaded and sums in a fixed order, so the same input gives bitwise the same weights
/// on the same machine.
public struct LogisticRegression: Sendable, Equatable, Codable {
  /// One weight per feature index, `dimension` long.
  public private(set) var weights: [Double]
  /// The intercept.
  public private(set) var bias: Double

  /// A model with the given weights and bias.
  public init(weights: [Double], bias: Double) {
    self.weights = weights
    self.bias = bias
  }

  /// The number of features the model accepts.
  public var dimension: Int { weights.count }

  /// The log-odds `w·x + b`. Indices at or beyond ``dimension`` are ignored.
  public func logit(_ features: SparseFeatures) -> Double {
    var sum = bias
    for (index, value) in zip(features.indices, features.values) where Int(index) < weights.count {
      sum += weights[Int(index)] * value
    }
    return sum
  }

  /// ``logit(_:)`` of `SparseFeatures(dense: values)` (bitwise: the same terms in the same
  /// order), without building the sparse vector.
  func logit(dense values: [Double]) -> Double {
    var sum = bias
    for index in 0..<min(values.count, weights.count) { sum += weights[index] * values[index] }
    return sum
  }

  /// `σ(w·x + b)`.
  public func probability(_ features: SparseFeatures) -> Double { Self.sigmoid(logit(features)) }

  /// The logistic function, computed without overflow.
  public static func sigmoid(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
  }

  /// Optimiser settings.
  public struct Configuration: Sendable, Equatable, Hashable, Codable {
    /// λ, the L2 penalty on the weights (per unit of mean loss); > 0 keeps the problem strictly convex.
    public var l2: Double
    /// The largest number of L-BFGS iterations.
    public var maximumIterations: Int
    /// Stop when the gradient's Euclidean norm falls below this.
    public var gradientTolerance: Double
    /// Stop when an iteration lowers the loss by less than this fraction of it.
    public var relativeLossTolerance: Double
    /// The number of (step, gradient change) pairs L-BFGS keeps.
    public var historySize: Int

    /// Settings; the defaults suit hashed text features normalised to unit length.
    public init(
      l2: Double = 1e-4, maximumIterations: Int = 200, gradientTolerance: Double = 1e-6,
      relativeLossTolerance: Double = 1e-9, historySize: Int = 10
    ) {
      precondition(l2 >= 0, "l2 must be non-negative")
      precondition(maximumIterations >= 0 && historySize >= 1, "bad iteration settings")
      self.l2 = l2
      self.maximumIterations = maximumIterations
      self.gradientTolerance = gradientTolerance
      self.relativeLossTolerance = relativeLossTolerance
      self.historySize = historySize
    }
  }

  /// A trained model with how the optimisation ended.
  public struct Training: Sendable, Equatable {
    /// The model.
    public var model: LogisticRegression
    /// L-BFGS iterations run.
    public var iterations: Int
    /// The final value of the objective.
    public var loss: Double
    /// Whether a tolerance was met before ``Configuration/maximumIterations``.
    public var converged: Bool
  }

  /// Fits a model.
  ///
  /// - Parameters:
  ///   - features: One sparse vector per example; every index below `dimension`.
  ///   - targets: One target per example, in [0, 1] (soft labels allowed).
  ///   - exampleWeights: Non-negative weight per example (nil: all 1); the total must be positive.
  ///   - dimension: The length of the weight vector.
  ///   - configuration: Optimiser settings.
  /// - Complexity: O(iterations · (nnz + m·d′)) for nnz stored entries, history m and d′
  ///   distinct features in use.
  public static func train(
    features: [SparseFeatures], targets: [Double], exampleWeights: [Double]? = nil, dimension: Int,
    configuration: Configuration = Configuration()
  ) -> Training {
    precondition(features.count == targets.count, "\(features.count) examples but \(targets.count) targets")
    precondition(targets.allSatisfy { $0 >= 0 && $0 <= 1 }, "targets must lie in [0, 1]")
    let weights = exampleWeights ?? Array(repeating: 1, count: features.count)
    precondition(weights.count == features.count, "\(weights.count) weights for \(features.count) examples")
    precondition(weights.allSatisfy { $0 >= 0 && $0.isFinite }, "example weights must be finite and non-negative")
    let totalWeight = weights.reduce(0, +)
    precondition(totalWeight > 0, "example weights sum to zero")
    precondition(features.allSatisfy { $0.minimumDimension <= dimension }, "a feature index is at or beyond dimension \(dimension)")

    // Compact the features in use to 0..<used.count; the bias is the last coordinate.
    var inUse = [Bool](repeating: false, count: dimension)
    for vector in features { for index in vector.indices { inUse[Int(index)] = true } }
    var compact = [Int32](repeating: -1, count: dimension)
    var used: [Int] = []
    for index in 0..<dimension where inUse[index] {
      compact[index] = Int32(used.count)
      used.append(index)
    }
    var rowStarts = [Int](repeating: 0, count: features.count + 1)
    var columns: [Int32] = []
    var values: [Double] = []
    for (row, vector) in features.enumerated() {
      for (index, value) in zip(vector.indices, vector.values) {
        columns.append(compact[Int(index)])
        values.append(value)
      }
      rowStarts[row + 1] = columns.count
    }
    let problem = Problem(
      rowStarts: rowStarts, columns: columns, values: values, targets: targets,
      weights: weights.map { $0 / totalWeight }, featureCount: used.count, l2: configuration.l2)
    let result = LBFGS.minimize(problem, start: [Double](repeating: 0, count: used.count + 1), configuration: configuration)
    var full = [Double](repeating: 0, count: dimension)
    for (compactIndex, index) in used.enumerated() { full[index] = result.point[compactIndex] }
    return Training(
      model: LogisticRegression(weights: full, bias: result.point[used.count]),
      iterations: result.iterations, loss: result.value, converged: result.converged)
  }
}

/// The objective of ``LogisticRegression/train(features:targets:exampleWeights:dimension:configuration:)``
/// in compressed-row form; the last coordinate of a point is the bias.
struct Problem {
  let rowStarts: [Int]
  let columns: [Int32]
  let values: [Double]
  let targets: [Double]
  let weights: [Double]
  let featureCount: Int
  let l2: Double

  /// The loss at `point`, writing the gradient into `gradient`.
  func evaluate(_ point: [Double], gradient: inout [Double]) -> Double {
    var loss = 0.0
    let biasIndex = featureCount
    gradient.withUnsafeMutableBufferPointer { g in
      for index in g.indices { g[index] = 0 }
      point.withUnsafeBufferPointer { w in
        rowStarts.withUnsafeBufferPointer { starts in
          columns.withUnsafeBufferPointer { cols in
            values.withUnsafeBufferPointer { vals in
              for row in 0..<(starts.count - 1) {
                let weight = weights[row]
                if weight == 0 { continue }
                var z = w[biasIndex]
                for entry in starts[row]..<starts[row + 1] { z += w[Int(cols[entry])] * vals[entry] }
                let target = targets[row]
                let softplus = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
                loss += weight * (softplus - target * z)
                let residual = weight * (LogisticRegression.sigmoid(z) - target)
                g[biasIndex] += residual
                for entry in starts[row]..<starts[row + 1] { g[Int(cols[entry])] += residual * vals[entry] }
              }
            }
          }
        }
        var penalty = 0.0
        for index in 0..<featureCount {
          penalty += w[index] * w[index]
          g[index] += l2 * w[index]
        }
        loss += 0.5 * l2 * penalty
      }
    }
    return loss
  }
}

/// Limited-memory BFGS with a backtracking Armijo line search.
enum LBFGS {
  struct Result {
    var point: [Double]
    var value: Double
    var iterations: Int
    var converged: Bool
  }

  static func dot(_ a: [Double], _ b: [Double]) -> Double {
    a.withUnsafeBufferPointer { x in
      b.withUnsafeBufferPointer { y in
        var sum = 0.0
        for index in x.indices { sum += x[index] * y[index] }
        return sum
      }
    }
  }

  /// `y += alpha · x`.
  static func addScaled(_ y: inout [Double], _ alpha: Double, _ x: [Double]) {
    y.withUnsafeMutableBufferPointer { out in
      x.withUnsafeBufferPointer { input in
        for index in out.indices { out[index] += alpha * input[index] }
      }
    }
  }

  static func minimize(_ problem: Problem, start: [Double], configuration: LogisticRegression.Configuration) -> Result {
    var point = start
    var gradient = [Double](repeating: 0, count: start.count)
    var value = problem.evaluate(point, gradient: &gradient)
    var steps: [[Double]] = []
    var changes: [[Double]] = []
    var curvatures: [Double] = []
    var trialGradient = gradient
    for iteration in 0..<configuration.maximumIterations {
      let gradientNorm = dot(gradient, gradient).squareRoot()
      if gradientNorm <= configuration.gradientTolerance {
        return Result(point: point, value: value, iterations: iteration, converged: true)
      }
      // Two-loop recursion: direction = −H·gradient.
      var direction = gradient
      var alphas = [Double](repeating: 0, count: steps.count)
      for memory in stride(from: steps.count - 1, through: 0, by: -1) {
        alphas[memory] = dot(steps[memory], direction) / curvatures[memory]
        addScaled(&direction, -alphas[memory], changes[memory])
      }
      if let lastStep = steps.last, let lastChange = changes.last {
        let scale = dot(lastStep, lastChange) / dot(lastChange, lastChange)
        for index in direction.indices { direction[index] *= scale }
      } else {
        let scale = 1 / max(gradientNorm, 1)
        for index in direction.indices { direction[index] *= scale }
      }
      for memory in 0..<steps.count {
        let beta = dot(changes[memory], direction) / curvatures[memory]
        addScaled(&direction, alphas[memory] - beta, steps[memory])
      }
      for index in direction.indices { direction[index] = -direction[index] }
      var slope = dot(gradient, direction)
      if !(slope < 0) {
        direction = gradient.map { -$0 / max(gradientNorm, 1) }
        slope = dot(gradient, direction)
        steps.removeAll()
        changes.removeAll()
        curvatures.removeAll()
      }
      // Backtracking line search (Armijo, c₁ = 10⁻⁴).
      var stepLength = 1.0
      var trial = point
      var trialValue = value
      var accepted = false
      for _ in 0..<40 {
        trial = point
        addScaled(&trial, stepLength, direction)
        trialValue = problem.evaluate(trial, gradient: &trialGradient)
        if trialValue <= value + 1e-4 * stepLength * slope {
          accepted = true
          break
        }
        stepLength *= 0.5
      }
      if !accepted {
        return Result(point: point, value: value, iterations: iteration, converged: true)
      }
      var step = direction
      for index in step.indices { step[index] *= stepLength }
      var change = trialGradient
      addScaled(&change, -1, gradient)
      let curvature = dot(step, change)
      if curvature > 1e-12 {
        steps.append(step)
        changes.append(change)
        curvatures.append(curvature)
        if steps.count > configuration.historySize {
          steps.removeFirst()
          changes.removeFirst()
          curvatures.removeFirst()
        }
      }
      let decrease = value - trialValue
      point = trial
      gradient = trialGradient
      let previous = value
      value = trialValue
      if decrease <= configuration.relativeLossTolerance * max(abs(previous), 1e-12) {
        return Result(point: point, value: value, iterations: iteration + 1, converged: true)
      }
    }
    return Result(point: point, value: value, iterations: configuration.maximumIterations, converged: false)
  }
}
