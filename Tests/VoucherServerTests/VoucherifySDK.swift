import Foundation

/// Voucherify's official Python SDK in a virtual environment of its own, made in the user's
/// cache folder on the first run (`${XDG_CACHE_HOME:-~/.cache}/voucher-pos/`) and reused
/// after, so that `swift test` works on a fresh machine with Python and the package index.
enum VoucherifySDK {
  static let version = "6.1.1"

  struct Unavailable: Error, CustomStringConvertible {
    let description: String
  }

  static var folder: URL {
    let environment = ProcessInfo.processInfo.environment
    let cache =
      environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
      ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
    return cache.appendingPathComponent("voucher-pos/voucherify-sdk-venv")
  }

  /// The environment's `python`, with `voucherify==6.1.1` importable.
  ///
  /// - Throws: `Unavailable`, saying what is missing, when Python's venv or the package
  ///   index cannot be had.
  static func python() throws -> URL {
    let python = folder.appendingPathComponent("bin/python")
    if isReady(python) { return python }
    // Built beside its final place and moved in whole, so that an interrupted first run
    // never leaves a half-made environment that later runs would take as ready.
    let parent = folder.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    let staging = parent.appendingPathComponent("voucherify-sdk-venv-building-\(getpid())")
    try? FileManager.default.removeItem(at: staging)
    let made = try runProgram(
      URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-m", "venv", staging.path],
      timeout: 300)
    guard made.status == 0 else {
      throw Unavailable(
        description:
          "the Voucherify SDK test needs Python 3 with venv (Debian: apt-get install python3-venv);"
          + " python3 -m venv failed: \(made.output)")
    }
    let installed = try runProgram(
      staging.appendingPathComponent("bin/pip"),
      ["install", "--quiet", "--disable-pip-version-check", "voucherify==\(version)"],
      timeout: 600)
    guard installed.status == 0 else {
      try? FileManager.default.removeItem(at: staging)
      throw Unavailable(
        description:
          "the Voucherify SDK test needs the package index (pip install voucherify==\(version))"
          + " and it failed: \(installed.output)")
    }
    if !isReady(python) {
      try? FileManager.default.removeItem(at: folder)
      try FileManager.default.moveItem(at: staging, to: folder)
    } else {
      try? FileManager.default.removeItem(at: staging)
    }
    guard isReady(python) else {
      throw Unavailable(description: "voucherify \(version) did not import after installing")
    }
    return python
  }

  private static func isReady(_ python: URL) -> Bool {
    guard FileManager.default.isExecutableFile(atPath: python.path) else { return false }
    let probe = try? runProgram(
      python, ["-c", "import importlib.metadata as m; print(m.version('voucherify'))"],
      timeout: 60)
    return probe?.status == 0
      && probe?.output.trimmingCharacters(in: .whitespacesAndNewlines) == version
  }
}
