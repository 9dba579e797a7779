/// Shown instead of an empty search when the database has nothing in it yet: says how to
/// load data rather than leaving the cashier in front of a list that never fills.
public enum EmptyDatabaseScreen {
  public static func render(into canvas: inout Canvas, in area: Rect, session: Session) {
    let y = area.y
    let width = area.width - 6
    canvas.put("There are no contacts or vouchers in this database yet:", x: 2, y: y + 1)
    canvas.put(session.backend.fittedFromStart(to: width), x: 4, y: y + 2, style: .bold)
    canvas.put("Load the demo data into it with:", x: 2, y: y + 4)
    canvas.put(
      "voucher-engine seed --demo --db \(session.backend)".fittedFromStart(to: width), x: 4,
      y: y + 5, style: .bold)
    canvas.put("or try the till on its own throwaway demo data:", x: 2, y: y + 7)
    canvas.put("voucher-pos --demo", x: 4, y: y + 8, style: .bold)
    canvas.put("F2 opens the contact search anyway; F10 quits.", x: 2, y: y + 10)
  }
}
