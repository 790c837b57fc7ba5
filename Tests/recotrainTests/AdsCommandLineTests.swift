import ArgumentParser
import Foundation
import Testing
@testable import recotrain
@testable import Zhongcao

/// `recotrain ads`: bad input exits non-zero and writes nothing.
@Suite struct AdsCommandLineTests {
  @Test func badImpressionsAndStudiesExitNonZeroAndWriteNothing() throws {
    let directory = try CommandLineTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    try "user\tsession\tposition\tnote\tsponsored\tengaged\nu\ts\t1\tn\t0\t1\nu\ts\ttwo\tn\t0\t1\n"
      .write(toFile: path("bad.tsv"), atomically: true, encoding: .utf8)
    #expect(throws: ExitCode.self) {
      try AdsStudyCommand.parse(["--impressions", path("bad.tsv"), "--out", path("study.json"), "--plot", path("curve.svg"), "--quiet"]).run()
    }
    #expect(!FileManager.default.fileExists(atPath: path("study.json")))
    #expect(!FileManager.default.fileExists(atPath: path("curve.svg")))
    #expect(throws: ExitCode.self) {
      try AdsStudyCommand.parse(["--impressions", path("missing.tsv"), "--quiet"]).run()
    }
    try "{\"format\": \"something else\"}".write(toFile: path("other.json"), atomically: true, encoding: .utf8)
    #expect(throws: ExitCode.self) {
      try AdsPlanCommand.parse(["--study", path("other.json"), "--max-loss", "0.02", "--revenue-per-ad", "1"]).run()
    }
    // Bad arguments are usage errors (exit 64), reported before any work.
    #expect(throws: ExitCode(64)) {
      try AdsStudyCommand.parse(["--impressions", path("bad.tsv"), "--window", "0", "--skip-invalid", "--quiet"]).run()
    }
  }
}
