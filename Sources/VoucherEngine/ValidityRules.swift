import Foundation

/// When in a week and a day a voucher may be used, besides its start and expiration dates:
/// Voucherify's `validity_day_of_week`, `validity_hours` and `validity_timeframe`. Days and
/// hours are read in the engine's time zone; days are numbered as Voucherify numbers them
/// (0 Sunday … 6 Saturday).
public struct ValidityRules: Equatable, Sendable, Codable {
  /// Days the voucher is valid on; nil means every day.
  public var daysOfWeek: [Int]?
  /// Daily windows; nil means all day. The voucher is valid inside any one of them.
  public var hours: [DailyWindow]?
  /// A recurring window counted from the start date; nil means none.
  public var timeframe: Timeframe?

  public init(daysOfWeek: [Int]? = nil, hours: [DailyWindow]? = nil, timeframe: Timeframe? = nil) {
    self.daysOfWeek = daysOfWeek
    self.hours = hours
    self.timeframe = timeframe
  }

  /// No rule at all: valid at any time between the dates.
  public var isEmpty: Bool { daysOfWeek == nil && hours == nil && timeframe == nil }

  /// A window of one day, `start_time` to `expiration_time` (both `HH:mm`, minutes from
  /// midnight here; the end minute is still inside), on some days of the week.
  public struct DailyWindow: Equatable, Sendable, Codable {
    public var startMinute: Int
    public var endMinute: Int
    /// Days the window applies on; empty means every day.
    public var daysOfWeek: [Int]

    public init(startMinute: Int, endMinute: Int, daysOfWeek: [Int]) {
      self.startMinute = startMinute
      self.endMinute = endMinute
      self.daysOfWeek = daysOfWeek
    }

    /// `HH:mm` of a minute of the day.
    public static func text(_ minute: Int) -> String {
      let hours = minute / 60
      let minutes = minute % 60
      return (hours < 10 ? "0" : "") + String(hours) + ":" + (minutes < 10 ? "0" : "")
        + String(minutes)
    }

    /// Minutes from midnight of an `HH:mm` text, or nil.
    public static func minute(_ text: String) -> Int? {
      let parts = text.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 2 || parts.count == 3, parts[0].count == 2, parts[1].count == 2,
        let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours),
        (0..<60).contains(minutes)
      else { return nil }
      return hours * 60 + minutes
    }
  }

  /// Valid for `duration` seconds out of every `interval` seconds, from the start date.
  /// The ISO 8601 texts are kept to be shown back as they were given.
  public struct Timeframe: Equatable, Sendable, Codable {
    public var interval: String
    public var duration: String
    public var intervalSeconds: Int64
    public var durationSeconds: Int64

    /// A timeframe from ISO 8601 durations (`P2D`, `PT1H`, `P1W`, `PT90M`); nil for a text
    /// that is not one or that counts months or years (their length varies).
    public init?(interval: String, duration: String) {
      guard let every = Self.seconds(interval), let lasting = Self.seconds(duration), every > 0,
        lasting > 0
      else { return nil }
      self.interval = interval
      self.duration = duration
      intervalSeconds = every
      durationSeconds = lasting
    }

    /// Seconds of an ISO 8601 duration made of weeks, days, hours, minutes and seconds.
    static func seconds(_ text: String) -> Int64? {
      var rest = Substring(text.uppercased())
      guard rest.first == "P" else { return nil }
      rest = rest.dropFirst()
      var total: Int64 = 0
      var inTime = false
      var number = ""
      var sawUnit = false
      for character in rest {
        if character == "T" {
          guard !inTime, number.isEmpty else { return nil }
          inTime = true
          continue
        }
        if character.isASCII, character.isNumber {
          number.append(character)
          continue
        }
        guard let value = Int64(number) else { return nil }
        let unit: Int64
        switch (character, inTime) {
        case ("W", false): unit = 604_800
        case ("D", false): unit = 86_400
        case ("H", true): unit = 3_600
        case ("M", true): unit = 60
        case ("S", true): unit = 1
        default: return nil
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        total += product
        number = ""
        sawUnit = true
      }
      return sawUnit && number.isEmpty ? total : nil
    }
  }

  /// Why the voucher cannot be used at `now`, or nil when these rules allow it.
  ///
  /// - Parameter start: the voucher's start date, from which a timeframe counts.
  public func refusal(at now: Date, start: Date?, timeZone: TimeZone) -> Reason? {
    guard !isEmpty else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let parts = calendar.dateComponents([.weekday, .hour, .minute], from: now)
    // Calendar counts 1 Sunday … 7 Saturday.
    let day = (parts.weekday ?? 1) - 1
    let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
    if let daysOfWeek, !daysOfWeek.contains(day) {
      return .notValidToday(validDays: daysOfWeek.sorted())
    }
    if let hours, !hours.isEmpty {
      let open = hours.contains { window in
        (window.daysOfWeek.isEmpty || window.daysOfWeek.contains(day))
          && window.startMinute <= minute && minute <= window.endMinute
      }
      if !open {
        let today = hours.filter { $0.daysOfWeek.isEmpty || $0.daysOfWeek.contains(day) }
        return .outsideValidHours(
          windows: today.map {
            DailyWindow.text($0.startMinute) + "–" + DailyWindow.text($0.endMinute)
          }
        )
      }
    }
    if let timeframe {
      guard let start else { return .outsideTimeframe(nextStart: nil) }
      let elapsed = Int64((now.timeIntervalSince(start) * 1000).rounded(.down))
      if elapsed >= 0 {
        let position = elapsed % (timeframe.intervalSeconds * 1000)
        if position >= timeframe.durationSeconds * 1000 {
          let next = start.addingTimeInterval(
            Double((elapsed - position) / 1000 + timeframe.intervalSeconds))
          return .outsideTimeframe(nextStart: next)
        }
      }
    }
    return nil
  }
}
