// zhongcao-bench ad-load [impressions] [repetitions]: AdLoadSimulator.run() at about `impressions`
// post-period impressions (default 10⁶), best of `repetitions` (default 3), wall and process CPU
// seconds, for the default four-arm experiment with and without the counterfactual arms (the
// population truth), and for observational data.
//
//   swift build -c release --product zhongcao-bench
//   .build/release/zhongcao-bench ad-load 1000000
//   taskset -c 0 .build/release/zhongcao-bench ad-load 1000000   # one core
import Foundation
import Zhongcao

enum AdLoadBenchmark {
  static func run(_ arguments: [String]) {
    let target = max(1_000, arguments.first.flatMap { Int($0) } ?? 1_000_000)
    let repetitions = max(1, arguments.dropFirst().first.flatMap { Int($0) } ?? 3)
    var base = AdLoadSimulator.Configuration()
    // Trust lowers sessions and their length a little: aim at the target with the untrusting rate.
    base.users = max(1, Int(Double(target) / (Double(base.weeks) * base.meanSessionsPerWeek * base.meanFeedLength * 0.85)))
    var withoutCounterfactuals = base
    withoutCounterfactuals.simulatesCounterfactualArms = false
    var observational = base
    observational.design = .observational(meanDensity: 0.15, confounding: 0.5)
    print("cores available: \(ProcessInfo.processInfo.activeProcessorCount)")
    for (name, configuration) in [("experiment, 4 arms, population truth", base),
                                  ("experiment, 4 arms, assigned arm only", withoutCounterfactuals),
                                  ("observational", observational)] {
      var best = (wall: Double.infinity, cpu: Double.infinity), impressions = 0
      for _ in 1...repetitions {
        let time = wallAndCPUSeconds(cpuClock: CLOCK_PROCESS_CPUTIME_ID) {
          do { impressions = try AdLoadSimulator(configuration: configuration).run().impressions.count } catch { fatalError("\(error)") }
        }
        if time.wall < best.wall { best = time }
      }
      print(String(format: "%@: %d users, %d impressions in %.3f s wall, %.3f s CPU (%.0f impressions/s)",
                   name, configuration.users, impressions, best.wall, best.cpu, Double(impressions) / best.wall))
    }
  }
}
