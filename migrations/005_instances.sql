-- Instances (SPEC section 11): one row per instance, one per RunInstances call (`launch`, the
-- reservationSet item DescribeInstances groups by, and the ClientToken it answers again), and the
-- instance part of each account's usage of a reservation kept by triggers on `instance`.
--
-- instance_usage.used_instance_count stays the whole used count every reader already reads (the
-- usage page, the owner's row, the total of migration 002): fixture usage plus instances holding a
-- place. instance_count is the instance part of it, so that a dump writes the fixture part alone
-- (used_instance_count - instance_count) and a reload does not count an instance twice.

ALTER TABLE instance_usage ADD COLUMN instance_count INTEGER NOT NULL DEFAULT 0
  CHECK (instance_count >= 0 AND instance_count <= used_instance_count);

-- One RunInstances call: EC2's reservation (r-…), the unit DescribeInstances groups instances by.
CREATE TABLE launch (
  reservation_id  TEXT PRIMARY KEY,           -- r- and 17 hex digits
  owner_id        TEXT NOT NULL,
  region          TEXT NOT NULL,
  client_token    TEXT,                       -- RunInstances' ClientToken, NULL when none was given
  request_digest  TEXT                        -- what the token was used with (IdempotentParameterMismatch)
) WITHOUT ROWID;
CREATE UNIQUE INDEX launch_by_client_token ON launch (owner_id, region, client_token) WHERE client_token IS NOT NULL;

CREATE TABLE instance (
  instance_id                     TEXT PRIMARY KEY,   -- i- and 17 hex digits
  reservation_id                  TEXT NOT NULL REFERENCES launch (reservation_id) ON DELETE CASCADE,
  owner_id                        TEXT NOT NULL,
  region                          TEXT NOT NULL,
  image_id                        TEXT NOT NULL,
  instance_type                   TEXT NOT NULL,
  availability_zone               TEXT NOT NULL,
  tenancy                         TEXT NOT NULL DEFAULT 'default' CHECK (tenancy IN ('default', 'dedicated', 'host')),
  platform                        TEXT NOT NULL DEFAULT 'Linux/UNIX',   -- the reservation platform it counts as
  state                           TEXT NOT NULL
    CHECK (state IN ('pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated')),
  state_since                     INTEGER NOT NULL,   -- epoch ms the last action set `state`
  settles_at                      INTEGER NOT NULL,   -- epoch ms a transitional state settles (= state_since otherwise)
  launch_time                     INTEGER NOT NULL,   -- epoch ms
  capacity_reservation_preference TEXT NOT NULL DEFAULT 'open'
    CHECK (capacity_reservation_preference IN ('open', 'none', 'capacity-reservations-only')),
  capacity_reservation_target_id  TEXT,               -- CapacityReservationTarget, NULL when none was named
  market_type                     TEXT,               -- InstanceMarketOptions.MarketType (capacity-block)
  -- The reservation it holds a place in now: NULL outside any, and once stopped or terminated. No
  -- foreign key: a fixture load replaces a reservation whole (delete, insert) and its instances stay
  -- in it (the store counts them again into the new usage rows).
  capacity_reservation_id         TEXT,
  CHECK (capacity_reservation_id IS NULL OR state NOT IN ('stopped', 'terminated'))
) WITHOUT ROWID;

-- DescribeInstances walks an account's instances in a region, grouped by launch, keyset-paged.
CREATE INDEX instance_by_owner ON instance (owner_id, region, reservation_id, instance_id);
-- ...and those in one reservation (the capacity-reservation-id filter).
CREATE INDEX instance_by_capacity_reservation ON instance (capacity_reservation_id, reservation_id, instance_id)
  WHERE capacity_reservation_id IS NOT NULL;
-- Instances outside any reservation that an open reservation may take in (preference open, no
-- target), oldest first.
CREATE INDEX instance_waiting ON instance (availability_zone, instance_type, launch_time, instance_id)
  WHERE capacity_reservation_id IS NULL AND capacity_reservation_preference = 'open'
    AND capacity_reservation_target_id IS NULL AND state IN ('pending', 'running');
-- Instances running outside any reservation take room from their zone's capacity pool (migration 004).
CREATE INDEX instance_outside ON instance (availability_zone, instance_type)
  WHERE capacity_reservation_id IS NULL AND state NOT IN ('stopped', 'terminated');
-- Transitions due at the clock.
CREATE INDEX instance_settling ON instance (settles_at) WHERE state IN ('pending', 'stopping', 'shutting-down');

-- An instance holding a place (capacity_reservation_id set; the CHECK keeps stopped and terminated
-- ones out) adds one to its owner's row of that reservation, made at 0 when absent; migration 002's
-- triggers on instance_usage carry each change into used_instance_count_total.
CREATE TRIGGER instance_place_on_insert AFTER INSERT ON instance WHEN NEW.capacity_reservation_id IS NOT NULL
BEGIN
  INSERT OR IGNORE INTO instance_usage (capacity_reservation_id, account_id, used_instance_count, instance_count)
    VALUES (NEW.capacity_reservation_id, NEW.owner_id, 0, 0);
  UPDATE instance_usage SET used_instance_count = used_instance_count + 1, instance_count = instance_count + 1
   WHERE capacity_reservation_id = NEW.capacity_reservation_id AND account_id = NEW.owner_id;
END;

CREATE TRIGGER instance_place_on_delete AFTER DELETE ON instance WHEN OLD.capacity_reservation_id IS NOT NULL
BEGIN
  UPDATE instance_usage SET used_instance_count = used_instance_count - 1, instance_count = instance_count - 1
   WHERE capacity_reservation_id = OLD.capacity_reservation_id AND account_id = OLD.owner_id;
END;

CREATE TRIGGER instance_place_on_update AFTER UPDATE OF capacity_reservation_id, owner_id ON instance
  WHEN OLD.capacity_reservation_id IS NOT NEW.capacity_reservation_id OR OLD.owner_id IS NOT NEW.owner_id
BEGIN
  UPDATE instance_usage SET used_instance_count = used_instance_count - 1, instance_count = instance_count - 1
   WHERE OLD.capacity_reservation_id IS NOT NULL
     AND capacity_reservation_id = OLD.capacity_reservation_id AND account_id = OLD.owner_id;
  INSERT OR IGNORE INTO instance_usage (capacity_reservation_id, account_id, used_instance_count, instance_count)
    SELECT NEW.capacity_reservation_id, NEW.owner_id, 0, 0 WHERE NEW.capacity_reservation_id IS NOT NULL;
  UPDATE instance_usage SET used_instance_count = used_instance_count + 1, instance_count = instance_count + 1
   WHERE NEW.capacity_reservation_id IS NOT NULL
     AND capacity_reservation_id = NEW.capacity_reservation_id AND account_id = NEW.owner_id;
END;

-- An instance's tags go with it.
CREATE TRIGGER instance_tags_deleted AFTER DELETE ON instance
BEGIN
  DELETE FROM resource_tag WHERE resource_id = OLD.instance_id;
END;

-- Placement looks up the reservations of a zone and instance type.
CREATE INDEX capacity_reservation_by_zone_and_type ON capacity_reservation (availability_zone, instance_type);
