extension AdDensityStudyResult {
  /// The dose-response plot of organic engagement: the binned rate with its cluster-bootstrap
  /// band and the pooled log-linear fit; with an experiment, each arm's pooled rate with its 95%
  /// interval and the log-linear line across arms (the headline), else the within-user fit; and
  /// (when given) the planned density as a vertical rule.
  ///
  /// - Parameter plannedDensity: a density to mark, e.g. ``AdDensityPlan/density``.
  public func doseResponseChart(plannedDensity: Double? = nil) throws(ZhongcaoError) -> SVGChart {
    let study = organicEngagement, curve = study.curve
    let armLine = experiment?.organicEngagementLine(.logLinear)
    let headline: (String, DensitySlope)? = armLine.map { ("Line across experiment arms", $0) }
      ?? study.withinUser(.logLinear).map { ("Within-user log-linear fit", $0) }
      ?? study.pooled(.logLinear).map { ("Pooled log-linear fit", $0) }
    let subtitle = headline.map { name, slope in
      String(format: "%@: %+.2f%% per +10 points of density [%+.2f, %+.2f]; %d impressions, %d users",
             name, slope.percentPer10Points, slope.low, slope.high, overview.impressions, overview.users)
    }
    var chart = try SVGChart(
      title: "Organic engagement rate by \(measure == .perceived ? "perceived" : "paid") ad density",
      subtitle: subtitle,
      xAxisLabel: window.map { "Ad density of the \($0) slots before each organic impression" } ?? "Ad density of the session",
      yAxisLabel: "Engagements per organic impression", xAxisFormat: .percent)
    if !curve.isEmpty {
      try chart.add(.band(x: curve.map(\.density), low: curve.map(\.rateLow), high: curve.map(\.rateHigh),
                          label: "95% interval (users resampled)"))
      try chart.add(.points(x: curve.map(\.density), y: curve.map(\.rate), low: nil, high: nil, label: "Binned rate"))
    }
    let lowest = curve.first?.density ?? 0, highest = curve.last?.density ?? max(overview.paidDensity, overview.perceivedDensity)
    let grid = (0...40).map { lowest + (highest - lowest) * Double($0) / 40 }
    if let pooled = study.pooled(.logLinear) {
      try chart.add(.line(x: grid, y: grid.map(pooled.rate(at:)), label: "Pooled fit", dashed: true))
    }
    if let experiment, let armLine, !experiment.organicEngagementByArm.isEmpty {
      let arms = experiment.organicEngagementByArm
      let densities = arms.map(\.density), from = densities.min()!, to = densities.max()!
      let armGrid = (0...20).map { from + (to - from) * Double($0) / 20 }
      try chart.add(.line(x: armGrid, y: armGrid.map(armLine.rate(at:)), label: "Line across arms"))
      try chart.add(.points(x: densities, y: arms.map(\.rate), low: arms.map(\.low), high: arms.map(\.high),
                            label: "Experiment arms (95% interval)"))
    } else if let within = study.withinUser(.logLinear) {
      try chart.add(.line(x: grid, y: grid.map(within.rate(at:)), label: "Within-user fit"))
    }
    if let plannedDensity { try chart.add(.verticalRule(x: plannedDensity, label: "planned density")) }
    return chart
  }
}
