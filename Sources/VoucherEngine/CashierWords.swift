import Foundation

/// The one place where a refusal becomes the sentence a cashier reads.
public enum CashierWords {
  /// The sentence for `reason`, with dates in `timeZone` and amounts in `currency`.
  public static func sentence(
    for reason: Reason, currency: String = "SEK", timeZone: TimeZone = .current
  ) -> String {
    func day(_ date: Date) -> String { formatDay(date, timeZone: timeZone) }
    func money(_ minor: Int64) -> String { "\(Money.format(minor)) \(currency)" }
    switch reason {
    case .notFound(let code):
      return "No voucher with the code \(code). Check the code and try again."
    case .customerNotFound(let reference):
      return "No customer matches “\(reference)”."
    case .redemptionNotFound(let id):
      return "No redemption with the id \(id)."
    case .duplicateCode(let code):
      return "The code \(code) is already taken."
    case .voucherExpired(let date):
      return "Expired on \(day(date))."
    case .voucherNotActive(let date):
      return "Not valid yet: starts on \(day(date))."
    case .voucherDisabled:
      return "This voucher has been switched off."
    case .quantityExceeded(let lastUse?):
      let place = lastUse.terminal.map { " at \($0)" } ?? ""
      return "Already used on \(day(lastUse.date))\(place)."
    case .quantityExceeded(nil):
      return "Already used: no uses left."
    case .boundToAnotherCustomer:
      return "This voucher belongs to another customer."
    case .perCustomerLimitReached(let limit):
      return "This customer has used it already (\(limit) per customer)."
    case .missingCustomer:
      return "Find the customer first: this voucher is personal."
    case .missingCustomerForLimit(let limit):
      return
        "Find the customer first: this voucher is limited to \(limit) use\(limit == 1 ? "" : "s") per customer."
    case .orderBelowMinimum(let minimum, let orderAmount):
      return "Order must be at least \(money(minimum)) (now \(money(orderAmount)))."
    case .noApplicableItem:
      return "No item in the cart qualifies for this voucher."
    case .giftAmountExceeded(0, _):
      return "This gift card is empty."
    case .giftAmountExceeded(let balance, _):
      return "The gift card holds only \(money(balance))."
    case .alreadyRolledBack:
      return "This redemption was already undone."
    case .duplicatedRedeemables(let code):
      return "The code \(code) is in the list twice."
    case .invalidPayload(let detail):
      // The details are written as plain sentences already ("“x” is not an email address").
      let text = detail.prefix(1).uppercased() + detail.dropFirst()
      return text.hasSuffix(".") ? text : text + "."
    case .reactivationLimitExceeded(let limit):
      return "Cannot reactivate: it has been reactivated \(limit) times already."
    case .voucherStillActive:
      return "Nothing to reactivate: the voucher can still be used."
    case .attemptClosed:
      return "This try was stopped after its deadline and was not redeemed. Try again."
    case .notValidToday(let days):
      let names = [
        "Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays",
      ]
      let valid = days.filter { (0...6).contains($0) }.map { names[$0] }
      return "Not valid today: valid on \(list(valid)) only."
    case .outsideValidHours(let windows):
      return windows.isEmpty
        ? "Not valid at this hour: no hours today."
        : "Not valid at this hour: valid \(list(windows)) today."
    case .outsideTimeframe(let next?):
      return "Not valid right now: valid again from \(day(next)) \(time(next))."
    case .outsideTimeframe(nil):
      return "Not valid right now: its recurring window has no start date."
    case .heldBySession(let until):
      return "Held by another till's open sale until \(time(until)). Try again later."
    }

    func list(_ items: [String]) -> String {
      switch items.count {
      case 0: return "no day"
      case 1: return items[0]
      default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
      }
    }

    func time(_ date: Date) -> String {
      var calendar = Calendar(identifier: .gregorian)
      calendar.timeZone = timeZone
      let parts = calendar.dateComponents([.hour, .minute], from: date)
      return ValidityRules.DailyWindow.text((parts.hour ?? 0) * 60 + (parts.minute ?? 0))
    }
  }

  /// `3 Nov 2026 14:05` in `timeZone`: a day and the time of day, as receipts and the
  /// day's sales show them.
  public static func formatDayAndTime(_ date: Date, timeZone: TimeZone) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let parts = calendar.dateComponents([.hour, .minute], from: date)
    let hour = parts.hour! < 10 ? "0\(parts.hour!)" : "\(parts.hour!)"
    let minute = parts.minute! < 10 ? "0\(parts.minute!)" : "\(parts.minute!)"
    return "\(formatDay(date, timeZone: timeZone)) \(hour):\(minute)"
  }

  /// `3 Nov 2026` in `timeZone`, the same in every locale (tills are shared by staff).
  public static func formatDay(_ date: Date, timeZone: TimeZone) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let parts = calendar.dateComponents([.year, .month, .day], from: date)
    let months = [
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    return "\(parts.day!) \(months[parts.month! - 1]) \(parts.year!)"
  }
}
