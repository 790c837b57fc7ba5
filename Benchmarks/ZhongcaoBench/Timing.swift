import Foundation

/// Wall-clock seconds of `body`, and the CPU seconds of the given clock meanwhile:
/// `CLOCK_THREAD_CPUTIME_ID` for this thread's (on a shared machine, the per-core cost; the wall
/// clock also counts time the thread waited for a core), `CLOCK_PROCESS_CPUTIME_ID` for all
/// threads' (above the wall time when more than one core worked).
func wallAndCPUSeconds(cpuClock: clockid_t, _ body: () -> Void) -> (wall: Double, cpu: Double) {
  func cpuNow() -> Double {
    var time = timespec()
    clock_gettime(cpuClock, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
  }
  let clock = ContinuousClock()
  let start = clock.now, cpuStart = cpuNow()
  body()
  let cpu = cpuNow() - cpuStart
  let elapsed = clock.now - start
  return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18, cpu)
}
