import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `Process` for the tests and the bench, on posix_spawn. Foundation's `Process.run()` on
/// Linux (swift-corelibs-foundation up to 6.3) lists `/proc/self/fd` by copying each
/// directory entry's whole 256-byte name, reading past glibc's buffer: a suite that starts
/// hundreds of children from a process with many sockets open crashed in it now and then
/// (SIGSEGV in `Process.run`, seen here once in a full `swift test`). Each test target
/// shadows `Process` with this class (`typealias Process = ChildProcess`), so the tests keep
/// Foundation's names: the child's descriptors above 2 are closed by one `closefrom` file
/// action, and nothing is listed.
///
/// Standard streams take a `Pipe` or a `FileHandle`; nil is `/dev/null`, as for `Process`;
/// unset, the parent's own. The child gets a process group of its own, as with `Process`.
public final class ChildProcess: @unchecked Sendable {
  public enum TerminationReason: Sendable { case exit, uncaughtSignal }

  public var executableURL: URL?
  public var arguments: [String]?
  /// The child's whole environment; nil: this process's.
  public var environment: [String: String]?
  public var standardInput: Any? = FileHandle.standardInput
  public var standardOutput: Any? = FileHandle.standardOutput
  public var standardError: Any? = FileHandle.standardError

  private let lock = NSLock()
  private var pid: pid_t = 0
  /// The raw wait status, once the child has been reaped.
  private var status: Int32?

  public init() {}

  public var processIdentifier: Int32 { lock.withLock { pid } }

  /// True from `run` until the child has ended (asking reaps it).
  public var isRunning: Bool {
    lock.withLock {
      guard pid > 0, status == nil else { return false }
      var raw: Int32 = 0
      if waitpid(pid, &raw, WNOHANG) == pid { status = raw }
      return status == nil
    }
  }

  /// The exit status, or the signal that ended it (see `terminationReason`); -1 while the
  /// child still runs. (Not a crash: a test that asks too early fails its own expectation
  /// instead of ending the whole run, whose other children would then keep it hanging.)
  public var terminationStatus: Int32 {
    let raw = lock.withLock { status }
    guard let raw else { return -1 }
    return raw & 0x7F == 0 ? (raw >> 8) & 0xFF : raw & 0x7F
  }

  public var terminationReason: TerminationReason {
    let raw = lock.withLock { status } ?? 0
    return raw & 0x7F == 0 ? .exit : .uncaughtSignal
  }

  public func run() throws {
    guard let path = executableURL?.path else { throw Failure("no executable to run") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var devNull: FileHandle?
    func descriptor(_ stream: Any?, reading: Bool) throws -> Int32 {
      switch stream {
      case let pipe as Pipe:
        return reading
          ? pipe.fileHandleForReading.fileDescriptor : pipe.fileHandleForWriting.fileDescriptor
      case let handle as FileHandle:
        return handle.fileDescriptor
      case nil:
        devNull = try devNull ?? FileHandle(forUpdating: URL(fileURLWithPath: "/dev/null"))
        return devNull!.fileDescriptor
      default:
        throw Failure("a standard stream must be a Pipe, a FileHandle or nil")
      }
    }
    let streams = [
      try descriptor(standardInput, reading: true), try descriptor(standardOutput, reading: false),
      try descriptor(standardError, reading: false),
    ]
    for (target, source) in streams.enumerated() where source != target {
      posix_spawn_file_actions_adddup2(&actions, source, Int32(target))
    }
    guard Self.addCloseFrom(&actions, 3) == 0 else { throw Failure("closefrom file action") }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)

    let argv = ([path] + (arguments ?? [])).map { strdup($0) } + [nil]
    defer { for argument in argv { free(argument) } }
    let environmentText = environment.map { $0.map { "\($0.key)=\($0.value)" } }
    let envp = environmentText.map { $0.map { strdup($0) } + [nil] }
    defer { for entry in envp ?? [] { free(entry) } }
    var child: pid_t = 0
    let spawned =
      envp.map { posix_spawn(&child, path, &actions, &attributes, argv, $0) }
      ?? posix_spawn(&child, path, &actions, &attributes, argv, environ)
    guard spawned == 0 else {
      throw Failure("cannot start \(path): \(String(cString: strerror(spawned)))")
    }
    lock.withLock { pid = child }
    // The child holds its ends now; the parent's copies would keep a reader from EOF.
    if let pipe = standardInput as? Pipe { try? pipe.fileHandleForReading.close() }
    if let pipe = standardOutput as? Pipe { try? pipe.fileHandleForWriting.close() }
    if let pipe = standardError as? Pipe { try? pipe.fileHandleForWriting.close() }
  }

  /// Blocks until the child has ended.
  public func waitUntilExit() {
    let child = lock.withLock { status == nil ? pid : 0 }
    guard child > 0 else { return }
    var raw: Int32 = 0
    while true {
      let result = waitpid(child, &raw, 0)
      if result == child {
        lock.withLock { status = raw }
        return
      }
      if result == -1, errno == EINTR { continue }
      // Reaped by another thread asking `isRunning`: its status is recorded.
      while isRunning { usleep(1000) }
      return
    }
  }

  public func terminate() { signal(SIGTERM) }

  public func interrupt() { signal(SIGINT) }

  private func signal(_ number: Int32) {
    lock.withLock {
      if pid > 0, status == nil { _ = kill(pid, number) }
    }
  }

  /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34), declared only under
  /// `_GNU_SOURCE`, which Swift's Glibc module is not built with: looked up once.
  private static let addCloseFrom:
    @convention(c) (
      UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32
    ) -> Int32 = {
      guard
        let symbol = dlsym(
          UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
      else {
        fatalError("this C library has no posix_spawn_file_actions_addclosefrom_np (glibc 2.34+)")
      }
      return unsafeBitCast(
        symbol,
        to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self
      )
    }()

  public struct Failure: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
  }
}
