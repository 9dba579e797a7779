import Foundation
import VoucherClient
import VoucherEngine

// The support PIN: asked once per session when support work is first chosen on a local
// database, then the chosen work goes on as if it had been allowed from the start.
extension AppState {
  /// The support member a demo is seeded with (`VoucherPOS.openDemo`), named in its prompt.
  public static let demoSupport = (name: "Sam Support", pin: "2468")

  mutating func askStaffPIN(for work: StaffPINPrompt.Work) -> [Effect] {
    staffPIN = StaffPINPrompt(
      name: "", work: work,
      demoHint: session.isDemo
        ? "Demo: name \(Self.demoSupport.name), PIN \(Self.demoSupport.pin)" : nil)
    return []
  }

  mutating func staffPINKey(_ key: Key) -> [Effect] {
    guard var prompt = staffPIN else { return [] }
    if key == .function(1) {
      showsHelp = true
      return []
    }
    if key == .resize { return [] }
    guard prompt.phase != .checking else { return [] }
    switch key {
    case .escape:
      staffPIN = nil
      notice = Notice("Support work needs a support member's PIN.", isError: true)
      return []
    case .tab, .backTab, .up, .down:
      prompt.focus = prompt.focus == .name ? .pin : .name
    case .enter:
      let name = prompt.name.trimmingCharacters(in: .whitespaces)
      guard !name.isEmpty else {
        prompt.focus = .name
        prompt.phase = .refused("Type the support member's name first.")
        staffPIN = prompt
        return []
      }
      guard prompt.pin.count >= 4 else {
        prompt.focus = .pin
        prompt.phase = .refused("A PIN has 4 to 12 digits.")
        staffPIN = prompt
        return []
      }
      prompt.phase = .checking
      staffPIN = prompt
      return [.checkStaffPIN(name: name, pin: prompt.pin)]
    default:
      if let (field, text) = prompt.edited(with: key) {
        // A refusal stays in view while the name or PIN is typed again.
        if field == .name { prompt.name = text } else { prompt.pin = text }
      }
    }
    staffPIN = prompt
    return []
  }

  mutating func staffPINChecked(_ result: Result<StaffPINCheck, ClientError>) -> [Effect] {
    guard var prompt = staffPIN, prompt.phase == .checking else { return [] }
    prompt.pin = ""
    prompt.focus = .pin
    switch result {
    case .success(.accepted(let member)) where member.role == .support:
      staffPIN = nil
      session.roleSource = .staffPIN
      // Support work is done, and recorded, in the support member's name.
      session.cashier = member.name
      notice = Notice("\(member.name) may do support work at this till until it quits.")
      return resume(prompt.work)
    case .success(.accepted(let member)):
      prompt.phase = .refused("\(member.name) is a cashier: support work needs a support PIN.")
    case .success(.refused):
      prompt.phase = .refused("Wrong name or PIN (5 wrong in a row: a minute's wait).")
    case .success(.lockedOut(let until)):
      let time = until.formatted(
        Date.FormatStyle(date: .omitted, time: .standard, timeZone: session.timeZone))
      prompt.phase = .refused("Too many wrong PINs: \(prompt.name) may try again at \(time).")
    case .success(.notKept):
      prompt.phase = .refused("This voucher system keeps no staff PINs: its key decides.")
    case .failure(let error):
      prompt.phase = .refused(sentence(error))
    }
    staffPIN = prompt
    return []
  }

  /// The support work that asked for the PIN, now allowed.
  private mutating func resume(_ work: StaffPINPrompt.Work) -> [Effect] {
    switch work {
    case .reactivate where route == .contact: return reduce(.command(.reactivate))
    case .void where route == .daysSales: return reduce(.command(.confirm))
    default: return []
    }
  }
}
