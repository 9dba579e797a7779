import Testing

@testable import VoucherEngine

// MARK: Money.parse

@Test(
  "Money.parse reads dot, comma and whole amounts into minor units",
  arguments: [
    ("129.50", Int64(12950)),
    ("129,50", 12950),
    ("129", 12900),
    ("129.5", 12950),
    ("0.05", 5),
    ("  12.00 ", 1200),
    ("0", 0),
    ("10000000000000.00", Money.maximum),
  ])
func moneyParsesAmounts(input: String, expected: Int64) throws {
  #expect(try Money.parse(input) == expected)
}

@Test(
  "Money.parse refuses anything that is not a plain amount, saying why",
  arguments: [
    ("", Money.ParseError.empty),
    ("   ", .empty),
    ("abc", .notANumber("abc")),
    ("1.234", .tooManyDecimals("1.234")),
    ("-5", .negative("-5")),
    ("12.", .notANumber("12.")),
    (".5", .notANumber(".5")),
    ("1,234.00", .notANumber("1,234.00")),
    ("1 000", .notANumber("1 000")),
    ("+5", .notANumber("+5")),
    ("12.5x", .notANumber("12.5x")),
    ("10000000000000.01", .tooLarge("10000000000000.01")),
    ("99999999999999999999", .tooLarge("99999999999999999999")),
    ("9223372036854775807", .tooLarge("9223372036854775807")),
  ])
func moneyRefusesMalformedAmounts(input: String, expected: Money.ParseError) {
  #expect(throws: expected) { try Money.parse(input) }
}

@Test("Money.parse error messages tell the cashier how to write an amount")
func moneyParseErrorsReadWell() {
  #expect(Money.ParseError.empty.description == "no amount given")
  #expect(
    Money.ParseError.notANumber("abc").description
      == "“abc” is not an amount (write it like 129.50)")
}

// MARK: Money.format

@Test(
  "Money.format writes minor units with two decimals and a dot",
  arguments: [
    (Int64(0), "0.00"),
    (5, "0.05"),
    (50, "0.50"),
    (12950, "129.50"),
    (-250, "-2.50"),
    (Money.maximum, "10000000000000.00"),
  ])
func moneyFormats(minor: Int64, expected: String) {
  #expect(Money.format(minor) == expected)
}

@Test("Money.format output parses back to the same amount")
func moneyFormatRoundTrips() throws {
  for minor: Int64 in [0, 1, 99, 100, 12345, 999_999] {
    #expect(try Money.parse(Money.format(minor)) == minor)
  }
}

// MARK: Money.percent

@Test(
  "Money.percent rounds half up to the minor unit without overflowing",
  arguments: [
    (Int64(25900), Int64(1000), Int64(2590)),
    (1, 5000, 1),
    (1, 4999, 0),
    (3, 3333, 1),
    (12345, 1250, 1543),
    (10001, 5000, 5001),
    (0, 10000, 0),
    (99, 0, 0),
    (1_000_000_000_000_000, 10000, 1_000_000_000_000_000),
    (1_000_000_000_000_000, 1, 100_000_000_000),
  ])
func moneyPercent(base: Int64, basisPoints: Int64, expected: Int64) {
  #expect(Money.percent(of: base, basisPoints: basisPoints) == expected)
}

// MARK: CartItem.parse

@Test(
  "CartItem.parse reads the CLI form and the till form",
  arguments: [
    ("prod_1:1:259.00", CartItem(sku: "prod_1", quantity: 1, price: 25900)),
    ("prod_1 2 9,90", CartItem(sku: "prod_1", quantity: 2, price: 990)),
    ("  shoe:3:10 ", CartItem(sku: "shoe", quantity: 3, price: 1000)),
    ("prod_1:100000:0.01", CartItem(sku: "prod_1", quantity: 100_000, price: 1)),
  ])
func cartItemParses(text: String, expected: CartItem) throws {
  #expect(try CartItem.parse(text) == expected)
}

@Test(
  "CartItem.parse refuses a malformed line as an invalid payload",
  arguments: [
    "prod_1:1",
    "prod_1",
    "",
    "prod_1:1:2:3",
    "prod_1:0:10.00",
    "prod_1:x:10.00",
    "prod_1:-1:10.00",
    "prod_1:1:abc",
    "prod_1:1:-5",
    "prod_1:100001:1.00",
  ])
func cartItemRefusesMalformedLines(text: String) {
  var reason: Reason?
  do {
    _ = try CartItem.parse(text)
  } catch {
    reason = error
  }
  #expect(reason?.key == "invalid_payload")
}

@Test("a cart line's amount is quantity times unit price")
func cartItemAmount() {
  #expect(CartItem(sku: "sock", quantity: 3, price: 4990).amount == 14970)
}
