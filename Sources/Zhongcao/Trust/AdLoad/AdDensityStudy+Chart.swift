extension AdDensityStudyResult {
  /// The dose-response plot of organic engagement: the binned rate with its cluster-bootstrap
  /// band, the pooled and within-user log-linear fits across the studied range, the experiment's
  /// arms with 95% intervals, and (when given) the planned density as a vertical rule.
  ///
  /// - Parameter plannedDensity: a density to mark, e.g. ``AdDensityPlan/density``.
  public func doseResponseChart(plannedDensity: Double? = nil) throws(ZhongcaoError) -> SVGChart {
    let study = organicEngagement, curve = study.curve
    let headline = study.withinUser(.logLinear) ?? study.pooled(.logLinear)
    let subtitle = headline.map { slope in
      String(format: "%@: %+.2f%% per +10 points of density [%+.2f, %+.2f]; %d impressions, %d users",
             slope.withinUser ? "Within-user log-linear fit" : "Pooled log-linear fit", slope.percentPer10Points,
             slope.low, slope.high, overview.impressions, overview.users)
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
    if let within = study.withinUser(.logLinear) {
      try chart.add(.line(x: grid, y: grid.map(within.rate(at:)), label: "Within-user fit"))
    }
    if let arms = experiment?.organicEngagementRate.arms, !arms.isEmpty {
      try chart.add(.points(x: arms.map(\.density), y: arms.map(\.mean),
                            low: arms.map { $0.mean - RateRegression.z95 * $0.standardError },
                            high: arms.map { $0.mean + RateRegression.z95 * $0.standardError },
                            label: "Experiment arms (mean of users' rates)"))
    }
    if let plannedDensity { try chart.add(.verticalRule(x: plannedDensity, label: "planned density")) }
    return chart
  }
}
