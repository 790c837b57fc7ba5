/// A two-axis chart written as one self-contained SVG 1.1 document: no scripts, no external fonts
/// or style sheets, every style an attribute, so the file opens the same in a browser, an image
/// viewer or an HTML report that inlines it.
///
/// Layers are drawn in the order they were added, over a light grid: interval bands, lines,
/// points with error bars, histogram bars, and reference rules. The axes cover every drawn value,
/// with "nice" ticks (steps of 1, 2 or 5 times a power of ten, 4 to 8 ticks per axis).
///
///     var chart = try SVGChart(title: "Ad density vs. 7-day retention", xAxisLabel: "Ad density",
///                              yAxisLabel: "Retention change", xAxisFormat: .percent, yAxisFormat: .percent)
///     try chart.add(.band(x: densities, low: lower, high: upper, label: "95% interval"))
///     try chart.add(.line(x: densities, y: fitted, label: "Fitted dose-response"))
///     try chart.add(.points(x: arms, y: effects, low: armLow, high: armHigh, label: "Experiment arms"))
///     try chart.add(.horizontalRule(y: 0))
///     try chart.add(.verticalRule(x: 0.12, label: "planned density"))
///     try chart.write(to: "dose-response.svg")
///
/// Contract:
/// - Inputs are checked when a layer is added (``add(_:)``, or the `layers:` of the initializer),
///   so ``svg()`` cannot fail: a layer whose arrays differ in length, or histogram edges that are
///   not finite and strictly increasing, throw ``ZhongcaoError/Code-swift.struct/invalidArgument``.
/// - Values that are not finite, or whose magnitude exceeds 10³⁰⁰, are skipped: a gap in a line
///   or band, a missing point, bar or rule. They never reach the SVG text.
/// - Every caller-supplied text (title, subtitle, axis labels, legend and rule labels) is
///   XML-escaped, and characters XML 1.0 forbids are replaced by U+FFFD.
/// - The output is deterministic (the same chart gives the same bytes), with coordinates rounded
///   to 2 decimals.
/// - An empty chart, or one whose data has a single value on an axis, still gets a readable axis
///   (the range is padded around the value; `0…1` when there is no data at all).
/// - Colours: lines, points and bars take the next colour of ``ChartColor/palette`` in turn; a
///   band does not advance the palette but takes the colour the next such layer will get, so a
///   band added just before its curve shares the curve's colour; rules are
///   ``ChartColor/neutral``. A layer's own `color` overrides this.
/// - Labelled bands, lines, points and bars are listed in a legend above the plot; a rule's label
///   is written beside the rule instead.
public struct SVGChart: Sendable {
  /// The chart's title, the first line above the plot and the SVG `<title>`.
  public var title: String
  /// A second, smaller line under the title (the data source, the experiment), if any.
  public var subtitle: String?
  /// The label under the x axis.
  public var xAxisLabel: String
  /// The label beside the y axis, rotated.
  public var yAxisLabel: String
  /// How the x axis's tick labels are written.
  public var xAxisFormat: AxisFormat
  /// How the y axis's tick labels are written.
  public var yAxisFormat: AxisFormat
  /// The width in CSS pixels (the SVG's `width` and `viewBox` width).
  public let width: Double
  /// The height in CSS pixels.
  public let height: Double
  /// The layers, in drawing order. Add layers with ``add(_:)``, which checks them.
  public private(set) var layers: [Layer] = []

  /// The smallest size that leaves room for the title, the axes and a plot.
  public static let minimumSize = (width: 320.0, height: 200.0)
  /// The largest accepted width or height.
  public static let maximumSide = 20_000.0

  /// A chart with its texts, formats and size, and optionally its first layers.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` when the size is not finite,
  ///   below ``minimumSize`` or above ``maximumSide``, or when a layer is invalid (see ``add(_:)``).
  public init(
    title: String, subtitle: String? = nil, xAxisLabel: String, yAxisLabel: String,
    xAxisFormat: AxisFormat = .number, yAxisFormat: AxisFormat = .number,
    width: Double = 720, height: Double = 440, layers: [Layer] = []
  ) throws(ZhongcaoError) {
    guard width.isFinite, height.isFinite,
          width >= Self.minimumSize.width, height >= Self.minimumSize.height,
          width <= Self.maximumSide, height <= Self.maximumSide else {
      throw ZhongcaoError(
        .invalidArgument,
        "chart size \(width)×\(height) must be finite, at least \(Int(Self.minimumSize.width))×\(Int(Self.minimumSize.height)) and at most \(Int(Self.maximumSide)) a side")
    }
    self.title = title
    self.subtitle = subtitle
    self.xAxisLabel = xAxisLabel
    self.yAxisLabel = yAxisLabel
    self.xAxisFormat = xAxisFormat
    self.yAxisFormat = yAxisFormat
    self.width = width
    self.height = height
    for layer in layers { try add(layer) }
  }

  /// Checks `layer` and adds it on top of the layers so far.
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/invalidArgument`` when the arrays of a band,
  ///   line or points layer differ in length, when points have only one of `low` and `high`, or
  ///   when bars do not have one edge more than heights, with edges finite and strictly
  ///   increasing.
  public mutating func add(_ layer: Layer) throws(ZhongcaoError) {
    try layer.validate(index: layers.count)
    layers.append(layer)
  }

  /// Writes ``svg()`` to `path` atomically (a reader sees the old file or the whole new one).
  ///
  /// - Throws: ``ZhongcaoError/Code-swift.struct/io`` when the file cannot be written.
  public func write(to path: String) throws(ZhongcaoError) {
    try AtomicFile.write(svg().utf8, to: path)
  }
}

extension SVGChart {
  /// How an axis's tick labels are written. Ticks are exact multiples of their step, so labels
  /// carry no floating-point noise (`0.3`, never `0.30000000000000004`).
  public enum AxisFormat: Sendable, Hashable {
    /// Decimal numbers with as many decimals as the step needs: `0`, `0.05`, `0.1`, `1500`;
    /// scientific notation (`5e-7`, `2e+16`) below 10⁻⁶ and beyond 15 integer digits.
    case number
    /// Fractions written as percentages: `0.25` → `25%`, `-0.005` → `−0.5%`.
    case percent
    /// Whole numbers only: ticks are at least 1 apart (counts, ranks, histogram heights).
    case integer
  }

  /// One thing drawn on the chart; make one with the static functions (``band(x:low:high:label:color:)``…).
  public struct Layer: Sendable, Equatable {
    /// What is drawn, with its data.
    public enum Kind: Sendable, Equatable {
      /// A shaded interval between `low` and `high` over `x` (a confidence band).
      case band(x: [Double], low: [Double], high: [Double])
      /// A polyline through (`x`, `y`) in the given order, dashed or solid.
      case line(x: [Double], y: [Double], dashed: Bool)
      /// Markers at (`x`, `y`), each with a vertical error bar from `low` to `high` when given.
      case points(x: [Double], y: [Double], low: [Double]?, high: [Double]?)
      /// Histogram bars: bar `i` spans `edges[i]…edges[i + 1]` and rises from 0 to `heights[i]`.
      case bars(edges: [Double], heights: [Double])
      /// A reference line across the plot at `y` (for example no change, `0`).
      case horizontalRule(y: Double)
      /// A reference line up the plot at `x` (for example the chosen setting).
      case verticalRule(x: Double)
    }

    /// What is drawn.
    public var kind: Kind
    /// The legend entry (for rules, the text beside the rule); `nil` leaves the layer unlabelled.
    public var label: String?
    /// The colour, overriding the palette's.
    public var color: ChartColor?

    /// A layer of any kind.
    public init(_ kind: Kind, label: String? = nil, color: ChartColor? = nil) {
      self.kind = kind
      self.label = label
      self.color = color
    }

    /// A shaded interval band between `low` and `high` over `x`; the arrays have one value per x.
    public static func band(x: [Double], low: [Double], high: [Double], label: String? = nil, color: ChartColor? = nil) -> Layer {
      Layer(.band(x: x, low: low, high: high), label: label, color: color)
    }

    /// A line through (`x`, `y`), drawn in the given order; a non-finite value breaks it.
    public static func line(x: [Double], y: [Double], label: String? = nil, dashed: Bool = false, color: ChartColor? = nil) -> Layer {
      Layer(.line(x: x, y: y, dashed: dashed), label: label, color: color)
    }

    /// Markers at (`x`, `y`), with vertical error bars from `low` to `high` when both are given.
    public static func points(
      x: [Double], y: [Double], low: [Double]? = nil, high: [Double]? = nil, label: String? = nil, color: ChartColor? = nil
    ) -> Layer {
      Layer(.points(x: x, y: y, low: low, high: high), label: label, color: color)
    }

    /// Histogram bars: `edges` has one value more than `heights` (bin `i` is `edges[i]…edges[i + 1]`).
    public static func bars(edges: [Double], heights: [Double], label: String? = nil, color: ChartColor? = nil) -> Layer {
      Layer(.bars(edges: edges, heights: heights), label: label, color: color)
    }

    /// A horizontal reference line at `y`, with its label at the right end.
    public static func horizontalRule(y: Double, label: String? = nil, color: ChartColor? = nil) -> Layer {
      Layer(.horizontalRule(y: y), label: label, color: color)
    }

    /// A vertical reference line at `x`, with its label above the plot.
    public static func verticalRule(x: Double, label: String? = nil, color: ChartColor? = nil) -> Layer {
      Layer(.verticalRule(x: x), label: label, color: color)
    }

    /// Throws when the arrays do not fit together; `index` names the layer in the message.
    func validate(index: Int) throws(ZhongcaoError) {
      let name = label.map { "layer \(index) ('\($0)')" } ?? "layer \(index)"
      func requireSameCount(_ arrays: [(String, [Double])]) throws(ZhongcaoError) {
        guard let (firstName, first) = arrays.first else { return }
        for (otherName, other) in arrays.dropFirst() where other.count != first.count {
          throw ZhongcaoError(
            .invalidArgument,
            "\(name): \(firstName) has \(first.count) values but \(otherName) has \(other.count); give one value per point")
        }
      }
      switch kind {
      case .band(let x, let low, let high):
        try requireSameCount([("x", x), ("low", low), ("high", high)])
      case .line(let x, let y, _):
        try requireSameCount([("x", x), ("y", y)])
      case .points(let x, let y, let low, let high):
        try requireSameCount([("x", x), ("y", y)] + [("low", low), ("high", high)].compactMap { name, values in values.map { (name, $0) } })
        guard (low == nil) == (high == nil) else {
          throw ZhongcaoError(.invalidArgument, "\(name): give both low and high for error bars, or neither")
        }
      case .bars(let edges, let heights):
        guard edges.count == heights.count + 1 || (edges.isEmpty && heights.isEmpty) else {
          throw ZhongcaoError(
            .invalidArgument,
            "\(name): \(heights.count) bars need \(heights.count + 1) edges, got \(edges.count)")
        }
        for (left, right) in zip(edges, edges.dropFirst()) where !(Plottable.contains(left) && Plottable.contains(right) && left < right) {
          throw ZhongcaoError(.invalidArgument, "\(name): bar edges must be finite and strictly increasing, got \(left) then \(right)")
        }
      case .horizontalRule, .verticalRule:
        break
      }
    }
  }
}

/// An sRGB colour with 8-bit components.
public struct ChartColor: Sendable, Hashable, CustomStringConvertible {
  /// The colour as a 24-bit `0xRRGGBB` value.
  public let rgb: UInt32

  /// A colour from a 24-bit `0xRRGGBB` value (higher bits are ignored).
  public init(rgb: UInt32) { self.rgb = rgb & 0xFF_FFFF }

  /// A colour from its components.
  public init(red: UInt8, green: UInt8, blue: UInt8) {
    self.init(rgb: UInt32(red) << 16 | UInt32(green) << 8 | UInt32(blue))
  }

  /// Red, 0…255.
  public var red: UInt8 { UInt8(truncatingIfNeeded: rgb >> 16) }
  /// Green, 0…255.
  public var green: UInt8 { UInt8(truncatingIfNeeded: rgb >> 8) }
  /// Blue, 0…255.
  public var blue: UInt8 { UInt8(truncatingIfNeeded: rgb) }

  /// `#rrggbb` in lowercase hex, as written into the SVG.
  public var description: String {
    let hex = String(rgb, radix: 16)
    return "#" + String(repeating: "0", count: 6 - hex.count) + hex
  }

  /// The series colours, in the order layers take them: the Okabe–Ito palette, which stays
  /// distinguishable under the common colour-vision deficiencies (its yellow, too light on white,
  /// left out): blue, vermillion, bluish green, orange, reddish purple, sky blue, black.
  public static let palette: [ChartColor] = [
    ChartColor(rgb: 0x0072B2), ChartColor(rgb: 0xD55E00), ChartColor(rgb: 0x009E73), ChartColor(rgb: 0xE69F00),
    ChartColor(rgb: 0xCC79A7), ChartColor(rgb: 0x56B4E9), ChartColor(rgb: 0x000000),
  ]

  /// The dark grey of rules.
  public static let neutral = ChartColor(rgb: 0x555555)
}

/// The values that are drawn: finite, and at most 10³⁰⁰ in magnitude (so that differences and
/// scaled coordinates stay finite).
enum Plottable {
  /// The largest magnitude drawn.
  static let limit = 1e300

  /// Whether `value` is drawn.
  static func contains(_ value: Double) -> Bool { value.isFinite && value.magnitude <= limit }
}
