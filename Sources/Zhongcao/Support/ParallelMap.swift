import ZhongcaoLinearAlgebra

/// The number of cores the parallel maps use (``ProcessorCount/active``).
package var usableCoreCount: Int { ProcessorCount.active }

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
    let start = buffer.baseAddress!
    WorkerPool.forEachChunk(threads: ProcessorCount.active, chunkCount: chunkCount, pinningBLAS: false) { _, chunk in
      var scratch = workspace()
      // Each chunk initializes its own disjoint slots exactly once.
      for index in (chunk * chunkSize)..<min(count, (chunk + 1) * chunkSize) {
        (start + index).initialize(to: transform(&scratch, index))
      }
    }
    initializedCount = count
  }
}
