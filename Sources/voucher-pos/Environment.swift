#if canImport(Glibc)
  import Glibc
#endif

/// Single environment variables, read with `getenv`. `ProcessInfo.environment` copies the
/// whole environment into a dictionary on every call, and its first call costs a good part
/// of a millisecond before the till's first frame.
enum Environment {
  static func value(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
  }
}
