/// The one error type of Zhongcao's public API.
///
/// Every error names what went wrong in words a user can act on: for bad input the file, line
/// and field; for a failed training run the iteration and what to change. ``code`` lets callers
/// branch without parsing the message; new codes may be added in any release.
public struct ZhongcaoError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A category of failure. New codes may be added without a major version.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    private enum Wrapped: Hashable, Sendable {
      case invalidInput, invalidArgument, invalidModel, trainingFailed, io, notFound
    }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// Input data (interactions, notes, impressions) is malformed.
    public static let invalidInput = Code(.invalidInput)
    /// A parameter is out of range or inconsistent.
    public static let invalidArgument = Code(.invalidArgument)
    /// A model file is truncated, corrupted, of another version or hostile.
    public static let invalidModel = Code(.invalidModel)
    /// Training diverged or a system could not be solved.
    public static let trainingFailed = Code(.trainingFailed)
    /// Reading or writing a file failed.
    public static let io = Code(.io)
    /// A user or note id is not known to the model.
    public static let notFound = Code(.notFound)

    public var description: String { "\(wrapped)" }
  }

  /// Where in an input file the problem is, when it comes from one.
  public struct Location: Hashable, Sendable, CustomStringConvertible {
    /// The file path (or a name such as `<memory>`).
    public var file: String
    /// 1-based line number, when known.
    public var line: Int?
    /// The field (column name) involved, when known.
    public var field: String?

    /// A location in a file.
    public init(file: String, line: Int? = nil, field: String? = nil) {
      self.file = file
      self.line = line
      self.field = field
    }

    public var description: String {
      var text = file
      if let line { text += ":\(line)" }
      if let field { text += " (field '\(field)')" }
      return text
    }
  }

  /// The category.
  public var code: Code
  /// A human-readable explanation.
  public var message: String
  /// The input location, when the error comes from a file.
  public var location: Location?

  /// An error with a code, message and optional location.
  public init(_ code: Code, _ message: String, location: Location? = nil) {
    self.code = code
    self.message = message
    self.location = location
  }

  public var description: String {
    if let location { return "\(location): \(message)" }
    return message
  }
}
