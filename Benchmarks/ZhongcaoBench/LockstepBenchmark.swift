// zhongcao-bench lockstep PATH [repetitions]: LockstepDetector.groups(in:) on an engagement file.
//
//   swift build -c release --product zhongcao-bench
//   .build/release/zhongcao-bench lockstep /work/bench/scan100k/events.tsv 7              # all cores
//   taskset -c 0 .build/release/zhongcao-bench lockstep /work/bench/scan100k/events.tsv 7 # one core
//
// Loads the events as `recotrain trust scan --engagement` does (Interactions.load, one event per
// row with its timestamp) and passes the log as it does, then times groups(in:) with the default
// configuration, best of
// `repetitions` (default 5): wall time and the process's CPU time of that run (CPU above wall
// means more than one core worked). Under `taskset -c 0` the wall time is the one-core cost. Also
// prints the groups found and a digest (FNV-1a) of the whole output, to compare two builds.
import Foundation
import Zhongcao

enum LockstepBenchmark {
  /// Wall-clock and process CPU seconds (all threads) of `body`.
  private static func seconds(_ body: () -> Void) -> (wall: Double, cpu: Double) {
    wallAndCPUSeconds(cpuClock: CLOCK_PROCESS_CPUTIME_ID, body)
  }

  static func run(_ arguments: [String]) {
    guard let path = arguments.first else {
      print("usage: zhongcao-bench lockstep PATH [repetitions]")
      exit(2)
    }
    let repetitions = max(1, arguments.dropFirst().first.flatMap { Int($0) } ?? 5)
    var events = Interactions()
    let load = seconds {
      do {
        (events, _) = try Interactions.load(contentsOf: path)
        guard events.timestamps != nil else { fatalError("\(path): engagement events need a timestamp column") }
      } catch { fatalError("\(error)") }
    }
    let detector: LockstepDetector
    do { detector = try LockstepDetector() } catch { fatalError("\(error)") }
    print(String(format: "%d events (loaded in %.3f s); cores available: %d", events.count, load.wall,
                 ProcessInfo.processInfo.activeProcessorCount))

    var groups: [LockstepGroup] = []
    var best = (wall: Double.infinity, cpu: 0.0)
    for run in 1...repetitions {
      let time = seconds {
        do { groups = try detector.groups(in: events) } catch { fatalError("\(error)") }
      }
      print(String(format: "  run %d: %.3f s wall, %.3f s CPU", run, time.wall, time.cpu))
      if time.wall < best.wall { best = time }
    }
    var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in "\(groups)".utf8 { digest = (digest ^ UInt64(byte)) &* 0x100_0000_01b3 }
    print(String(format: "lockstep: best of %d %.3f s wall (%.3f s CPU) = %.0f events/s; %d groups (%d users); digest %@",
                 repetitions, best.wall, best.cpu, Double(events.count) / best.wall, groups.count,
                 groups.reduce(0) { $0 + $1.users.count }, String(digest, radix: 16)))
  }
}
