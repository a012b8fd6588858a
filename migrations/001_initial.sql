-- The first schema: accounts and their keys, capacity reservations, who they are shared with, and
-- who uses them. Derived numbers (availableInstanceCount, the state at the current clock) are not
-- stored. used_instance_count_total is the sum of the reservation's instance_usage rows, written with
-- them (usage is only ever replaced whole, with its reservation), so a page never sums a million rows.

CREATE TABLE emulator_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE account (
  account_id TEXT PRIMARY KEY
) WITHOUT ROWID;

CREATE TABLE denied_action (
  account_id TEXT NOT NULL REFERENCES account (account_id) ON DELETE CASCADE,
  action     TEXT NOT NULL,
  PRIMARY KEY (account_id, action)
) WITHOUT ROWID;

CREATE TABLE access_key (
  access_key_id     TEXT PRIMARY KEY,
  account_id        TEXT NOT NULL REFERENCES account (account_id) ON DELETE CASCADE,
  secret_access_key TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX access_key_by_account ON access_key (account_id);

CREATE TABLE capacity_reservation (
  capacity_reservation_id            TEXT PRIMARY KEY,
  owner_id                           TEXT NOT NULL,
  availability_zone                  TEXT NOT NULL,
  instance_type                      TEXT NOT NULL,
  instance_platform                  TEXT NOT NULL,
  total_instance_count               INTEGER NOT NULL,
  state                              TEXT NOT NULL,
  create_date                        TEXT NOT NULL,
  start_date                         TEXT,
  end_date                           TEXT,
  end_date_type                      TEXT NOT NULL,
  interruptible                      INTEGER,   -- 0/1, NULL when the reservation does not say
  interruptible_capacity_allocation  TEXT,      -- JSON object, NULL when absent
  interruption_info                  TEXT,      -- JSON object, NULL when absent
  used_instance_count_total          INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE capacity_reservation_share (
  capacity_reservation_id TEXT NOT NULL REFERENCES capacity_reservation (capacity_reservation_id) ON DELETE CASCADE,
  account_id              TEXT NOT NULL,
  PRIMARY KEY (capacity_reservation_id, account_id)
) WITHOUT ROWID;

CREATE TABLE instance_usage (
  capacity_reservation_id TEXT NOT NULL REFERENCES capacity_reservation (capacity_reservation_id) ON DELETE CASCADE,
  account_id              TEXT NOT NULL,
  used_instance_count     INTEGER NOT NULL CHECK (used_instance_count >= 0),
  PRIMARY KEY (capacity_reservation_id, account_id)
) WITHOUT ROWID;

-- The keyset that pages walk: only accounts with instances in use are listed to the owner.
CREATE INDEX instance_usage_in_use ON instance_usage (capacity_reservation_id, account_id)
  WHERE used_instance_count > 0;
