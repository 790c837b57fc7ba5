import Dispatch
import Synchronization

/// Runs CPU-bound kernels on a fixed number of workers with dynamic scheduling.
///
/// Each worker pulls the next chunk index from a shared atomic counter, so uneven chunks (power
/// users, viral notes) balance themselves. BLAS is pinned to one thread per call first, so the
/// workers never oversubscribe the cores.
package enum WorkerPool {
  /// Calls `body(worker, chunk)` once for every chunk in `0..<chunkCount`, on `threads` workers
  /// (in order on the calling thread when there is one). `worker` is in `0..<threads` and
  /// identifies per-worker scratch space. `pinningBLAS: false` leaves BLAS's threading alone, for
  /// work that makes no BLAS calls.
  package static func forEachChunk(
    threads: Int, chunkCount: Int, pinningBLAS: Bool = true, _ body: (_ worker: Int, _ chunk: Int) -> Void
  ) {
    if pinningBLAS { BLASRuntime.useSingleThreadedCalls() }
    let workers = max(1, min(threads, chunkCount))
    if workers == 1 {
      for chunk in 0..<chunkCount { body(0, chunk) }
      return
    }
    let next = Atomic<Int>(0)
    withoutActuallyEscaping(body) { body in
      let shared = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        while true {
          let chunk = next.wrappingAdd(1, ordering: .relaxed).oldValue
          if chunk >= chunkCount { break }
          shared.value(worker, chunk)
        }
      }
    }
  }

  /// The default worker count: the number of active processors.
  package static var defaultThreads: Int {
    max(1, ProcessorCount.active)
  }
}

/// Wraps a value that is only shared under a discipline the compiler cannot see.
///
/// Used for (a) the kernel closure handed to `concurrentPerform`, which runs synchronously inside
/// `forEachChunk` and is never retained, and (b) base addresses of output buffers whose disjoint
/// column ranges are written by different workers (each chunk owns its columns).
package struct UncheckedSendable<Value>: @unchecked Sendable {
  package let value: Value
  package init(_ value: Value) { self.value = value }
}
