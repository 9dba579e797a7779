/// The request bodies of the Voucherify routes served here, as `BodyShape`s: every name of
/// Voucherify's schema (`../shared/contracts/voucherify/`) for that body, our documented
/// extensions (marked), and the schema's fields this server refuses as unsupported because
/// it would otherwise ignore a rule on who may redeem, when or how much.
public enum VoucherifyBodies {
  static let address = BodyShape.object(
    Dictionary(
      uniqueKeysWithValues: ["city", "state", "line_1", "line_2", "country", "postal_code"].map {
        ($0, BodyShape.value)
      }))

  static func customer(id: Bool, sourceId: Bool, extensions: Bool) -> BodyShape {
    var fields: [String: BodyShape] = [
      "name": .value, "description": .value, "email": .value, "phone": .value,
      "birthday": .value, "birthdate": .value, "address": address, "metadata": .any,
    ]
    if id { fields["id"] = .value }
    if sourceId { fields["source_id"] = .value }
    // Ours: the loyalty-club member number.
    if extensions { fields["member_number"] = .value }
    return .object(fields)
  }

  static let product = BodyShape.object([
    "id": .value, "source_id": .value, "override": .value, "name": .value, "metadata": .any,
    "price": .value,
  ])
  static let sku = BodyShape.object([
    "id": .value, "source_id": .value, "override": .value, "sku": .value, "price": .value,
    "metadata": .any,
  ])

  static func order(extensions: Bool) -> BodyShape {
    var item: [String: BodyShape] = [
      "sku_id": .value, "product_id": .value, "related_object": .value, "source_id": .value,
      "quantity": .value, "discount_quantity": .value, "initial_quantity": .value,
      "amount": .value, "discount_amount": .value, "initial_amount": .value, "price": .value,
      "product": product, "sku": sku, "metadata": .any,
    ]
    // Ours: the till's client writes order items with `object` as answers carry it.
    if extensions { item["object"] = .value }
    let person = customer(id: true, sourceId: true, extensions: extensions)
    return .object([
      "id": .value, "source_id": .value, "status": .value, "amount": .value,
      "initial_amount": .value, "discount_amount": .value, "items": .array(.object(item)),
      "metadata": .any, "created_at": .value, "customer": person, "customer_id": .value,
      // Referral programmes are not kept here: a referrer would change who may redeem.
      "referrer": .unsupported, "referrer_id": .unsupported,
    ])
  }

  static let session = BodyShape.object([
    "key": .value, "type": .only(["LOCK"]), "ttl": .value, "ttl_unit": .value,
  ])
  static let options = BodyShape.object(["expand": .value])

  /// `POST /v1/validations` and `POST /v1/redemptions`.
  private static func makeStacked(extensions: Bool) -> BodyShape {
    var fields: [String: BodyShape] = [
      "redeemables": .array(
        .object([
          "object": .value, "id": .value, "gift": .object(["credits": .value]),
          "reward": .unsupported,
        ])),
      "order": order(extensions: extensions),
      "customer": customer(id: true, sourceId: true, extensions: extensions),
      "session": session, "tracking_id": .value, "metadata": .any, "options": options,
    ]
    // Ours: the till and cashier a redemption is made at.
    if extensions { fields["channel"] = .object(["terminal": .value, "cashier": .value]) }
    return .object(fields)
  }

  /// `POST /v1/vouchers/{code}/validate` and `POST /v1/vouchers/{code}/redemption`.
  private static func makeSingle(extensions: Bool) -> BodyShape {
    var fields: [String: BodyShape] = [
      "order": order(extensions: extensions),
      "customer": customer(id: true, sourceId: true, extensions: extensions),
      "session": session, "tracking_id": .value, "metadata": .any, "options": options,
      "gift": .object(["credits": .value]), "reward": .unsupported,
    ]
    if extensions { fields["channel"] = .object(["terminal": .value, "cashier": .value]) }
    return .object(fields)
  }

  /// `POST /v1/customers`.
  private static func makeCustomerCreate(extensions: Bool) -> BodyShape {
    customer(id: true, sourceId: true, extensions: extensions)
  }

  /// `PUT /v1/customers/{id}`.
  private static func makeCustomerUpdate(extensions: Bool) -> BodyShape {
    customer(id: false, sourceId: false, extensions: extensions)
  }

  static let discountEffects: Set<String> = ["APPLY_TO_ORDER"]

  static let discount = BodyShape.object([
    "type": .value, "amount_off": .value, "percent_off": .value, "amount_limit": .value,
    "fixed_amount": .value, "aggregated_amount_limit": .value,
    // The engine takes each discount off the order (or the items `rules` name).
    "effect": .only(discountEffects),
    "amount_off_formula": .unsupported, "percent_off_formula": .unsupported,
    "fixed_amount_formula": .unsupported, "is_dynamic": .unsupported, "unit_off": .unsupported,
    "unit_off_formula": .unsupported, "unit_type": .unsupported, "product": .unsupported,
    "sku": .unsupported, "units": .unsupported,
  ])

  static let validity: [String: BodyShape] = [
    "validity_timeframe": .object(["duration": .value, "interval": .value]),
    "validity_day_of_week": .value,
    "validity_hours": .object([
      "daily": .array(
        .object(["start_time": .value, "days_of_week": .value, "expiration_time": .value]))
    ]),
  ]

  /// `POST /v1/vouchers` and `POST /v1/vouchers/{code}`.
  private static func makeVoucherCreate(extensions: Bool) -> BodyShape {
    var fields: [String: BodyShape] = [
      "code": .value, "campaign": .value, "campaign_id": .value, "category": .value,
      "category_id": .value, "start_date": .value, "expiration_date": .value, "active": .value,
      "additional_info": .value, "metadata": .any, "type": .value, "discount": discount,
      "redemption": .object(
        extensions ? ["quantity": .value, "per_customer": .value] : ["quantity": .value]),
      "code_config": .object([
        "pattern": .value, "length": .value, "charset": .value, "prefix": .value,
        "postfix": .value, "initial_count": .unsupported,
      ]),
      "gift": .object([
        "amount": .value, "balance": .value, "effect": .only(["APPLY_TO_ORDER"]),
        "subtracted_amount": .unsupported,
      ]),
      "validation_rules": .unsupported, "loyalty_card": .unsupported,
    ]
    fields.merge(validity) { $1 }
    if extensions { fields.merge(voucherExtensions) { $1 } }
    return .object(fields)
  }

  /// `PUT /v1/vouchers/{code}`: Voucherify's update body, plus the fields of a created
  /// voucher that may be sent unchanged (an SDK round-trips what it read).
  private static func makeVoucherUpdate(extensions: Bool) -> BodyShape {
    guard case .members(let members) = voucherCreate(extensions: extensions) else { return .value }
    var fields = members.fields
    fields["code_config"] = nil
    return .object(fields)
  }

  static let voucherExtensions: [String: BodyShape] = [
    "currency": .value, "reactivation": .object(["limit": .value]),
    "rules": .object([
      "min_order_amount": .value, "applicable_to": .value, "inapplicable_to": .value,
    ]),
    // The holder: a customer id, source id or email, or `{id}` / `{source_id}`.
    "customer": .value,
  ]

  /// `POST /v1/vouchers/{code}/balance`.
  public static let balance = BodyShape.object([
    "amount": .value, "source_id": .value, "reason": .value,
  ])

  /// `POST /v1/redemptions/{id}/rollback` and `/rollbacks`.
  private static func makeRollback(extensions: Bool) -> BodyShape {
    var fields: [String: BodyShape] = [
      "reason": .value, "tracking_id": .value,
      "customer": customer(id: true, sourceId: true, extensions: extensions),
      "order": order(extensions: extensions), "metadata": .any,
    ]
    // Ours: who rolled it back (the key's name otherwise).
    if extensions { fields["by"] = .value }
    return .object(fields)
  }

  /// Ours: `POST /v1/vouchers/{code}/reactivate`.
  public static let reactivate = BodyShape.object([
    "reason": .value, "by": .value, "metadata": .any,
  ])

  /// The scenarios of `POST /v1/qualifications` served here.
  public static let scenarios: Set<String> = ["CUSTOMER_WALLET", "AUDIENCE_ONLY"]

  /// `POST /v1/qualifications`.
  private static func makeQualification(extensions: Bool) -> BodyShape {
    .object([
      "customer": customer(id: true, sourceId: true, extensions: extensions),
      "order": order(extensions: extensions), "tracking_id": .value,
      "scenario": .only(scenarios),
      "options": .object([
        "limit": .value, "starting_after": .value, "expand": .value, "sorting_rule": .value,
        "filters": .unsupported,
      ]),
      "session": .unsupported, "metadata": .any,
    ])
  }

  // Built once per surface: a shape is a tree of dictionaries, too dear to build per request.
  private static let stackedFull = makeStacked(extensions: true)
  private static let stackedStrict = makeStacked(extensions: false)
  public static func stacked(extensions: Bool) -> BodyShape {
    extensions ? stackedFull : stackedStrict
  }
  private static let singleFull = makeSingle(extensions: true)
  private static let singleStrict = makeSingle(extensions: false)
  public static func single(extensions: Bool) -> BodyShape {
    extensions ? singleFull : singleStrict
  }
  private static let customerCreateFull = makeCustomerCreate(extensions: true)
  private static let customerCreateStrict = makeCustomerCreate(extensions: false)
  public static func customerCreate(extensions: Bool) -> BodyShape {
    extensions ? customerCreateFull : customerCreateStrict
  }
  private static let customerUpdateFull = makeCustomerUpdate(extensions: true)
  private static let customerUpdateStrict = makeCustomerUpdate(extensions: false)
  public static func customerUpdate(extensions: Bool) -> BodyShape {
    extensions ? customerUpdateFull : customerUpdateStrict
  }
  private static let voucherCreateFull = makeVoucherCreate(extensions: true)
  private static let voucherCreateStrict = makeVoucherCreate(extensions: false)
  public static func voucherCreate(extensions: Bool) -> BodyShape {
    extensions ? voucherCreateFull : voucherCreateStrict
  }
  private static let voucherUpdateFull = makeVoucherUpdate(extensions: true)
  private static let voucherUpdateStrict = makeVoucherUpdate(extensions: false)
  public static func voucherUpdate(extensions: Bool) -> BodyShape {
    extensions ? voucherUpdateFull : voucherUpdateStrict
  }
  private static let rollbackFull = makeRollback(extensions: true)
  private static let rollbackStrict = makeRollback(extensions: false)
  public static func rollback(extensions: Bool) -> BodyShape {
    extensions ? rollbackFull : rollbackStrict
  }
  private static let qualificationFull = makeQualification(extensions: true)
  private static let qualificationStrict = makeQualification(extensions: false)
  public static func qualification(extensions: Bool) -> BodyShape {
    extensions ? qualificationFull : qualificationStrict
  }
}
