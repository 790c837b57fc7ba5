import ArgumentParser
import Foundation
import Zhongcao

/// Writing to the terminal: messages and progress on stderr, results on stdout.
enum Console {
  /// True when stderr is a terminal (progress bars redraw in place only then).
  static let stderrIsTerminal = isatty(STDERR_FILENO) != 0

  /// Writes a line to stderr.
  static func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  /// Prints a JSON object (sorted keys) to stdout.
  static func printJSON(_ object: [String: Any]) {
    guard let text = jsonText(object) else { return }
    print(text)
  }

  /// A JSON object as pretty-printed text with sorted keys, exactly as ``printJSON(_:)`` prints it
  /// (without the final newline); nil when it is not valid JSON.
  static func jsonText(_ object: [String: Any]) -> String? {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]) else { return nil }
    return String(data: data, encoding: .utf8)
  }

  /// Turns a library error into the CLI's error output and a non-zero exit.
  /// Usage mistakes exit with 64 (EX_USAGE), everything else with 1.
  static func fail(_ error: ZhongcaoError) -> ExitCode {
    note("recotrain: error: \(error)")
    return ExitCode(error.code == .invalidArgument ? 64 : 1)
  }
}

/// A progress bar on stderr that redraws in place on a terminal and stays silent otherwise.
struct ProgressBar {
  let label: String
  let total: Int
  let enabled: Bool

  init(label: String, total: Int, quiet: Bool) {
    self.label = label
    self.total = total
    self.enabled = !quiet && Console.stderrIsTerminal
  }

  func update(_ done: Int, detail: String) {
    guard enabled else { return }
    let width = 30
    let filled = total > 0 ? width * done / total : width
    let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    FileHandle.standardError.write(Data("\r\(label) \(bar) \(done)/\(total) \(detail)\u{1B}[K".utf8))
    if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
  }
}

/// Seconds between two instants of a continuous clock.
func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// Formats seconds for people.
func formatSeconds(_ value: Double) -> String {
  String(format: value < 10 ? "%.2f s" : "%.1f s", value)
}

/// Runs a command body, mapping library errors to the CLI's error output.
func runReportingErrors(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch let error as ZhongcaoError {
    throw Console.fail(error)
  }
}

/// Keeps `value` (a command's notes and results) alive until the process exits, so that the
/// operating system reclaims its memory at once instead of the command freeing it object by
/// object on the way out (for a trust scan, about 1% of the command's instructions). Call it
/// last, once the value is no longer needed.
func keepUntilExit<Value>(_ value: consuming Value) {
  _ = Unmanaged.passRetained(ExitRetained(value))
}

/// The box ``keepUntilExit(_:)`` leaks.
private final class ExitRetained<Value> {
  let value: Value
  init(_ value: consuming Value) { self.value = value }
}

/// Resident memory of this process, from /proc/self/status (0 where unavailable).
enum ProcessMemory {
  /// Current resident set size in bytes (VmRSS).
  static var residentBytes: Int { field("VmRSS:") }
  /// Peak resident set size in bytes since the start or the last ``resetPeak()`` (VmHWM).
  static var peakResidentBytes: Int { field("VmHWM:") }

  /// Resets the peak to the current resident size (Linux: `5` to `/proc/self/clear_refs`), so
  /// that a later ``peakResidentBytes`` measures one phase (training) and not the loading
  /// before it. Returns false where the kernel does not allow it.
  @discardableResult
  static func resetPeak() -> Bool {
    guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
    defer { try? handle.close() }
    return (try? handle.write(contentsOf: Data("5".utf8))) != nil
  }

  private static func field(_ name: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
          let kilobytes = Int(line.dropFirst(name.count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    else { return 0 }
    return kilobytes * 1024
  }
}
