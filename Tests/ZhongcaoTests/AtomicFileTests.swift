import Foundation
import Testing
@testable import Zhongcao

@Suite("Atomic file writes")
struct AtomicFileTests {
  static func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "/zhongcao-atomic-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  @Test("a failing writer leaves the old file and no temporary; a write removes only dead writers' temporaries")
  func failuresAndDebris() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let target = directory + "/out.bin"
    try AtomicFile.write(Array("old".utf8), to: target)
    let failure = #expect(throws: ZhongcaoError.self) {
      try AtomicFile.write(to: target) { writer throws(ZhongcaoError) in
        try writer.write(String(repeating: "x", count: 3 << 20))
        throw ZhongcaoError(.invalidInput, "stopped on purpose")
      }
    }
    #expect(failure?.message == "stopped on purpose")
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "old")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["out.bin"])

    // A killed writer's temporary (its process is gone), a running writer's (pid 1 always runs)
    // and another target's.
    var deadProcess: Int32 = 999_999
    while kill(deadProcess, 0) == 0 || errno != ESRCH { deadProcess -= 1 }
    let abandoned = ".out.bin.tmp-\(deadProcess)-12", running = ".out.bin.tmp-1-34", other = ".other.bin.tmp-\(deadProcess)-56"
    for name in [abandoned, running, other] {
      try "partial".write(toFile: directory + "/" + name, atomically: false, encoding: .utf8)
    }
    try AtomicFile.write(Array("new".utf8), to: target)
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
    #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory)) == ["out.bin", running, other])
  }

  @Test("write errors are explained: a full disk, a file-size limit and a quota are named, not given as a Cocoa code")
  func errorDescriptions() {
    func wrapped(_ code: Int32) -> NSError {
      NSError(domain: NSCocoaErrorDomain, code: 512,
              userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(code))])
    }
    #expect(AtomicFile.describe(wrapped(ENOSPC)) == "no space left on the device")
    #expect(AtomicFile.describe(wrapped(EFBIG)).contains("file-size limit"))
    #expect(AtomicFile.describe(NSError(domain: NSPOSIXErrorDomain, code: Int(EDQUOT))) == "the disk quota is exhausted")
    #expect(AtomicFile.describe(wrapped(EIO)) == String(cString: strerror(EIO)))
  }
}
