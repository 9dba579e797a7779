/// The database layout, as numbered migrations. `PRAGMA user_version` records how many have
/// run; a newer release appends migrations and never edits old ones, so a database made by
/// any earlier release opens and is brought up to date.
enum SQLiteSchema {
  static let migrations: [String] = [
    // 1: the first layout.
    """
    CREATE TABLE customers (
      id            TEXT PRIMARY KEY,
      source_id     TEXT UNIQUE,
      name          TEXT,
      email         TEXT,
      email_fold    TEXT UNIQUE,
      phone         TEXT,
      member_number TEXT COLLATE NOCASE,
      metadata      TEXT NOT NULL DEFAULT '{}',
      created_at    INTEGER NOT NULL,
      updated_at    INTEGER NOT NULL
    );
    CREATE INDEX customers_phone ON customers(phone);
    CREATE INDEX customers_member ON customers(member_number);
    CREATE TABLE customer_words (
      word        TEXT NOT NULL,
      customer_id TEXT NOT NULL REFERENCES customers(id),
      PRIMARY KEY (word, customer_id)
    ) WITHOUT ROWID;

    CREATE TABLE vouchers (
      id                 TEXT PRIMARY KEY,
      code               TEXT NOT NULL UNIQUE,
      campaign           TEXT,
      type               TEXT NOT NULL CHECK (type IN ('DISCOUNT_VOUCHER', 'GIFT_VOUCHER')),
      discount_type      TEXT CHECK (discount_type IN ('PERCENT', 'AMOUNT', 'FIXED')),
      percent_off_bp     INTEGER,
      amount_limit       INTEGER,
      amount_off         INTEGER,
      fixed_amount       INTEGER,
      gift_amount        INTEGER,
      gift_balance       INTEGER CHECK (gift_balance IS NULL OR gift_balance >= 0),
      currency           TEXT NOT NULL,
      holder_id          TEXT REFERENCES customers(id),
      start_date         INTEGER,
      expiration_date    INTEGER,
      active             INTEGER NOT NULL,
      quantity           INTEGER,
      redeemed_quantity  INTEGER NOT NULL DEFAULT 0,
      per_customer       INTEGER,
      min_order_amount   INTEGER,
      applicable_to      TEXT NOT NULL DEFAULT '[]',
      inapplicable_to    TEXT NOT NULL DEFAULT '[]',
      reactivation_limit INTEGER NOT NULL,
      reactivation_count INTEGER NOT NULL DEFAULT 0,
      metadata           TEXT NOT NULL DEFAULT '{}',
      created_at         INTEGER NOT NULL,
      updated_at         INTEGER NOT NULL,
      deleted_at         INTEGER,
      -- A second guard behind the rules: a voucher can never be used more than allowed.
      CHECK (quantity IS NULL OR redeemed_quantity <= quantity),
      CHECK (redeemed_quantity >= 0)
    );
    CREATE INDEX vouchers_holder ON vouchers(holder_id);

    CREATE TABLE redemptions (
      id                 TEXT PRIMARY KEY,
      parent_id          TEXT REFERENCES redemptions(id),
      voucher_id         TEXT REFERENCES vouchers(id),
      voucher_code       TEXT,
      customer_id        TEXT,
      order_id           TEXT NOT NULL,
      order_source_id    TEXT,
      order_amount       INTEGER NOT NULL,
      order_discount     INTEGER NOT NULL,
      order_gift         INTEGER NOT NULL,
      order_total        INTEGER NOT NULL,
      items              TEXT NOT NULL,
      amount             INTEGER NOT NULL,
      gift_balance_after INTEGER,
      status             TEXT NOT NULL,
      terminal           TEXT,
      cashier            TEXT,
      date               INTEGER NOT NULL,
      rollback_id        TEXT
    );
    -- Exactly once: one redemption of a voucher per order, and one stacked parent per order.
    CREATE UNIQUE INDEX redemptions_voucher_order ON redemptions(voucher_id, order_source_id)
      WHERE voucher_id IS NOT NULL AND order_source_id IS NOT NULL;
    CREATE UNIQUE INDEX redemptions_parent_order ON redemptions(order_source_id)
      WHERE voucher_id IS NULL AND order_source_id IS NOT NULL;
    CREATE INDEX redemptions_voucher_date ON redemptions(voucher_id, date);
    CREATE INDEX redemptions_customer_date ON redemptions(customer_id, date);
    CREATE INDEX redemptions_order ON redemptions(order_source_id);
    CREATE INDEX redemptions_parent ON redemptions(parent_id);

    CREATE TABLE rollbacks (
      id            TEXT PRIMARY KEY,
      redemption_id TEXT NOT NULL UNIQUE REFERENCES redemptions(id),
      voucher_id    TEXT NOT NULL,
      voucher_code  TEXT NOT NULL,
      amount        INTEGER NOT NULL,
      reason        TEXT NOT NULL,
      by_name       TEXT,
      date          INTEGER NOT NULL,
      reactivations_left INTEGER NOT NULL
    );

    CREATE TABLE idempotency_keys (
      key         TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      result_id   TEXT NOT NULL,
      created_at  INTEGER NOT NULL
    );

    CREATE TABLE events (
      seq     INTEGER PRIMARY KEY AUTOINCREMENT,
      at      INTEGER NOT NULL,
      actor   TEXT,
      kind    TEXT NOT NULL,
      subject TEXT NOT NULL,
      detail  TEXT NOT NULL
    );
    CREATE INDEX events_subject ON events(subject, seq);
    -- The audit trail is append-only, enforced by the database itself.
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
      BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
      BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    """,
    // 2: bulk issuance batches: one voucher per customer per batch, resumable.
    """
    CREATE TABLE issuance_batches (
      name        TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      created_at  INTEGER NOT NULL
    );
    CREATE TABLE issued_vouchers (
      batch       TEXT NOT NULL REFERENCES issuance_batches(name),
      customer_id TEXT NOT NULL,
      voucher_id  TEXT NOT NULL,
      line        INTEGER NOT NULL,
      PRIMARY KEY (batch, customer_id)
    ) WITHOUT ROWID;
    CREATE INDEX issued_vouchers_line ON issued_vouchers(batch, line);
    """,
    // 3: REST API keys. Only a salted SHA-256 of each token is kept; a revoked key stays
    // listed for the audit trail.
    """
    CREATE TABLE api_keys (
      app_id     TEXT PRIMARY KEY,
      name       TEXT NOT NULL,
      role       TEXT NOT NULL CHECK (role IN ('cashier', 'support', 'admin')),
      salt       TEXT NOT NULL,
      token_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      revoked_at INTEGER
    );
    """,
    // 4: two index pages fewer written per redemption (each one is a WAL frame to write and
    // sync, and a random page to checkpoint). The exactly-once index now covers every row:
    // NULLs never collide in a UNIQUE index, so it admits exactly what the partial one did,
    // and it also serves the lookups by voucher that had an index of their own (a voucher
    // has few redemptions to sort by date). Single redemptions, which have no parent, are
    // left out of the parent index; `parent_id = ?` still uses it.
    """
    DROP INDEX redemptions_voucher_date;
    DROP INDEX redemptions_voucher_order;
    CREATE UNIQUE INDEX redemptions_voucher_order ON redemptions(voucher_id, order_source_id);
    DROP INDEX redemptions_parent;
    CREATE INDEX redemptions_parent ON redemptions(parent_id) WHERE parent_id IS NOT NULL;
    """,
    // 5: the event log without AUTOINCREMENT, which rewrote its counter in sqlite_sequence
    // (one more page to write and sync) with every event. Rows can never be deleted (the
    // triggers), so the largest seq + 1 that SQLite picks instead is just as unique and
    // increasing; the numbers already given are copied unchanged.
    """
    CREATE TABLE events_appended (
      seq     INTEGER PRIMARY KEY,
      at      INTEGER NOT NULL,
      actor   TEXT,
      kind    TEXT NOT NULL,
      subject TEXT NOT NULL,
      detail  TEXT NOT NULL
    );
    INSERT INTO events_appended (seq, at, actor, kind, subject, detail)
      SELECT seq, at, actor, kind, subject, detail FROM events ORDER BY seq;
    DROP TABLE events;
    ALTER TABLE events_appended RENAME TO events;
    DELETE FROM sqlite_sequence WHERE name = 'events';
    CREATE INDEX events_subject ON events(subject, seq);
    -- The audit trail is append-only, enforced by the database itself.
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
      BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
      BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    """,
    // 6: the fence. A redeem attempt closed after its deadline (the till asked and nothing
    // had been made) is kept here, and its redeem, arriving later, is refused. The trigger is
    // the last line of defence behind the engine's own check: an attempt's answer (its
    // idempotency record) can never be saved once the attempt is closed.
    """
    CREATE TABLE closed_attempts (
      key       TEXT PRIMARY KEY,
      closed_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TRIGGER closed_attempts_never_land BEFORE INSERT ON idempotency_keys
      WHEN EXISTS (SELECT 1 FROM closed_attempts WHERE key = NEW.key)
      BEGIN SELECT RAISE(ABORT, 'the redeem attempt was closed by the fence'); END;
    """,
    // 7: what Voucherify's schema lets a shop send. Customers: informational fields, and a
    // tombstone for deletion (source id and email freed, so they can be used again). Vouchers:
    // the validity rules (one JSON column, read with the voucher), a cap per order, and
    // informational fields. Validation sessions hold a use (and gift credits) of a voucher
    // until they expire.
    """
    ALTER TABLE customers ADD COLUMN description TEXT;
    ALTER TABLE customers ADD COLUMN address TEXT;
    ALTER TABLE customers ADD COLUMN birthdate TEXT;
    ALTER TABLE customers ADD COLUMN birthday TEXT;
    ALTER TABLE customers ADD COLUMN deleted_at INTEGER;
    ALTER TABLE vouchers ADD COLUMN validity TEXT;
    ALTER TABLE vouchers ADD COLUMN aggregated_amount_limit INTEGER;
    ALTER TABLE vouchers ADD COLUMN category TEXT;
    ALTER TABLE vouchers ADD COLUMN category_id TEXT;
    ALTER TABLE vouchers ADD COLUMN campaign_id TEXT;
    ALTER TABLE vouchers ADD COLUMN additional_info TEXT;
    CREATE TABLE session_locks (
      voucher_id   TEXT NOT NULL REFERENCES vouchers(id),
      session_key  TEXT NOT NULL,
      gift_credits INTEGER NOT NULL CHECK (gift_credits >= 0),
      expires_at   INTEGER NOT NULL,
      created_at   INTEGER NOT NULL,
      PRIMARY KEY (voucher_id, session_key)
    ) WITHOUT ROWID;
    """,
    // 8: a till's day of sales (the till's F7 screen) read through an index, not a scan of
    // every redemption. Only parents and single redemptions are listed, so only they are
    // indexed.
    """
    CREATE INDEX redemptions_terminal_date ON redemptions(terminal, date)
      WHERE parent_id IS NULL;
    """,
    // 9: staff PINs, for support work at a till on a local database. Only a salted SHA-256
    // of each PIN is kept; wrong PINs are counted here (not in the till) so that restarting
    // a till does not reset them. A revoked member stays listed for the audit trail.
    """
    CREATE TABLE staff (
      name            TEXT PRIMARY KEY COLLATE NOCASE,
      role            TEXT NOT NULL CHECK (role IN ('cashier', 'support')),
      salt            TEXT NOT NULL,
      pin_hash        TEXT NOT NULL,
      created_at      INTEGER NOT NULL,
      revoked_at      INTEGER,
      failed_attempts INTEGER NOT NULL DEFAULT 0,
      locked_until    INTEGER
    );
    """,
    // 10: search by part of a phone number, a member number without its prefix and an
    // email's local part. Any 5 or more consecutive digits of a phone are a prefix of one
    // of its digit suffixes, so a row per suffix (5+ digits long: 7 for +46701234567) makes
    // every such search one range scan of this table, as fast as the name-word prefix
    // search; a trigram table would need a join per three digits typed and a check after.
    // The other two are exact matches on an expression of the row, which SQLite keeps in an
    // index of its own (written at every change with no code of ours); the queries repeat
    // the expressions character for character (SQLiteTransaction+Search.swift).
    """
    CREATE TABLE customer_phone_digits (
      digits      TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      PRIMARY KEY (digits, customer_id)
    ) WITHOUT ROWID;
    INSERT INTO customer_phone_digits (digits, customer_id)
      WITH RECURSIVE suffixes(customer_id, digits) AS (
        SELECT id, replace(phone, '+', '') FROM customers
          WHERE phone IS NOT NULL AND length(replace(phone, '+', '')) >= 5
        UNION ALL
        SELECT customer_id, substr(digits, 2) FROM suffixes WHERE length(digits) > 5)
      SELECT DISTINCT digits, customer_id FROM suffixes;
    CREATE INDEX customers_email_local
      ON customers(substr(email_fold, 1, instr(email_fold, '@') - 1));
    CREATE INDEX customers_member_bare
      ON customers(lower(ltrim(member_number, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -_./#:')));
    -- How many characters each name word shares at its start with the customer's previous
    -- word in index order. The words of one customer that start with a typed prefix are
    -- neighbours in that order, and only the first of them shares fewer characters than
    -- the prefix has with its predecessor: counting the rows with `shared < length(prefix)`
    -- counts each customer once, in one scan of the index and without a DISTINCT (a
    -- quarter of the time for a one-letter prefix on 100,000 contacts).
    ALTER TABLE customer_words ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
    WITH RECURSIVE
      n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200),
      neighbours AS (
        SELECT word, customer_id,
               lag(word) OVER (PARTITION BY customer_id ORDER BY word) AS before
        FROM customer_words)
    UPDATE customer_words SET shared = (
        SELECT count(*) FROM n
        WHERE i <= min(length(neighbours.before), length(neighbours.word))
          AND substr(neighbours.before, 1, i) = substr(neighbours.word, 1, i))
      FROM neighbours
      WHERE neighbours.before IS NOT NULL AND neighbours.word = customer_words.word
        AND neighbours.customer_id = customer_words.customer_id;
    """,
  ]

  /// The schema the migrations above leave, as one script: a new, empty database is made
  /// with it in one step. The eleven `ALTER TABLE … ADD COLUMN`s of migration 7 each make
  /// SQLite re-read the whole schema, so stepping a new file through the migrations took
  /// 4.3 ms of the demo's first frame and this takes 1.4 ms. It is `sqlite_schema`'s text of
  /// a migrated file, in creation order; `SQLiteSchemaTests` checks that it makes exactly
  /// what the migrations make (and says how to regenerate it when a migration is added).
  static let current = """
    CREATE TABLE customers (
      id            TEXT PRIMARY KEY,
      source_id     TEXT UNIQUE,
      name          TEXT,
      email         TEXT,
      email_fold    TEXT UNIQUE,
      phone         TEXT,
      member_number TEXT COLLATE NOCASE,
      metadata      TEXT NOT NULL DEFAULT '{}',
      created_at    INTEGER NOT NULL,
      updated_at    INTEGER NOT NULL
    , description TEXT, address TEXT, birthdate TEXT, birthday TEXT, deleted_at INTEGER);
    CREATE INDEX customers_phone ON customers(phone);
    CREATE INDEX customers_member ON customers(member_number);
    CREATE TABLE customer_words (
      word        TEXT NOT NULL,
      customer_id TEXT NOT NULL REFERENCES customers(id), shared INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (word, customer_id)
    ) WITHOUT ROWID;
    CREATE TABLE vouchers (
      id                 TEXT PRIMARY KEY,
      code               TEXT NOT NULL UNIQUE,
      campaign           TEXT,
      type               TEXT NOT NULL CHECK (type IN ('DISCOUNT_VOUCHER', 'GIFT_VOUCHER')),
      discount_type      TEXT CHECK (discount_type IN ('PERCENT', 'AMOUNT', 'FIXED')),
      percent_off_bp     INTEGER,
      amount_limit       INTEGER,
      amount_off         INTEGER,
      fixed_amount       INTEGER,
      gift_amount        INTEGER,
      gift_balance       INTEGER CHECK (gift_balance IS NULL OR gift_balance >= 0),
      currency           TEXT NOT NULL,
      holder_id          TEXT REFERENCES customers(id),
      start_date         INTEGER,
      expiration_date    INTEGER,
      active             INTEGER NOT NULL,
      quantity           INTEGER,
      redeemed_quantity  INTEGER NOT NULL DEFAULT 0,
      per_customer       INTEGER,
      min_order_amount   INTEGER,
      applicable_to      TEXT NOT NULL DEFAULT '[]',
      inapplicable_to    TEXT NOT NULL DEFAULT '[]',
      reactivation_limit INTEGER NOT NULL,
      reactivation_count INTEGER NOT NULL DEFAULT 0,
      metadata           TEXT NOT NULL DEFAULT '{}',
      created_at         INTEGER NOT NULL,
      updated_at         INTEGER NOT NULL,
      deleted_at         INTEGER, validity TEXT, aggregated_amount_limit INTEGER, category TEXT, category_id TEXT, campaign_id TEXT, additional_info TEXT,
      -- A second guard behind the rules: a voucher can never be used more than allowed.
      CHECK (quantity IS NULL OR redeemed_quantity <= quantity),
      CHECK (redeemed_quantity >= 0)
    );
    CREATE INDEX vouchers_holder ON vouchers(holder_id);
    CREATE TABLE redemptions (
      id                 TEXT PRIMARY KEY,
      parent_id          TEXT REFERENCES redemptions(id),
      voucher_id         TEXT REFERENCES vouchers(id),
      voucher_code       TEXT,
      customer_id        TEXT,
      order_id           TEXT NOT NULL,
      order_source_id    TEXT,
      order_amount       INTEGER NOT NULL,
      order_discount     INTEGER NOT NULL,
      order_gift         INTEGER NOT NULL,
      order_total        INTEGER NOT NULL,
      items              TEXT NOT NULL,
      amount             INTEGER NOT NULL,
      gift_balance_after INTEGER,
      status             TEXT NOT NULL,
      terminal           TEXT,
      cashier            TEXT,
      date               INTEGER NOT NULL,
      rollback_id        TEXT
    );
    CREATE UNIQUE INDEX redemptions_parent_order ON redemptions(order_source_id)
      WHERE voucher_id IS NULL AND order_source_id IS NOT NULL;
    CREATE INDEX redemptions_customer_date ON redemptions(customer_id, date);
    CREATE INDEX redemptions_order ON redemptions(order_source_id);
    CREATE TABLE rollbacks (
      id            TEXT PRIMARY KEY,
      redemption_id TEXT NOT NULL UNIQUE REFERENCES redemptions(id),
      voucher_id    TEXT NOT NULL,
      voucher_code  TEXT NOT NULL,
      amount        INTEGER NOT NULL,
      reason        TEXT NOT NULL,
      by_name       TEXT,
      date          INTEGER NOT NULL,
      reactivations_left INTEGER NOT NULL
    );
    CREATE TABLE idempotency_keys (
      key         TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      result_id   TEXT NOT NULL,
      created_at  INTEGER NOT NULL
    );
    CREATE TABLE issuance_batches (
      name        TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      created_at  INTEGER NOT NULL
    );
    CREATE TABLE issued_vouchers (
      batch       TEXT NOT NULL REFERENCES issuance_batches(name),
      customer_id TEXT NOT NULL,
      voucher_id  TEXT NOT NULL,
      line        INTEGER NOT NULL,
      PRIMARY KEY (batch, customer_id)
    ) WITHOUT ROWID;
    CREATE INDEX issued_vouchers_line ON issued_vouchers(batch, line);
    CREATE TABLE api_keys (
      app_id     TEXT PRIMARY KEY,
      name       TEXT NOT NULL,
      role       TEXT NOT NULL CHECK (role IN ('cashier', 'support', 'admin')),
      salt       TEXT NOT NULL,
      token_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      revoked_at INTEGER
    );
    CREATE UNIQUE INDEX redemptions_voucher_order ON redemptions(voucher_id, order_source_id);
    CREATE INDEX redemptions_parent ON redemptions(parent_id) WHERE parent_id IS NOT NULL;
    CREATE TABLE "events" (
      seq     INTEGER PRIMARY KEY,
      at      INTEGER NOT NULL,
      actor   TEXT,
      kind    TEXT NOT NULL,
      subject TEXT NOT NULL,
      detail  TEXT NOT NULL
    );
    CREATE INDEX events_subject ON events(subject, seq);
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
      BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
      BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TABLE closed_attempts (
      key       TEXT PRIMARY KEY,
      closed_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TRIGGER closed_attempts_never_land BEFORE INSERT ON idempotency_keys
      WHEN EXISTS (SELECT 1 FROM closed_attempts WHERE key = NEW.key)
      BEGIN SELECT RAISE(ABORT, 'the redeem attempt was closed by the fence'); END;
    CREATE TABLE session_locks (
      voucher_id   TEXT NOT NULL REFERENCES vouchers(id),
      session_key  TEXT NOT NULL,
      gift_credits INTEGER NOT NULL CHECK (gift_credits >= 0),
      expires_at   INTEGER NOT NULL,
      created_at   INTEGER NOT NULL,
      PRIMARY KEY (voucher_id, session_key)
    ) WITHOUT ROWID;
    CREATE INDEX redemptions_terminal_date ON redemptions(terminal, date)
      WHERE parent_id IS NULL;
    CREATE TABLE staff (
      name            TEXT PRIMARY KEY COLLATE NOCASE,
      role            TEXT NOT NULL CHECK (role IN ('cashier', 'support')),
      salt            TEXT NOT NULL,
      pin_hash        TEXT NOT NULL,
      created_at      INTEGER NOT NULL,
      revoked_at      INTEGER,
      failed_attempts INTEGER NOT NULL DEFAULT 0,
      locked_until    INTEGER
    );
    CREATE TABLE customer_phone_digits (
      digits      TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      PRIMARY KEY (digits, customer_id)
    ) WITHOUT ROWID;
    CREATE INDEX customers_email_local
      ON customers(substr(email_fold, 1, instr(email_fold, '@') - 1));
    CREATE INDEX customers_member_bare
      ON customers(lower(ltrim(member_number, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -_./#:')));
    """
}
