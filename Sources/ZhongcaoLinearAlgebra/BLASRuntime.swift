internal import COpenBLAS

/// Process-wide OpenBLAS settings.
///
/// OpenBLAS keeps its thread count in process-global state. Zhongcao runs its own worker pool and
/// calls BLAS single-threaded from each worker (the peers' classic bug is letting a threaded BLAS
/// oversubscribe the cores), so the first kernel call pins OpenBLAS to one thread.
/// `OPENBLAS_CORETYPE` is read by OpenBLAS at load time; set it in the environment, never here.
package enum BLASRuntime {
  /// The OpenBLAS kernel family in use, e.g. `Cooperlake` or `Haswell`.
  package static var coreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }

  /// OpenBLAS's build configuration string.
  package static var configuration: String {
    guard let config = openblas_get_config() else { return "unknown" }
    return String(cString: config)
  }

  /// The number of threads OpenBLAS will use inside one call.
  package static var threads: Int { Int(openblas_get_num_threads()) }

  /// Pins OpenBLAS to one thread per call. Idempotent; called by every parallel kernel.
  package static func useSingleThreadedCalls() {
    _ = pinned
  }

  private static let pinned: Bool = {
    openblas_set_num_threads(1)
    return true
  }()
}
