import Synchronization

/// The model a long-running service answers from, replaceable while requests are in flight.
///
/// A request takes one ``Snapshot`` and answers from it alone, so every answer comes from one
/// consistent model however often the model is swapped. ``replace(with:)`` and
/// ``load(contentsOf:storage:verification:)`` change the model for later requests only; requests
/// in flight finish on the model they took, and its memory (or file mapping) is released when
/// the last of them lets go. Loading happens outside the lock: requests are never held up by it,
/// and a file that fails to load leaves the current model serving.
///
/// ```swift
/// let store = try ModelStore(contentsOf: "feed.zcm")
/// // request handlers, on any thread:
/// let feed = try store.snapshot().model.recommendations(for: userID, count: 20)
/// // after retraining:
/// try store.load(contentsOf: "feed.zcm")
/// ```
public final class ModelStore: Sendable {
  /// A model and the number of the swap that installed it (0 for the first).
  public struct Snapshot: Sendable {
    /// The model.
    public let model: FeedModel
    /// 0 for the model the store was created with, then 1, 2, … for each replacement.
    public let generation: UInt64
  }

  private let current: Mutex<Snapshot>

  /// A store serving `model`.
  public init(_ model: FeedModel) {
    current = Mutex(Snapshot(model: model, generation: 0))
  }

  /// A store serving the model file at `path`, memory-mapped by default (see
  /// ``FeedModel/init(contentsOf:storage:verification:)``).
  /// - Throws: what loading the file throws.
  public convenience init(contentsOf path: String, storage: ModelStorage = .memoryMapped,
                          verification: ModelVerification = .full) throws(ZhongcaoError) {
    self.init(try FeedModel(contentsOf: path, storage: storage, verification: verification))
  }

  /// The current model and its generation; hold on to it for the whole of a request.
  public func snapshot() -> Snapshot {
    current.withLock { $0 }
  }

  /// Installs `model` for later requests and returns its snapshot.
  @discardableResult
  public func replace(with model: FeedModel) -> Snapshot {
    // The old snapshot is released after the lock, so its memory is never freed under it.
    let (installed, _) = current.withLock { snapshot in
      let old = snapshot
      snapshot = Snapshot(model: model, generation: old.generation &+ 1)
      return (snapshot, old)
    }
    return installed
  }

  /// Loads the model file at `path` and installs it; on failure the current model keeps serving.
  /// - Throws: what ``FeedModel/init(contentsOf:storage:verification:)`` throws.
  @discardableResult
  public func load(contentsOf path: String, storage: ModelStorage = .memoryMapped,
                   verification: ModelVerification = .full) throws(ZhongcaoError) -> Snapshot {
    replace(with: try FeedModel(contentsOf: path, storage: storage, verification: verification))
  }
}
