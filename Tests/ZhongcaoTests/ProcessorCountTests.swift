import Foundation
import Testing
import ZhongcaoLinearAlgebra

/// The usable processor count from the affinity mask and the cgroup v2 CPU quota.
@Suite struct ProcessorCountTests {
  static let status = "Name:\trecotrain\nCpus_allowed:\t%@\nCpus_allowed_list:\t0-1\n"

  func usable(online: Int, mask: String?, cgroup: String? = "0::/\n", cpuMax: String? = nil) -> Int {
    ProcessorCount.usable(
      online: online, status: mask.map { String(format: Self.status, $0) }, cgroup: cgroup, cpuMax: { _ in cpuMax })
  }

  @Test func theAffinityMaskCapsTheOnlineCount() {
    #expect(usable(online: 64, mask: "f") == 4)  // taskset -c 0-3
    #expect(usable(online: 64, mask: "2") == 1)  // taskset -c 1
    #expect(usable(online: 64, mask: "ffffffff,00000001") == 33)  // words separated by commas
    #expect(usable(online: 2, mask: "ffffffff") == 2)  // a mask wider than the machine
    #expect(usable(online: 8, mask: nil) == 8)  // no /proc
    #expect(usable(online: 8, mask: "zz") == 8)  // unreadable mask
  }

  @Test func theCgroupQuotaIsRoundedUp() {
    #expect(usable(online: 64, mask: "ffffffffffffffff", cpuMax: "200000 100000\n") == 2)
    #expect(usable(online: 64, mask: "ffffffffffffffff", cpuMax: "150000 100000\n") == 2)
    #expect(usable(online: 64, mask: "ffffffffffffffff", cpuMax: "50000 100000\n") == 1)
    #expect(usable(online: 64, mask: "ffffffffffffffff", cpuMax: "max 100000\n") == 64)
    #expect(usable(online: 64, mask: "3", cpuMax: "800000 100000\n") == 2)  // the tighter of the two
    #expect(usable(online: 64, mask: "ff", cgroup: nil, cpuMax: "100000 100000") == 8)  // no cgroup v2 line
  }

  @Test func theCgroupPathComesFromTheUnifiedLine() {
    var asked: [String] = []
    _ = ProcessorCount.usable(online: 4, status: nil, cgroup: "1:cpu:/old\n0::/system.slice/zc.service\n") { path in
      asked.append(path)
      return nil
    }
    #expect(asked == ["/system.slice/zc.service"])
  }

  /// Under `taskset -c 0` a process sees one usable processor (checked in a child process, which
  /// is pinned; this one is not).
  @Test func aPinnedProcessSeesOneProcessor() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset") else { return }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
    process.arguments = ["-c", "0", "/bin/cat", "/proc/self/status"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let status = String(decoding: data, as: UTF8.self)
    #expect(ProcessorCount.usable(online: 2, status: status, cgroup: nil, cpuMax: { _ in nil }) == 1)
    #expect(ProcessorCount.active >= 1 && ProcessorCount.active <= max(1, ProcessInfo.processInfo.activeProcessorCount))
  }
}
