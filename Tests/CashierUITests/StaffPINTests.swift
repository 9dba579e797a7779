import Foundation
import Testing
import VoucherClient
import VoucherEngine

@testable import CashierUI

/// Support work is proved, not claimed: on a local database `--role support` waits for a
/// support member's PIN; over REST the server's word on the key replaces the flag.
@Suite("support PIN and the role shown")
struct StaffPINTests {
  @Test("--role support alone opens no support work: F6 asks the PIN, Esc gives up")
  func flagAloneUnlocksNothing() async throws {
    let till = try Till(role: .support)
    #expect(till.screen().contains("Kim (support, no PIN)"))
    await till.openAlice()
    await till.press(.tab, .function(6))
    #expect(till.state.route == .contact)
    #expect(till.state.support == nil)
    #expect(till.screen().contains("Support PIN needed to reactivate a voucher"))
    await till.press(.escape)
    #expect(till.state.staffPIN == nil && till.state.support == nil)
    #expect(till.screen().contains("Support work needs a support member's PIN."))
  }

  @Test("the right PIN opens the chosen work, once per session, in the member's name")
  func rightPINResumes() async throws {
    let till = try Till(role: .support)
    await till.openAlice()
    await till.press(.tab, .function(6))
    await till.giveSupportPIN()
    #expect(till.state.route == .support)
    #expect(till.screen().contains("Sam Support (support)"))
    await till.press(.escape, .function(6))
    // Asked once: the second support work goes straight on.
    #expect(till.state.staffPIN == nil && till.state.route == .support)
  }

  @Test("a PIN is shown as dots; a wrong one is refused; five lock the name out")
  func wrongPINsLockOut() async throws {
    let till = try Till(role: .support)
    await till.openAlice()
    await till.press(.tab, .function(6))
    await till.type(Till.support.name)
    await till.press(.tab)
    await till.type("1111")
    #expect(till.screen().contains("••••") && !till.screen().contains("1111"))
    await till.press(.enter)
    #expect(till.screen().contains("Wrong name or PIN"))
    #expect(till.state.route == .contact)
    for _ in 0..<4 {
      await till.type("1111")
      await till.press(.enter)
    }
    await till.type(Till.support.pin)
    await till.press(.enter)
    #expect(till.screen().contains("Too many wrong PINs: Sam Support may try again at"))
    #expect(till.state.support == nil)
  }

  @Test("a cashier's own PIN does not unlock support work; letters never go in the PIN")
  func cashierPINRefused() async throws {
    let till = try Till(role: .support)
    await till.openAlice()
    await till.press(.tab, .function(6))
    await till.type("Kim")
    await till.press(.tab)
    await till.type("13a57")
    #expect(till.state.staffPIN?.pin == "1357")
    await till.press(.enter)
    #expect(till.screen().contains("Kim is a cashier: support work needs a support PIN."))
    #expect(till.state.support == nil)
  }

  @Test("over REST the status bar shows the role the server reports, not the flag")
  func serverRoleWins() async throws {
    let till = try Till(role: .support)
    till.state.session.isRemote = true
    till.state.session.roleSource = .askingServer
    #expect(till.screen().contains("Kim (role …)"))
    // Asked on the back end's first answer (its health, at the first tick).
    #expect(reduce(&till.state, .backendChecked(answers: true)) == [.askRole])
    await till.send(.roleReported(.success(.cashier)), running: false)
    #expect(till.screen().contains("Kim (cashier)"))
    #expect(till.state.session.role == .cashier)
    await till.openAlice()
    await till.press(.tab, .function(6))
    #expect(till.screen().contains("Reactivation is for the support role"))
    // A support key needs no PIN: the server vouches for it.
    await till.send(.roleReported(.success(.support)), running: false)
    #expect(till.screen().contains("Kim (support)"))
    #expect(!till.state.session.needsStaffPIN)
  }

  @Test("a server down at start is asked the role once it answers; one that cannot say is shown so")
  func roleAskedAgain() async throws {
    let till = try Till()
    till.state.session.isRemote = true
    till.state.session.roleSource = .askingServer
    #expect(reduce(&till.state, .backendChecked(answers: true)) == [.askRole])
    // The question finds the server gone again: still asking, and asked at its next answer.
    await till.send(.roleReported(.failure(.unreachable("down"))), running: false)
    #expect(till.state.session.roleSource == .askingServer)
    #expect(reduce(&till.state, .backendChecked(answers: true)) == [.askRole])
    #expect(reduce(&till.state, .backendChecked(answers: true)) == [])
    await till.send(.roleReported(.success(nil)), running: false)
    #expect(till.screen().contains("Kim (cashier?)"))
  }

  @Test("a server down at start: once it answers, the screens offer what it can do")
  func capabilitiesLearnt() async throws {
    let till = try Till()
    till.state.session.isRemote = true
    till.state.session.roleSource = .askingServer
    // What a client that could not ask its server assumes: no lookup, no day's sales.
    till.state.session.capabilities = BackendCapabilities(
      contactSearch: [], validation: .server, stacking: .single,
      redeemGuarantee: .idempotentApply, unRedeem: .none, listsDaysSales: false)
    #expect(!till.screen().contains("F7"))
    await till.send(.roleReported(.success(.cashier), capabilities: .engine), running: false)
    #expect(till.state.session.capabilities == .engine)
    #expect(till.screen().contains("F7 Sales"))
  }
}
