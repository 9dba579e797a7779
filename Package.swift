// swift-tools-version:6.1
import PackageDescription

let package = Package(
  name: "VoucherPOS",
  products: [
    .executable(name: "voucher-engine", targets: ["voucher-engine"]),
    .executable(name: "voucher-bench", targets: ["voucher-bench"]),
    .library(name: "VoucherEngine", targets: ["VoucherEngine"]),
    .library(name: "VoucherClient", targets: ["VoucherClient"]),
    .executable(name: "voucher-pos", targets: ["voucher-pos"]),
    .library(name: "CashierUI", targets: ["CashierUI"]),
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
      name: "CNcurses",
      providers: [.apt(["libncurses-dev"])]
    ),
    .systemLibrary(
      name: "CMicroHTTPD",
      providers: [.apt(["libmicrohttpd-dev"])]
    ),
    .systemLibrary(
      name: "CQRencode",
      providers: [.apt(["libqrencode-dev"])]
    ),

    // QR codes as Unicode half blocks, for a screen to show a voucher's code to scan.
    .target(name: "QRText", dependencies: ["CQRencode"]),

    // The local engine module: model, money, rules, store, clock.
    .target(name: "VoucherEngine", dependencies: ["CSQLite", "CPostgreSQL"]),
    // C: libpq through dlopen, loaded when a postgresql:// URL is first used, so that no
    // program (the till least of all) links libpq and its ~30 libraries just to start.
    .target(name: "CPostgreSQL"),

    // The client protocol: the embedded engine or a REST endpoint behind one interface.
    .target(name: "VoucherClient", dependencies: ["VoucherEngine"]),

    // The till's screens: state, actions, reducer, Canvas, key table. Never imports curses.
    .target(name: "CashierUI", dependencies: ["VoucherClient", "VoucherEngine", "QRText"]),

    // The REST API: wire types (Voucherify's JSON), the server over libmicrohttpd, and the
    // client that speaks it.
    .target(name: "VoucherAPI", dependencies: ["VoucherEngine"]),
    .target(name: "VoucherServer", dependencies: ["VoucherAPI", "VoucherEngine", "CMicroHTTPD"]),
    .target(
      name: "VoucherRESTClient", dependencies: ["VoucherClient", "VoucherAPI", "CCurlTransport"]),
    // C: HTTPS through libcurl, loaded with dlopen on the first https request, so a till
    // never links it (nor FoundationNetworking) just to start.
    .target(name: "CCurlTransport"),

    // Dialects: one folder each, with its wire types, the routes `serve` mounts, and the
    // till's client. The till links the wire and client parts only, never the HTTP server.
    .target(
      name: "VaucharWire", dependencies: ["VoucherAPI", "VoucherEngine"],
      path: "Sources/Dialects/Vauchar/Wire"),
    .target(
      name: "VaucharServer",
      dependencies: ["VaucharWire", "VoucherServer", "VoucherAPI", "VoucherEngine"],
      path: "Sources/Dialects/Vauchar/Server"),
    .target(
      name: "VaucharClient",
      dependencies: ["VaucharWire", "VoucherClient", "VoucherRESTClient", "VoucherEngine"],
      path: "Sources/Dialects/Vauchar/Client"),
    .target(
      name: "PlainWire", dependencies: ["VoucherAPI", "VoucherEngine"],
      path: "Sources/Dialects/Plain/Wire"),
    .target(
      name: "PlainServer",
      dependencies: ["PlainWire", "VoucherServer", "VoucherAPI", "VoucherEngine"],
      path: "Sources/Dialects/Plain/Server"),
    .target(
      name: "PlainClient",
      dependencies: ["PlainWire", "VoucherClient", "VoucherRESTClient", "VoucherEngine"],
      path: "Sources/Dialects/Plain/Client"),

    // Voyado Engage, in one folder: its wire types, its routes on `serve`, the till's client.
    .target(
      name: "EngageWire", dependencies: ["VoucherEngine", "VoucherAPI"],
      path: "Sources/Dialects/Engage/EngageWire"),
    .target(
      name: "EngageServer",
      dependencies: ["EngageWire", "VoucherServer", "VoucherEngine", "VoucherAPI"],
      path: "Sources/Dialects/Engage/EngageServer"),
    .target(
      name: "EngageClient",
      dependencies: ["EngageWire", "VoucherClient", "VoucherRESTClient", "VoucherEngine"],
      path: "Sources/Dialects/Engage/EngageClient"),

    // Command-line front ends.
    .executableTarget(
      name: "voucher-engine",
      dependencies: [
        "VoucherEngine", "VoucherServer", "EngageServer", "VaucharServer", "PlainServer",
      ]),
    .executableTarget(
      name: "voucher-bench",
      // TestSupport: the throwaway PostgreSQL cluster of the PostgreSQL rows (the tests' own).
      dependencies: ["VoucherEngine", "VoucherServer", "CSQLite", "CPseudoTerminal", "TestSupport"]),
    // C: the first-frame baseline the bench compares voucher-pos with, and the pty opener
    // it runs both under.
    .executableTarget(
      name: "ncurses-first-frame", linkerSettings: [.linkedLibrary("ncursesw")]),
    .target(name: "CPseudoTerminal"),
    .executableTarget(
      name: "voucher-pos",
      dependencies: [
        "CashierUI", "VoucherClient", "VoucherRESTClient", "VoucherEngine", "CNcurses",
        "EngageClient", "VaucharClient", "PlainClient",
      ],
      // The release till carries its Swift runtime and Foundation inside (the C libraries
      // stay shared): it starts without loading and relocating ten Swift libraries, which
      // was about half of its time to the first frame, and a till machine needs no Swift
      // installed. lld, because the static archives need each other in no fixed order; the
      // four libraries are what `swift build --static-swift-stdlib` adds on its own. Debug
      // builds (and so the tests, which link this module with XCTest) stay dynamic.
      linkerSettings: [
        .unsafeFlags(
          [
            "-static-stdlib", "-use-ld=lld", "-l_FoundationICU", "-l_FoundationCollections",
            "-l_FoundationCShims", "-lCoreFoundation",
          ], .when(configuration: .release))
      ]
    ),

    // Helpers every test target shares (finding the built programs).
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(
      name: "VoucherEngineTests",
      dependencies: ["VoucherEngine", "voucher-engine", "TestSupport", "CPseudoTerminal"]
    ),
    .testTarget(name: "QRTextTests", dependencies: ["QRText"]),
    .testTarget(
      name: "CashierUITests",
      dependencies: ["CashierUI", "VoucherClient", "VoucherEngine"]
    ),
    .testTarget(
      name: "VoucherPOSTests",
      dependencies: [
        "voucher-pos", "voucher-engine", "voucher-bench", "CashierUI", "VoucherEngine",
        "CPseudoTerminal",
        "EngageClient",
        "TestSupport",
      ]
    ),
    .testTarget(
      name: "VoucherServerTests",
      dependencies: [
        "VoucherServer", "VoucherAPI", "VoucherRESTClient", "VoucherClient", "VoucherEngine",
        "voucher-engine", "TestSupport", "VaucharWire", "VaucharServer", "VaucharClient",
        "PlainWire", "PlainServer", "PlainClient", "EngageWire", "EngageServer", "CashierUI",
      ],
      // A TLS certificate and the python3 server the https test starts.
      exclude: ["Fixtures"]
    ),
    .testTarget(
      name: "EngageTests",
      dependencies: [
        "EngageWire", "EngageServer", "EngageClient", "VoucherServer", "VoucherClient",
        "VoucherEngine", "VoucherAPI", "voucher-engine", "TestSupport",
      ],
      // The schema checker (python3 jsonschema) the contract test runs.
      exclude: ["Fixtures"]
    ),
  ]
)

// Strict settings for every Swift target, in one place.
let cTargets: Set<String> = [
  "ncurses-first-frame", "CPseudoTerminal", "CCurlTransport", "CPostgreSQL",
]
for target in package.targets where target.type != .system && !cTargets.contains(target.name) {
  var settings = target.swiftSettings ?? []
  settings.append(.swiftLanguageMode(.v6))
  settings.append(.enableUpcomingFeature("ExistentialAny"))
  settings.append(.unsafeFlags(["-warnings-as-errors"]))
  target.swiftSettings = settings
}
