import Foundation
import Synchronization

/// Maps `0..<count` in chunks on all cores and returns the results in index order.
/// `body` gets a range of indices and returns one result per index, in order.
package func parallelChunkedMap<T: Sendable>(count: Int, chunkSize: Int = 1024, _ body: @Sendable (Range<Int>) -> [T]) -> [T] {
  guard count > 0 else { return [] }
  let chunkCount = (count + chunkSize - 1) / chunkSize
  if chunkCount == 1 { return body(0..<count) }
  let parts = Mutex<[[T]?]>(Array(repeating: nil, count: chunkCount))
  DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
    let part = body((chunk * chunkSize)..<min(count, (chunk + 1) * chunkSize))
    parts.withLock { $0[chunk] = part }
  }
  return parts.withLock { parts in
    var result: [T] = []
    result.reserveCapacity(count)
    for chunk in parts.indices { result.append(contentsOf: parts[chunk]!) }
    return result
  }
}
