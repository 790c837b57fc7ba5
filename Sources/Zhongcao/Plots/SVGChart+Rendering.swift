extension SVGChart {
  /// The chart as a standalone SVG 1.1 document (UTF-8 text with an XML declaration).
  ///
  /// The document has `width`, `height` and a `viewBox` of the chart's size, a `<title>` (the
  /// title and subtitle) and a `<desc>` (the axis labels) for screen readers, a white background,
  /// and a system sans-serif font stack with Chinese fallbacks. A title or subtitle wider than the
  /// chart wraps onto more lines (`<tspan>`s). Elements carry `class` names (`title`, `legend`,
  /// `grid`, `band`, `line`, `error-bars`, `points`, `bars`, `rule`, `axis x-axis`, `axis y-axis`,
  /// `x-ticks`, `y-ticks`, `x-label`, `y-label`, `rule-labels`) so that a report's tests or style
  /// sheets can find them; no style depends on them.
  public func svg() -> String {
    let layout = Layout(self)
    var markup = SVGMarkup()
    markup.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
    markup.open("svg", [
      "xmlns": "http://www.w3.org/2000/svg", "version": "1.1",
      "width": .number(width), "height": .number(height), "viewBox": .text("0 0 \(SVGMarkup.coordinate(width)) \(SVGMarkup.coordinate(height))"),
      "font-family": .text(Style.fontFamily),
    ])
    markup.raw("\n")
    markup.element("title", [:], content: subtitle.map { "\(title) — \($0)" } ?? title)
    markup.element("desc", [:], content: "x axis: \(xAxisLabel); y axis: \(yAxisLabel)")
    markup.element("rect", ["width": "100%", "height": "100%", "fill": "#ffffff"])
    drawHeading(layout, into: &markup)
    drawGrid(layout, into: &markup)
    for (index, layer) in layers.enumerated() {
      draw(layer, color: layout.colors[index], layout: layout, into: &markup)
    }
    drawAxes(layout, into: &markup)
    drawRuleLabels(layout, into: &markup)
    markup.close("svg")
    return markup.text
  }

  /// Sizes, colours and the font stack.
  enum Style {
    static let padding = 16.0
    static let titleSize = 17.0
    static let subtitleSize = 12.5
    static let legendSize = 12.0
    static let axisLabelSize = 13.0
    static let tickSize = 11.5
    static let ruleLabelSize = 11.0
    static let tickLength = 5.0
    static let legendRowHeight = 18.0
    static let legendSwatchWidth = 22.0
    static let ruleLabelGap = 8.0
    /// Baseline to baseline, in font sizes.
    static let lineSpacing = 1.3
    /// How much wider bold text is than regular.
    static let boldWidening = 1.08
    static let textColor = "#1a1a1a"
    static let secondaryTextColor = "#555555"
    static let axisColor = "#444444"
    static let gridColor = "#e6e6e6"
    static let bandOpacity = 0.2
    static let barOpacity = 0.8
    /// System UI fonts first, then the Chinese faces of macOS, Windows and Linux, then generic.
    static let fontFamily =
      "system-ui, -apple-system, 'Segoe UI', 'Helvetica Neue', Helvetica, Arial, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', sans-serif"
  }

  /// Where everything goes: the plot rectangle, the axes' ticks, the colours and the legend.
  struct Layout {
    /// The plot rectangle, in SVG pixels (y grows downwards).
    let plotLeft: Double, plotTop: Double, plotRight: Double, plotBottom: Double
    /// The x axis's ticks; the axis runs from the first to the last.
    let xTicks: AxisTicks
    /// The y axis's ticks.
    let yTicks: AxisTicks
    /// Each layer's colour, by layer index.
    let colors: [ChartColor]
    /// The legend entries with their positions.
    let legend: [(layer: Int, x: Double, y: Double)]
    /// The title's lines (wrapped to the chart's width) and the first one's baseline.
    let titleLines: [String], titleBaseline: Double
    /// The subtitle's lines and the first one's baseline.
    let subtitleLines: [String], subtitleBaseline: Double
    /// Every how many ticks a label is written (1 unless neighbouring labels would collide).
    let xLabelStride: Int, yLabelStride: Int

    /// The SVG x of data value `value`.
    func x(_ value: Double) -> Double {
      plotLeft + (value - xTicks.lower) / (xTicks.upper - xTicks.lower) * (plotRight - plotLeft)
    }

    /// The SVG y of data value `value`.
    func y(_ value: Double) -> Double {
      plotBottom - (value - yTicks.lower) / (yTicks.upper - yTicks.lower) * (plotBottom - plotTop)
    }

    init(_ chart: SVGChart) {
      let (xRange, yRange) = chart.dataRanges()
      xTicks = AxisTicks(covering: xRange?.lower ?? 0, xRange?.upper ?? 1, format: chart.xAxisFormat)
      yTicks = AxisTicks(covering: yRange?.lower ?? 0, yRange?.upper ?? 1, format: chart.yAxisFormat)
      colors = chart.layerColors()

      let textWidth = chart.width - 2 * Style.padding
      var top = Style.padding
      titleLines = SVGMarkup.wrapped(chart.title, width: textWidth, fontSize: Style.titleSize * Style.boldWidening)
      titleBaseline = top + Style.titleSize * 0.8
      top += Style.titleSize * Style.lineSpacing * Double(titleLines.count)
      subtitleLines = chart.subtitle.map { SVGMarkup.wrapped($0, width: textWidth, fontSize: Style.subtitleSize) } ?? []
      subtitleBaseline = top + Style.subtitleSize * 0.8
      top += Style.subtitleSize * Style.lineSpacing * Double(subtitleLines.count)
      // The legend: entries in rows that wrap at the chart's width.
      var legend: [(layer: Int, x: Double, y: Double)] = []
      var entryX = Style.padding, rowTop = top + 6
      for (index, layer) in chart.layers.enumerated() where layer.isInLegend {
        let entryWidth = Style.legendSwatchWidth + 6 + SVGMarkup.estimatedWidth(layer.label ?? "", fontSize: Style.legendSize)
        if entryX > Style.padding, entryX + entryWidth > chart.width - Style.padding {
          entryX = Style.padding
          rowTop += Style.legendRowHeight
        }
        legend.append((index, entryX, rowTop))
        entryX += entryWidth + 18
      }
      self.legend = legend
      if !legend.isEmpty { top = rowTop + Style.legendRowHeight }
      if chart.layers.contains(where: { if case .verticalRule = $0.kind { $0.label != nil } else { false } }) {
        top += Style.ruleLabelSize + Style.ruleLabelGap  // the rule labels stand right above the plot
      }
      top += 10

      let yLabels = yTicks.labels(chart.yAxisFormat), xLabels = xTicks.labels(chart.xAxisFormat)
      let yLabelWidth = yLabels.map { SVGMarkup.estimatedWidth($0, fontSize: Style.tickSize) }.max() ?? 0
      let lastXLabelWidth = SVGMarkup.estimatedWidth(xLabels.last ?? "", fontSize: Style.tickSize)
      plotLeft = Style.padding + Style.axisLabelSize * 1.2 + 10 + yLabelWidth + Style.tickLength + 4
      plotRight = max(chart.width - max(Style.padding + 8, lastXLabelWidth / 2 + 12), plotLeft + 1)
      plotBottom = chart.height - Style.padding - Style.axisLabelSize * 1.2 - 10 - Style.tickSize - Style.tickLength
      plotTop = min(top, plotBottom - 1)

      // Label every tick, or every second, fifth… when neighbours would touch (a small chart).
      let widest = xLabels.map { SVGMarkup.estimatedWidth($0, fontSize: Style.tickSize) }.max() ?? 0
      xLabelStride = Self.labelStride(length: plotRight - plotLeft, ticks: xTicks, labelSize: widest + 8)
      yLabelStride = Self.labelStride(length: plotBottom - plotTop, ticks: yTicks, labelSize: Style.tickSize * 1.3)
    }

    /// The smallest of 1, 2, 5 and 10 that leaves `labelSize` pixels from one label to the next.
    private static func labelStride(length: Double, ticks: AxisTicks, labelSize: Double) -> Int {
      let spacing = length / Double(max(ticks.mantissas.count - 1, 1))
      return [1, 2, 5].first { Double($0) * spacing >= labelSize } ?? 10
    }
  }

  /// The lowest and highest drawn value on each axis, or `nil` for an axis without any.
  func dataRanges() -> (x: (lower: Double, upper: Double)?, y: (lower: Double, upper: Double)?) {
    var x = RangeAccumulator(), y = RangeAccumulator()
    for layer in layers {
      switch layer.kind {
      case .band(let xs, let low, let high):
        for index in xs.indices where Plottable.contains(xs[index]) && Plottable.contains(low[index]) && Plottable.contains(high[index]) {
          x.add(xs[index])
          y.add(low[index])
          y.add(high[index])
        }
      case .line(let xs, let ys, _):
        for (px, py) in zip(xs, ys) where Plottable.contains(px) && Plottable.contains(py) {
          x.add(px)
          y.add(py)
        }
      case .points(let xs, let ys, let low, let high):
        for index in xs.indices where Plottable.contains(xs[index]) && Plottable.contains(ys[index]) {
          x.add(xs[index])
          y.add(ys[index])
          if let (lower, upper) = errorBar(low, high, index) {
            y.add(lower)
            y.add(upper)
          }
        }
      case .bars(let edges, let heights):
        for (index, height) in heights.enumerated() where Plottable.contains(height) {
          x.add(edges[index])
          x.add(edges[index + 1])
          y.add(0)
          y.add(height)
        }
      case .horizontalRule(let value):
        if Plottable.contains(value) { y.add(value) }
      case .verticalRule(let value):
        if Plottable.contains(value) { x.add(value) }
      }
    }
    return (x.range, y.range)
  }

  /// The colour of each layer: its own, else the palette's turn (see ``SVGChart``).
  func layerColors() -> [ChartColor] {
    var next = 0
    return layers.map { layer in
      let turn = ChartColor.palette[next % ChartColor.palette.count]
      switch layer.kind {
      case .band: return layer.color ?? turn
      case .line, .points, .bars:
        next += 1
        return layer.color ?? turn
      case .horizontalRule, .verticalRule: return layer.color ?? .neutral
      }
    }
  }

  // MARK: - Drawing

  private func drawHeading(_ layout: Layout, into markup: inout SVGMarkup) {
    markup.lines(layout.titleLines, x: Style.padding, y: layout.titleBaseline, lineHeight: Style.titleSize * Style.lineSpacing, [
      "class": "title", "font-size": .number(Style.titleSize), "font-weight": "bold", "fill": .text(Style.textColor),
    ])
    if !layout.subtitleLines.isEmpty {
      markup.lines(layout.subtitleLines, x: Style.padding, y: layout.subtitleBaseline, lineHeight: Style.subtitleSize * Style.lineSpacing, [
        "class": "subtitle", "font-size": .number(Style.subtitleSize), "fill": .text(Style.secondaryTextColor),
      ])
    }
    guard !layout.legend.isEmpty else { return }
    markup.open("g", ["class": "legend", "font-size": .number(Style.legendSize), "fill": .text(Style.textColor)])
    markup.raw("\n")
    for (index, x, y) in layout.legend {
      let layer = layers[index], color = SVGMarkup.Value.text(layout.colors[index].description)
      let middle = y + Style.legendRowHeight / 2, swatch = Style.legendSwatchWidth
      switch layer.kind {
      case .band:
        markup.element("rect", ["x": .number(x), "y": .number(middle - 6), "width": .number(swatch), "height": 12, "fill": color, "fill-opacity": .number(Style.bandOpacity * 1.5)])
      case .line(_, _, let dashed):
        markup.element("line", [
          "x1": .number(x), "y1": .number(middle), "x2": .number(x + swatch), "y2": .number(middle), "stroke": color, "stroke-width": 2.2,
          "stroke-dasharray": dashed ? "7 4" : "none",
        ])
      case .points(_, _, let low, _):
        if low != nil {
          markup.element("path", ["d": .text(Self.errorBarPath(x: x + swatch / 2, from: middle - 6, to: middle + 6)), "stroke": color, "stroke-width": 1.5, "fill": "none"])
        }
        markup.element("circle", ["cx": .number(x + swatch / 2), "cy": .number(middle), "r": 4, "fill": color, "stroke": "#ffffff", "stroke-width": 1])
      case .bars:
        markup.element("rect", ["x": .number(x + 4), "y": .number(middle - 6), "width": .number(swatch - 8), "height": 12, "fill": color, "fill-opacity": .number(Style.barOpacity)])
      case .horizontalRule, .verticalRule:
        break
      }
      markup.element("text", ["x": .number(x + swatch + 6), "y": .number(middle + Style.legendSize * 0.35)], content: layer.label ?? "")
    }
    markup.close("g")
  }

  private func drawGrid(_ layout: Layout, into markup: inout SVGMarkup) {
    var path = ""
    for value in layout.xTicks.values {
      path += "M\(SVGMarkup.coordinate(layout.x(value))) \(SVGMarkup.coordinate(layout.plotTop))V\(SVGMarkup.coordinate(layout.plotBottom))"
    }
    for value in layout.yTicks.values {
      path += "M\(SVGMarkup.coordinate(layout.plotLeft)) \(SVGMarkup.coordinate(layout.y(value)))H\(SVGMarkup.coordinate(layout.plotRight))"
    }
    markup.element("path", ["class": "grid", "d": .text(path), "stroke": .text(Style.gridColor), "stroke-width": 1, "fill": "none", "shape-rendering": "crispEdges"])
  }

  private func draw(_ layer: Layer, color: ChartColor, layout: Layout, into markup: inout SVGMarkup) {
    let color = SVGMarkup.Value.text(color.description)
    switch layer.kind {
    case .band(let xs, let low, let high):
      var path = ""
      let runs = Self.finiteRuns(xs.indices) { Plottable.contains(xs[$0]) && Plottable.contains(low[$0]) && Plottable.contains(high[$0]) }
      for run in runs where run.count >= 2 {
        let outline = run.map { (xs[$0], low[$0]) } + run.reversed().map { (xs[$0], high[$0]) }
        path += Self.polyline(outline.map { (layout.x($0.0), layout.y($0.1)) }) + "Z"
      }
      markup.element("path", ["class": "band", "d": .text(path), "fill": color, "fill-opacity": .number(Style.bandOpacity), "stroke": "none"])
    case .line(let xs, let ys, let dashed):
      var path = ""
      for run in Self.finiteRuns(xs.indices, { Plottable.contains(xs[$0]) && Plottable.contains(ys[$0]) }) {
        // A lone point between gaps is a zero-length segment: round caps draw it as a dot.
        path += Self.polyline(run.map { (layout.x(xs[$0]), layout.y(ys[$0])) }) + (run.count == 1 ? "h0" : "")
      }
      markup.element("path", [
        "class": "line", "d": .text(path), "fill": "none", "stroke": color, "stroke-width": 2.2, "stroke-linejoin": "round",
        "stroke-linecap": "round", "stroke-dasharray": dashed ? "7 4" : "none",
      ])
    case .points(let xs, let ys, let low, let high):
      let drawn = xs.indices.filter { Plottable.contains(xs[$0]) && Plottable.contains(ys[$0]) }
      var bars = ""
      for index in drawn {
        if let (lower, upper) = errorBar(low, high, index) {
          bars += Self.errorBarPath(x: layout.x(xs[index]), from: layout.y(lower), to: layout.y(upper))
        }
      }
      if !bars.isEmpty {
        markup.element("path", ["class": "error-bars", "d": .text(bars), "stroke": color, "stroke-width": 1.5, "fill": "none"])
      }
      markup.open("g", ["class": "points", "fill": color, "stroke": "#ffffff", "stroke-width": 1])
      markup.raw("\n")
      for index in drawn {
        markup.element("circle", ["cx": .number(layout.x(xs[index])), "cy": .number(layout.y(ys[index])), "r": 4])
      }
      markup.close("g")
    case .bars(let edges, let heights):
      markup.open("g", ["class": "bars", "fill": color, "fill-opacity": .number(Style.barOpacity), "stroke": "#ffffff", "stroke-width": 0.5])
      markup.raw("\n")
      for (index, height) in heights.enumerated() where Plottable.contains(height) {
        let left = layout.x(edges[index]), right = layout.x(edges[index + 1])
        let top = layout.y(max(height, 0)), bottom = layout.y(min(height, 0))
        markup.element("rect", ["x": .number(left), "y": .number(top), "width": .number(right - left), "height": .number(bottom - top)])
      }
      markup.close("g")
    case .horizontalRule(let value):
      guard Plottable.contains(value) else { return }
      let y = layout.y(value)
      markup.element("line", [
        "class": "rule", "x1": .number(layout.plotLeft), "y1": .number(y), "x2": .number(layout.plotRight), "y2": .number(y),
        "stroke": color, "stroke-width": 1.2, "stroke-dasharray": "5 4",
      ])
    case .verticalRule(let value):
      guard Plottable.contains(value) else { return }
      let x = layout.x(value)
      markup.element("line", [
        "class": "rule", "x1": .number(x), "y1": .number(layout.plotTop), "x2": .number(x), "y2": .number(layout.plotBottom),
        "stroke": color, "stroke-width": 1.2, "stroke-dasharray": "5 4",
      ])
    }
  }

  private func drawAxes(_ layout: Layout, into markup: inout SVGMarkup) {
    let axis = SVGMarkup.Value.text(Style.axisColor), tickText = SVGMarkup.Value.text(Style.secondaryTextColor)
    markup.element("line", [
      "class": "axis x-axis", "x1": .number(layout.plotLeft), "y1": .number(layout.plotBottom), "x2": .number(layout.plotRight),
      "y2": .number(layout.plotBottom), "stroke": axis, "stroke-width": 1, "shape-rendering": "crispEdges",
    ])
    markup.element("line", [
      "class": "axis y-axis", "x1": .number(layout.plotLeft), "y1": .number(layout.plotTop), "x2": .number(layout.plotLeft),
      "y2": .number(layout.plotBottom), "stroke": axis, "stroke-width": 1, "shape-rendering": "crispEdges",
    ])
    var marks = ""
    for value in layout.xTicks.values {
      marks += "M\(SVGMarkup.coordinate(layout.x(value))) \(SVGMarkup.coordinate(layout.plotBottom))v\(SVGMarkup.coordinate(Style.tickLength))"
    }
    for value in layout.yTicks.values {
      marks += "M\(SVGMarkup.coordinate(layout.plotLeft)) \(SVGMarkup.coordinate(layout.y(value)))h\(SVGMarkup.coordinate(-Style.tickLength))"
    }
    markup.element("path", ["class": "ticks", "d": .text(marks), "stroke": axis, "stroke-width": 1, "shape-rendering": "crispEdges"])

    markup.open("g", ["class": "x-ticks", "font-size": .number(Style.tickSize), "fill": tickText, "text-anchor": "middle"])
    markup.raw("\n")
    let labelBaseline = layout.plotBottom + Style.tickLength + 4 + Style.tickSize * 0.8
    for (index, (value, label)) in zip(layout.xTicks.values, layout.xTicks.labels(xAxisFormat)).enumerated() where index % layout.xLabelStride == 0 {
      markup.element("text", ["x": .number(layout.x(value)), "y": .number(labelBaseline)], content: label)
    }
    markup.close("g")
    markup.open("g", ["class": "y-ticks", "font-size": .number(Style.tickSize), "fill": tickText, "text-anchor": "end"])
    markup.raw("\n")
    for (index, (value, label)) in zip(layout.yTicks.values, layout.yTicks.labels(yAxisFormat)).enumerated() where index % layout.yLabelStride == 0 {
      markup.element("text", ["x": .number(layout.plotLeft - Style.tickLength - 4), "y": .number(layout.y(value) + Style.tickSize * 0.35)], content: label)
    }
    markup.close("g")

    markup.element("text", [
      "class": "x-label", "x": .number((layout.plotLeft + layout.plotRight) / 2), "y": .number(height - Style.padding),
      "font-size": .number(Style.axisLabelSize), "fill": .text(Style.textColor), "text-anchor": "middle",
    ], content: xAxisLabel)
    let yLabelX = Style.padding + Style.axisLabelSize * 0.85, yLabelY = (layout.plotTop + layout.plotBottom) / 2
    markup.element("text", [
      "class": "y-label", "x": .number(yLabelX), "y": .number(yLabelY), "font-size": .number(Style.axisLabelSize),
      "fill": .text(Style.textColor), "text-anchor": "middle",
      "transform": .text("rotate(-90 \(SVGMarkup.coordinate(yLabelX)) \(SVGMarkup.coordinate(yLabelY)))"),
    ], content: yAxisLabel)
  }

  /// Rule labels, drawn last so no data covers them, each on a white halo (a white-stroked copy
  /// underneath, which SVG 1.1 renderers draw the same way, unlike `paint-order`): a vertical
  /// rule's centred above the plot (kept inside the chart), a horizontal rule's at the plot's
  /// right end, above the rule, or below it when the rule is at the top.
  private func drawRuleLabels(_ layout: Layout, into markup: inout SVGMarkup) {
    var labels: [(x: Double, y: Double, text: String, color: ChartColor)] = []
    for (index, layer) in layers.enumerated() {
      guard let label = layer.label else { continue }
      switch layer.kind {
      case .verticalRule(let value) where Plottable.contains(value):
        let textWidth = SVGMarkup.estimatedWidth(label, fontSize: Style.ruleLabelSize)
        let left = min(max(layout.x(value) - textWidth / 2, Style.padding), width - Style.padding - textWidth)
        labels.append((left, layout.plotTop - Style.ruleLabelGap, label, layout.colors[index]))
      case .horizontalRule(let value) where Plottable.contains(value):
        let y = layout.y(value), textWidth = SVGMarkup.estimatedWidth(label, fontSize: Style.ruleLabelSize)
        let baseline = y - 4 - Style.ruleLabelSize < layout.plotTop ? y + 4 + Style.ruleLabelSize * 0.8 : y - 4
        labels.append((layout.plotRight - 4 - textWidth, baseline, label, layout.colors[index]))
      default:
        continue
      }
    }
    guard !labels.isEmpty else { return }
    markup.open("g", ["class": "rule-labels", "font-size": .number(Style.ruleLabelSize)])
    markup.raw("\n")
    for label in labels {
      markup.element("text", [
        "x": .number(label.x), "y": .number(label.y), "fill": "#ffffff", "stroke": "#ffffff", "stroke-width": 3, "stroke-linejoin": "round",
      ], content: label.text)
      markup.element("text", ["x": .number(label.x), "y": .number(label.y), "fill": .text(label.color.description)], content: label.text)
    }
    markup.close("g")
  }

  // MARK: - Geometry helpers

  /// The error bar of point `index` when both ends are given and drawable.
  private func errorBar(_ low: [Double]?, _ high: [Double]?, _ index: Int) -> (Double, Double)? {
    guard let low, let high, Plottable.contains(low[index]), Plottable.contains(high[index]) else { return nil }
    return (low[index], high[index])
  }

  /// A vertical error bar with 3-pixel caps at both ends.
  private static func errorBarPath(x: Double, from lower: Double, to upper: Double) -> String {
    let (x, left, right) = (SVGMarkup.coordinate(x), SVGMarkup.coordinate(x - 3), SVGMarkup.coordinate(x + 3))
    let (lower, upper) = (SVGMarkup.coordinate(lower), SVGMarkup.coordinate(upper))
    return "M\(x) \(lower)V\(upper)M\(left) \(lower)H\(right)M\(left) \(upper)H\(right)"
  }

  /// `M x y L x y …` through `points`.
  private static func polyline(_ points: [(Double, Double)]) -> String {
    points.enumerated().map { index, point in
      (index == 0 ? "M" : "L") + SVGMarkup.coordinate(point.0) + " " + SVGMarkup.coordinate(point.1)
    }.joined()
  }

  /// The maximal runs of consecutive indices for which `isDrawn` holds.
  private static func finiteRuns(_ indices: Range<Int>, _ isDrawn: (Int) -> Bool) -> [[Int]] {
    var runs: [[Int]] = [], current: [Int] = []
    for index in indices {
      if isDrawn(index) {
        current.append(index)
      } else if !current.isEmpty {
        runs.append(current)
        current = []
      }
    }
    if !current.isEmpty { runs.append(current) }
    return runs
  }
}

extension SVGChart.Layer {
  /// Whether the layer has an entry in the legend: labelled, and not a rule (rules are labelled in place).
  var isInLegend: Bool {
    switch kind {
    case .horizontalRule, .verticalRule: false
    case .band, .line, .points, .bars: label != nil
    }
  }
}

/// The smallest and largest of the values added.
private struct RangeAccumulator {
  var range: (lower: Double, upper: Double)?

  mutating func add(_ value: Double) {
    range = range.map { (min($0.lower, value), max($0.upper, value)) } ?? (value, value)
  }
}
