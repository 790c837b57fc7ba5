import Dispatch
import Zhongcao

/// Work begun on another thread now and collected later, to overlap a serial job (reading the
/// engagement file) with one that leaves cores idle at times (loading the notes, whose in-order
/// bookkeeping runs on one thread).
final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
  /// Written once by the worker before it leaves `group`; read only after `group.wait()`.
  private var result: Result<Value, ZhongcaoError>?
  private let group = DispatchGroup()

  /// Starts `work` on a global queue.
  init(_ work: @escaping @Sendable () throws(ZhongcaoError) -> Value) {
    DispatchQueue.global(qos: .userInitiated).async(group: group) {
      let outcome: Result<Value, ZhongcaoError>
      do throws(ZhongcaoError) {
        outcome = .success(try work())
      } catch {
        outcome = .failure(error)
      }
      self.result = outcome
    }
  }

  /// Waits for the work; its value, or the error it threw.
  func value() throws(ZhongcaoError) -> Value {
    group.wait()
    return try result!.get()
  }
}
