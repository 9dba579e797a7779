// swift-tools-version:6.1
import PackageDescription

let package = Package(
  name: "VoucherPOS",
  products: [
    .executable(name: "voucher-engine", targets: ["voucher-engine"]),
    .executable(name: "voucher-bench", targets: ["voucher-bench"]),
    .library(name: "VoucherEngine", targets: ["VoucherEngine"]),
    .library(name: "VoucherClient", targets: ["VoucherClient"]),
  ],
  targets: [
    // System libraries: one shim header each (see Sources/C*/shim.h).
    .systemLibrary(
      name: "CSQLite",
      providers: [.apt(["libsqlite3-dev"])]
    ),

    // The local engine module: model, money, rules, store, clock.
    .target(name: "VoucherEngine", dependencies: ["CSQLite"]),

    // The client protocol: the embedded engine or a REST endpoint behind one interface.
    .target(name: "VoucherClient", dependencies: ["VoucherEngine"]),

    // Command-line front ends.
    .executableTarget(name: "voucher-engine", dependencies: ["VoucherEngine"]),
    .executableTarget(name: "voucher-bench", dependencies: ["VoucherEngine", "CSQLite"]),

    .testTarget(
      name: "VoucherEngineTests",
      dependencies: ["VoucherEngine", "voucher-engine"]
    ),
  ]
)

// Strict settings for every Swift target, in one place.
for target in package.targets where target.type != .system {
  var settings = target.swiftSettings ?? []
  settings.append(.swiftLanguageMode(.v6))
  settings.append(.enableUpcomingFeature("ExistentialAny"))
  settings.append(.unsafeFlags(["-warnings-as-errors"]))
  target.swiftSettings = settings
}
