/// The PostgreSQL layout, as numbered migrations. The one row of `schema_version` records
/// how many have run; a newer release appends migrations and never edits old ones.
///
/// The same tables as `SQLiteSchema` (times are integer milliseconds, amounts integer minor
/// units), with what PostgreSQL needs instead of SQLite's: an identity column `seq` where
/// SQLite's rowid gives insertion order, `COLLATE "C"` where a prefix is found by a range
/// scan (whatever the database's own collation), and trigger functions.
enum PostgreSQLSchema {
  static let migrations: [String] = [
    // 1: the layout of SQLite's migrations 1 to 6.
    """
    CREATE TABLE customers (
      seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      id            text COLLATE "C" PRIMARY KEY,
      source_id     text UNIQUE,
      name          text,
      email         text,
      email_fold    text UNIQUE,
      phone         text,
      member_number text,
      metadata      text NOT NULL DEFAULT '{}',
      created_at    bigint NOT NULL,
      updated_at    bigint NOT NULL
    );
    CREATE INDEX customers_phone ON customers(phone);
    CREATE INDEX customers_member ON customers(lower(member_number));
    CREATE TABLE customer_words (
      word        text COLLATE "C" NOT NULL,
      customer_id text NOT NULL REFERENCES customers(id),
      PRIMARY KEY (word, customer_id)
    );

    CREATE TABLE vouchers (
      seq                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      id                 text COLLATE "C" PRIMARY KEY,
      code               text COLLATE "C" NOT NULL UNIQUE,
      campaign           text,
      type               text NOT NULL CHECK (type IN ('DISCOUNT_VOUCHER', 'GIFT_VOUCHER')),
      discount_type      text CHECK (discount_type IN ('PERCENT', 'AMOUNT', 'FIXED')),
      percent_off_bp     bigint,
      amount_limit       bigint,
      amount_off         bigint,
      fixed_amount       bigint,
      gift_amount        bigint,
      gift_balance       bigint CHECK (gift_balance IS NULL OR gift_balance >= 0),
      currency           text NOT NULL,
      holder_id          text REFERENCES customers(id),
      start_date         bigint,
      expiration_date    bigint,
      active             boolean NOT NULL,
      quantity           bigint,
      redeemed_quantity  bigint NOT NULL DEFAULT 0,
      per_customer       bigint,
      min_order_amount   bigint,
      applicable_to      text NOT NULL DEFAULT '[]',
      inapplicable_to    text NOT NULL DEFAULT '[]',
      reactivation_limit bigint NOT NULL,
      reactivation_count bigint NOT NULL DEFAULT 0,
      metadata           text NOT NULL DEFAULT '{}',
      created_at         bigint NOT NULL,
      updated_at         bigint NOT NULL,
      deleted_at         bigint,
      -- A second guard behind the rules: a voucher can never be used more than allowed.
      CHECK (quantity IS NULL OR redeemed_quantity <= quantity),
      CHECK (redeemed_quantity >= 0)
    );
    CREATE INDEX vouchers_holder ON vouchers(holder_id);

    CREATE TABLE redemptions (
      seq                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      id                 text COLLATE "C" PRIMARY KEY,
      parent_id          text REFERENCES redemptions(id),
      voucher_id         text REFERENCES vouchers(id),
      voucher_code       text,
      customer_id        text,
      order_id           text NOT NULL,
      order_source_id    text,
      order_amount       bigint NOT NULL,
      order_discount     bigint NOT NULL,
      order_gift         bigint NOT NULL,
      order_total        bigint NOT NULL,
      items              text NOT NULL,
      amount             bigint NOT NULL,
      gift_balance_after bigint,
      status             text NOT NULL,
      terminal           text,
      cashier            text,
      date               bigint NOT NULL,
      rollback_id        text
    );
    -- Exactly once: one redemption of a voucher per order, and one stacked parent per order.
    -- (NULLs never collide in a UNIQUE index, as in SQLite.)
    CREATE UNIQUE INDEX redemptions_voucher_order ON redemptions(voucher_id, order_source_id);
    CREATE UNIQUE INDEX redemptions_parent_order ON redemptions(order_source_id)
      WHERE voucher_id IS NULL AND order_source_id IS NOT NULL;
    CREATE INDEX redemptions_customer_date ON redemptions(customer_id, date);
    CREATE INDEX redemptions_order ON redemptions(order_source_id);
    CREATE INDEX redemptions_parent ON redemptions(parent_id) WHERE parent_id IS NOT NULL;

    CREATE TABLE rollbacks (
      id            text PRIMARY KEY,
      redemption_id text NOT NULL UNIQUE REFERENCES redemptions(id),
      voucher_id    text NOT NULL,
      voucher_code  text NOT NULL,
      amount        bigint NOT NULL,
      reason        text NOT NULL,
      by_name       text,
      date          bigint NOT NULL,
      reactivations_left bigint NOT NULL
    );

    CREATE TABLE idempotency_keys (
      key         text PRIMARY KEY,
      fingerprint text NOT NULL,
      result_id   text NOT NULL,
      created_at  bigint NOT NULL
    );

    CREATE TABLE events (
      seq     bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      at      bigint NOT NULL,
      actor   text,
      kind    text NOT NULL,
      subject text NOT NULL,
      detail  text NOT NULL
    );
    CREATE INDEX events_subject ON events(subject, seq);
    -- The audit trail is append-only, enforced by the database itself.
    CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'the event log is append-only' USING ERRCODE = '23000'; END $$;
    CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_append_only();
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

    CREATE TABLE issuance_batches (
      name        text PRIMARY KEY,
      fingerprint text NOT NULL,
      created_at  bigint NOT NULL
    );
    CREATE TABLE issued_vouchers (
      batch       text NOT NULL REFERENCES issuance_batches(name),
      customer_id text NOT NULL,
      voucher_id  text NOT NULL,
      line        bigint NOT NULL,
      PRIMARY KEY (batch, customer_id)
    );
    CREATE INDEX issued_vouchers_line ON issued_vouchers(batch, line);

    -- REST API keys: only a salted SHA-256 of each token; a revoked key stays listed.
    CREATE TABLE api_keys (
      seq        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      app_id     text PRIMARY KEY,
      name       text NOT NULL,
      role       text NOT NULL CHECK (role IN ('cashier', 'support', 'admin')),
      salt       text NOT NULL,
      token_hash text NOT NULL,
      created_at bigint NOT NULL,
      revoked_at bigint
    );

    -- The fence: a redeem attempt closed after its deadline; its redeem, arriving later, is
    -- refused. The trigger is the last line of defence behind the engine's own check: an
    -- attempt's answer (its idempotency record) can never be saved once it is closed.
    CREATE TABLE closed_attempts (
      key       text PRIMARY KEY,
      closed_at bigint NOT NULL
    );
    CREATE FUNCTION closed_attempts_never_land() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM closed_attempts WHERE key = NEW.key) THEN
          RAISE EXCEPTION 'the redeem attempt was closed by the fence' USING ERRCODE = '23000';
        END IF;
        RETURN NEW;
      END $$;
    CREATE TRIGGER closed_attempts_never_land BEFORE INSERT ON idempotency_keys
      FOR EACH ROW EXECUTE FUNCTION closed_attempts_never_land();
    """,
    // 2: SQLite's migration 7, what Voucherify's schema lets a shop send. Customers:
    // informational fields and a tombstone for deletion. Vouchers: the validity rules (one
    // JSON column), a cap per order, informational fields. Validation sessions hold a use
    // (and gift credits) of a voucher until they expire.
    """
    ALTER TABLE customers ADD COLUMN description text, ADD COLUMN address text,
      ADD COLUMN birthdate text, ADD COLUMN birthday text, ADD COLUMN deleted_at bigint;
    ALTER TABLE vouchers ADD COLUMN validity text, ADD COLUMN aggregated_amount_limit bigint,
      ADD COLUMN category text, ADD COLUMN category_id text, ADD COLUMN campaign_id text,
      ADD COLUMN additional_info text;
    CREATE TABLE session_locks (
      voucher_id   text NOT NULL REFERENCES vouchers(id),
      session_key  text NOT NULL,
      gift_credits bigint NOT NULL CHECK (gift_credits >= 0),
      expires_at   bigint NOT NULL,
      created_at   bigint NOT NULL,
      PRIMARY KEY (voucher_id, session_key)
    );
    """,
    // 3: SQLite's migration 8, a till's day of sales read through an index (parents and
    // single redemptions only, the ones listed).
    """
    CREATE INDEX redemptions_terminal_date ON redemptions(terminal, date)
      WHERE parent_id IS NULL;
    """,
    // 4: SQLite's migration 9, staff PINs (salted SHA-256, never the PIN) and their lockout.
    // SQLite's migration 10 (search tables) has no counterpart: PostgreSQL's search reads
    // the customers table itself.
    """
    CREATE TABLE staff (
      name            text NOT NULL,
      role            text NOT NULL CHECK (role IN ('cashier', 'support')),
      salt            text NOT NULL,
      pin_hash        text NOT NULL,
      created_at      bigint NOT NULL,
      revoked_at      bigint,
      failed_attempts bigint NOT NULL DEFAULT 0,
      locked_until    bigint
    );
    CREATE UNIQUE INDEX staff_name ON staff(lower(name));
    """,
  ]
}
