import Foundation
import Testing
@testable import Zhongcao

@Suite("Block-wise line reading and number parsing of large text files")
struct LineBlocksTests {
  static func temporaryFile(_ text: String) throws -> String {
    let path = NSTemporaryDirectory() + "/zhongcao-lineblocks-\(UUID().uuidString).txt"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Every non-blank line after the header, with its line number, by splitting the whole text.
  static func reference(_ text: String) -> [(String, Int)] {
    // Split on bytes: "\r\n" is one `Character`, which a split on "\n" would not see.
    Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false).enumerated().dropFirst().compactMap { offset, line in
      let trimmed = line.last == 0x0D ? line.dropLast() : line
      return trimmed.isEmpty ? nil : (String(decoding: trimmed, as: UTF8.self), offset + 1)
    }
  }

  @Test func lineBreaksAreCountedExactly() {
    // Bytes near the newline (0x09, 0x0B, 0x8A, 0x0A with the high bit) and long runs of it,
    // at every length and alignment around the sixteen-byte chunks, and runs of line breaks long
    // enough to fill the byte-wide sums more than once.
    var random = TestRandom(seed: 21)
    let alphabet: [UInt8] = [0x0A, 0x0A, 0x09, 0x0B, 0x8A, 0x00, 0xFF, 0x41, 0xE4]
    for length in 0..<200 {
      let bytes = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
      for start in 0..<min(length, 17) {
        let slice = bytes[start...]
        let counted = slice.withUnsafeBufferPointer(LineBlocks.lineBreaks)
        #expect(counted == slice.count { $0 == 0x0A }, "length \(length) from \(start)")
      }
    }
    for count in [1_003, 16 * 255, 16 * 255 + 1, 9_000] {
      let allBreaks = [UInt8](repeating: 0x0A, count: count)
      #expect(allBreaks.withUnsafeBufferPointer(LineBlocks.lineBreaks) == count)
    }
  }

  @Test("lines and line numbers match a whole-file split for any block size, blank lines, CRLF and a missing final newline",
        arguments: [1, 2, 3, 7, 64, 1 << 20])
  func linesMatchReference(blockSize: Int) throws {
    var generator = SplitMix64(seed: UInt64(blockSize))
    for trial in 0..<20 {
      var text = "h,e,a,d\n"
      for _ in 0..<Int(generator.next() % 40) {
        switch generator.next() % 6 {
        case 0: text += "\n"
        case 1: text += "\(generator.next() % 1000),x\r\n"
        default: text += String(repeating: "ab", count: Int(generator.next() % 9) + 1) + "\(trial)\n"
        }
      }
      if generator.next() % 2 == 0 { text += "last-without-newline" }
      let path = try Self.temporaryFile(text)
      defer { try? FileManager.default.removeItem(atPath: path) }
      var seen: [(String, Int)] = []
      try LineBlocks.parseInParallel(path, kind: "test file", header: "h,e,a,d", blockSize: blockSize) { bytes, firstLine in
        var lines: [(String, Int)] = []
        LineBlocks.forEachLine(bytes, firstLine: firstLine) { line, number in
          lines.append((String(decoding: line, as: UTF8.self), number))
          return true
        }
        return lines.map { LineAndNumber(text: $0.0, number: $0.1) }
      } consume: { lines in
        seen += lines.map { ($0.text, $0.number) }
      }
      let expected = Self.reference(text)
      #expect(seen.map(\.0) == expected.map(\.0), "block size \(blockSize), trial \(trial)")
      #expect(seen.map(\.1) == expected.map(\.1), "block size \(blockSize), trial \(trial)")
    }
  }

  struct LineAndNumber: Sendable {
    let text: String
    let number: Int
  }

  @Test("a wrong header, an empty file and a missing file are reported with file and line")
  func headerErrors() throws {
    let wrong = try Self.temporaryFile("user,item\n1,2\n")
    let empty = try Self.temporaryFile("")
    defer { for path in [wrong, empty] { try? FileManager.default.removeItem(atPath: path) } }
    let ignore: @Sendable (UnsafeBufferPointer<UInt8>, Int) -> Int = { _, _ in 0 }
    let header = #expect(throws: ZhongcaoError.self) {
      try LineBlocks.parseInParallel(wrong, kind: "test file", header: "user,item,rating", parse: ignore) { _ in }
    }
    #expect(header?.location?.line == 1 && header?.message.contains("'user,item'") == true)
    let nothing = #expect(throws: ZhongcaoError.self) {
      try LineBlocks.parseInParallel(empty, kind: "test file", header: "user,item,rating", parse: ignore) { _ in }
    }
    #expect(nothing?.message.contains("empty") == true)
    let missing = #expect(throws: ZhongcaoError.self) {
      try LineBlocks.parseInParallel(wrong + ".absent", kind: "test file", header: "x", parse: ignore) { _ in }
    }
    #expect(missing?.code == .io && missing?.message.contains("no such file") == true)
  }

  @Test("a line longer than the limit is an error naming its line, read no further than the limit allows")
  func lineLengthLimit() throws {
    // Line 3 has no line break for 5,000 bytes; blocks of 64 bytes, a 1,000-byte limit.
    let path = try Self.temporaryFile("short\nlines\n" + String(repeating: "x", count: 5000) + "\nafter\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    var blocks = try LineBlocks(path: path, kind: "test file", blockSize: 64, maximumLineLength: 1000)
    var lines = 0
    let error = #expect(throws: ZhongcaoError.self) {
      while let block = try blocks.next() { lines += block.bytes.count(where: { $0 == .newline }) }
    }
    #expect(lines == 2 && error?.location?.line == 3 && error?.location?.file == path)
    #expect(error?.message.contains("longer than 1000 bytes") == true)
    // The same file within a limit it keeps.
    var roomy = try LineBlocks(path: path, kind: "test file", blockSize: 64, maximumLineLength: 5000)
    var total = 0
    while let block = try roomy.next() { total += block.bytes.count }
    #expect(total == 5000 + 19)
  }

  @Test("recycled blocks give the same lines as fresh ones, also when a carried line outgrows the recycled buffer",
        arguments: [4_096, 65_536, 1 << 20])
  func recycledBlocksReadTheSame(blockSize: Int) throws {
    var generator = SplitMix64(seed: UInt64(blockSize) + 5)
    var text = ""
    for line in 0..<300 {
      // Mostly short lines, a few longer than the 64 KiB of room a fresh buffer leaves.
      let length = line % 97 == 13 ? 70_000 + Int(generator.next() % 1_000) : Int(generator.next() % 200)
      text += String(repeating: String(UnicodeScalar(UInt8(97 + line % 26))), count: length) + "\n"
    }
    let path = try Self.temporaryFile(text)
    defer { try? FileManager.default.removeItem(atPath: path) }
    func read(recycling: Bool) throws -> ([UInt8], [Int]) {
      var blocks = try LineBlocks(path: path, kind: "test file", blockSize: blockSize)
      var bytes: [UInt8] = [], firstLines: [Int] = []
      while let block = try blocks.next() {
        bytes += block.bytes
        firstLines.append(block.firstLine)
        if recycling { blocks.recycle(block) }
      }
      return (bytes, firstLines)
    }
    let fresh = try read(recycling: false), recycled = try read(recycling: true)
    #expect(fresh.0 == Array(text.utf8))
    #expect(recycled.0 == fresh.0 && recycled.1 == fresh.1)
  }

  @Test("the fast decimal parser agrees with Float(String) on every spelling a factor file uses")
  func floatParsingMatchesFoundation() {
    var generator = SplitMix64(seed: 2024)
    var spellings: [String] = ["0", "-0", "0.0", "1", "+1.5", "3.4028235e38", "1e38", "1e-37", "1.17549435e-38", "1e-45",
                               "16777217", "0.1", "9007199254740993", "123456789012345678901", "1e", "e5", ".", "-", "1.2.3",
                               "nan", "inf", "0x1p3", " 1", "1 ", "0.30000001192092896", "2.5E+10", "7e-0005", "1e0000010"]
    // Float midpoints written out exactly: the hardest cases for a shortcut through Double.
    for _ in 0..<2000 {
      let float = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()) & 0x7FFF_FFFF)
      guard float.isFinite, float > 1e-38 else { continue }
      let midpoint = (Double(float) + Double(float.nextUp)) / 2
      spellings.append(String(format: "%.17g", midpoint))
      spellings.append(String(format: "%.25g", midpoint))
      spellings.append("\(Double(float))")
      spellings.append("\(float)")
    }
    for _ in 0..<20000 {
      let value = Double(bitPattern: generator.next() % 0x3FF0_0000_0000_0000 + 0x3800_0000_0000_0000)
      let scaled = generator.next() % 2 == 0 ? value : Double(generator.next() % 2_000_000) / 1000 - 1000
      switch generator.next() % 4 {
      case 0: spellings.append("\(scaled)")  // Python-repr-like shortest round trip
      case 1: spellings.append(String(format: "%.6f", scaled))
      case 2: spellings.append(String(format: "%.8e", scaled))
      default: spellings.append(String(format: "%.19g", scaled))
      }
    }
    var mismatches: [String] = []
    for spelling in spellings {
      let fast = FieldParsing.float(Array(spelling.utf8))
      var slow = Float(spelling)
      if slow == 0 { slow = 0 }  // "-0" reads as +0, as everywhere in Zhongcao
      let same = fast?.bitPattern == slow?.bitPattern || (fast?.isNaN == true && slow?.isNaN == true)
      if !same { mismatches.append("\(spelling): \(String(describing: fast)) vs \(String(describing: slow))") }
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
  }
}
