import Dispatch
import Synchronization
import ZhongcaoLinearAlgebra

/// Maps `0..<count` in chunks on all usable cores (``ProcessorCount/active``) and returns the
/// results in index order.
/// `body` gets a range of indices and returns one result per index, in order.
package func parallelChunkedMap<T: Sendable>(count: Int, chunkSize: Int = 1024, _ body: @Sendable (Range<Int>) -> [T]) -> [T] {
  guard count > 0 else { return [] }
  let chunkCount = (count + chunkSize - 1) / chunkSize
  if chunkCount == 1 { return body(0..<count) }
  let parts = parallelMap(count: chunkCount, chunkSize: 1, workspace: {}) { _, chunk in
    body((chunk * chunkSize)..<min(count, (chunk + 1) * chunkSize))
  }
  var result: [T] = []
  result.reserveCapacity(count)
  for part in parts { result.append(contentsOf: part) }
  return result
}

/// Maps `0..<count` on all usable cores, in chunks of `chunkSize` indices, each chunk with a
/// fresh `workspace()` passed to every `transform` call of the chunk; returns the results in
/// index order. Unlike ``parallelChunkedMap(count:chunkSize:_:)`` each result is written straight
/// into the returned array, so results holding references are never copied (retained and
/// released) on the way.
///
/// One worker per usable core (``ProcessorCount/active``, which honours `taskset`, cpusets and
/// container CPU limits) takes the next chunk until none is left; with one usable core the
/// chunks run in order on the calling thread.
package func parallelMap<T: Sendable, Workspace>(
  count: Int, chunkSize: Int = 1024, workspace: @Sendable () -> Workspace, _ transform: @Sendable (inout Workspace, Int) -> T
) -> [T] {
  guard count > 0 else { return [] }
  let chunkCount = (count + chunkSize - 1) / chunkSize
  return [T](unsafeUninitializedCapacity: count) { buffer, initializedCount in
    let start = UncheckedSendableAddress(buffer.baseAddress!)
    @Sendable func run(_ chunk: Int) {
      var scratch = workspace()
      // Each chunk initializes its own disjoint slots exactly once.
      for index in (chunk * chunkSize)..<min(count, (chunk + 1) * chunkSize) {
        (start.address + index).initialize(to: transform(&scratch, index))
      }
    }
    let workers = min(ProcessorCount.active, chunkCount)
    if workers <= 1 {
      for chunk in 0..<chunkCount { run(chunk) }
    } else {
      let next = Atomic<Int>(0)
      DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
          let chunk = next.wrappingAdd(1, ordering: .relaxed).oldValue
          if chunk >= chunkCount { break }
          run(chunk)
        }
      }
    }
    initializedCount = count
  }
}

/// The address of an array's storage handed to the workers of ``parallelMap(count:chunkSize:workspace:_:)``,
/// which write disjoint slots of it.
private struct UncheckedSendableAddress<T>: @unchecked Sendable {
  let address: UnsafeMutablePointer<T>
  init(_ address: UnsafeMutablePointer<T>) { self.address = address }
}
