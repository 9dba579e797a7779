import Testing

@testable import CashierUI

/// What the terminal shows for each snapshot, 80×24 unless the snapshot says otherwise.
let expectedScreens: [Snapshot: String] = [
  .emptyDatabase: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   No data yet

    There are no contacts or vouchers in this database yet:
      /data/engine.sqlite

    Load the demo data into it with:
      voucher-engine seed --demo --db /data/engine.sqlite

    or try the till on its own throwaway demo data:
      voucher-pos --demo

    F2 opens the contact search anyway; F10 quits.










   F1 Help  F2 Find  F10 Quit
  """,
  .findStart: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Find contact
    Contact  [                                        ] name, email, phone, member
    Code     [                        ] a voucher code, typed or scanned

    Type a name, email, phone, member number or customer id.
    Or scan a voucher code: F3 moves to the code field.
















   F1 Help  Enter Open  Tab Next  F3 Code  F7 Sales  F10 Quit
  """,
  .findResults: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Find contact
    Contact  [lind                                    ] name, email, phone, member
    Code     [                        ] a voucher code, typed or scanned

    Name                    Email                         Phone          Member
    Erik Lindqvist          erik.lindqvist@example.se     +46706712345   M-100128
    Karin Lindqvist         karin.lindqvist@example.se    +46707123456   M-100129
    Nora Åkesson-Lind       nora.akesson-lind@example.se  +46707234561   M-100138














   F1 Help  Enter Open  Tab Next  F3 Code  F7 Sales  F10 Quit
  """,
  .findCodeNotFound: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Find contact
    Contact  [                                        ] name, email, phone, member
    Code     [                        ] a voucher code, typed or scanned

    Type a name, email, phone, member number or customer id.
    Or scan a voucher code: F3 moves to the code field.















   No voucher with the code NOPE-123. Check the code and try again.
   F1 Help  Enter Look up  Tab Next  F3 Code  F7 Sales  F10 Quit
  """,
  .contact: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Contact
    Alice Example
    alice@example.com · +46701234567 · member M-100123 · id customer-123

     Available (3)    Redeemed (1)    Expired (1)    All (6)

    Code                Value               Uses / balance    Expires     Status
    ALICE-10OFF-2026    10 % off            1 of 1 left       17 Mar 2031 active
    ALICE-5X-2026       5.00 off            4 of 5 left       17 Mar 2031 active
    GIFT-ALICE-500      gift 500.00         500.00 left       15 Feb 2032 active











   F1 Help  Enter Add to sale  Esc Back  Tab Next  F2 Find  F3 Code  F8 Detail
   F10 Quit
  """,
  .contactAll: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Contact
    Alice Example
    alice@example.com · +46701234567 · member M-100123 · id customer-123

     Available (3)    Redeemed (1)    Expired (1)    All (6)

    Code                Value               Uses / balance    Expires     Status
    ALICE-10OFF-2026    10 % off            1 of 1 left       17 Mar 2031 active
    ALICE-5X-2026       5.00 off            4 of 5 left       17 Mar 2031 active
    ALICE-BDAY-15       15 % off (≤75.00)   1 of 1 left       26 Apr 2030 not yet
    BONUS-19500-0023    195.00 off          1 of 1 left       7 Mar 2030  expired
    BONUS-19500-0123    195.00 off          0 of 1 left       17 Dec 2030 used
    GIFT-ALICE-500      gift 500.00         500.00 left       15 Feb 2032 active








   F1 Help  Enter Add to sale  Esc Back  Tab Next  F2 Find  F3 Code  F8 Detail
   F10 Quit
  """,
  .contactWide: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Contact
    山田太郎
    taro.yamada@example.jp · +46703456712 · member M-100125 · id customer-125

     Available (2)    Redeemed (1)    Expired (0)    All (3)

    Code                Value               Uses / balance    Expires     Status
    BONUS-19500-0125    195.00 off          1 of 1 left       7 Dec 2030  active
    YAMADA-PCT20-CAP    20 % off (≤100.00)  3 of 3 left       15 Jun 2030 active












   F1 Help  Enter Add to sale  Esc Back  Tab Next  F2 Find  F3 Code  F8 Detail
   F10 Quit
  """,
  .cartEmpty: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Cart                                                   Order T01-test0001-0001
    Customer  Alice Example · customer-123
    Add code  [                        ] CODE, or CODE=AMOUNT for a gift card
    Add line  [                              ] SKU QTY PRICE, Enter adds

    Voucher / SKU           Qty              Price             Amount
    ALICE-10OFF-2026                 not validated








    Subtotal                                                     0.00 SEK




   Added ALICE-10OFF-2026.
   F1 Help  Enter Add line  Esc Back  Tab Next  F2 Find  F3 Code  F4 Edit
   Del Remove  F5 Validate  F8 Detail  F9 Redeem  F10 Quit
  """,
  .cartValidated: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Cart                                                   Order T01-test0001-0001
    Customer  Alice Example · customer-123
    Add code  [                        ] CODE, or CODE=AMOUNT for a gift card
    Add line  [                              ] SKU QTY PRICE, Enter adds

    Voucher / SKU           Qty              Price             Amount
    ALICE-10OFF-2026                      discount             −25.90
    prod_1                    1             259.00             259.00







    Subtotal                                                   259.00 SEK
    Discount                                                    25.90 SEK

    New total                                                  233.10 SEK
    Valid. F9 redeems.

   F1 Help  Enter Add line  Esc Back  Tab Next  F2 Find  F3 Code  F4 Edit
   Del Remove  F5 Validate  F8 Detail  F9 Redeem  F10 Quit
  """,
  .cartRejected: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Cart                                                   Order T01-test0001-0001
    Customer  Alice Example · customer-123
    Add code  [                        ] CODE, or CODE=AMOUNT for a gift card
    Add line  [                              ] SKU QTY PRICE, Enter adds

    Voucher / SKU           Qty              Price             Amount
    BONUS-19500-0023                       refused
    prod_1                    1             259.00             259.00







    Subtotal                                                   259.00 SEK


    Not valid: BONUS-19500-0023
    Expired on 7 Mar 2030.

   F1 Help  Enter Add line  Esc Back  Tab Next  F2 Find  F3 Code  F4 Edit
   Del Remove  F5 Validate  F8 Detail  F9 Redeem  F10 Quit
  """,
  .cartLineError: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Cart                                                   Order T01-test0001-0001
    Customer  Alice Example · customer-123
    Add code  [                        ] CODE, or CODE=AMOUNT for a gift card
    Add line  [prod_1 one 259.00             ] SKU QTY PRICE, Enter adds
    Not added: quantity “one” should be a whole number from 1 to 100000.
    Voucher / SKU           Qty              Price             Amount
    ALICE-10OFF-2026                 not validated








    Subtotal                                                     0.00 SEK





   F1 Help  Enter Add line  Esc Back  Tab Next  F2 Find  F3 Code  F4 Edit
   Del Remove  F5 Validate  F8 Detail  F9 Redeem  F10 Quit
  """,
  .redeemConfirm: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Redeem
    Order T01-test0001-0001 · Alice Example

    Vouchers          ALICE-10OFF-2026
    Subtotal                          259.00 SEK
    Discount                           25.90 SEK

    To pay                            233.10 SEK

    Press Enter to redeem, or Esc to go back to the cart.












   F1 Help  Enter Redeem  F10 Quit
  """,
  .redeemCountdown: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Redeem
    Order T01-test0001-0001 · Alice Example

    Vouchers          ALICE-10OFF-2026
    Subtotal                          259.00 SEK
    Discount                           25.90 SEK

    To pay                            233.10 SEK

    Redeeming… 57 s












   F1 Help  F10 Quit
  """,
  .redeemChecking: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Redeem
    Order T01-test0001-0001 · Alice Example

    Vouchers          ALICE-10OFF-2026
    Subtotal                          259.00 SEK
    Discount                           25.90 SEK

    To pay                            233.10 SEK

    No answer yet — asking whether it was used…












   F1 Help  F10 Quit
  """,
  .redeemNotRedeemed: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Redeem
    Order T01-test0001-0001 · Alice Example

    Vouchers          ALICE-10OFF-2026
    Subtotal                          259.00 SEK
    Discount                           25.90 SEK

    To pay                            233.10 SEK

    Not redeemed — safe to try again.

    Enter tries again (a new attempt, same order); Esc goes back to the cart.










   F1 Help  Enter Try again  F10 Quit
  """,
  .receipt: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Redeem
    Order T01-test0001-0001 · Alice Example
    Redeemed                          17 Mar 2030 17:46 · till T01 · cashier Kim
    Redemption r_<id>

    prod_1                 1 × 259.00                 259.00
    ALICE-10OFF-2026       discount                   −25.90

    Subtotal                                          259.00 SEK
    Discount                                           25.90 SEK
    Amount to pay                                     233.10 SEK

    Enter starts a new sale.









   F1 Help  Enter New sale  F10 Quit
  """,
  .support: """
   Voucher POS │ /data/engine.sqlite             Till T01 │ Sam Support (support)
   Reactivate voucher
    Reactivate BONUS-19500-0123 (used)
    Holder              Alice Example
    Reactivations left  3 of 3

    Reason              [                                                  ]

    Enter gives one use back; Esc goes back to the contact.













   Sam Support may do support work at this till until it quits.
   F1 Help  Enter Reactivate  Esc Back  F10 Quit
  """,
  .supportDone: """
   Voucher POS │ /data/engine.sqlite             Till T01 │ Sam Support (support)
   Reactivate voucher
    Reactivate BONUS-19500-0123 (used)
    Holder              Alice Example
    Reactivations left  2 of 3

    Reason              [Till crashed mid-sale                             ]

    Reactivated: rr_<id>; 2 reactivations left.
    Esc goes back to the contact.













   F1 Help  Esc Back  F10 Quit
  """,
  .help: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   F┌─ Keys ───────────────────────────────────────────────────────────────────┐
    │ F1 / ?                 Help; ? types itself when a field has text        │er
    │ Enter                  Open, add or confirm what is selected             │
    │ Esc                    Go back one step; in the search, clear it         │
    │ Tab / Shift-Tab        Next / previous tab or field                      │
    │ ↑ / ↓                  Move the selection                                │
    │ PgUp / PgDn            A page up / down in a list                        │
    │ Home / End             The first / last row of a list                    │
    │ F2 / Ctrl-F            Find a contact                                    │
    │ F3 / Ctrl-E            Enter or scan a voucher code                      │
    │ F4 / Ctrl-O            Edit the selected line or gift amount             │
    │ Del / Ctrl-D           Remove the selected line or code                  │
    │ F5 / Ctrl-V            Validate the vouchers on the cart                 │
    │ F7 / Ctrl-T            This till's sales of today; voids                 │
    │ F8 / Ctrl-G            The selected voucher's conditions and history     │
    │ F9 / Ctrl-R            Redeem the validated cart                         │
    │ Ctrl-N                 Start a new sale (drops this one)                 │
    │ Ctrl-L                 Redraw the whole screen                           │
    │ F10 / Ctrl-Q           Quit                                              │
    │ Backspace / Ctrl-U     Delete a character / clear the field              │
    │ Esc, Enter, F1 or ? closes this help.                                    │
    └──────────────────────────────────────────────────────────────────────────┘
   F1 Help  Enter Open  Tab Next  F3 Code  F7 Sales  F10 Quit
  """,
  .tooSmall: """










   Please enlarge the terminal to at least 80×24 (now 60×20)









  """,
  .daysSales: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Today's sales
    Till T01 · 17 Mar 2030

    Time  Order                    Codes                  Vouchers          Paid
    17:48 T01-test0001-0002        VOID GIFT-OPEN-300        50.00         41.00
    17:46 T01-test0001-0001        WELCOME10                 10.00         90.00











    1 sale, 1 voided                                         10.00 SEK vouchers
                                                             90.00 SEK paid
    Voided T01-test0001-0002: 1 voucher use given back.


   F1 Help  Esc Back  F10 Quit
  """,
  .voucherDetail: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Voucher
    ERIK-COFFEE-3X                                      █████████████████████████
                                                        ██ ▄▄▄▄▄ █▄██▄██ ▄▄▄▄▄ ██
    Kind              discount, 35.00 off               ██ █   █ █▀▄ ▄ █ █   █ ██
    Uses / balance    0 of 3 left                       ██ █▄▄▄█ █ █▀█ █ █▄▄▄█ ██
    Status            used                              ██▄▄▄▄▄▄▄█ █ ▀▄█▄▄▄▄▄▄▄██
    Valid             31 Jan 2030 – 1 May 2030          ██ █▀█ █▄▄▄▄▄▀▀▄ ▄▄▄▀█ ██
    Minimum order     none                              ██  ▀ ▄▄▄ █▀▄█▀▀▄█▄▄▄ ███
    Applies to        coffee                            ██▄▄█▄▄▄▄█  ▄▀▄▄ ▄▄█▄▀ ██
    Holder            Erik Lindqvist                    ██ ▄▄▄▄▄ █▄ ▄▄█▀▄█▄██▄▀██
    Reactivations     3 of 3 left                       ██ █   █ █▄▀▄▄█▄ ███▄▀▀██
                                                        ██ █▄▄▄█ ██▄█▄█ ██ ▀▄████
    History                                             ██▄▄▄▄▄▄▄█▄▄▄▄▄▄▄▄▄███▄██
      17 Mar 2030 11:46 redeemed 35.00 at till-03 by …  ▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀
      1 Mar 2030 17:46 redeemed 35.00 at till-02 by S…
      15 Feb 2030 17:46 redeemed 35.00 at till-01 by …






   F1 Help  Esc Back  F10 Quit
  """,
  .voucherDetailGift: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Voucher
    GIFT-ALICE-500                                      █████████████████████████
                                                        ██ ▄▄▄▄▄ █▄▄█▀▄█ ▄▄▄▄▄ ██
    Kind              gift card, gift 500.00            ██ █   █ █▄▄█ ▄█ █   █ ██
    Uses / balance    500.00 left                       ██ █▄▄▄█ █▀ ▄▄▄█ █▄▄▄█ ██
    Status            active                            ██▄▄▄▄▄▄▄█▄▀▄█▄█▄▄▄▄▄▄▄██
    Valid             25 Feb 2030 – 15 Feb 2032         ██▄▀ █▀█▄▄▀▄▀  █▀▄██ █▄██
    Minimum order     none                              ██▀▄█▀▀▀▄▄  ▀▄▄▀▄█▄▀▄▀ ██
    Holder            Alice Example                     ████▄▄▄█▄▄ ▄█  ▄▄██ ▄█▄██
    Reactivations     3 of 3 left                       ██ ▄▄▄▄▄ █▄ ▀ ▄▀█▀▄ ██ ██
                                                        ██ █   █ ███ ▀  ▄▄▄▀▄████
    History                                             ██ █▄▄▄█ █▄▄▀ ▄█▄▀▄▄▄▄▄██
      never used                                        ██▄▄▄▄▄▄▄█▄▄▄██▄███▄██▄██
                                                        ▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀








   F1 Help  Esc Back  F10 Quit
  """,
  .voucherDetailWide: """
   Voucher POS │ /data/engine.sqlite                                         Till T01 │ Kim (cashier)
   Voucher
    ERIK-COFFEE-3X                                                          █████████████████████████
                                                                            ██ ▄▄▄▄▄ █▄██▄██ ▄▄▄▄▄ ██
    Kind              discount, 35.00 off                                   ██ █   █ █▀▄ ▄ █ █   █ ██
    Uses / balance    0 of 3 left                                           ██ █▄▄▄█ █ █▀█ █ █▄▄▄█ ██
    Status            used                                                  ██▄▄▄▄▄▄▄█ █ ▀▄█▄▄▄▄▄▄▄██
    Valid             31 Jan 2030 – 1 May 2030                              ██ █▀█ █▄▄▄▄▄▀▀▄ ▄▄▄▀█ ██
    Minimum order     none                                                  ██  ▀ ▄▄▄ █▀▄█▀▀▄█▄▄▄ ███
    Applies to        coffee                                                ██▄▄█▄▄▄▄█  ▄▀▄▄ ▄▄█▄▀ ██
    Holder            Erik Lindqvist                                        ██ ▄▄▄▄▄ █▄ ▄▄█▀▄█▄██▄▀██
    Reactivations     3 of 3 left                                           ██ █   █ █▄▀▄▄█▄ ███▄▀▀██
                                                                            ██ █▄▄▄█ ██▄█▄█ ██ ▀▄████
    History                                                                 ██▄▄▄▄▄▄▄█▄▄▄▄▄▄▄▄▄███▄██
      17 Mar 2030 11:46 redeemed 35.00 at till-03 by Maja, order demo-1013  ▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀
      1 Mar 2030 17:46 redeemed 35.00 at till-02 by Samir, order demo-1012
      15 Feb 2030 17:46 redeemed 35.00 at till-01 by Elin, order demo-1011












   F1 Help  Esc Back  F10 Quit
  """,
  .supportPIN: """
   Voucher POS │ /data/engine.sqlite             Till T01 │ Kim (support, no PIN)
   Contact
    Alice Example
    alice@example.com · +46701234567 · member M-100123 · id customer-123

     Available (3)    Redeemed (1)    Expired (1)    All (6)

    Code                Value               Uses / balance    Expires     Status
    BONUS-┌──────────────────────────────────────────────────────────────┐used
          │ Support PIN needed to reactivate a voucher                   │
          │ Name    [Sam Support                                     ]   │
          │ PIN     [••                                              ]   │
          │                                                              │
          │ Wrong name or PIN (5 wrong in a row: a minute's wait).       │
          └──────────────────────────────────────────────────────────────┘








   F1 Help  Enter Check PIN  Tab Name or PIN  Esc Not now
  """,
  .supportPINWide: """
   Voucher POS │ /data/engine.sqlite                                 Till T01 │ Kim (support, no PIN)
   Contact
    Alice Example
    alice@example.com · +46701234567 · member M-100123 · id customer-123

     Available (3)    Redeemed (1)    Expired (1)    All (6)

    Code                Value               Uses / balance    Expires     Status
    BONUS-19500-0123    195.00 off          0 of 1 left       17 Dec 2030 used


                    ┌──────────────────────────────────────────────────────────────┐
                    │ Support PIN needed to reactivate a voucher                   │
                    │ Name    [Sam Support                                     ]   │
                    │ PIN     [••                                              ]   │
                    │                                                              │
                    │ Wrong name or PIN (5 wrong in a row: a minute's wait).       │
                    └──────────────────────────────────────────────────────────────┘











   F1 Help  Enter Check PIN  Tab Name or PIN  Esc Not now
  """,
  .receiptWide: """
   Voucher POS │ /data/engine.sqlite                                         Till T01 │ Kim (cashier)
   Redeem
    Order T01-test0001-0001 · Alice Example
    Redeemed                                              17 Mar 2030 17:46 · till T01 · cashier Kim
    Redemption r_<id>

    prod_1                 1 × 259.00                 259.00
    ALICE-10OFF-2026       discount                   −25.90

    Subtotal                                          259.00 SEK
    Discount                                           25.90 SEK
    Amount to pay                                     233.10 SEK

    Enter starts a new sale.















   F1 Help  Enter New sale  F10 Quit
  """,
  .daysSalesWide: """
   Voucher POS │ /data/engine.sqlite                                         Till T01 │ Kim (cashier)
   Today's sales
    Till T01 · 17 Mar 2030

    Time  Order                    Codes                  Vouchers          Paid
    17:48 T01-test0001-0002        VOID GIFT-OPEN-300        50.00         41.00
    17:46 T01-test0001-0001        WELCOME10                 10.00         90.00

















    1 sale, 1 voided                                         10.00 SEK vouchers
                                                             90.00 SEK paid
    Voided T01-test0001-0002: 1 voucher use given back.


   F1 Help  Esc Back  F10 Quit
  """,
  .voidReason: """
   Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
   Today's sales
    Till T01 · 17 Mar 2030

    Time  Order                    Codes                  Vouchers          Paid
    17:48 T01-test0001-0002        GIFT-OPEN-300             50.00         41.00
    17:46 T01-test0001-0001        WELCOME10                 10.00         90.00











    2 sales                                                  60.00 SEK vouchers
                                                            131.00 SEK paid
    Void reason [Returned                                          ]


   F1 Help  Enter Void it  Esc Back  F10 Quit
  """,
  .voidReasonWide: """
   Voucher POS │ /data/engine.sqlite                                         Till T01 │ Kim (cashier)
   Today's sales
    Till T01 · 17 Mar 2030

    Time  Order                    Codes                  Vouchers          Paid
    17:48 T01-test0001-0002        GIFT-OPEN-300             50.00         41.00
    17:46 T01-test0001-0001        WELCOME10                 10.00         90.00

















    2 sales                                                  60.00 SEK vouchers
                                                            131.00 SEK paid
    Void reason [Returned                                          ]


   F1 Help  Enter Void it  Esc Back  F10 Quit
  """,
]

@Test("every screen, driven by keys, matches its text", arguments: Snapshot.allCases)
func screenMatchesLiteral(_ snapshot: Snapshot) async throws {
  expectScreen(try await snapshot.take(), try #require(expectedScreens[snapshot]))
}
