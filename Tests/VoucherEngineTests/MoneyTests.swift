import Testing

@testable import VoucherEngine

@Test("money parses dot, comma and whole amounts")
func moneyParses() throws {
  #expect(try Money.parse("129.50") == 12950)
}
