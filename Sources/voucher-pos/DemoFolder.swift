import Foundation

/// A demo's throwaway folder: its database, journal and receipts, deleted at exit.
///
/// A demo killed by SIGKILL, a power cut, or a signal after it wrote a receipt (whose name
/// the signal handler does not know) leaves its folder behind. Each demo holds a lock on
/// its folder's `demo.lock` for as long as it runs, and the next demo removes every folder
/// whose lock nobody holds.
enum DemoFolder {
  static let prefix = "voucher-pos-demo-"
  static let lockName = "demo.lock"

  /// What a demo makes in its folder by name; the signal handler removes these and then
  /// the folder (which stays if receipts are in it, for the next demo to remove).
  static let knownFiles = [
    "engine.sqlite", "engine.sqlite-wal", "engine.sqlite-shm", "journal.jsonl",
    "journal.jsonl.lock", lockName,
  ]

  /// A folder is removed only once it is this old (by its last change): a demo makes its
  /// folder and takes the lock a moment later, and must not lose it in between.
  static let grace: TimeInterval = 60

  /// In `$TMPDIR` when it is set, otherwise in `/dev/shm` where it exists: the demo's
  /// database is thrown away at exit, and in memory its nine fsyncs cost nothing (first
  /// frame 15.1 → 12.9 ms, median of 31 under a pty), and a demo box's disk is not worn.
  static var base: String {
    Environment.value("TMPDIR").flatMap { $0.isEmpty ? nil : $0 }
      ?? (access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp")
  }

  /// A new folder of this run's own, locked for as long as this process runs: `mkdtemp`
  /// picks a free name and makes it private in one call, where `FileManager` took a part
  /// of a millisecond before the first frame.
  static func make() throws -> URL {
    var template = Array("\(base)/\(prefix)XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: base])
    }
    let path = String(cString: made)
    // Never closed: the lock goes with the process, however it ends.
    let lock = open(path + "/" + lockName, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    if lock >= 0 { _ = flock(lock, LOCK_EX | LOCK_NB) }
    return URL(fileURLWithPath: path, isDirectory: true)
  }

  /// Removes the demo folders under `base` that no running demo holds, except `keeping`.
  static func removeAbandoned(keeping own: String, now: Date = Date()) {
    let base = self.base
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
    for name in names where name.hasPrefix(prefix) {
      let folder = base + "/" + name
      guard folder != own, isAbandoned(folder, now: now) else { continue }
      try? FileManager.default.removeItem(atPath: folder)
    }
  }

  /// A folder of this user's, older than the grace period, whose lock can be taken (its
  /// demo is gone) or that has no lock at all.
  static func isAbandoned(_ folder: String, now: Date) -> Bool {
    var info = stat()
    guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid(),
      now.timeIntervalSince1970 - TimeInterval(info.st_mtim.tv_sec) >= grace
    else { return false }
    let lock = open(folder + "/" + lockName, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
    guard lock >= 0 else { return errno == ENOENT }
    defer { close(lock) }
    return flock(lock, LOCK_EX | LOCK_NB) == 0
  }
}
