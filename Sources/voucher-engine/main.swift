import Foundation
import VoucherEngine

// Exit statuses, documented in --help and the README.
let exitDone: Int32 = 0
let exitFailure: Int32 = 1
let exitUsage: Int32 = 2
let exitRefused: Int32 = 3

exit(EngineCommand.run(Array(CommandLine.arguments.dropFirst())))
