import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Zhongcao

/// `SVGChart`: the SVG is well-formed XML (Foundation's XMLParser, libxml2 underneath, is the
/// judge), carries its texts escaped, puts data where the axes say, and `AxisTicks` picks nice
/// ticks that cover the data.
struct SVGChartTests {
  // MARK: - Document

  @Test func documentIsWellFormedWithTitleAxisLabelsAndLegend() throws {
    let chart = try Self.doseResponse()
    let document = try SVGDocument(chart.svg())
    let root = try #require(document.elements.first)
    #expect(root.name == "svg")
    #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
    #expect(root.attributes["version"] == "1.1")
    #expect(root.attributes["width"] == "720" && root.attributes["height"] == "440")
    #expect(root.attributes["viewBox"] == "0 0 720 440")
    #expect(root.attributes["font-family"]?.contains("'Noto Sans CJK SC'") == true)
    #expect(root.attributes["font-family"]?.contains("'PingFang SC'") == true)
    #expect(document.texts(of: "title") == ["广告密度与 7 日留存 — 5 arms, 2025-06 experiment"])
    let texts = document.texts(of: "text")
    for expected in ["广告密度与 7 日留存", "5 arms, 2025-06 experiment", "Ad density (ads per 100 notes)", "Retention change",
                     "95% interval", "Fitted curve", "Experiment arms", "planned density"] {
      #expect(texts.contains(expected), "missing text \(expected)")
    }
    // The percent axes' tick labels.
    #expect(texts.contains("0%") && texts.contains("−1%"))
    // Rules are labelled in place, not in the legend.
    let legend = try #require(document.elements.first { $0.attributes["class"] == "legend" })
    #expect(legend.texts == ["95% interval", "Fitted curve", "Experiment arms"])
    // Nothing external: no scripts, style sheets, links or images.
    for name in ["script", "style", "image", "a", "foreignObject", "link"] {
      #expect(!document.elements.contains { $0.name == name })
    }
    #expect(chart.svg().components(separatedBy: "http://").count == 2)  // only the namespace
  }

  @Test func hostileTextAppearsOnlyEscaped() throws {
    let hostile = #"<script>alert("x")</script> & 'q'"#
    var chart = try SVGChart(title: hostile, subtitle: hostile, xAxisLabel: hostile, yAxisLabel: hostile)
    try chart.add(.line(x: [0, 1], y: [0, 1], label: hostile))
    try chart.add(.points(x: [0.5], y: [0.5], label: hostile))
    try chart.add(.horizontalRule(y: 0.5, label: hostile))
    try chart.add(.verticalRule(x: 0.5, label: hostile))
    let svg = chart.svg()
    #expect(!svg.contains("<script"))
    #expect(!svg.contains("alert(\""))
    #expect(!svg.contains("'q'"))
    #expect(!svg.contains("& "))
    #expect(svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;q&apos;"))
    let document = try SVGDocument(svg)
    #expect(!document.elements.contains { $0.name == "script" })
    // Parsed back, each text is the caller's string, whole: title, subtitle, two axis labels, two
    // legend entries, two rule labels with their halos.
    #expect(document.texts(of: "text").filter { $0 == hostile }.count == 10)
    #expect(document.texts(of: "title") == ["\(hostile) — \(hostile)"])
  }

  @Test func charactersXMLForbidsAreReplaced() throws {
    let chart = try SVGChart(title: "nul\u{0} bell\u{7} esc\u{1B} \u{FFFF}ok", xAxisLabel: "tab\tx", yAxisLabel: "y")
    let document = try SVGDocument(chart.svg())
    #expect(document.texts(of: "title") == ["nul\u{FFFD} bell\u{FFFD} esc\u{FFFD} \u{FFFD}ok"])
    #expect(SVGMarkup.escaped("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&apos;f")
  }

  @Test func longTitlesWrapWithinTheChart() throws {
    let title = "Retention by ad density for every cohort of the June experiment, with intervals 各组留存与广告密度的关系（含置信区间）"
    let chart = try SVGChart(title: title, subtitle: "a-very-long-unbreakable-identifier-\(String(repeating: "x", count: 80))", xAxisLabel: "x", yAxisLabel: "y", width: 360, height: 300)
    let document = try SVGDocument(chart.svg())
    let titleElement = try #require(document.elements.first { $0.attributes["class"] == "title" })
    #expect(titleElement.text == title)  // the lines joined give the title back
    let lines = document.elements.filter { $0.name == "tspan" && $0.parent == titleElement.index }
    #expect(lines.count >= 3)
    let layout = SVGChart.Layout(chart)
    let fontSizes = [(layout.titleLines, SVGChart.Style.titleSize * SVGChart.Style.boldWidening), (layout.subtitleLines, SVGChart.Style.subtitleSize)]
    for (lines, fontSize) in fontSizes {
      for line in lines {
        #expect(SVGMarkup.estimatedWidth(line.trimmingCharacters(in: .whitespaces), fontSize: fontSize) <= 360 - 2 * SVGChart.Style.padding)
      }
    }
    #expect(layout.subtitleLines.count >= 2 && layout.subtitleLines.joined() == chart.subtitle)
    #expect(layout.plotTop > layout.subtitleBaseline + Double(layout.subtitleLines.count - 1) * SVGChart.Style.subtitleSize)
    #expect(SVGMarkup.wrapped("short", width: 300, fontSize: 12) == ["short"])
    #expect(SVGMarkup.wrapped("", width: 300, fontSize: 12) == [""])
    #expect(SVGMarkup.wrapped("one two three", width: 40, fontSize: 12) == ["one ", "two ", "three"])
    #expect(SVGMarkup.wrapped("种草笔记", width: 25, fontSize: 12) == ["种草", "笔记"])
    // Closing punctuation stays with the character before it, an opening bracket with the one after.
    #expect(SVGMarkup.wrapped("种草，笔记", width: 40, fontSize: 12) == ["种草，", "笔记"])
    #expect(SVGMarkup.wrapped("种（草）", width: 40, fontSize: 12) == ["种", "（草）"])
  }

  @Test func emptyAndSinglePointChartsStillHaveReadableAxes() throws {
    let empty = try SVGChart(title: "empty", xAxisLabel: "x", yAxisLabel: "y")
    var single = try SVGChart(title: "one point", xAxisLabel: "x", yAxisLabel: "y", yAxisFormat: .percent)
    try single.add(.points(x: [3], y: [0.25], label: "only"))
    var zero = try SVGChart(title: "zero", xAxisLabel: "x", yAxisLabel: "y", xAxisFormat: .integer, yAxisFormat: .integer)
    try zero.add(.points(x: [0], y: [0]))
    var nothingFinite = try SVGChart(title: "no finite value", xAxisLabel: "x", yAxisLabel: "y")
    try nothingFinite.add(.line(x: [.nan, .infinity], y: [1, 2]))
    try nothingFinite.add(.bars(edges: [], heights: []))
    for chart in [empty, single, zero, nothingFinite] {
      let document = try SVGDocument(chart.svg())
      let layout = SVGChart.Layout(chart)
      for ticks in [layout.xTicks, layout.yTicks] {
        #expect((AxisTicks.minimumCount...AxisTicks.maximumCount).contains(ticks.mantissas.count), "\(chart.title)")
        #expect(ticks.lower < ticks.upper)
      }
      #expect(document.elements.contains { $0.attributes["class"] == "axis x-axis" })
      #expect(document.texts(of: "text").contains(chart.title))
    }
    // The single point sits inside its padded axes.
    let layout = SVGChart.Layout(single)
    #expect(layout.xTicks.lower < 3 && 3 < layout.xTicks.upper)
    #expect(layout.yTicks.lower < 0.25 && 0.25 < layout.yTicks.upper)
    #expect(SVGChart.Layout(empty).xTicks.values == [0, 0.2, 0.4, 0.6, 0.8, 1])
  }

  @Test func nonFiniteValuesAreSkippedAndNeverWritten() throws {
    var chart = try SVGChart(title: "gaps", xAxisLabel: "x", yAxisLabel: "y")
    try chart.add(.band(x: [0, 1, 2, 3, 4, 5], low: [0, 0, .nan, 0, 0, 0], high: [1, 1, 1, 1, 1, -.infinity]))
    try chart.add(.line(x: [0, 1, 2, 3, 4, 5, 6], y: [1, 2, .nan, 3, 4, .infinity, 5]))
    try chart.add(.points(x: [0, .nan, 2, 3], y: [1, 1, .infinity, 2], low: [0, 0, 0, .nan], high: [2, 2, 2, 3]))
    try chart.add(.bars(edges: [0, 1, 2, 3], heights: [1, .nan, 2]))
    try chart.add(.horizontalRule(y: .nan, label: "never"))
    try chart.add(.verticalRule(x: 1e301, label: "too far"))
    try chart.add(.line(x: [0, 1], y: [-1e308, 1e308], label: "huge"))
    let svg = chart.svg()
    for word in ["nan", "NaN", "inf", "e+", "never", "too far"] {
      #expect(!svg.contains(word), "\(word) written")
    }
    let document = try SVGDocument(svg)
    // Band: runs 0…1 and 3…4 (index 5 has an infinite high).
    let band = try #require(document.elements.first { $0.attributes["class"] == "band" })
    #expect(band.attributes["d"]?.filter { $0 == "M" }.count == 2)
    // Line: runs 0…1, 3…4 and the lone point 6, drawn as a dot.
    let line = try #require(document.elements.first { $0.attributes["class"] == "line" })
    #expect(line.attributes["d"]?.filter { $0 == "M" }.count == 3)
    #expect(line.attributes["d"]?.hasSuffix("h0") == true)
    // Points: 0 and 3 drawn; only 0 has an error bar (3's low is NaN).
    #expect(document.elements.filter { $0.name == "circle" }.count == 2)
    let errorBars = try #require(document.elements.first { $0.attributes["class"] == "error-bars" })
    #expect(errorBars.attributes["d"]?.filter { $0 == "M" }.count == 3)  // the bar and its two caps
    // Bars: the NaN bin is left out.
    let bars = try #require(document.elements.first { $0.attributes["class"] == "bars" })
    #expect(document.elements.filter { $0.name == "rect" && $0.parent == bars.index }.count == 2)
    #expect(!document.elements.contains { $0.attributes["class"] == "rule" })
    // The skipped values do not stretch the axes.
    let layout = SVGChart.Layout(chart)
    #expect(layout.xTicks.upper == 6 && layout.yTicks.upper == 5)
  }

  // MARK: - Geometry

  @Test func dataMapsOntoThePlotRectangle() throws {
    var chart = try SVGChart(title: "mapping", xAxisLabel: "x", yAxisLabel: "y")
    try chart.add(.points(x: [0, 0.5, 1, 0.25], y: [0, 0.5, 1, 0.75]))
    let document = try SVGDocument(chart.svg())
    let xAxis = try #require(document.elements.first { $0.attributes["class"] == "axis x-axis" })
    let yAxis = try #require(document.elements.first { $0.attributes["class"] == "axis y-axis" })
    let left = try #require(xAxis.number("x1")), right = try #require(xAxis.number("x2")), bottom = try #require(xAxis.number("y1"))
    let top = try #require(yAxis.number("y1"))
    #expect(yAxis.number("x1") == left && yAxis.number("y2") == bottom)
    #expect(left < right && top < bottom)
    let circles = document.elements.filter { $0.name == "circle" }.map { ($0.number("cx") ?? .nan, $0.number("cy") ?? .nan) }
    try #require(circles.count == 4)
    #expect(circles[0] == (left, bottom))  // the minimum on both axes: the bottom-left corner
    #expect(circles[2] == (right, top))  // the maximum: the top-right corner
    #expect(abs(circles[1].0 - (left + right) / 2) <= 0.01 && abs(circles[1].1 - (top + bottom) / 2) <= 0.01)
    #expect(abs(circles[3].0 - (left + (right - left) / 4)) <= 0.01 && abs(circles[3].1 - (bottom - (bottom - top) * 0.75)) <= 0.01)
    // Ticks: the first and last grid lines are the plot's edges; 0.2 is a fifth of the way up.
    let layout = SVGChart.Layout(chart)
    #expect(layout.x(layout.xTicks.lower) == layout.plotLeft && layout.x(layout.xTicks.upper) == layout.plotRight)
    #expect(abs(layout.y(0.2) - (layout.plotBottom - (layout.plotBottom - layout.plotTop) / 5)) < 1e-9)
  }

  @Test func barsRiseFromZeroAndSpanTheirBins() throws {
    var chart = try SVGChart(title: "histogram", xAxisLabel: "score", yAxisLabel: "notes", yAxisFormat: .integer)
    try chart.add(.bars(edges: [0, 0.25, 0.5, 0.75, 1], heights: [3, 7, 0, 12], label: "notes"))
    let document = try SVGDocument(chart.svg())
    let layout = SVGChart.Layout(chart)
    #expect(layout.yTicks.lower == 0)
    let rects = document.elements.filter { $0.name == "rect" && $0.attributes["x"] != nil && $0.attributes["width"] != "100%" }
      .filter { document.elements[$0.parent ?? 0].attributes["class"] == "bars" }
    try #require(rects.count == 4)
    let second = rects[1]
    #expect(abs((second.number("x") ?? 0) - layout.x(0.25)) <= 0.01)
    #expect(abs((second.number("width") ?? 0) - (layout.x(0.5) - layout.x(0.25))) <= 0.02)
    #expect(abs((second.number("y") ?? 0) + (second.number("height") ?? 0) - layout.y(0)) <= 0.02)
    #expect(abs((second.number("y") ?? 0) - layout.y(7)) <= 0.01)
    #expect(layout.yTicks.labels(.integer).allSatisfy { Int($0) != nil })
  }

  // MARK: - Ticks

  @Test func niceTicksOnKnownRanges() {
    let unit = AxisTicks(covering: 0, 1, format: .number)
    #expect(unit.values == [0, 0.2, 0.4, 0.6, 0.8, 1])
    #expect(unit.labels(.number) == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
    #expect(unit.labels(.percent) == ["0%", "20%", "40%", "60%", "80%", "100%"])

    let effects = AxisTicks(covering: -0.037, 0.012, format: .number)
    #expect(effects.values == [-0.04, -0.03, -0.02, -0.01, 0, 0.01, 0.02])
    #expect(effects.labels(.number) == ["−0.04", "−0.03", "−0.02", "−0.01", "0", "0.01", "0.02"])
    #expect(effects.labels(.percent) == ["−4%", "−3%", "−2%", "−1%", "0%", "1%", "2%"])

    #expect(AxisTicks(covering: 0.1, 0.3, format: .number).labels(.number) == ["0.1", "0.15", "0.2", "0.25", "0.3"])
    #expect(AxisTicks(covering: 0, 0.3, format: .number).labels(.number) == ["0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.3"])
    #expect(AxisTicks(covering: 3, 97, format: .number).values == [0, 20, 40, 60, 80, 100])
    #expect(AxisTicks(covering: 0, 1_234_567, format: .number).labels(.number) == ["0", "200000", "400000", "600000", "800000", "1000000", "1200000", "1400000"])
    #expect(AxisTicks(covering: 0, 2, format: .integer).values == [0, 1, 2, 3])
    #expect(AxisTicks(covering: 0, 0.5, format: .integer).values == [0, 1, 2, 3])
    #expect(AxisTicks(covering: 2e-9, 9e-9, format: .number).labels(.number) == ["2e-9", "3e-9", "4e-9", "5e-9", "6e-9", "7e-9", "8e-9", "9e-9"])
    #expect(AxisTicks(covering: 0.5, 0.5, format: .number).values == [0.44, 0.46, 0.48, 0.5, 0.52, 0.54, 0.56])
    #expect(AxisTicks(covering: 0, 0, format: .number).values == [-1, -0.5, 0, 0.5, 1])
  }

  @Test func ticksCoverRandomRangesWithFourToEightNiceSteps() {
    var random = TestRandom(seed: 11)
    for trial in 0..<3000 {
      let scale = pow(10, Double(Int(random.next() % 25)) - 12)
      var low = (Double(random.uniform()) * 2 - 1) * scale, high = low + Double(random.uniform()) * scale
      if trial % 7 == 0 { high = low }
      if trial % 11 == 0 { (low, high) = (high * 1e6, low) }
      for format in [SVGChart.AxisFormat.number, .percent, .integer] {
        let ticks = AxisTicks(covering: low, high, format: format)
        let context = "\(low)…\(high) \(format)"
        #expect(ticks.lower <= min(low, high) && ticks.upper >= max(low, high), "\(context)")
        let stepMantissa = ticks.mantissas[1] - ticks.mantissas[0]
        #expect([1, 2, 5].contains(stepMantissa), "\(context)")
        #expect(zip(ticks.mantissas, ticks.mantissas.dropFirst()).allSatisfy { $1 - $0 == stepMantissa }, "\(context)")
        if format == .integer {
          #expect(ticks.exponent >= 0 && ticks.mantissas.count >= AxisTicks.minimumCount, "\(context)")
          #expect(ticks.mantissas.count <= AxisTicks.maximumCount || stepMantissa == 1 && ticks.exponent == 0, "\(context)")
        } else {
          #expect((AxisTicks.minimumCount...AxisTicks.maximumCount).contains(ticks.mantissas.count), "\(context)")
        }
        // Labels read back as their values (no float noise, nothing lost).
        for (value, label) in zip(ticks.values, ticks.labels(format)) {
          var text = label.replacingOccurrences(of: "\u{2212}", with: "-")
          let isPercent = text.hasSuffix("%")
          if isPercent { text.removeLast() }
          let parsed = Double(text).map { isPercent ? $0 / 100 : $0 }
          #expect(parsed.map { abs($0 - value) <= abs(value) * 1e-12 } == true, "\(label) for \(value), \(context)")
          #expect(text.count <= 16, "\(label)")
        }
      }
    }
  }

  @Test func labelsAreExactDecimalsWithoutNoise() {
    #expect(AxisTicks.label(mantissa: 3, exponent: -1) == "0.3")
    #expect(AxisTicks.label(mantissa: -15, exponent: -3) == "−0.015")
    #expect(AxisTicks.label(mantissa: 10, exponent: -1) == "1")
    #expect(AxisTicks.label(mantissa: 0, exponent: -7) == "0")
    #expect(AxisTicks.label(mantissa: 25, exponent: 2) == "2500")
    #expect(AxisTicks.label(mantissa: 5, exponent: 20) == "5e+20")
    #expect(AxisTicks.label(mantissa: 12, exponent: -9) == "1.2e-8")
    #expect(AxisTicks.label(mantissa: 5, exponent: -7) == "5e-7")
    #expect(AxisTicks.label(mantissa: 5, exponent: -6) == "0.000005")
    #expect(AxisTicks.label(mantissa: 5, exponent: -1, percent: true) == "0.5%")
    #expect(AxisTicks.value(3, -1) == 0.3)
    #expect(SVGMarkup.coordinate(12.345) == "12.35" || SVGMarkup.coordinate(12.345) == "12.34")
    #expect(SVGMarkup.coordinate(-0.001) == "0")
    #expect(SVGMarkup.coordinate(-3.5) == "-3.5")
    #expect(SVGMarkup.coordinate(7.05) == "7.05")
    #expect(SVGMarkup.coordinate(100) == "100")
  }

  // MARK: - Contract

  @Test func sameChartGivesTheSameBytesWithTwoDecimalCoordinates() throws {
    let first = try Self.doseResponse().svg(), second = try Self.doseResponse().svg()
    #expect(first == second)
    // Every number in an attribute has at most 2 decimals.
    let document = try SVGDocument(first)
    for element in document.elements {
      for (name, value) in element.attributes where !["font-family", "viewBox", "version", "xmlns"].contains(name) {
        for token in value.split(whereSeparator: { !"0123456789.".contains($0) }) where token.contains(".") {
          #expect(token.split(separator: ".", omittingEmptySubsequences: false)[1].count <= 2, "\(name)=\(value)")
        }
      }
    }
  }

  @Test func mismatchedOrInvalidInputsThrow() throws {
    var chart = try SVGChart(title: "t", xAxisLabel: "x", yAxisLabel: "y")
    let invalid: [SVGChart.Layer] = [
      .band(x: [0, 1], low: [0], high: [1, 2]),
      .line(x: [0, 1, 2], y: [0, 1], label: "curve"),
      .points(x: [0, 1], y: [0, 1], low: [0, 1], high: [1]),
      .points(x: [0, 1], y: [0, 1], low: [0, 1]),
      .bars(edges: [0, 1], heights: [1, 2]),
      .bars(edges: [0, 2, 1], heights: [1, 2]),
      .bars(edges: [0, .nan, 2], heights: [1, 2]),
    ]
    for layer in invalid {
      let error = #expect(throws: ZhongcaoError.self) { try chart.add(layer) }
      #expect(error?.code == .invalidArgument)
    }
    #expect(chart.layers.isEmpty)
    let error = #expect(throws: ZhongcaoError.self) { try chart.add(.line(x: [0, 1, 2], y: [0, 1], label: "curve")) }
    #expect(error?.message == "layer 0 ('curve'): x has 3 values but y has 2; give one value per point")
    for (width, height) in [(100.0, 440.0), (720, 10), (.nan, 440), (720, .infinity), (1e6, 440)] {
      let error = #expect(throws: ZhongcaoError.self) { try SVGChart(title: "t", xAxisLabel: "x", yAxisLabel: "y", width: width, height: height) }
      #expect(error?.code == .invalidArgument)
    }
    #expect(throws: ZhongcaoError.self) {
      try SVGChart(title: "t", xAxisLabel: "x", yAxisLabel: "y", layers: [.line(x: [0], y: [])])
    }
    // Valid edge cases are accepted.
    try chart.add(.bars(edges: [], heights: []))
    try chart.add(.points(x: [], y: [], low: [], high: []))
    #expect(chart.layers.count == 2)
  }

  @Test func colorsFollowThePaletteAndABandTakesItsCurvesColor() throws {
    let chart = try Self.doseResponse()
    let colors = chart.layerColors()
    let palette = ChartColor.palette
    // band, line, points, horizontal rule, vertical rule
    #expect(colors == [palette[0], palette[0], palette[1], .neutral, .neutral])
    #expect(palette[0].description == "#0072b2" && ChartColor(rgb: 0x1_000A0B).description == "#000a0b")
    #expect(ChartColor(red: 0xD5, green: 0x5E, blue: 0x00) == palette[1] && palette[1].green == 0x5E)
    var custom = try SVGChart(title: "t", xAxisLabel: "x", yAxisLabel: "y")
    try custom.add(.line(x: [0], y: [0], color: ChartColor(red: 1, green: 2, blue: 255)))
    try custom.add(.line(x: [0], y: [0]))
    #expect(custom.layerColors() == [ChartColor(rgb: 0x0102FF), palette[1]])
    #expect(custom.svg().contains("stroke=\"#0102ff\""))
  }

  /// Writes the dose-response example through `write(to:)` and reads it back. With
  /// `SVGCHART_EXAMPLE=/path/to.svg` in the environment it is also kept there, to look at.
  @Test func writeStoresTheDocument() throws {
    let chart = try Self.doseResponse()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("svgchart-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("chart.svg").path
    try chart.write(to: path)
    try chart.write(to: path)  // replacing works too
    #expect(try String(contentsOfFile: path, encoding: .utf8) == chart.svg())
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["chart.svg"])
    #expect(throws: ZhongcaoError.self) { try chart.write(to: directory.appendingPathComponent("missing/chart.svg").path) }
    if let keep = ProcessInfo.processInfo.environment["SVGCHART_EXAMPLE"] { try chart.write(to: keep) }
  }

  // MARK: - Fixtures

  /// A dose-response chart like the ad-density experiment's: a fitted curve with its interval
  /// band, five arms with error bars, no-change and planned-density rules.
  static func doseResponse() throws -> SVGChart {
    let densities = stride(from: 0.0, through: 0.3, by: 0.01).map { $0 }
    let fitted = densities.map { -0.12 * $0 * $0 - 0.02 * $0 + 0.002 }
    let halfWidth = densities.map { 0.003 + 0.02 * abs($0 - 0.12) }
    var chart = try SVGChart(
      title: "广告密度与 7 日留存", subtitle: "5 arms, 2025-06 experiment", xAxisLabel: "Ad density (ads per 100 notes)",
      yAxisLabel: "Retention change", xAxisFormat: .percent, yAxisFormat: .percent)
    try chart.add(.band(x: densities, low: zip(fitted, halfWidth).map { $0 - $1 }, high: zip(fitted, halfWidth).map { $0 + $1 }, label: "95% interval"))
    try chart.add(.line(x: densities, y: fitted, label: "Fitted curve"))
    let arms = [0, 0.05, 0.1, 0.2, 0.3], effects = [0.001, -0.0012, -0.0041, -0.0095, -0.0152]
    try chart.add(.points(x: arms, y: effects, low: effects.map { $0 - 0.004 }, high: effects.map { $0 + 0.004 }, label: "Experiment arms"))
    try chart.add(.horizontalRule(y: 0, label: "no change"))
    try chart.add(.verticalRule(x: 0.12, label: "planned density"))
    return chart
  }
}

/// An SVG document parsed with Foundation's XMLParser: every element in document order with its
/// attributes, parent and text (its descendants' included). Parsing fails (throws) unless the text is well-formed XML.
struct SVGDocument {
  struct Element {
    var index: Int
    var name: String
    var attributes: [String: String]
    var parent: Int?
    var text = ""
    /// The texts of the direct `<text>` children.
    var texts: [String] = []

    func number(_ attribute: String) -> Double? { attributes[attribute].flatMap(Double.init) }
  }

  struct NotWellFormed: Error {
    var reason: String
  }

  private(set) var elements: [Element] = []

  init(_ svg: String) throws {
    let collector = Collector()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = collector
    guard parser.parse() else { throw NotWellFormed(reason: parser.parserError.map { "\($0)" } ?? "unknown") }
    elements = collector.elements
  }

  /// The text contents of every element named `name`.
  func texts(of name: String) -> [String] { elements.filter { $0.name == name }.map(\.text) }

  private final class Collector: NSObject, XMLParserDelegate {
    var elements: [Element] = []
    var open: [Int] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
      elements.append(Element(index: elements.count, name: name, attributes: attributes, parent: open.last))
      open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      for element in open { elements[element].text += string }  // a <text> gets its <tspan>s' text too
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
      let closed = open.removeLast()
      if name == "text", let parent = elements[closed].parent { elements[parent].texts.append(elements[closed].text) }
    }
  }
}
