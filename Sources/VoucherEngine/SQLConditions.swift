import Foundation

/// A WHERE clause as it is built, conditions joined by AND, with the values of their
/// parameters in order; and the conditions of each list query, the same filters on the
/// same columns in both stores (what the two say differently is `SQLDialect`'s).
struct SQLConditions {
  let dialect: SQLDialect
  private(set) var clauses: [String]
  private(set) var values: [SQLValue] = []

  init(_ dialect: SQLDialect, _ clauses: [String] = []) {
    self.dialect = dialect
    self.clauses = clauses
  }

  /// Adds a condition on one value; `clause` is given the value's parameter.
  mutating func add(_ value: SQLValue, _ clause: (String) -> String) {
    clauses.append(clause(parameter(value)))
  }

  mutating func add(_ clause: String) { clauses.append(clause) }

  /// The parameter of a value the conditions do not test (a LIMIT, an OFFSET): numbered
  /// after theirs, so it is added after them.
  mutating func parameter(_ value: SQLValue) -> String {
    values.append(value)
    return dialect.parameter(values.count)
  }

  /// `TRUE` when there is no condition (a keyword SQLite knows since 3.23).
  var text: String { clauses.isEmpty ? "TRUE" : clauses.joined(separator: " AND ") }

  /// `LIMIT p OFFSET q` with their values after the conditions'.
  mutating func page(limit: Int, offset: Int) -> String {
    let limit = parameter(.integer(Int64(limit)))
    return "LIMIT \(limit) OFFSET \(parameter(.integer(Int64(offset))))"
  }

  // MARK: The list queries

  /// A customer list's filters (on live customers: the caller adds `deleted_at IS NULL`).
  static func customers(_ query: CustomerQuery, in dialect: SQLDialect) -> SQLConditions {
    var conditions = SQLConditions(dialect)
    if let email = query.email {
      conditions.add(.text(ContactText.foldEmail(email))) { "email_fold = \($0)" }
    }
    if let city = query.city {
      conditions.add(.text(city)) { dialect.equalIgnoringCase(dialect.addressCity, $0) }
    }
    if let name = query.name {
      conditions.add(.text(name)) { dialect.equalIgnoringCase("name", $0) }
    }
    for (column, operation, date) in [
      ("created_at", "<", query.createdBefore), ("created_at", ">", query.createdAfter),
      ("updated_at", "<", query.updatedBefore), ("updated_at", ">", query.updatedAfter),
      ("created_at", ">", query.startingAfter),
    ] {
      if let date { conditions.add(.from(date)) { "\(column) \(operation) \($0)" } }
    }
    return conditions
  }

  /// A voucher list's filters, live vouchers only.
  static func vouchers(_ query: VoucherQuery, in dialect: SQLDialect) -> SQLConditions {
    var conditions = SQLConditions(dialect, ["deleted_at IS NULL"])
    for (column, value) in [
      ("category", query.category), ("campaign", query.campaign),
      ("campaign_id", query.campaignId), ("holder_id", query.holderId),
      ("code", query.code?.normalizedCode),
    ] {
      if let value { conditions.add(.text(value)) { "\(column) = \($0)" } }
    }
    if let ids = query.ids {
      if ids.isEmpty {
        conditions.add("FALSE")
      } else {
        let marks = ids.map { conditions.parameter(.text($0)) }
        conditions.add("id IN (\(marks.joined(separator: ", ")))")
      }
    }
    for (column, operation, date) in [
      ("created_at", "<", query.createdBefore), ("created_at", ">", query.createdAfter),
      ("updated_at", "<", query.updatedBefore), ("updated_at", ">", query.updatedAfter),
    ] {
      if let date { conditions.add(.from(date)) { "\(column) \(operation) \($0)" } }
    }
    return conditions
  }

  /// A redemption list's filters, of one customer's or one voucher's if given.
  static func redemptions(
    _ query: RedemptionQuery, customerId: String?, voucherId: String?, in dialect: SQLDialect
  ) -> SQLConditions {
    var conditions = SQLConditions(dialect)
    for (column, value) in [
      ("voucher_id", voucherId), ("customer_id", customerId),
      ("order_source_id", query.orderSourceId), ("parent_id", query.parentId),
    ] {
      if let value { conditions.add(.text(value)) { "\(column) = \($0)" } }
    }
    if let campaign = query.campaign {
      conditions.add(.text(campaign)) {
        "voucher_id IN (SELECT id FROM vouchers WHERE campaign = \($0))"
      }
    }
    if let date = query.createdBefore { conditions.add(.from(date)) { "date < \($0)" } }
    if let date = query.createdAfter { conditions.add(.from(date)) { "date > \($0)" } }
    if let terminal = query.terminal { conditions.add(.text(terminal)) { "terminal = \($0)" } }
    // Children are shown inside their parent, except when asked for by voucher, campaign or
    // parent.
    if voucherId == nil, query.parentId == nil, query.campaign == nil {
      conditions.add("parent_id IS NULL")
    }
    return conditions
  }
}
