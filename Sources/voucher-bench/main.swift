import Foundation

exit(Benchmark.main(Array(CommandLine.arguments.dropFirst())))
