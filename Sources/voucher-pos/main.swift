import Foundation

exit(VoucherPOS.main(Array(CommandLine.arguments.dropFirst())))
