import Foundation

/// A program built by this package (`voucher-engine`, `voucher-pos`), found next to the
/// running test bundle or up to three folders above it (SwiftPM's layout differs between
/// `swift test` and an IDE).
///
/// - Throws: `CocoaError(.fileNoSuchFile)` naming the program when it is not built.
public func builtProgram(_ name: String) throws -> URL {
  var folders: [URL] = []
  if let main = Bundle.main.executableURL { folders.append(main.deletingLastPathComponent()) }
  folders.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
  for start in folders {
    var folder = start
    for _ in 0..<4 {
      let candidate = folder.appendingPathComponent(name)
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      folder = folder.deletingLastPathComponent()
    }
  }
  throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "\(name) next to the tests"])
}
