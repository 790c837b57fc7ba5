// swift-tools-version: 6.1
//
// Zhongcao (种草): feeds and trust scoring for social-commerce note feeds, on OpenBLAS.
// Layout and rules: README.md ("Design") and ../shared/DESIGN.md.

import PackageDescription

let strictSwift: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
  name: "Zhongcao",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "Zhongcao", targets: ["Zhongcao"]),
    .executable(name: "recotrain", targets: ["recotrain"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
  ],
  targets: [
    // MARK: - Implementation details

    /// OpenBLAS (cblas + the Fortran LAPACK symbols it exports). Only ZhongcaoLinearAlgebra imports it.
    .systemLibrary(
      name: "COpenBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]),

    /// Dense matrices, BLAS/LAPACK wrappers, the worker pool and the hot kernels; `package` API only.
    .target(
      name: "ZhongcaoLinearAlgebra",
      dependencies: ["COpenBLAS", .product(name: "HeapModule", package: "swift-collections")],
      swiftSettings: strictSwift),

    // MARK: - Public API

    /// The one module users import.
    .target(
      name: "Zhongcao",
      dependencies: ["ZhongcaoLinearAlgebra"],
      swiftSettings: strictSwift),

    /// The command-line tool: parse, call the library, print.
    .executableTarget(
      name: "recotrain",
      dependencies: ["Zhongcao", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: strictSwift),

    // MARK: - Benchmarks

    /// How close training runs to the machine's sgemm peak (`swift run -c release zhongcao-bench`).
    /// The side-by-side comparison with `implicit` is Benchmarks/compare_implicit.py.
    .executableTarget(
      name: "zhongcao-bench",
      dependencies: ["Zhongcao", "ZhongcaoLinearAlgebra"],
      path: "Benchmarks/ZhongcaoBench",
      swiftSettings: strictSwift),

    // MARK: - Tests

    .testTarget(
      name: "ZhongcaoLinearAlgebraTests",
      dependencies: ["ZhongcaoLinearAlgebra"],
      swiftSettings: strictSwift),
    .testTarget(
      name: "ZhongcaoTests",
      dependencies: ["Zhongcao", "ZhongcaoLinearAlgebra"],
      swiftSettings: strictSwift),
    .testTarget(
      name: "recotrainTests",
      dependencies: ["recotrain", "Zhongcao"],
      swiftSettings: strictSwift),
  ]
)
