import TestSupport

/// Foundation's `Process` crashes now and then on Linux when it starts a child (see
/// `ChildProcess`): in this module the name means the posix_spawn one.
typealias Process = ChildProcess
