import Foundation

/// The ticks of one chart axis: 4 to 8 (more only for a whole-number axis that must step by 1 and
/// still show 4), equally spaced by a "nice" step of 1, 2 or 5 times a power of ten, the first at
/// or below the data and the last at or above it. The axis runs from the first tick to the last.
///
/// Tick `i` is `mantissas[i] × 10^exponent` exactly; labels are written from these integers, not
/// from the doubles, so they carry no floating-point noise.
struct AxisTicks: Equatable {
  /// The ticks' integer mantissas, consecutive multiples of the step's mantissa (1, 2 or 5).
  let mantissas: [Int]
  /// The power of ten the mantissas are scaled by.
  let exponent: Int

  /// The most ticks an axis gets (whole-number axes aside).
  static let maximumCount = 8
  /// The fewest ticks an axis gets.
  static let minimumCount = 4

  /// The tick values, ascending.
  var values: [Double] { mantissas.map { Self.value($0, exponent) } }
  /// The axis's lower end, the first tick.
  var lower: Double { Self.value(mantissas[0], exponent) }
  /// The axis's upper end, the last tick.
  var upper: Double { Self.value(mantissas[mantissas.count - 1], exponent) }
  /// The distance between ticks.
  var step: Double { Self.value(mantissas[1] - mantissas[0], exponent) }

  /// Nice ticks covering `low…high` (in either order). A zero-width range is padded by a tenth of
  /// its value each way (by 1 around 0); values are expected to satisfy ``Plottable``.
  init(covering low: Double, _ high: Double, format: SVGChart.AxisFormat) {
    var (low, high) = (min(low, high), max(low, high))
    let magnitude = max(low.magnitude, high.magnitude)
    if magnitude < 1e-200 {
      (low, high) = (-1, 1)
    } else if high - low <= magnitude * 1e-9 {
      let middle = low / 2 + high / 2, pad = format == .integer ? max(magnitude * 0.1, 1) : magnitude * 0.1
      (low, high) = (middle - pad, middle + pad)
    }
    // Start with a step below a hundredth of the range (far more than 8 ticks) and grow it
    // through 1, 2, 5 × 10^e until the ticks fit. Each grown step is at most 2.5 times the last,
    // which keeps the count at 4 or more (see the tests).
    var exponent = Int(log10(high - low).rounded(.down)) - 2
    if format == .integer { exponent = max(exponent, 0) }
    while true {
      for stepMantissa in [1, 2, 5] {
        let step = Self.value(stepMantissa, exponent)
        var first = Int((low / step + 1e-9).rounded(.down)), last = Int((high / step - 1e-9).rounded(.up))
        // The epsilon keeps 0.3 / 0.1 = 2.9999999999999996 at 3; the exact checks keep the data covered.
        if Self.value(first * stepMantissa, exponent) > low { first -= 1 }
        if Self.value(last * stepMantissa, exponent) < high { last += 1 }
        if last - first + 1 <= Self.maximumCount {
          if format == .integer, last - first + 1 < Self.minimumCount { last = first + Self.minimumCount - 1 }
          self.init(mantissas: (first...last).map { $0 * stepMantissa }, exponent: exponent)
          return
        }
      }
      exponent += 1
    }
  }

  private init(mantissas: [Int], exponent: Int) {
    self.mantissas = mantissas
    self.exponent = exponent
  }

  /// `mantissa × 10^exponent`, correctly rounded for the exponents an axis uses: dividing by an
  /// exact power of ten gives `0.3` for 3 × 10⁻¹, where multiplying by `0.1` would not.
  static func value(_ mantissa: Int, _ exponent: Int) -> Double {
    exponent >= 0 ? Double(mantissa) * powerOfTen(exponent) : Double(mantissa) / powerOfTen(-exponent)
  }

  /// 10^`exponent` for `exponent ≥ 0`, correctly rounded (the parser rounds correctly).
  private static func powerOfTen(_ exponent: Int) -> Double { Double("1e\(exponent)") ?? .infinity }

  /// The tick labels in `format`.
  func labels(_ format: SVGChart.AxisFormat) -> [String] {
    mantissas.map { Self.label(mantissa: $0, exponent: format == .percent ? exponent + 2 : exponent, percent: format == .percent) }
  }

  /// `mantissa × 10^exponent` as decimal text: no trailing zeros after the point, a true minus
  /// sign (U+2212), and scientific notation (`5e-7`, `2e+16`) beyond 15 integer digits or below 10⁻⁶.
  static func label(mantissa: Int, exponent: Int, percent: Bool = false) -> String {
    var mantissa = mantissa, exponent = exponent
    while exponent < 0, mantissa != 0, mantissa % 10 == 0 {
      mantissa /= 10
      exponent += 1
    }
    let digits = String(mantissa.magnitude)
    var text: String
    if mantissa == 0 {
      text = "0"
    } else if exponent >= 0, digits.count + exponent <= 15 {
      text = digits + String(repeating: "0", count: exponent)
    } else if exponent < 0, digits.count + exponent > -6 {
      let decimals = -exponent
      let padded = String(repeating: "0", count: max(decimals - digits.count + 1, 0)) + digits
      text = padded.dropLast(decimals) + "." + padded.suffix(decimals)
    } else {
      let power = exponent + digits.count - 1
      let fraction = digits.dropFirst()
      text = String(digits.prefix(1)) + (fraction.isEmpty ? "" : "." + fraction) + (power < 0 ? "e-" : "e+") + String(power.magnitude)
    }
    return (mantissa < 0 ? "\u{2212}" : "") + text + (percent ? "%" : "")
  }
}
