// swift-tools-version:6.1
import PackageDescription

let package = Package(
  name: "VoucherPOS",
  products: [
    .executable(name: "voucher-engine", targets: ["voucher-engine"]),
    .executable(name: "voucher-bench", targets: ["voucher-bench"]),
    .library(name: "VoucherEngine", targets: ["VoucherEngine"]),
    .library(name: "VoucherClient", targets: ["VoucherClient"]),
    .library(name: "VoucherServer", targets: ["VoucherServer"]),
    .library(name: "VoucherRESTClient", targets: ["VoucherRESTClient"]),
  ],
  targets: [
    // System libraries: one shim header each (see Sources/C*/shim.h).
    .systemLibrary(
      name: "CSQLite",
      providers: [.apt(["libsqlite3-dev"])]
    ),
    .systemLibrary(
      name: "CMicroHTTPD",
      providers: [.apt(["libmicrohttpd-dev"])]
    ),

    // The local engine module: model, money, rules, store, clock.
    .target(name: "VoucherEngine", dependencies: ["CSQLite"]),

    // The client protocol: the embedded engine or a REST endpoint behind one interface.
    .target(name: "VoucherClient", dependencies: ["VoucherEngine"]),

    // The REST API: wire types (Voucherify's JSON), the server over libmicrohttpd, and the
    // client that speaks it.
    .target(name: "VoucherAPI", dependencies: ["VoucherEngine"]),
    .target(name: "VoucherServer", dependencies: ["VoucherAPI", "VoucherEngine", "CMicroHTTPD"]),
    .target(name: "VoucherRESTClient", dependencies: ["VoucherClient", "VoucherAPI"]),

    // Command-line front ends.
    .executableTarget(name: "voucher-engine", dependencies: ["VoucherEngine", "VoucherServer"]),
    .executableTarget(
      name: "voucher-bench", dependencies: ["VoucherEngine", "VoucherServer", "CSQLite"]),

    .testTarget(
      name: "VoucherEngineTests",
      dependencies: ["VoucherEngine", "voucher-engine"]
    ),
    .testTarget(
      name: "VoucherServerTests",
      dependencies: [
        "VoucherServer", "VoucherAPI", "VoucherRESTClient", "VoucherClient", "VoucherEngine",
        "voucher-engine",
      ]
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
