import Testing
@testable import Zhongcao

/// The parallel maps return what a sequential map returns, in order, for any count and chunk size.
@Suite struct ParallelMapTests {
  @Test(arguments: [0, 1, 7, 512, 1_000, 4_097]) func parallelMapEqualsSequentialMap(count: Int) {
    for chunkSize in [1, 3, 512, 10_000] {
      // Results holding references (strings and arrays), as the scan's do.
      let expected = (0..<count).map { ("note \($0)", [Double($0)]) }
      let mapped = parallelMap(count: count, chunkSize: chunkSize, workspace: { 0 }) { calls, index in
        calls += 1
        return ("note \(index)", [Double(index)])
      }
      #expect(mapped.map(\.0) == expected.map(\.0) && mapped.map(\.1) == expected.map(\.1))
      // A fresh workspace per chunk: the calls counted within a chunk restart at each chunk.
      let positions = parallelMap(count: count, chunkSize: chunkSize, workspace: { 0 }) { calls, _ in
        calls += 1
        return calls
      }
      #expect(positions == (0..<count).map { $0 % chunkSize + 1 })
      let chunked = parallelChunkedMap(count: count, chunkSize: chunkSize) { range in range.map { "note \($0)" } }
      #expect(chunked == expected.map(\.0))
    }
  }
}
