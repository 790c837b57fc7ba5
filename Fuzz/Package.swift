// swift-tools-version: 6.1
//
// libFuzzer targets for every reader of outside data (`bash Tools/fuzz.sh`). A package of its own
// so that the main package never needs a fuzzer-built main: each target defines only
// `LLVMFuzzerTestOneInput` and is built with `swift build --sanitize=fuzzer --sanitize=address`.

import PackageDescription

let readers = ["interactions", "notes", "impressions", "model-file", "spark-export"]

let package = Package(
  name: "ZhongcaoFuzz",
  platforms: [.macOS(.v15)],
  dependencies: [.package(name: "Zhongcao", path: "..")],
  targets: [
    .target(name: "FuzzSupport", dependencies: [.product(name: "Zhongcao", package: "Zhongcao")]),
  ] + readers.map { reader in
    .executableTarget(
      name: "fuzz-\(reader)", dependencies: ["FuzzSupport", .product(name: "Zhongcao", package: "Zhongcao")],
      path: "Sources/\(reader)")
  }
)
