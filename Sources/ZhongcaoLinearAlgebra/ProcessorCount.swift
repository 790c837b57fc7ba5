#if canImport(Glibc)
import Glibc
#endif

/// The number of processors this process may run on.
///
/// `sysconf(_SC_NPROCESSORS_ONLN)` (and Foundation's `activeProcessorCount`) counts every online
/// processor of the machine, so a process under `taskset -c 0-3`, in a cpuset, or in a container
/// limited to 2 CPUs on a 64-core host would start 64 workers that the kernel then time-slices
/// or throttles. This count honours the affinity mask and the cgroup v2 CPU quota.
package enum ProcessorCount {
  /// The processors this process may use: the CPUs of its affinity mask (`Cpus_allowed` in
  /// `/proc/self/status`), no more than its cgroup v2 CPU quota rounded up (`cpu.max` of its
  /// cgroup, a container's CPU limit); the online processors where neither can be read.
  /// Read once.
  package static let active: Int = {
    #if canImport(Glibc)
    let online = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    return usable(
      online: online, status: contents(of: "/proc/self/status"), cgroup: contents(of: "/proc/self/cgroup"),
      cpuMax: { path in contents(of: "/sys/fs/cgroup" + (path == "/" ? "" : path) + "/cpu.max") })
    #else
    return 1
    #endif
  }()

  /// The usable processors given the online count and the text of `/proc/self/status`,
  /// `/proc/self/cgroup` and the `cpu.max` of a cgroup path (nil where a file cannot be read).
  package static func usable(online: Int, status: String?, cgroup: String?, cpuMax: (String) -> String?) -> Int {
    var count = max(1, online)
    if let allowed = status.flatMap(allowedCPUs(status:)), allowed > 0 { count = min(count, allowed) }
    if let path = cgroup.flatMap(unifiedPath(cgroup:)), let quota = cpuMax(path).flatMap(quotaCPUs(cpuMax:)) {
      count = min(count, quota)
    }
    return count
  }

  /// The number of bits set in the `Cpus_allowed:` mask (hex words separated by commas).
  static func allowedCPUs(status: String) -> Int? {
    for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed:") {
      var bits = 0
      for character in line.dropFirst("Cpus_allowed:".count) where character != "," && character != " " && character != "\t" {
        guard let digit = character.hexDigitValue else { return nil }
        bits += digit.nonzeroBitCount
      }
      return bits
    }
    return nil
  }

  /// The cgroup v2 path of the process: the `0::PATH` line of `/proc/self/cgroup`.
  static func unifiedPath(cgroup: String) -> String? {
    for line in cgroup.split(separator: "\n") where line.hasPrefix("0::") {
      return String(line.dropFirst(3))
    }
    return nil
  }

  /// The CPUs a `cpu.max` of `QUOTA PERIOD` allows, rounded up; nil for `max` (no limit).
  static func quotaCPUs(cpuMax: String) -> Int? {
    let fields = cpuMax.split(whereSeparator: { $0 == " " || $0 == "\n" })
    guard fields.count >= 2, let quota = Int(fields[0]), let period = Int(fields[1]), quota > 0, period > 0 else { return nil }
    return max(1, (quota + period - 1) / period)
  }

  #if canImport(Glibc)
  /// A small text file's contents (procfs and cgroupfs report a size of 0, so read to the end).
  private static func contents(of path: String) -> String? {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while bytes.count < 1 << 20 {
      let read = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
      if read < 0 { return nil }
      if read == 0 { break }
      bytes += buffer[..<read]
    }
    return String(decoding: bytes, as: UTF8.self)
  }
  #endif
}
