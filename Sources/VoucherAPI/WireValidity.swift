import Foundation
import VoucherEngine

/// Voucherify's `validity_timeframe`: valid for `duration` every `interval`, from the start
/// date (ISO 8601 durations: `PT1H`, `P2D`, `P1W`).
public struct WireValidityTimeframe: Codable, Sendable, Equatable {
  public var duration: String?
  public var interval: String?

  public init(duration: String?, interval: String?) {
    self.duration = duration
    self.interval = interval
  }
}

/// Voucherify's `validity_hours`: daily windows, each on some days of the week.
public struct WireValidityHours: Codable, Sendable, Equatable {
  public var daily: [Daily]?

  public struct Daily: Codable, Sendable, Equatable {
    public var startTime: String?
    public var daysOfWeek: [Int]?
    public var expirationTime: String?

    enum CodingKeys: String, CodingKey {
      case startTime = "start_time"
      case daysOfWeek = "days_of_week"
      case expirationTime = "expiration_time"
    }

    public init(startTime: String?, daysOfWeek: [Int]?, expirationTime: String?) {
      self.startTime = startTime
      self.daysOfWeek = daysOfWeek
      self.expirationTime = expirationTime
    }
  }

  public init(daily: [Daily]?) { self.daily = daily }

  public init(_ windows: [ValidityRules.DailyWindow]) {
    daily = windows.map {
      Daily(
        startTime: ValidityRules.DailyWindow.text($0.startMinute), daysOfWeek: $0.daysOfWeek,
        expirationTime: ValidityRules.DailyWindow.text($0.endMinute))
    }
  }
}

/// The engine's validity rules of the three wire fields, each checked.
///
/// - Throws: `APIError` (invalid payload) naming the field that is wrong.
func validityRules(
  timeframe: WireValidityTimeframe?, days: [Int]?, hours: WireValidityHours?
) throws(APIError) -> ValidityRules {
  var rules = ValidityRules()
  if let days {
    guard days.allSatisfy({ (0...6).contains($0) }) else {
      throw .invalidPayload("validity_day_of_week: days are 0 (Sunday) to 6 (Saturday)")
    }
    rules.daysOfWeek = days
  }
  if let daily = hours?.daily {
    var windows: [ValidityRules.DailyWindow] = []
    for (index, entry) in daily.enumerated() {
      let name = "validity_hours.daily[\(index)]"
      guard let start = entry.startTime.flatMap(ValidityRules.DailyWindow.minute),
        let end = entry.expirationTime.flatMap(ValidityRules.DailyWindow.minute)
      else { throw .invalidPayload("\(name) needs start_time and expiration_time as HH:mm") }
      guard start <= end else {
        throw .invalidPayload("\(name): start_time is after expiration_time")
      }
      let days = entry.daysOfWeek ?? []
      guard days.allSatisfy({ (0...6).contains($0) }) else {
        throw .invalidPayload("\(name).days_of_week: days are 0 (Sunday) to 6 (Saturday)")
      }
      windows.append(
        ValidityRules.DailyWindow(startMinute: start, endMinute: end, daysOfWeek: days))
    }
    rules.hours = windows
  }
  if let timeframe {
    guard let interval = timeframe.interval, let duration = timeframe.duration,
      let parsed = ValidityRules.Timeframe(interval: interval, duration: duration)
    else {
      throw .invalidPayload(
        "validity_timeframe needs interval and duration as ISO 8601 durations in weeks, days,"
          + " hours, minutes or seconds (P2D, PT1H)")
    }
    rules.timeframe = parsed
  }
  return rules
}

extension WireDiscount {
  /// `aggregated_amount_limit` in minor units, or nil.
  func aggregatedAmount() throws(APIError) -> Int64? {
    guard let aggregatedAmountLimit else { return nil }
    guard let whole = WireFormat.wholeAmount(aggregatedAmountLimit) else {
      throw .invalidPayload(
        "discount.aggregated_amount_limit must be a whole amount in minor units, 0 or more")
    }
    return whole
  }
}
